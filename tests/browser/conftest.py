"""Browser tests: one `telesales serve` per test process (each test works as its own trainee, named in the
page link), the cockpit's `telesales dashboard` on the same database when a test asks for it, and Debian's
chromium. `make test-browser` runs two such processes side by side (pytest-xdist, a test file each)."""

from __future__ import annotations

import contextlib
import hashlib
import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from telesales_training.storage.store import Store
from telesales_training.web import demo

from ..instant import INSTANT
from .support import LOAD_TIMEOUT, leave, reusable_tab, start_server

DEMO_TRAINEES = 30
DESKTOP = {"width": 1280, "height": 900}
# Two test processes share two cores with their servers and browsers: give each kernel round trip room.
expect.set_options(timeout=15_000)


@pytest.fixture(autouse=True)
def clock_at_the_test_instant():
    """Playwright's event loop needs this process's real clock; the servers these tests start are pinned to
    the test instant through TELESALES_CLOCK instead (see conftest.py at the root)."""
    yield


@pytest.fixture(scope="session")
def db_path(tmp_path_factory):
    return tmp_path_factory.mktemp("browser") / "workbook.sqlite3"


@pytest.fixture(scope="session")
def server(db_path, tmp_path_factory):
    """The trainee pages; no trainee configured, so a page without `?trainee=` asks for a name."""
    running = start_server(db_path, tmp_path_factory.mktemp("logs") / "serve.log", trainee=None, args=("--no-preheat",))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def cohort(db_path):
    """A synthetic cohort in the shared database, for the cockpit tests; returns the store URL."""
    url = f"sqlite:///{db_path}"
    with Store(url) as store:
        demo.generate(store, DEMO_TRAINEES, seed=11, today=INSTANT.date())
    return url


@pytest.fixture(scope="session")
def cockpit_server(db_path, cohort, tmp_path_factory):
    running = start_server(
        db_path,
        tmp_path_factory.mktemp("logs") / "dashboard.log",
        trainee=None,
        extra_env={"TELESALES_LANG": "en"},
        args=("--no-preheat",),
        command_name="dashboard",
    )
    yield running
    running.stop()


@pytest.fixture
def trainee(request) -> str:
    """A trainee id of this test's own, so its rows never meet another test's on the shared server."""
    words = re.sub(r"[^A-Za-z0-9]+", "-", request.node.name.removeprefix("test_"))[:28].strip("-")
    return f"{words}-{hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:6]}"


def leaves_this_machine(url: str) -> bool:
    """A request to any host but the test's own server (a CDN, a font service, analytics…)."""
    if url.startswith(("data:", "blob:", "about:")):
        return False
    return urlparse(url).hostname not in ("127.0.0.1", "localhost")


@pytest.fixture(scope="session")
def desktop(browser):
    """The browser context the `page` fixture opens its pages in, one per test process: its cache (scripts, the
    compiled JavaScript) is kept from test to test as a trainee's browser keeps it, which halves Chromium's work
    per page (measured: 2.8-3.2 s of CPU per page load in a new context, 1.6-1.7 s in a used one). Tests that
    are about separate browsers make contexts of their own."""
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    yield context
    context.close()


@pytest.fixture
def page(desktop):
    """The context's one tab (support.reusable_tab) at desktop size, with no cookies (no login, no trainee's name),
    no permissions and no saved offline answers: a browser as a trainee who never came would have, apart from its
    cache. Every request any of its pages makes is recorded: a test fails if one left this machine (a training room
    may be offline; issue 14). Lessons, the start page and the cockpit are all opened this way, so every page is
    checked."""
    desktop.clear_cookies()
    desktop.clear_permissions()
    outside: list[str] = []

    def record(request) -> None:
        if leaves_this_machine(request.url):
            outside.append(request.url)

    desktop.on("request", record)
    opened = reusable_tab(desktop)
    errors: list[str] = []

    def record_error(error) -> None:
        errors.append(str(error))

    opened.on("pageerror", record_error)
    opened.set_default_timeout(30_000)
    opened.set_default_navigation_timeout(LOAD_TIMEOUT)
    yield opened
    for tab in desktop.pages:
        with contextlib.suppress(PlaywrightError):  # a page that never loaded has no storage to clear
            tab.evaluate("() => { try { localStorage.clear(); } catch (e) {} }")
        if tab is opened:  # kept, blank, for the next test
            opened.remove_listener("pageerror", record_error)
            with contextlib.suppress(PlaywrightError):
                leave(opened, DESKTOP)
                continue
        tab.close(run_before_unload=True)  # as a closed tab does: the page's kernel ends at once
    desktop.remove_listener("request", record)
    assert not outside, f"requests left this machine: {outside[:5]}"
    assert not errors, f"JavaScript errors on the page: {errors}"
