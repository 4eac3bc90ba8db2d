"""Team tests: a real JupyterHub (hub-demo), PostgreSQL with passwords, OS accounts per user, Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect

from telesales_training.storage.pgcluster import PostgresUnavailable, server_binaries
from telesales_training.web import hubdemo

from ..conftest import REQUIRE_POSTGRES
from ..instant import INSTANT

expect.set_options(timeout=15_000)


@pytest.fixture(autouse=True)
def clock_at_the_test_instant():
    """Playwright needs this process's real clock; the hub's servers are pinned to the test instant
    (TELESALES_CLOCK, passed on by hub-demo)."""
    yield


@contextmanager
def demo_hub(
    trainees: list[str], trainers: list[str], password: str, env: dict[str, str] | None = None, **options
) -> Iterator[hubdemo.HubDemo]:
    """`telesales hub-demo` for a test module: as root (it makes OS accounts) with PostgreSQL's binaries (else the
    module fails where the team tests must run, and is skipped elsewhere), in English at the test instant, over a
    throwaway cluster of its own; `env` adds settings for the hub's services. The environment is put back after."""
    problem = None
    if os.geteuid() != 0:
        problem = "the team tests create OS accounts and must run as root"
    try:
        server_binaries()
    except PostgresUnavailable as missing:
        problem = str(missing)
    if problem:
        if os.environ.get(REQUIRE_POSTGRES):
            pytest.fail(problem)
        pytest.skip(problem)
    wanted = {"TELESALES_LANG": "en", "TELESALES_CLOCK": INSTANT.isoformat(), **(env or {})}
    saved = {key: os.environ.get(key) for key in (*wanted, "TELESALES_DB")}
    os.environ.update(wanted)
    os.environ.pop("TELESALES_DB", None)  # a throwaway cluster of its own
    try:
        with hubdemo.running(hubdemo.free_port(), trainees, trainers, password, say=lambda _: None, **options) as demo:
            yield demo
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
