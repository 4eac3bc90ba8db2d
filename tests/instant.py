"""The instant every test runs at, so that no test depends on the real date or time of day.

TELESALES_TEST_INSTANT (ISO 8601, local wall-clock time; TZ picks the zone) moves it; by default it is an
ordinary Wednesday morning. `make test-instants` runs the suite again at awkward instants in other zones.
In the pytest process time-machine moves the clock to it for every test; the kernels and servers the
tests start see it through TELESALES_CLOCK.
"""

from __future__ import annotations

import os
from datetime import datetime

DEFAULT = "2026-03-04T10:30:00"
VARIABLE = "TELESALES_TEST_INSTANT"


def _read() -> datetime:
    text = os.environ.get(VARIABLE, "").strip() or DEFAULT
    try:
        return datetime.fromisoformat(text).astimezone()  # naive: local time in the zone TZ names
    except ValueError:
        raise SystemExit(f"{VARIABLE}={text!r} is not an ISO 8601 date and time, e.g. {DEFAULT}") from None


INSTANT = _read()
