import logging
from pathlib import Path

import pytest

from playwright.sync_api import sync_playwright

from telesales_training import content
from telesales_training.store import Store

from .browser import LOAD_TIMEOUT, launch_chromium, start_server

EXERCISES = Path(__file__).resolve().parent.parent / "exercises"


@pytest.fixture
def store(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'workbook.sqlite3'}") as opened:
        yield opened


@pytest.fixture
def alice(store):
    return store.trainee("alice")


@pytest.fixture(scope="session")
def ui():
    return content.load_ui()


@pytest.fixture(scope="session")
def lesson01():
    return content.load_lesson("01_decision_psychology")


@pytest.fixture(autouse=True)
def fail_on_swallowed_callback_errors(caplog):
    """ipywidgets' Button.click() logs handler exceptions instead of raising: make them failures."""
    caplog.set_level(logging.WARNING)
    yield
    swallowed = [r for r in caplog.get_records("setup") + caplog.get_records("call") if "Exception in callback" in r.getMessage()]
    assert not swallowed, f"a widget callback raised: {swallowed[0].getMessage()}"


# ---------------------------------------------------------------- browser tests (real Voilà, real Chromium)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    return tmp_path_factory.mktemp("browser") / "workbook.sqlite3"


@pytest.fixture(scope="module")
def server(db_path, tmp_path_factory):
    running = start_server(db_path, tmp_path_factory.mktemp("logs") / "voila.log", trainee="browser-trainee")
    yield running
    running.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.set_default_timeout(30_000)
    opened.set_default_navigation_timeout(LOAD_TIMEOUT)
    yield opened
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


