import itertools
import logging
import os
import shutil
from pathlib import Path

import pytest
import time_machine
from hypothesis import settings

from telesales_training.core.clock import FIXED_INSTANT
from telesales_training.course import content
from telesales_training.storage.pgcluster import Cluster, PostgresUnavailable
from telesales_training.storage.schema import metadata
from telesales_training.storage.store import Store

from .instant import INSTANT

# No time limit per example: speed is measured by bench/, and a busy CI machine must not fail a property.
settings.register_profile("telesales", deadline=None)
settings.load_profile("telesales")

BACKENDS = ("sqlite", "postgresql")
# .ci/run sets this: on CI a missing PostgreSQL is a failure, on a developer's machine a skip.
REQUIRE_POSTGRES = "TELESALES_REQUIRE_POSTGRES"
SHARED_DB = "telesales_tests"
_database_numbers = itertools.count()

EXERCISES = Path(__file__).resolve().parent.parent / "exercises"


@pytest.fixture(autouse=True)
def clock_at_the_test_instant(monkeypatch):
    """Every test starts at the same instant (tests/instant.py), whatever the real date and time.
    A test about a particular moment travels there itself with time_machine."""
    monkeypatch.delenv(FIXED_INSTANT, raising=False)  # that variable is for the kernels and servers
    with time_machine.travel(INSTANT, tick=True) as traveller:
        yield traveller


# The browser lane's files, longest first (seconds of one worker, `--durations` of the lane alone, 2026-12-07: team hub
# ≈ 116, lesson pages ≈ 70, server safety ≈ 69, cockpit ≈ 59, spoken practice ≈ 54, lesson 01 ≈ 55, LTI ≈ 37,
# offline ≈ 18, stable address ≈ 16, wheel ≈ 15; the rest ≤ 16). `make test-servers` runs the lane with
# `--dist loadfile --no-loadscope-reorder`, so xdist hands the files out in this order and its two workers end
# together (pytest collects files in folder order whatever order they are named in, and xdist would otherwise order
# them by their number of tests: the one-test files, 20-30 s each, came last and one worker ended alone).
LONGEST_FIRST = (
    "team/test_team_hub.py",
    "browser/test_lesson_pages.py",
    "browser/test_server_safety.py",
    "browser/test_cockpit_page.py",
    "browser/test_spoken_practice.py",
    "browser/test_lesson01_start_and_safety.py",
    "team/test_lti_hub.py",
    "browser/test_offline_submit.py",
    "browser/test_stable_address.py",
    "browser/test_wheel.py",
)
TESTS = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    """The files of LONGEST_FIRST before the others (in their order); every other file keeps its place after them."""
    rank = {name: number for number, name in enumerate(LONGEST_FIRST)}

    def place(item) -> int:
        try:
            return rank.get(item.path.relative_to(TESTS).as_posix(), len(rank))
        except ValueError:  # a notebook or a file outside tests/
            return len(rank)

    items.sort(key=place)


def pytest_generate_tests(metafunc):
    """Modules marked `both_backends` run every test that uses a store on SQLite and on PostgreSQL."""
    if "backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_backends"):
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request) -> str:
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL cluster of this test process, with one database at the current schema that the tests
    take turns on (emptied after each: much cheaper than a CREATE DATABASE per test)."""
    try:
        cluster = Cluster().start()
    except PostgresUnavailable as missing:
        if os.environ.get(REQUIRE_POSTGRES):
            pytest.fail(f"the PostgreSQL half of the suite must run here: {missing}")
        pytest.skip(f"PostgreSQL tests skipped: {missing}")
    with Store(cluster.create_database(SHARED_DB)):
        pass
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite store at the current schema, made once per test process by opening a Store on a new file (as
    every store is made), then closed: each test gets a copy (the same file a new store is: nothing in it but the
    schema and the package's version; making the schema for every test cost about 3 s of the 54 s SQLite half)."""
    path = tmp_path_factory.mktemp("template") / "workbook.sqlite3"
    Store(f"sqlite:///{path}").close()
    leftovers = [p.name for p in path.parent.iterdir() if p != path]
    assert not leftovers, f"the template store left {leftovers} (its WAL was not checkpointed on close)"
    return path


@pytest.fixture
def store_url(request, backend, tmp_path):
    """An empty store at the current schema: a SQLite file of this test's own (a copy of the session's
    template), or the PostgreSQL test database, emptied again when the test ends."""
    if backend == "sqlite":
        path = tmp_path / "workbook.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    cluster = request.getfixturevalue("postgres")
    yield cluster.url(SHARED_DB)
    cluster.empty(SHARED_DB, [table.name for table in metadata.sorted_tables])


@pytest.fixture
def empty_url(request, backend, tmp_path):
    """A database with nothing in it (no tables): for building old stores and racing over new ones."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    cluster = request.getfixturevalue("postgres")
    name = f"empty_{next(_database_numbers)}"
    yield cluster.create_database(name)
    cluster.drop_database(name)


@pytest.fixture
def store(store_url):
    with Store(store_url) as opened:
        yield opened


@pytest.fixture
def alice(store):
    return store.ensure_trainee("alice")


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
    swallowed = [
        r for r in caplog.get_records("setup") + caplog.get_records("call") if "Exception in callback" in r.getMessage()
    ]
    assert not swallowed, f"a widget callback raised: {swallowed[0].getMessage()}"


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, one per test process, for tests/browser and tests/team (imported only here, so the
    unit tests never load Playwright)."""
    from playwright.sync_api import sync_playwright

    from .browser.support import ARTIFACTS, launch_chromium

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()
