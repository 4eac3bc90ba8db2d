"""The one clock: tests run at the test instant, servers can be pinned, stored moments are shown locally."""

import re
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
import time_machine

from telesales_training.core import clock

from .instant import INSTANT


def test_every_test_starts_at_the_test_instant():
    assert abs(clock.now() - INSTANT) < timedelta(seconds=30)
    assert clock.today() == INSTANT.date()
    assert clock.now().utcoffset() == INSTANT.utcoffset()  # the local zone is the one TZ names


def test_a_test_can_travel_to_its_own_moment():
    with time_machine.travel(datetime(2028, 2, 29, 23, 30).astimezone(), tick=False):
        assert clock.today() == date(2028, 2, 29)
        assert clock.local_naive_now() == datetime(2028, 2, 29, 23, 30)
        assert clock.utc_now() == datetime(2028, 2, 29, 23, 30).astimezone().astimezone(timezone.utc)


def test_telesales_clock_pins_a_served_workbook(monkeypatch):
    monkeypatch.setenv(clock.FIXED_INSTANT, "2026-11-30T00:05:00+08:00")
    assert clock.now() == datetime(2026, 11, 30, 0, 5, tzinfo=timezone(timedelta(hours=8)))
    assert clock.utc_now() == datetime(2026, 11, 29, 16, 5, tzinfo=timezone.utc)
    monkeypatch.setenv(clock.FIXED_INSTANT, "2026-11-30T00:05")  # without an offset: local time
    assert clock.local_naive_now() == datetime(2026, 11, 30, 0, 5)
    monkeypatch.setenv(clock.FIXED_INSTANT, "next monday")
    with pytest.raises(clock.ClockSettingError, match="TELESALES_CLOCK='next monday' is not an ISO 8601"):
        clock.now()


def test_the_zone_follows_each_change_of_the_environment_and_an_unchanged_one_is_not_parsed_again(monkeypatch):
    """settings() keys its parsed copy on the TELESALES_* variables read from os.environ's own bytes (issue 24:
    the clock asks on every local time): a change made through os.environ, or a new or removed variable, is seen
    by the next call; the same environment gives back the same parsed settings."""
    from telesales_training.core.settings import settings

    monkeypatch.setenv("TELESALES_TZ", "Asia/Shanghai")
    assert str(clock.zone()) == "Asia/Shanghai"
    assert settings() is settings()
    monkeypatch.setenv("TELESALES_TZ", "Pacific/Kiritimati")
    assert str(clock.zone()) == "Pacific/Kiritimati"
    monkeypatch.setenv("TELESALES_WORK_DAYS", "mon,tue,wed,thu,fri,sat")
    assert settings().work_days.endswith("sat") and str(clock.zone()) == "Pacific/Kiritimati"
    monkeypatch.delenv("TELESALES_TZ")
    assert clock.zone() is None  # the machine's
    monkeypatch.setenv("TELESALES_TZ", "Asia/Shanghai")
    assert str(clock.zone()) == "Asia/Shanghai"


def test_days_are_local_and_stored_moments_are_shown_locally():
    start = clock.at_local(date(2026, 3, 2))
    assert start.tzinfo == timezone.utc
    assert start.astimezone().replace(tzinfo=None) == datetime(2026, 3, 2)
    nine = clock.at_local(date(2026, 3, 2), time(9))
    assert clock.shown(nine) == "2026-03-02 09:00"
    assert clock.shown(nine.replace(tzinfo=None)) == "2026-03-02 09:00"  # SQLite hands back naive UTC
    assert clock.shown(nine, with_time=False) == "2026-03-02"


def test_only_the_clock_module_reads_the_wall_clock():
    package = Path(clock.__file__).parent
    wall_clock = re.compile(r"\b(?:datetime\.(?:now|utcnow|today)|date\.today|time\.(?:time|localtime|gmtime))\(")
    readers = sorted(
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if path.name != "clock.py" and wall_clock.search(path.read_text(encoding="utf-8"))
    )
    assert readers == [], f"these modules read the wall clock instead of telesales_training.core.clock: {readers}"
