"""The one source of "now" and "today": nothing else in the package reads the wall clock.

Times are shown and days are counted in the local zone — TELESALES_TZ (e.g. Asia/Shanghai) when set, else the
machine's; the store keeps UTC.
Tests move this clock with time-machine (it patches what `now()` reads). A served workbook can be pinned
to one instant with TELESALES_CLOCK (e.g. `2026-03-02T00:05:00+08:00`; without an offset it is local
time): its pages then see that instant, standing still. Browser tests and notebook runs use it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from .settings import settings

FIXED_INSTANT = "TELESALES_CLOCK"


class ClockSettingError(ValueError):
    """TELESALES_CLOCK holds something that is not a date and time."""


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone() -> tzinfo | None:
    """The local zone: TELESALES_TZ's, or None for the machine's (what astimezone() takes as "local")."""
    name = settings().tz
    return _zone(name) if name else None


def local(moment: datetime) -> datetime:
    """An aware moment in the local zone; a naive one is taken as local wall-clock time."""
    here = zone()
    if moment.tzinfo is None and here is not None:
        return moment.replace(tzinfo=here)
    return moment.astimezone(here)


@lru_cache(maxsize=8)
def _fixed(text: str, zone_name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ClockSettingError(
            f"{FIXED_INSTANT}={text!r} is not an ISO 8601 date and time, e.g. 2026-03-02T09:30:00+08:00"
        ) from None
    return local(moment)  # a naive value is read as local time


def now() -> datetime:
    """This instant, timezone-aware, in the local zone."""
    fixed = settings().clock
    if fixed:
        return _fixed(fixed, settings().tz)
    return local(datetime.now(timezone.utc))


def today() -> date:
    """The local calendar day."""
    return now().date()


def local_naive_now() -> datetime:
    """Now as a local wall-clock time without zone (what dialer exports write)."""
    return now().replace(tzinfo=None)


def utc_now() -> datetime:
    """Now in UTC (what the store writes)."""
    return now().astimezone(timezone.utc)


def at_local(day: date, clock_time: time = time.min) -> datetime:
    """`day` at a local wall-clock time (midnight unless given), in UTC: comparable with stored times."""
    return local(datetime.combine(day, clock_time)).astimezone(timezone.utc)


def as_utc(moment: datetime) -> datetime:
    """In UTC; a naive moment is taken as UTC already (the store writes UTC; SQLite hands it back naive)."""
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def shown(moment: datetime, with_time: bool = True) -> str:
    """A stored moment as the trainee reads it: local date (and time)."""
    return local(as_utc(moment)).strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")
