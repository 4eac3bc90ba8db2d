"""The trainer's read view over the whole cohort: every number is aggregated in SQL (GROUP BY over
indexed columns) and every list is paginated, so the cockpit costs about the same at 20 and 2,000
trainees. Part of the storage gateway: handed out by `Store.cohort(...)`; nothing else here runs SQL.

"Latest answer" means the newest row per (trainee, lesson, item), as in the trainee's own view; with a
date range, the newest row inside the range.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ..core import clock
from ..course.scoring import SCORE_BUCKETS as SCORE_BUCKETS
from ..tools.assessment import TrainerAssessment
from ..tools.callplan import (
    BEHIND,
    DEFAULT_TARGET,
    ON_TRACK,
    OUTCOMES,
    Band,
    WeekLog,
    days_begun,
    is_work_day,
    week_work_days,
    working_days_elapsed,
)
from ..tools.factors import FactorProfile
from ..tools.funnel import LAYERS, THIN_RATIO, FunnelSnapshot
from .database import local_bucket
from .retention import Retention
from .schema import (
    answers,
    call_days,
    current_answers,
    first_answers,
    item_totals,
    lesson_totals,
    memberships,
    reviews,
    trainees,
    trainer_scores,
)

if TYPE_CHECKING:
    from .store import Store

PAGE_SIZE = 25
PACING_BANDS = tuple(Band)  # at_risk, behind, on_track, no_data (nothing typed or imported this week)
ItemKeys = Sequence[tuple[str, str]]  # (lesson_id, item_id)


@dataclass(frozen=True)
class Filters:
    cohort: str | None = None
    since: date | None = None
    until: date | None = None
    search: str | None = None  # part of a trainee id

    def __post_init__(self):
        if self.since and self.until and self.since > self.until:
            raise ValueError("the start date is after the end date")


@dataclass(frozen=True)
class TraineeRow:
    trainee_id: str
    cohort: str | None
    joined: datetime
    last_active: datetime | None
    answered: int
    points: float
    max_points: float
    calls: int = 0  # this week so far (when the week was asked for)
    planned: int = 0  # the pro-rated target of those days
    band: Band | None = None  # on_track / behind / at_risk / no_data
    first_points: float = 0.0  # the self-check's first tries (sitting 1), never changed by practice


@dataclass(frozen=True)
class Trends:
    """Week by week (one entry per Monday in `weeks`), for the filtered trainees or one trainee."""

    weeks: list[date]
    trainees: int  # how many trainees the figures are about
    calls: list[int]  # calls logged that week, all of them together
    targets: list[int]  # the weekly targets of the trainees (their logged daily target, else the course's, × 5)
    layers: list[tuple[float, ...]]  # mean count per funnel layer of the snapshots saved that week (empty: none)
    completions: list[int]  # lessons completed that week (every exercise answered), trainees together
    score_share: list[float | None]  # points ÷ possible points of the answers given that week


@dataclass(frozen=True)
class LessonCompletion:
    lesson_id: str
    started: int  # trainees with at least one answer
    completed: int  # trainees who answered every question
    answered: int  # answers (latest per item) summed over trainees


@dataclass(frozen=True)
class ItemStat:
    lesson_id: str
    item_id: str
    answered: int
    missed: int  # latest answers below full points
    mean_share: float  # mean of score ÷ max points
    # The same of the first tries (sitting 1): what the trainees knew before feedback and practice.
    first_answered: int = 0
    first_missed: int = 0
    first_share: float = 0.0


@dataclass(frozen=True)
class OpenAnswer:
    answer_id: int
    trainee_id: str
    cohort: str | None
    value: Any
    created_at: datetime
    reviewed: bool  # the current review is of this very answer
    comment: str
    reviewer: str | None
    marks: tuple[str, ...] | None = None  # the rubric checks ticked in the current review


@dataclass(frozen=True)
class FunnelRow:
    trainee_id: str
    cohort: str | None
    counts: tuple[int, ...]
    as_of: str


@dataclass(frozen=True)
class WeekOutcomes:
    """What came of one week's calls as the trainees recorded it in their week logs (lesson 05): the trainees who
    recorded conversations, their calls that week (each day the larger of typed and imported), and the sums. A share
    counts only the trainees who recorded both of its figures."""

    trainees: int = 0
    calls: int = 0
    conversations: int = 0
    next_steps: int = 0
    conversations_with_steps: int = 0  # the conversations of those who also recorded next steps
    appointments: int = 0
    next_steps_with_appointments: int = 0

    @property
    def per_hundred_calls(self) -> float | None:
        return 100 * self.conversations / self.calls if self.calls else None

    @property
    def next_step_share(self) -> float | None:
        return self.next_steps / self.conversations_with_steps if self.conversations_with_steps else None

    @property
    def appointment_share(self) -> float | None:
        return self.appointments / self.next_steps_with_appointments if self.next_steps_with_appointments else None


@dataclass(frozen=True)
class PacingRow:
    trainee_id: str
    cohort: str | None
    actual: int
    planned: int
    band: Band
    # The week log's outcomes for the week (None: not recorded), when asked for (pacing(..., log=...)).
    conversations: int | None = None
    next_steps: int | None = None
    appointments: int | None = None


def _as_day(value: Any) -> date:
    """A day as SQL gives it back (a date on PostgreSQL, 'YYYY-MM-DD' text on SQLite)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _count(value: Any) -> int:
    """A stored layer count as a whole number; anything odd (a word, a fraction of nothing) counts as 0."""
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0 else 0


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


class CohortView:
    def __init__(self, store: Store, filters: Filters):
        self._store = store
        self.filters = filters

    @property
    def _engine(self) -> sa.Engine:
        return self._store.engine

    def _rows(self, query) -> list[sa.Row]:
        with self._engine.connect() as conn:
            return conn.execute(query).all()

    def _scalar(self, query):
        with self._engine.connect() as conn:
            return conn.execute(query).scalar()

    # -- building blocks
    def _members(self) -> sa.Select:
        """Ids of the trainees the filters select."""
        query = sa.select(trainees.c.id)
        if self.filters.cohort:
            query = query.join(memberships, memberships.c.trainee_id == trainees.c.id).where(
                memberships.c.cohort == self.filters.cohort
            )
        if self.filters.search:  # any part of the id, in any case ("wang" finds Wang.Li and li.wang.07)
            query = query.where(
                sa.func.lower(trainees.c.id).contains(self.filters.search.strip().lower(), autoescape=True)
            )
        return query

    def _filtered(self) -> bool:
        return bool(self.filters.cohort or self.filters.search)

    def _answer_conditions(self, keys: ItemKeys | None, table: sa.Table = answers) -> list:
        """The filters on rows of `table` (answers, or first_answers): the filtered trainees, saved inside the
        dates, among `keys`."""
        conditions = []
        if self._filtered():
            conditions.append(table.c.trainee_id.in_(self._members()))
        if self.filters.since:
            conditions.append(table.c.created_at >= clock.at_local(self.filters.since))
        if self.filters.until:
            conditions.append(table.c.created_at < clock.at_local(self.filters.until + timedelta(days=1)))
        if keys is not None:
            conditions.append(sa.tuple_(table.c.lesson_id, table.c.item_id).in_(list(keys)))
        return conditions

    def _latest(self, keys: ItemKeys | None = None, with_value: bool = False) -> sa.Subquery:
        """The latest answer per (trainee, lesson, item) among the filtered trainees and dates: columns id,
        trainee_id, lesson_id, item_id, score, max_points, created_at (and value when asked for).
        Without a date range this reads current_answers (one row per answered item); with one, it finds
        the newest row inside the range in the full history."""
        if self.filters.since or self.filters.until:
            newest = (
                sa.select(sa.func.max(answers.c.id).label("id"))
                .where(*self._answer_conditions(keys))
                .group_by(answers.c.trainee_id, answers.c.lesson_id, answers.c.item_id)
            ).subquery()
            return sa.select(answers).join(newest, newest.c.id == answers.c.id).subquery("latest")
        current = current_answers
        conditions = []
        if self._filtered():
            conditions.append(current.c.trainee_id.in_(self._members()))
        if keys is not None:
            conditions.append(sa.tuple_(current.c.lesson_id, current.c.item_id).in_(list(keys)))
        columns = [
            current.c.answer_id.label("id"),
            current.c.trainee_id,
            current.c.lesson_id,
            current.c.item_id,
            current.c.score,
            current.c.max_points,
            current.c.created_at,
        ]
        query = sa.select(*columns)
        if with_value:
            query = sa.select(*columns, answers.c.value).join(answers, answers.c.id == current.c.answer_id)
        return query.where(*conditions).subquery("latest")

    def _dated(self) -> bool:
        return bool(self.filters.since or self.filters.until)

    def _lesson_sums(self, keys: ItemKeys, points_only: bool = False) -> sa.Subquery:
        """Per (trainee, lesson) among the lessons of `keys` and the filtered trainees: n (items of `keys`
        answered), k (those with points), score and max_points (over those with points). Read from
        lesson_totals (one row per trainee and lesson), less the rows of items that are not in `keys` (a
        trainer's scores, items no longer in the curriculum), found through item_totals and the index.
        `points_only`: only k, score and max_points are wanted, so items that never carry points (tools)
        need not be taken away."""
        keys = set(keys)
        lessons = sorted({lesson for lesson, _item in keys})
        present = self._rows(
            sa.select(item_totals.c.lesson_id, item_totals.c.item_id).where(
                (item_totals.c.scored if points_only else item_totals.c.answered) > 0,
                item_totals.c.lesson_id.in_(lessons),
            )
        )
        extra = sorted({(r.lesson_id, r.item_id) for r in present} - keys)
        totals = lesson_totals
        conditions = [totals.c.lesson_id.in_(lessons)]
        if self._filtered():
            conditions.append(totals.c.trainee_id.in_(self._members()))
        if not extra:
            return (
                sa.select(
                    totals.c.lesson_id,
                    totals.c.trainee_id,
                    totals.c.answered.label("n"),
                    totals.c.scored.label("k"),
                    totals.c.score,
                    totals.c.max_points,
                )
                .where(*conditions)
                .subquery("sums")
            )
        current = current_answers
        points = current.c.max_points > 0
        others = (
            sa.select(
                current.c.lesson_id,
                current.c.trainee_id,
                sa.func.count().label("n"),
                sa.func.sum(sa.case((points, 1), else_=0)).label("k"),
                sa.func.sum(sa.case((points, sa.func.coalesce(current.c.score, 0)), else_=0)).label("score"),
                sa.func.sum(sa.case((points, current.c.max_points), else_=0)).label("max_points"),
            )
            .where(sa.tuple_(current.c.lesson_id, current.c.item_id).in_(extra))
            .group_by(current.c.lesson_id, current.c.trainee_id)
        ).subquery()

        def less(total: str, other: str):
            return (totals.c[total] - sa.func.coalesce(others.c[other], 0)).label(other)

        return (
            sa.select(
                totals.c.lesson_id,
                totals.c.trainee_id,
                less("answered", "n"),
                less("scored", "k"),
                less("score", "score"),
                less("max_points", "max_points"),
            )
            .outerjoin(
                others, sa.and_(others.c.lesson_id == totals.c.lesson_id, others.c.trainee_id == totals.c.trainee_id)
            )
            .where(*conditions)
            .subquery("sums")
        )

    def _number(self, value, *path: str | int):
        """The number at `path` inside a stored answer, or NULL when it is missing or not a number: one odd
        answer (a word where a count belongs) never breaks an aggregate over the cohort."""
        if self._engine.dialect.name == "postgresql":
            steps = [str(step) for step in path]
            found = sa.func.jsonb_extract_path(value, *steps)
            text = sa.func.jsonb_extract_path_text(value, *steps)
            return sa.case((sa.func.jsonb_typeof(found) == "number", sa.cast(text, sa.Float)), else_=None)
        where = "$" + "".join(f"[{step}]" if isinstance(step, int) else f'."{step}"' for step in path)
        return sa.case(
            (
                sa.func.json_type(value, where).in_(("integer", "real")),
                sa.cast(sa.func.json_extract(value, where), sa.Float),
            ),
            else_=None,
        )

    def _text(self, value, key: str):
        """The text at `key` of a stored answer (NULL when missing)."""
        if self._engine.dialect.name == "postgresql":
            return sa.func.jsonb_extract_path_text(value, key)
        return sa.func.json_extract(value, f'$."{key}"')

    # -- who
    def cohorts(self) -> list[str]:
        return [r[0] for r in self._rows(sa.select(memberships.c.cohort).distinct().order_by(memberships.c.cohort))]

    def trainee_ids(self) -> list[str]:
        return [r[0] for r in self._rows(self._members().order_by(trainees.c.id))]

    def count(self) -> int:
        return self._scalar(sa.select(sa.func.count()).select_from(self._members().subquery()))

    def _page_order(
        self,
        questions: ItemKeys,
        order: str,
        descending: bool,
        offset: int,
        limit: int | None,
        week: tuple[date, date] | None,
    ) -> list[str]:
        """The ids of one page of trainees in `order` (ties by id)."""
        members = self._members().subquery()
        direction = sa.desc if descending else sa.asc
        if order == "cohort":
            query = (
                sa.select(members.c.id)
                .outerjoin(memberships, memberships.c.trainee_id == members.c.id)
                .order_by(direction(sa.func.coalesce(memberships.c.cohort, "")), members.c.id)
            )
        elif order in ("score", "last_active"):
            # "score" is the self-check's first tries (what the column shows first), then the latest answers.
            if order == "score" and not self._dated():
                totals = lesson_totals
                lessons = sorted({lesson for lesson, _item in questions})
                conditions = [totals.c.lesson_id.in_(lessons)]
                if self._filtered():
                    conditions.append(totals.c.trainee_id.in_(self._members()))
                value = (sa.func.sum(totals.c.first_score) * 100000 + sa.func.sum(totals.c.score)).label("value")
                per = sa.select(totals.c.trainee_id, value).where(*conditions).group_by(totals.c.trainee_id).subquery()
            elif order == "score":
                first = first_answers
                value = sa.func.sum(sa.func.coalesce(first.c.score, 0)).label("value")
                per = (
                    sa.select(first.c.trainee_id, value)
                    .where(*self._firsts(questions))
                    .group_by(first.c.trainee_id)
                    .subquery()
                )
            else:
                latest = self._latest(questions)
                value = (sa.func.sum(latest.c.score) if order == "score" else sa.func.max(latest.c.created_at)).label(
                    "value"
                )
                per = sa.select(latest.c.trainee_id, value).group_by(latest.c.trainee_id).subquery()
            # Trainees without answers count as 0 points / never active: last when descending, first when not.
            query = (
                sa.select(members.c.id)
                .outerjoin(per, per.c.trainee_id == members.c.id)
                .order_by(
                    direction(per.c.value).nulls_first() if not descending else direction(per.c.value).nulls_last(),
                    members.c.id,
                )
            )
        elif order == "pacing" and week is not None:
            pacing = self._pacing_query(*week)
            query = sa.select(pacing.c.trainee_id.label("id")).order_by(  # no data last, either way round
                sa.nulls_last(direction(pacing.c.share)), pacing.c.trainee_id
            )
        else:
            query = sa.select(members.c.id).order_by(direction(members.c.id))
        return [r[0] for r in self._rows(query.offset(offset).limit(limit))]

    def trainees(
        self,
        questions: ItemKeys,
        offset: int = 0,
        limit: int | None = PAGE_SIZE,
        order: str = "name",
        descending: bool = False,
        week: tuple[date, date] | None = None,
    ) -> list[TraineeRow]:
        """One page of trainees with their answered questions and points, sorted by `order` ("name", "cohort",
        "score", "last_active", "pacing" — the share of the pro-rated target of `week` = (monday, today))."""
        ids = self._page_order(questions, order, descending, offset, limit, week)
        if not ids:
            return []
        latest = self._latest(questions)
        totals = (
            sa.select(
                latest.c.trainee_id,
                sa.func.count().label("answered"),
                sa.func.coalesce(sa.func.sum(latest.c.score), 0).label("points"),
                sa.func.coalesce(sa.func.sum(latest.c.max_points), 0).label("max_points"),
                sa.func.max(latest.c.created_at).label("last_active"),
            )
            .where(latest.c.trainee_id.in_(ids))  # only the page's trainees
            .group_by(latest.c.trainee_id)
        ).subquery()
        query = (
            sa.select(
                trainees.c.id,
                memberships.c.cohort,
                trainees.c.created_at,
                totals.c.last_active,
                totals.c.answered,
                totals.c.points,
                totals.c.max_points,
            )
            .where(trainees.c.id.in_(ids))
            .outerjoin(memberships, memberships.c.trainee_id == trainees.c.id)
            .outerjoin(totals, totals.c.trainee_id == trainees.c.id)
        )
        pacing: dict[str, tuple[int, int, str]] = {}
        if week is not None:
            paced = self._pacing_query(*week)
            pacing = {
                r.trainee_id: (int(r.actual), int(r.planned), Band(r.band))
                for r in self._rows(sa.select(paced).where(paced.c.trainee_id.in_(ids)))
            }
        found = {r.id: r for r in self._rows(query)}
        firsts = dict(self._rows(self._first_points(questions, ids)))
        return [
            TraineeRow(
                r.id,
                r.cohort,
                clock.as_utc(r.created_at),
                clock.as_utc(r.last_active) if r.last_active else None,
                r.answered or 0,
                float(r.points or 0),
                float(r.max_points or 0),
                *pacing.get(r.id, (0, 0, None)),
                first_points=float(firsts.get(r.id) or 0),
            )
            for r in (found[i] for i in ids if i in found)
        ]

    def _firsts(self, keys: ItemKeys | None) -> list:
        """Conditions on first_answers: sitting 1 of the filtered trainees, `keys`, first tried inside the dates."""
        return [first_answers.c.sitting == 1, *self._answer_conditions(keys, first_answers)]

    def _first_points(self, keys: ItemKeys, ids: Sequence[str]) -> sa.Select:
        """(trainee, points of the first tries) of the trainees `ids`."""
        first = first_answers
        return (
            sa.select(first.c.trainee_id, sa.func.coalesce(sa.func.sum(first.c.score), 0))
            .where(*self._firsts(keys), first.c.trainee_id.in_(list(ids)))
            .group_by(first.c.trainee_id)
        )

    # -- lessons and questions
    def lesson_completion(self, questions: Mapping[str, Sequence[str]]) -> dict[str, LessonCompletion]:
        """Per lesson: trainees who started it, who answered every question, and answers given."""
        keys = [(lesson, item) for lesson, items in questions.items() for item in items]
        if self._dated():
            latest = self._latest(keys)
            per_trainee = (
                sa.select(latest.c.lesson_id, latest.c.trainee_id, sa.func.count().label("n")).group_by(
                    latest.c.lesson_id, latest.c.trainee_id
                )
            ).subquery()
        else:
            sums = self._lesson_sums(keys)
            per_trainee = sa.select(sums.c.lesson_id, sums.c.trainee_id, sums.c.n).where(sums.c.n > 0).subquery()
        required = sa.case(
            {lesson: len(items) for lesson, items in questions.items()}, value=per_trainee.c.lesson_id, else_=0
        )
        query = sa.select(
            per_trainee.c.lesson_id,
            sa.func.count().label("started"),
            sa.func.sum(sa.case((per_trainee.c.n >= required, 1), else_=0)).label("completed"),
            sa.func.sum(per_trainee.c.n).label("answered"),
        ).group_by(per_trainee.c.lesson_id)
        found = {
            r.lesson_id: LessonCompletion(r.lesson_id, r.started, int(r.completed or 0), int(r.answered or 0))
            for r in self._rows(query)
        }
        return {lesson: found.get(lesson, LessonCompletion(lesson, 0, 0, 0)) for lesson in questions}

    def score_distribution(self, questions: Mapping[str, Sequence[str]]) -> dict[str, list[int]]:
        """Per lesson: how many trainees' lesson scores fall in each fifth (0–19 % … 80–100 %)."""
        keys = [(lesson, item) for lesson, items in questions.items() for item in items]
        if self._dated():
            latest = self._latest(keys)
            per_trainee = (
                sa.select(
                    latest.c.lesson_id,
                    latest.c.trainee_id,
                    (sa.func.sum(latest.c.score) * 1.0 / sa.func.sum(latest.c.max_points)).label("share"),
                )
                .where(latest.c.max_points > 0)
                .group_by(latest.c.lesson_id, latest.c.trainee_id)
            ).subquery()
        else:
            sums = self._lesson_sums(keys, points_only=True)
            # Running totals carry float rounding (0.6 may read 0.5999999…): nudge before cutting into fifths.
            per_trainee = (
                sa.select(
                    sums.c.lesson_id, sums.c.trainee_id, (sums.c.score * 1.0 / sums.c.max_points + 1e-9).label("share")
                ).where(sums.c.k > 0, sums.c.max_points > 0)
            ).subquery()
        scaled = per_trainee.c.share * SCORE_BUCKETS
        if self._engine.dialect.name == "postgresql":
            scaled = sa.func.floor(scaled)  # PostgreSQL rounds when casting; SQLite truncates
        bucket = sa.case((per_trainee.c.share >= 1, SCORE_BUCKETS - 1), else_=sa.cast(scaled, sa.Integer))
        query = sa.select(per_trainee.c.lesson_id, bucket.label("bucket"), sa.func.count()).group_by(
            per_trainee.c.lesson_id, bucket
        )
        found = {lesson: [0] * SCORE_BUCKETS for lesson in questions}
        for lesson, index, count in self._rows(query):
            if lesson in found:
                found[lesson][max(0, min(SCORE_BUCKETS - 1, int(index)))] += count
        return found

    def item_stats(self, scored: ItemKeys) -> list[ItemStat]:
        """Scored items, the most often missed on the first try first (then the most often missed now, then the
        lowest mean share): latest answers and first tries side by side."""
        stats = self._latest_item_stats(scored)
        firsts = self._first_item_stats(scored)
        merged = [
            ItemStat(
                s.lesson_id, s.item_id, s.answered, s.missed, s.mean_share, *firsts.get((s.lesson_id, s.item_id), ())
            )
            for s in stats
        ]
        return sorted(merged, key=lambda s: (-s.first_missed, -s.missed, s.mean_share, s.lesson_id, s.item_id))

    def _first_item_stats(self, scored: ItemKeys) -> dict[tuple[str, str], tuple[int, int, float]]:
        """(lesson, item) → (first tries, first tries below full points, mean first-try share)."""
        if not (self._dated() or self._filtered()):  # the whole cohort: item_totals keeps the first tries too
            totals = item_totals
            query = sa.select(
                totals.c.lesson_id, totals.c.item_id, totals.c.first_scored, totals.c.first_missed, totals.c.first_share
            ).where(totals.c.first_scored > 0, sa.tuple_(totals.c.lesson_id, totals.c.item_id).in_(list(scored)))
            return {(r[0], r[1]): (int(r[2]), int(r[3]), float(r[4]) / r[2]) for r in self._rows(query)}
        first = first_answers
        query = (
            sa.select(
                first.c.lesson_id,
                first.c.item_id,
                sa.func.count(),
                sa.func.sum(sa.case((first.c.score < first.c.max_points, 1), else_=0)),
                sa.func.avg(sa.func.coalesce(first.c.score, 0) * 1.0 / first.c.max_points),
            )
            .where(*self._firsts(scored), first.c.max_points > 0)
            .group_by(first.c.lesson_id, first.c.item_id)
        )
        return {(r[0], r[1]): (int(r[2]), int(r[3] or 0), float(r[4] or 0)) for r in self._rows(query)}

    def _latest_item_stats(self, scored: ItemKeys) -> list[ItemStat]:
        if not (self._dated() or self._filtered()):  # the whole cohort: item_totals has it, one row per item
            totals = item_totals
            mean = totals.c.share * 1.0 / totals.c.scored
            query = (
                sa.select(
                    totals.c.lesson_id,
                    totals.c.item_id,
                    totals.c.scored.label("answered"),
                    totals.c.missed,
                    mean.label("mean"),
                )
                .where(totals.c.scored > 0, sa.tuple_(totals.c.lesson_id, totals.c.item_id).in_(list(scored)))
                .order_by(totals.c.missed.desc(), mean, totals.c.lesson_id, totals.c.item_id)
            )
            return [
                ItemStat(r.lesson_id, r.item_id, r.answered, int(r.missed), float(r.mean)) for r in self._rows(query)
            ]
        latest = self._latest(scored)
        missed = sa.func.sum(sa.case((latest.c.score < latest.c.max_points, 1), else_=0))
        mean = sa.func.avg(sa.func.coalesce(latest.c.score, 0) * 1.0 / latest.c.max_points)
        query = (
            sa.select(
                latest.c.lesson_id,
                latest.c.item_id,
                sa.func.count().label("answered"),
                missed.label("missed"),
                mean.label("mean"),
            )
            .where(latest.c.max_points > 0)
            .group_by(latest.c.lesson_id, latest.c.item_id)
            .order_by(missed.desc(), mean, latest.c.lesson_id, latest.c.item_id)
        )
        return [ItemStat(r.lesson_id, r.item_id, r.answered, int(r.missed), float(r.mean)) for r in self._rows(query)]

    # -- open answers and reviews
    def _current_reviews(self, lesson_id: str, item_id: str) -> sa.Subquery:
        newest = (
            sa.select(sa.func.max(reviews.c.id).label("id"))
            .where(reviews.c.lesson_id == lesson_id, reviews.c.item_id == item_id)
            .group_by(reviews.c.trainee_id)
        ).subquery()
        return sa.select(reviews).join(newest, newest.c.id == reviews.c.id).subquery("current_review")

    def open_answers(
        self,
        lesson_id: str,
        item_id: str,
        offset: int = 0,
        limit: int | None = PAGE_SIZE,
        unreviewed_first: bool = True,
    ) -> list[OpenAnswer]:
        # The page is chosen on ids alone (unreviewed first, then by trainee); only its rows' answers are read
        # (reading every trainee's answer text first made the tab 1.9× slower at 20,000 trainees than at 20).
        latest = self._latest([(lesson_id, item_id)])
        review = self._current_reviews(lesson_id, item_id)
        reviewed = sa.and_(review.c.answer_id.is_not(None), review.c.answer_id == latest.c.id)
        done = sa.case((reviewed, 1), else_=0) if unreviewed_first else sa.literal(0)
        page = (
            sa.select(
                latest.c.id,
                latest.c.trainee_id,
                latest.c.created_at,
                done.label("done"),
                review.c.answer_id,
                review.c.comment,
                review.c.reviewer,
                review.c.marks,
            )
            .outerjoin(review, review.c.trainee_id == latest.c.trainee_id)
            .order_by(done, latest.c.trainee_id)
            .offset(offset)
            .limit(limit)
        ).subquery("page")
        query = (
            sa.select(
                page.c.id,
                page.c.trainee_id,
                memberships.c.cohort,
                answers.c.value,
                page.c.created_at,
                page.c.answer_id,
                page.c.comment,
                page.c.reviewer,
                page.c.marks,
            )
            .join(answers, answers.c.id == page.c.id)
            .outerjoin(memberships, memberships.c.trainee_id == page.c.trainee_id)
            .order_by(page.c.done, page.c.trainee_id)
        )
        return [
            OpenAnswer(
                r.id,
                r.trainee_id,
                r.cohort,
                r.value,
                clock.as_utc(r.created_at),
                r.answer_id == r.id,
                r.comment or "",
                r.reviewer,
                tuple(r.marks) if r.marks is not None else None,
            )
            for r in self._rows(query)
        ]

    # -- success factors
    def factor_means(self, lesson_id: str, item_id: str, factor_ids: Sequence[str]) -> tuple[int, dict[str, float]]:
        """(profiles counted, mean rating per factor) over each trainee's latest profile."""
        latest = self._latest([(lesson_id, item_id)], with_value=True)
        columns = [
            sa.func.avg(self._number(latest.c.value, FactorProfile.json_key("ratings"), factor)).label(factor)
            for factor in factor_ids
        ]
        row = self._rows(sa.select(sa.func.count(), *columns))[0]
        return row[0], {
            factor: float(row[n + 1]) if row[n + 1] is not None else 0.0 for n, factor in enumerate(factor_ids)
        }

    # -- funnels
    def funnel_summary(self, lesson_id: str, item_id: str) -> tuple[int, list[int], list[int]]:
        """(funnels counted, sum per layer, trainees whose layer k is thin: below THIN_RATIO of layer k-1)."""
        latest = self._latest([(lesson_id, item_id)], with_value=True)
        layer = [self._number(latest.c.value, FunnelSnapshot.json_key("counts"), n) for n in range(len(LAYERS))]
        sums = [sa.func.coalesce(sa.func.sum(value), 0) for value in layer]
        thin = [
            sa.func.sum(sa.case((sa.and_(upper > 0, lower < upper * THIN_RATIO), 1), else_=0))
            for upper, lower in itertools.pairwise(layer)
        ]
        row = self._rows(sa.select(sa.func.count(), *sums, *thin))[0]
        count, rest = row[0], [int(v or 0) for v in row[1:]]
        return count, rest[: len(LAYERS)], [0] + rest[len(LAYERS) :]

    def latest_values(
        self, lesson_id: str, item_id: str, offset: int = 0, limit: int | None = PAGE_SIZE
    ) -> list[tuple[str, str | None, Any, datetime]]:
        """(trainee, cohort, value, saved at) of each trainee's latest answer to one item, by trainee id."""
        latest = self._latest([(lesson_id, item_id)], with_value=True)
        query = (
            sa.select(latest.c.trainee_id, memberships.c.cohort, latest.c.value, latest.c.created_at)
            .outerjoin(memberships, memberships.c.trainee_id == latest.c.trainee_id)
            .order_by(latest.c.trainee_id)
            .offset(offset)
            .limit(limit)
        )
        return [(trainee_id, cohort, value, clock.as_utc(at)) for trainee_id, cohort, value, at in self._rows(query)]

    def awaiting(
        self, lesson_id: str, item_id: str, offset: int = 0, limit: int | None = PAGE_SIZE
    ) -> tuple[int, list[str]]:
        """(how many, one page of ids) of trainees who filled in the self column of the assessment form
        (`item_id`) but have no trainer's column yet, by trainee id."""
        done = self._latest([(lesson_id, item_id)])
        scored = sa.select(trainer_scores.c.trainee_id).where(trainer_scores.c.lesson_id == lesson_id)
        waiting = sa.select(done.c.trainee_id).where(done.c.trainee_id.not_in(scored))
        count = self._scalar(sa.select(sa.func.count()).select_from(waiting.subquery()))
        page = [r[0] for r in self._rows(waiting.order_by(done.c.trainee_id).offset(offset).limit(limit))]
        return count, page

    def values_of(self, lesson_id: str, item_id: str, trainee_ids: Sequence[str]) -> dict[str, Any]:
        """The latest answer to one item of each of the given trainees (those who answered it)."""
        if not trainee_ids:
            return {}
        latest = self._latest([(lesson_id, item_id)], with_value=True)
        query = sa.select(latest.c.trainee_id, latest.c.value).where(latest.c.trainee_id.in_(list(trainee_ids)))
        return dict(self._rows(query))

    def trainer_scores(self, lesson_id: str) -> dict[str, TrainerAssessment]:
        """The trainer's latest column of the form in `lesson_id`, per trainee of the filter."""
        latest = (
            sa.select(sa.func.max(trainer_scores.c.id))
            .where(trainer_scores.c.lesson_id == lesson_id, trainer_scores.c.trainee_id.in_(self._members()))
            .group_by(trainer_scores.c.trainee_id)
        )
        query = sa.select(trainer_scores.c.trainee_id, trainer_scores.c.scores, trainer_scores.c.trainer).where(
            trainer_scores.c.id.in_(latest)
        )
        found = {row[0]: TrainerAssessment.read({"scores": row[1], "by": row[2]}) for row in self._rows(query)}
        return {trainee: state for trainee, state in found.items() if state is not None}

    def count_values(self, lesson_id: str, item_id: str) -> int:
        return self._scalar(sa.select(sa.func.count()).select_from(self._latest([(lesson_id, item_id)])))

    def funnels(self, lesson_id: str, item_id: str, offset: int = 0, limit: int | None = PAGE_SIZE) -> list[FunnelRow]:
        return [
            FunnelRow(
                trainee_id,
                cohort,
                tuple(_count(n) for n in _list(value.get(FunnelSnapshot.json_key("counts")))),
                str(value.get(FunnelSnapshot.json_key("as_of"), "")),
            )
            for trainee_id, cohort, value, _at in self.latest_values(lesson_id, item_id, offset, limit)
            if isinstance(value, dict)
        ]

    # -- trends
    def retention(self, trainee_id: str | None = None) -> Retention:
        """Today's review figures (issue 27) for the filtered trainees — or for `trainee_id` alone."""
        members = sa.select(trainees.c.id).where(trainees.c.id == trainee_id) if trainee_id else self._members()
        return Retention(self._store, members, self.filters.since, self.filters.until)

    def weekly_trends(
        self,
        weeks: Sequence[date],
        exercises: Mapping[str, Sequence[str]],
        funnel_item: tuple[str, str],
        trainee_id: str | None = None,
        today: date | None = None,
    ) -> Trends:
        """Calls against target, funnel layers, lesson completions and the score share, per week (Mondays
        in `weeks`), for the filtered trainees — or for `trainee_id` alone. With `today`, the target of the week
        under way counts its working days so far (and weeks to come count none). Every figure is summed by day in
        SQL and put into weeks here (a few rows per day, whatever the number of trainees)."""
        weeks = sorted(weeks)
        first, end = weeks[0], weeks[-1] + timedelta(days=7)
        members = sa.select(trainees.c.id).where(trainees.c.id == trainee_id) if trainee_id else self._members()
        count = self._scalar(sa.select(sa.func.count()).select_from(members.subquery()))
        index = {monday + timedelta(days=d): n for n, monday in enumerate(weeks) for d in range(7)}

        def week_of(day) -> int | None:
            return index.get(_as_day(day))

        start, stop = clock.at_local(first), clock.at_local(end)
        calls, targets = [0] * len(weeks), [0] * len(weeks)
        made_on_day = sa.case(
            (call_days.c.calls >= call_days.c.imported, call_days.c.calls), else_=call_days.c.imported
        )
        day_rows = self._rows(
            sa.select(call_days.c.day, sa.func.sum(made_on_day), sa.func.sum(call_days.c.target), sa.func.count())
            .where(call_days.c.trainee_id.in_(members), call_days.c.day >= first, call_days.c.day < end)
            .group_by(call_days.c.day)
        )
        logged = [0] * len(weeks)
        for day, made, target, trainees_logged in day_rows:
            n = week_of(day)
            if n is None:
                continue
            calls[n] += int(made or 0)  # every day's calls count (callplan.day_total), weekends too
            if is_work_day(_as_day(day)):  # the target only on work days (no public holiday)
                targets[n] += int(target or 0)
                logged[n] += int(trainees_logged)
        # Trainees who logged no day of a work day still had its target — from the day they joined (a week
        # before anyone joined asks nothing of them), and in the week under way only up to today. Joined on the
        # local day (a trainee who joined Monday 02:00 in UTC+8 joined on Monday, not on Sunday in UTC).
        days = [first + timedelta(days=d) for d in range((end - first).days)]
        joined_day = local_bucket(trainees.c.created_at, [clock.at_local(day) for day in [*days, end]], before=-1)
        joined = {
            int(n): int(people)
            for n, people in self._rows(
                sa.select(joined_day, sa.func.count())
                .where(trainees.c.id.in_(members), trainees.c.created_at < stop)
                .group_by(joined_day)
            )
        }
        for n, monday in enumerate(weeks):
            work = [monday + timedelta(days=d) for d in week_work_days(monday)]
            due = sum(
                people
                for day in work
                if today is None or day <= today
                for since, people in joined.items()
                if since < 0 or days[since] <= day
            )
            targets[n] += max(0, due - logged[n]) * DEFAULT_TARGET
        lesson_id, item_id = funnel_item
        # Answers fall into the week of their local time: each week runs from local midnight on its Monday
        # (clock.at_local), whatever the database's own time zone (#24.5).
        week_bounds = [clock.at_local(monday) for monday in [*weeks, end]]
        week = local_bucket(answers.c.created_at, week_bounds)
        # Each trainee's funnel of a week is her last snapshot of it (what her own page shows), not the mean of
        # her snapshots; the week's figure is the mean of those over the trainees who saved one.
        last_of_week = (
            sa.select(sa.func.max(answers.c.id))
            .where(
                answers.c.trainee_id.in_(members),
                answers.c.lesson_id == lesson_id,
                answers.c.item_id == item_id,
                answers.c.created_at >= start,
                answers.c.created_at < stop,
            )
            .group_by(answers.c.trainee_id, week)
        )
        layer = [self._number(answers.c.value, FunnelSnapshot.json_key("counts"), k) for k in range(len(LAYERS))]
        funnel_rows = self._rows(sa.select(week, *layer).where(answers.c.id.in_(last_of_week.scalar_subquery())))
        sums: list[list[float]] = [[0.0] * len(LAYERS) for _ in weeks]
        saved = [0] * len(weeks)
        for n, *counts in funnel_rows:
            if n is None:
                continue
            saved[n] += 1
            for k in range(len(LAYERS)):
                sums[n][k] += float(counts[k] or 0)
        layers = [tuple(v / saved[n] for v in sums[n]) if saved[n] else () for n in range(len(weeks))]
        points = answers.c.max_points > 0
        score_rows = self._rows(
            sa.select(week, sa.func.sum(answers.c.score), sa.func.sum(answers.c.max_points))
            .where(
                answers.c.trainee_id.in_(members), points, answers.c.created_at >= start, answers.c.created_at < stop
            )
            .group_by(week)
        )
        got, possible = [0.0] * len(weeks), [0.0] * len(weeks)
        for n, score, top in score_rows:
            if n is not None:
                got[n] += float(score or 0)
                possible[n] += float(top or 0)
        completions = [0] * len(weeks)
        for lesson, items in exercises.items():
            # A lesson is completed when its last exercise gets its first answer.
            firsts = (
                sa.select(answers.c.trainee_id, sa.func.min(answers.c.created_at).label("first"))
                .where(
                    answers.c.trainee_id.in_(members),
                    answers.c.lesson_id == lesson,
                    answers.c.item_id.in_(list(items)),
                    answers.c.created_at < stop,
                )
                .group_by(answers.c.trainee_id, answers.c.item_id)
            ).subquery()
            done = (
                sa.select(sa.func.max(firsts.c.first).label("done"))
                .group_by(firsts.c.trainee_id)
                .having(sa.func.count() == len(items))
            ).subquery()
            done_week = local_bucket(done.c.done, week_bounds)
            for n, made in self._rows(
                sa.select(done_week, sa.func.count()).where(done.c.done >= start).group_by(done_week)
            ):
                if n is not None:
                    completions[n] += made
        return Trends(
            list(weeks),
            count,
            calls,
            targets,
            layers,
            completions,
            [got[n] / possible[n] if possible[n] else None for n in range(len(weeks))],
        )

    # -- calls
    def _pacing_query(self, monday: date, today: date):
        """Per trainee of the view: the week's calls so far (each day the larger of typed and imported,
        callplan.day_total; every day that has begun, weekends too), the target over the work days so far, the
        band — "no_data" for a trainee with nothing typed or imported this week (not "at risk") — and the share."""
        elapsed = working_days_elapsed(monday, today)
        begun = days_begun(monday, today)
        last = monday + timedelta(days=max(0, begun - 1))
        day = sa.case((call_days.c.calls >= call_days.c.imported, call_days.c.calls), else_=call_days.c.imported)
        week = (
            sa.select(
                call_days.c.trainee_id,
                sa.func.sum(day).label("actual"),
                sa.func.max(call_days.c.target).label("target"),
            )
            .where(call_days.c.day >= monday, call_days.c.day <= last)
            .group_by(call_days.c.trainee_id)
        ).subquery()
        members = self._members().subquery()
        actual = sa.func.coalesce(week.c.actual, 0) if begun else sa.literal(0)
        planned = sa.func.coalesce(week.c.target, DEFAULT_TARGET) * elapsed
        band = sa.case(
            (week.c.trainee_id.is_(None), Band.NO_DATA.value),
            (sa.or_(planned <= 0, actual >= planned * ON_TRACK), Band.ON_TRACK.value),
            (actual >= planned * BEHIND, Band.BEHIND.value),
            else_=Band.AT_RISK.value,
        )
        share = sa.case((week.c.trainee_id.is_(None), None), (planned > 0, actual * 1.0 / planned), else_=1.0)
        query = (
            sa.select(
                members.c.id.label("trainee_id"),
                actual.label("actual"),
                planned.label("planned"),
                band.label("band"),
                share.label("share"),
            )
            .select_from(members)
            .outerjoin(week, week.c.trainee_id == members.c.id)
        )
        return query.subquery("pacing")

    def _outcomes_query(self, log: tuple[str, str], monday: date):
        """Per trainee of the view who recorded conversations for the week of `monday` in the week log (`log`: its
        lesson and item): the figures of her latest save of that week. A save whose figures do not nest (next steps
        over conversations, appointments over next steps) is left out, as WeekLog.read leaves it out."""
        lesson_id, item_id = log
        newest = (
            sa.select(sa.func.max(answers.c.id).label("id"))
            .where(
                answers.c.lesson_id == lesson_id,
                answers.c.item_id == item_id,
                self._text(answers.c.value, WeekLog.json_key("week")) == monday.isoformat(),
                answers.c.trainee_id.in_(self._members()),
            )
            .group_by(answers.c.trainee_id)
        ).subquery()
        conversations, next_steps, appointments = (
            self._number(answers.c.value, WeekLog.json_key(name)) for name in OUTCOMES
        )
        nested = sa.and_(
            conversations.is_not(None),
            sa.or_(next_steps.is_(None), next_steps <= conversations),
            sa.or_(appointments.is_(None), appointments <= sa.func.coalesce(next_steps, conversations)),
        )
        return (
            sa.select(
                answers.c.trainee_id,
                conversations.label("conversations"),
                next_steps.label("next_steps"),
                appointments.label("appointments"),
            )
            .join(newest, newest.c.id == answers.c.id)
            .where(nested)
            .subquery("outcomes")
        )

    def week_outcomes(self, log: tuple[str, str], monday: date) -> WeekOutcomes:
        """The week's conversations, next steps and appointments over the trainees who recorded them, with their
        calls of that week (Monday–Sunday)."""
        outcomes = self._outcomes_query(log, monday)
        day = sa.case((call_days.c.calls >= call_days.c.imported, call_days.c.calls), else_=call_days.c.imported)
        calls = (
            sa.select(call_days.c.trainee_id, sa.func.sum(day).label("calls"))
            .where(call_days.c.day >= monday, call_days.c.day <= monday + timedelta(days=6))
            .group_by(call_days.c.trainee_id)
        ).subquery()
        steps_known = outcomes.c.next_steps.is_not(None)
        appointments_known = outcomes.c.appointments.is_not(None)

        def total(value, where=None):
            value = value if where is None else sa.case((where, value), else_=0)
            return sa.func.coalesce(sa.func.sum(value), 0)

        row = self._rows(
            sa.select(
                sa.func.count(),
                total(calls.c.calls),
                total(outcomes.c.conversations),
                total(outcomes.c.next_steps),
                total(outcomes.c.conversations, steps_known),
                total(outcomes.c.appointments),
                total(sa.func.coalesce(outcomes.c.next_steps, outcomes.c.conversations), appointments_known),
            )
            .select_from(outcomes)
            .outerjoin(calls, calls.c.trainee_id == outcomes.c.trainee_id)
        )[0]
        return WeekOutcomes(*(int(n or 0) for n in row))

    def pacing_bands(self, monday: date, today: date) -> dict[Band, int]:
        pacing = self._pacing_query(monday, today)
        rows = self._rows(sa.select(pacing.c.band, sa.func.count()).group_by(pacing.c.band))
        counts = dict.fromkeys(PACING_BANDS, 0)
        counts.update({Band(band): count for band, count in rows})
        return counts

    def pacing(
        self,
        monday: date,
        today: date,
        offset: int = 0,
        limit: int | None = PAGE_SIZE,
        band: str | None = None,
        log: tuple[str, str] | None = None,
    ) -> list[PacingRow]:
        """Calls against the pro-rated target of the week so far; the furthest behind first. With `log` (the week
        log's lesson and item), each row also carries what the trainee recorded came of the week's calls."""
        pacing = self._pacing_query(monday, today)
        columns = [pacing, memberships.c.cohort]
        outcomes = self._outcomes_query(log, monday) if log else None
        if outcomes is not None:
            columns += [outcomes.c.conversations, outcomes.c.next_steps, outcomes.c.appointments]
        query = sa.select(*columns).outerjoin(memberships, memberships.c.trainee_id == pacing.c.trainee_id)
        if outcomes is not None:
            query = query.outerjoin(outcomes, outcomes.c.trainee_id == pacing.c.trainee_id)
        query = (
            query.order_by(sa.case((pacing.c.share.is_(None), 1), else_=0), pacing.c.share, pacing.c.trainee_id)
            .offset(offset)
            .limit(limit)
        )
        if band:
            query = query.where(pacing.c.band == band)

        def whole(value) -> int | None:
            return None if value is None else int(value)

        return [
            PacingRow(
                r.trainee_id,
                r.cohort,
                int(r.actual),
                int(r.planned),
                Band(r.band),
                *((whole(r.conversations), whole(r.next_steps), whole(r.appointments)) if log else ()),
            )
            for r in self._rows(query)
        ]
