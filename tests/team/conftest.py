"""Team tests: a real JupyterHub (hub-demo), PostgreSQL with passwords, OS accounts per user, Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

expect.set_options(timeout=15_000)


@pytest.fixture(autouse=True)
def clock_at_the_test_instant():
    """Playwright needs this process's real clock; the hub's servers are pinned to the test instant
    (TELESALES_CLOCK, passed on by hub-demo)."""
    yield
