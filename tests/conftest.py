import logging
from pathlib import Path

import pytest
import time_machine

from telesales_training import content
from telesales_training.clock import FIXED_INSTANT
from telesales_training.store import Store

from .instant import INSTANT

EXERCISES = Path(__file__).resolve().parent.parent / "exercises"


@pytest.fixture(autouse=True)
def clock_at_the_test_instant(monkeypatch):
    """Every test starts at the same instant (tests/instant.py), whatever the real date and time.
    A test about a particular moment travels there itself with time_machine."""
    monkeypatch.delenv(FIXED_INSTANT, raising=False)  # that variable is for the kernels and servers
    with time_machine.travel(INSTANT, tick=True) as traveller:
        yield traveller


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
