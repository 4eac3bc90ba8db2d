"""The outbound call plan: daily target over the golden hours, time slots, and weekly pacing.

No UI, no storage. Times are minutes after midnight internally; text times are 'H:MM'.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated

import holidays
from pydantic import Field, field_validator, model_validator

from ..core.inputs import InputProblem, whole_number
from ..core.keys import Key
from ..core.settings import settings
from .toolstate import ToolState

DEFAULT_TARGET = 200
# 9:00–11:30 and 14:00–17:30, the course's golden hours.
GOLDEN_HOURS = ((9 * 60, 11 * 60 + 30), (14 * 60, 17 * 60 + 30))
MAX_DAILY_CALLS = 1000
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")  # the days of the typed week log
OUTCOMES = ("conversations", "next_steps", "appointments")  # what came of a week's calls, each within the one before
ALL_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ON_TRACK, BEHIND = 0.99, 0.81
_TIME = re.compile(r"^\s*(\d{1,2})\s*[:：.]\s*(\d{2})\s*$")


class PlanInputError(InputProblem):
    pass


def parse_time(text: str) -> int:
    match = _TIME.match(text or "")
    if not match:
        raise PlanInputError("time_format", text=text)
    hours, minutes = int(match[1]), int(match[2])
    if hours > 24 or minutes > 59 or (hours == 24 and minutes):
        raise PlanInputError("time_format", text=text)
    return hours * 60 + minutes


def parse_windows(text: str) -> tuple[tuple[int, int], ...]:
    """'9:00-11:30, 14:00-17:30' (also – ~ 至 and ；) → checked windows in minutes."""
    parts = [p for p in re.split(r"[,，;；\n]+", text or "") if p.strip()]
    windows = []
    for part in parts:
        bounds = re.split(r"\s*(?:-|–|—|~|～|至|to)\s*", part.strip())
        if len(bounds) != 2:
            raise PlanInputError("window_format", text=part.strip())
        windows.append((parse_time(bounds[0]), parse_time(bounds[1])))
    return check_windows(windows)


def format_windows(windows: Sequence[tuple[int, int]]) -> str:
    return ", ".join(f"{format_time(start)}-{format_time(end)}" for start, end in windows)


def format_time(minutes: float) -> str:
    whole = round(minutes)
    return f"{whole // 60}:{whole % 60:02d}"


def parse_target(raw) -> int:
    try:
        target = whole_number(raw)
    except ValueError:
        target = None
    if target is None:
        raise PlanInputError("target_not_whole")
    if not 1 <= target <= MAX_DAILY_CALLS:
        raise PlanInputError("target_out_of_range", max=MAX_DAILY_CALLS)
    return target


def check_windows(windows: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Sorted windows, or PlanInputError for an empty list, end before start, or overlaps."""
    if not windows:
        raise PlanInputError("windows_empty")
    for start, end in windows:
        if end <= start:
            raise PlanInputError("window_end_before_start", start=format_time(start), end=format_time(end))
    ordered = tuple(sorted(windows))
    for (_s1, end1), (start2, _e2) in itertools.pairwise(ordered):
        if start2 < end1:
            raise PlanInputError("windows_overlap", at=format_time(start2))
    return ordered


@dataclass(frozen=True)
class DayPlan:
    target: int
    windows: tuple[tuple[int, int], ...]
    minutes: int
    calls_per_hour: float
    minutes_per_call: float


def day_plan(target: int = DEFAULT_TARGET, windows: Sequence[tuple[int, int]] = GOLDEN_HOURS) -> DayPlan:
    windows = check_windows(windows)
    minutes = sum(end - start for start, end in windows)
    return DayPlan(target, windows, minutes, target / minutes * 60, minutes / target)


def schedule(plan: DayPlan, call_list: Sequence[str]) -> list[tuple[str, str]]:
    """(start time, contact) for each prepared contact, spaced evenly through the windows.
    Contacts beyond the target are not scheduled (the target is the day's capacity)."""
    slots = []
    for index, contact in enumerate(call_list[: plan.target]):
        offset = index * plan.minutes_per_call
        for start, end in plan.windows:
            if offset < end - start:
                slots.append((format_time(start + offset), contact))
                break
            offset -= end - start
    return slots


def schedule_csv(slots: Sequence[tuple[str, str]], headers: tuple[str, str] = ("time", "contact")) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(slots)
    return buffer.getvalue()


def parse_day_count(raw, day: str) -> int:
    """An empty box counts as 0 calls."""
    try:
        count = whole_number("" if raw is None else raw)
    except ValueError:
        raise PlanInputError("count_not_whole", day=day) from None
    if count is None:
        return 0
    if count < 0:
        raise PlanInputError("count_negative", day=day)
    if count > MAX_DAILY_CALLS:
        raise PlanInputError("count_absurd", day=day, max=MAX_DAILY_CALLS)
    return count


def parse_outcome(raw, what: str) -> int | None:
    """A week's count of conversations, next steps or appointments: an empty box is "not recorded" (None)."""
    try:
        count = whole_number("" if raw is None else raw)
    except ValueError:
        raise PlanInputError("outcome_not_whole", what=what) from None
    if count is None:
        return None
    if count < 0:
        raise PlanInputError("outcome_negative", what=what)
    if count > MAX_DAILY_CALLS * 7:
        raise PlanInputError("outcome_absurd", what=what, max=MAX_DAILY_CALLS * 7)
    return count


def outcome_problem(
    conversations: int | None, next_steps: int | None, appointments: int | None, calls: int | None = None
) -> PlanInputError | None:
    """What is wrong with a week's outcomes, each of which must fit inside the one before (calls ⊇ conversations ⊇
    next steps ⊇ appointments); a count not recorded (None) bounds nothing. None when they fit."""
    chain = [("calls", calls), *zip(OUTCOMES, (conversations, next_steps, appointments))]
    known = [(name, count) for name, count in chain if count is not None]
    for (outer, most), (inner, count) in itertools.pairwise(known):
        if count > most:
            return PlanInputError("outcome_over", inner=inner, outer=outer, count=count, most=most)
    return None


def parse_contacts(text: str, limit: int = MAX_DAILY_CALLS) -> list[str]:
    contacts = [line.strip()[:120] for line in (text or "").splitlines() if line.strip()]
    if len(contacts) > limit:
        raise PlanInputError("contacts_too_many", max=limit)
    return contacts


class Band(Key):
    """A week's pacing: the closed set the cockpit, lesson 05, the charts and the export share. A member is its
    own key (Band.AT_RISK == "at_risk", the ui strings' key and what SQL returns); never compare translations."""

    AT_RISK = "at_risk"
    BEHIND = "behind"
    ON_TRACK = "on_track"
    NO_DATA = "no_data"  # nothing typed or imported in the week: its own band, not "at risk"


def pacing_band(actual: int, target: float) -> Band:
    """on_track ≥ 99 % of the (pro-rated) target, behind 81–99 %, at_risk < 81 %."""
    if target <= 0:
        return Band.ON_TRACK
    share = actual / target
    return Band.ON_TRACK if share >= ON_TRACK else Band.BEHIND if share >= BEHIND else Band.AT_RISK


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def day_total(typed: int, imported: int) -> int:
    """The one rule for a day with both: the calls typed in the week log or the dialer's imported calls,
    whichever is more. A day is never counted twice, and a day the trainee typed short still shows every
    call the dialer saw."""
    return max(typed, imported)


def work_days(spec: str | None = None) -> tuple[int, ...]:
    """The weekdays that carry a target (0 = Monday), from TELESALES_WORK_DAYS ("mon,tue,wed,thu,fri" by default;
    a 大小周 floor adds "sat"). Calls of any day count; only work days add to the target."""
    text = settings().work_days if spec is None else spec
    names = [name.strip().lower()[:3] for name in text.split(",") if name.strip()]
    if not names or any(name not in ALL_DAYS for name in names):
        raise PlanInputError("work_days_invalid", text=text[:60], days=",".join(ALL_DAYS))
    return tuple(sorted({ALL_DAYS.index(name) for name in names}))


@functools.lru_cache(maxsize=32)
def _public_holidays(country: str, year: int) -> holidays.HolidayBase | None:
    if not country:
        return None
    try:
        return holidays.country_holidays(country.upper(), years=year)
    except NotImplementedError:
        raise PlanInputError("holidays_invalid", text=country[:20]) from None


def is_work_day(day: date) -> bool:
    """Whether `day` carries a call target: one of the work weekdays (TELESALES_WORK_DAYS) that is no public
    holiday of TELESALES_HOLIDAYS' country, or a weekend day that country works in exchange for one (调休)."""
    calendar = _public_holidays(settings().holidays, day.year)
    if calendar is not None:
        if day in calendar:
            return False
        if day in getattr(calendar, "weekend_workdays", ()):
            return True
    return day.weekday() in work_days()


def week_work_days(monday: date) -> tuple[int, ...]:
    """The days of the week starting `monday` that carry a target (0 = Monday): the work weekdays less that
    week's public holidays, plus a weekend day worked in exchange."""
    return tuple(n for n in range(7) if is_work_day(monday + timedelta(days=n)))


def working_days_elapsed(monday: date, today: date, days: Sequence[int] | None = None) -> int:
    """Work days of the week starting `monday` that have begun by `today` (`days`: that week's work days,
    default from the calendar, week_work_days)."""
    if today < monday:
        return 0
    begun = min(6, (today - monday).days)
    return sum(1 for day in (week_work_days(monday) if days is None else days) if day <= begun)


def week_pacing(counts: Sequence[int], daily_target: int, days_elapsed: int, days_begun: int | None = None):
    """(actual so far, pro-rated target, band): `counts` per day from Monday (5 or 7 of them), the target over
    `days_elapsed` work days; the calls of every day that has begun (`days_begun`, default the work days
    elapsed) count."""
    begun = days_elapsed if days_begun is None else days_begun
    actual = sum(counts[: max(0, begun)])
    target = daily_target * max(0, days_elapsed)
    return actual, target, pacing_band(actual, target)


def days_begun(monday: date, today: date) -> int:
    """Days of the week starting `monday` that have begun by `today` (0..7)."""
    return 0 if today < monday else min(7, (today - monday).days + 1)


DayCount = Annotated[int, Field(ge=0, le=MAX_DAILY_CALLS)]


WeekCount = Annotated[int, Field(ge=0, le=MAX_DAILY_CALLS * 7)]


class WeekLog(ToolState):
    """Calls logged Monday–Friday of one week, against a daily target, and — when the trainee records them — what
    came of them over the week: conversations (the contact talked business), agreed next steps (a concrete action
    with a time, lesson 08's rule of a successful call) and appointments (a meeting, visit or demonstration booked;
    one kind of next step). None is "not recorded", never 0. Each week's latest save is its record."""

    week: date  # the Monday
    counts: tuple[DayCount, DayCount, DayCount, DayCount, DayCount]
    target: int = Field(gt=0, le=MAX_DAILY_CALLS)
    conversations: WeekCount | None = None
    next_steps: WeekCount | None = None
    appointments: WeekCount | None = None

    @field_validator("week")
    @classmethod
    def _a_monday(cls, week: date) -> date:
        if week.weekday() != 0:
            raise ValueError("a week starts on a Monday")
        return week

    @model_validator(mode="after")
    def _each_within_the_one_before(self) -> WeekLog:
        if outcome_problem(self.conversations, self.next_steps, self.appointments):
            raise ValueError("next steps within conversations, appointments within next steps")
        return self

    def stored(self) -> dict:
        """The JSON kept; an outcome not recorded is left out (a week without them reads as before they existed)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    @property
    def next_step_share(self) -> float | None:
        """Agreed next steps per conversation; None when either is not recorded or there was no conversation."""
        if not self.conversations or self.next_steps is None:
            return None
        return self.next_steps / self.conversations

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def weekly_target(self) -> int:
        return self.target * len(WEEKDAYS)

    def days(self) -> dict[date, int]:
        return {self.week + timedelta(days=n): count for n, count in enumerate(self.counts)}


@dataclass(frozen=True)
class WeekCalls:
    """One week's calls as pacing counts them: per day Monday–Sunday the larger of typed and imported
    (day_total), against the daily target on the work days."""

    week: date  # the Monday
    days: tuple[int, int, int, int, int, int, int]
    target: int  # per work day
    work: tuple[int, ...]  # the work days (0 = Monday)

    @property
    def total(self) -> int:
        return sum(self.days)

    @property
    def weekly_target(self) -> int:
        return self.target * len(self.work)

    def pacing(self, today: date) -> tuple[int, int, str]:
        """(calls so far, pro-rated target, band) as of `today`."""
        return week_pacing(
            self.days, self.target, working_days_elapsed(self.week, today, self.work), days_begun(self.week, today)
        )


def weeks_from_days(days: dict[date, tuple[int, int]], work: Sequence[int] | None = None) -> dict[date, WeekCalls]:
    """{monday: WeekCalls} from (calls, target) per day (the store's logged_calls); each week's work days are
    `work` or, by default, that week's from the calendar (week_work_days: a holiday week asks less)."""
    grouped: dict[date, dict[int, tuple[int, int]]] = {}
    for day, counted in days.items():
        grouped.setdefault(monday_of(day), {})[day.weekday()] = counted
    return {
        monday: WeekCalls(
            monday,
            tuple(found.get(n, (0, 0))[0] for n in range(7)),
            max((target for _calls, target in found.values()), default=DEFAULT_TARGET) or DEFAULT_TARGET,
            tuple(week_work_days(monday) if work is None else work),
        )
        for monday, found in sorted(grouped.items())
    }


def weeks_logged(values) -> dict[date, WeekLog]:
    """The current record of each week among saved week logs (in save order): the latest save of a week wins."""
    return {log.week: log for log in WeekLog.read_all(values)}


class CallPlanSettings(ToolState):
    """The day plan as the trainee set it: the daily target, the calling windows ("09:00-11:30, ..."), the
    contacts to call."""

    target: int = Field(gt=0, le=MAX_DAILY_CALLS)
    windows: str
    contacts: tuple[str, ...] = ()


def week_log_days(record) -> tuple[dict[date, int], int] | None:
    """The five days of a saved weekly call log as {day: calls} and the daily target; None for a record that is
    not a well-formed week log (migration 0005 reads the saves with it)."""
    log = WeekLog.read(record)
    return (log.days(), log.target) if log else None
