"""Services the workbook talks to, started for real on 127.0.0.1 by the tests and stopped at the end: a Learning
Record Store (tests/lrs_support.py)."""

from __future__ import annotations

import pytest

from ..lrs_support import started


@pytest.fixture
def ralph(tmp_path):
    lrs = started(tmp_path)
    yield lrs
    lrs.stop()
