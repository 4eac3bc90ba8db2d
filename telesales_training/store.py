"""The one storage gateway: every read and write of trainee data goes through `Store`.

Answers are append-only: each submission is a new row with a timestamp, the latest row per item is
the current answer, the older rows are the history. Every query is scoped to one trainee.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from platformdirs import user_data_path
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from . import clock

APP_NAME = "telesales-training"
MAX_ANSWER_BYTES = 100_000
MAX_TRAINEE_ID = 100
MAX_COHORT = 64
MAX_COMMENT = 4000

metadata = sa.MetaData()

trainees = sa.Table(
    "trainees",
    metadata,
    sa.Column("id", sa.String(MAX_TRAINEE_ID), primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

def _history_columns() -> list[sa.Column]:
    """Append-only tables about one item of one trainee: a growing id, whose, which lesson and item."""
    return [sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), sa.ForeignKey("trainees.id"), nullable=False),
            sa.Column("lesson_id", sa.String(64), nullable=False),
            sa.Column("item_id", sa.String(64), nullable=False)]


answers = sa.Table(
    "answers",
    metadata,
    *_history_columns(),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("score", sa.Float, nullable=True),
    sa.Column("max_points", sa.Float, nullable=False, server_default="0"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_answers_trainee_lesson_item", "trainee_id", "lesson_id", "item_id", "id"),
)

# The latest answer per (trainee, lesson, item), kept up to date by every save: the cockpit aggregates
# this (one row per item a trainee answered) instead of finding the newest of all history rows each time.
current_answers = sa.Table(
    "current_answers",
    metadata,
    sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), sa.ForeignKey("trainees.id"), primary_key=True),
    sa.Column("lesson_id", sa.String(64), primary_key=True),
    sa.Column("item_id", sa.String(64), primary_key=True),
    sa.Column("answer_id", sa.Integer, sa.ForeignKey("answers.id"), nullable=False),
    sa.Column("score", sa.Float, nullable=True),
    sa.Column("max_points", sa.Float, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    # Covering index: per-item aggregations never visit the table.
    sa.Index("ix_current_answers_item", "lesson_id", "item_id", "trainee_id", "answer_id", "score", "max_points",
             "created_at"),
    sqlite_with_rowid=False,  # stored in key order: per-trainee groupings read it in order
)

preferences = sa.Table(
    "preferences",
    metadata,
    sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), sa.ForeignKey("trainees.id"), primary_key=True),
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

# Individual calls imported from dialer / CRM exports; `call_key` makes re-imports idempotent.
calls = sa.Table(
    "calls",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), sa.ForeignKey("trainees.id"), nullable=False),
    sa.Column("called_at", sa.DateTime, nullable=False),
    sa.Column("call_key", sa.String(40), nullable=False),
    sa.UniqueConstraint("trainee_id", "call_key", name="uq_calls_trainee_key"),
    sa.Index("ix_calls_trainee_time", "trainee_id", "called_at"),
)

# Which cohort (training group) a trainee belongs to; a table of its own so that stores created before
# cohorts existed gain it through create_all (no column added to an existing table).
memberships = sa.Table(
    "memberships",
    metadata,
    sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), sa.ForeignKey("trainees.id"), primary_key=True),
    sa.Column("cohort", sa.String(MAX_COHORT), nullable=False),
    sa.Index("ix_memberships_cohort", "cohort", "trainee_id"),
)

# Calls per trainee per day (the weekly call log writes its five days here; the demo a year of them):
# the cockpit's pacing is one GROUP BY over this table.
call_days = sa.Table(
    "call_days",
    metadata,
    sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), sa.ForeignKey("trainees.id"), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("calls", sa.Integer, nullable=False),
    sa.Column("target", sa.Integer, nullable=False),
    sa.Index("ix_call_days_day", "day", "trainee_id", "calls", "target"),  # covering: weekly pacing reads only it
)

# A trainer's mark on one answer: reviewed, with an optional comment the trainee sees in the lesson.
# Append-only like the answers; the latest row per (trainee, lesson, item) is the current review.
reviews = sa.Table(
    "reviews",
    metadata,
    *_history_columns(),
    sa.Column("answer_id", sa.Integer, sa.ForeignKey("answers.id"), nullable=False),
    sa.Column("reviewer", sa.String(MAX_TRAINEE_ID), nullable=False),
    sa.Column("comment", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_reviews_trainee_lesson_item", "trainee_id", "lesson_id", "item_id", "id"),
)

# Machine-wide settings of a single-user install (e.g. the remembered local trainee name).
settings = sa.Table(
    "settings",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)


class StoreError(Exception):
    """Base class of the store's domain errors."""


class InvalidTrainee(StoreError):
    pass


class AnswerTooLarge(StoreError):
    pass


class InvalidReview(StoreError):
    pass


class InvalidCohort(StoreError):
    pass


@dataclass(frozen=True)
class AnswerRecord:
    lesson_id: str
    item_id: str
    value: Any
    score: float | None
    max_points: float
    created_at: datetime


@dataclass(frozen=True)
class Review:
    answer_id: int
    reviewer: str
    comment: str
    created_at: datetime


@dataclass(frozen=True)
class LessonProgress:
    answered_items: int
    score: float
    max_points: float


def default_url() -> str:
    """TELESALES_DB, else a SQLite file in the user's data dir (never inside a served folder)."""
    configured = os.environ.get("TELESALES_DB", "").strip()
    if configured:
        return configured
    path = user_data_path(APP_NAME, appauthor=False) / "workbook.sqlite3"
    return f"sqlite:///{path}"


def _sqlite_file(url: sa.engine.URL) -> Path | None:
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def _tune_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL + a busy timeout lets many kernels write at once; NORMAL sync is safe under WAL.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _insert_new(conn, table: sa.Table, keys: list[str], rows: list[dict], scope=sa.true()) -> int:
    """Insert `rows`, skipping those whose `keys` are already stored (one transaction). Returns how many were
    new; `scope` narrows the row count used to tell (e.g. to one trainee's rows)."""
    if not rows:
        return 0
    dialect = conn.dialect.name
    if dialect not in ("sqlite", "postgresql"):  # other databases: one row at a time, each in a savepoint
        added = 0
        for row in rows:
            try:
                with conn.begin_nested():
                    conn.execute(table.insert().values(**row))
                added += 1
            except sa.exc.IntegrityError:
                continue
        return added
    count = sa.select(sa.func.count()).select_from(table).where(scope)
    before = conn.execute(count).scalar()
    insert = (sqlite_insert if dialect == "sqlite" else pg_insert)(table)
    conn.execute(insert.on_conflict_do_nothing(index_elements=keys), rows)
    return conn.execute(count).scalar() - before


def _put_setting(conn, key: str, value: str) -> None:
    conn.execute(settings.delete().where(settings.c.key == key))
    conn.execute(settings.insert().values(key=key, value=value))


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _as_utc(moment: datetime) -> datetime:
    """In UTC; a naive moment is taken as UTC already (what SQLite hands back)."""
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _refresh_current(conn, which) -> None:
    """Rebuild current_answers rows of the trainees whose answers match `which` (a WHERE clause)."""
    newest = (sa.select(sa.func.max(answers.c.id)).where(which)
              .group_by(answers.c.trainee_id, answers.c.lesson_id, answers.c.item_id))
    trainees_touched = sa.select(answers.c.trainee_id).where(which).distinct()
    conn.execute(current_answers.delete().where(current_answers.c.trainee_id.in_(trainees_touched)))
    conn.execute(current_answers.insert().from_select(
        ["trainee_id", "lesson_id", "item_id", "answer_id", "score", "max_points", "created_at"],
        sa.select(answers.c.trainee_id, answers.c.lesson_id, answers.c.item_id, answers.c.id, answers.c.score,
                  answers.c.max_points, answers.c.created_at).where(answers.c.id.in_(newest))))


class Store:
    """Gateway over a SQLAlchemy URL. Creates its schema on first use."""

    def __init__(self, url: str | None = None):
        self.url = sa.engine.make_url(url or default_url())
        sqlite_file = _sqlite_file(self.url)
        if sqlite_file is not None:
            if not sqlite_file.is_absolute():
                sqlite_file = sqlite_file.resolve()
                self.url = self.url.set(database=str(sqlite_file))
            sqlite_file.parent.mkdir(parents=True, exist_ok=True)
        self.engine = sa.create_engine(self.url)
        if self.url.get_backend_name() == "sqlite":
            sa.event.listen(self.engine, "connect", _tune_sqlite)
        metadata.create_all(self.engine)
        self._backfill_current()

    def _backfill_current(self) -> None:
        """Stores made before current_answers existed: fill it once from the answer history."""
        with self.engine.begin() as conn:
            if (conn.execute(sa.select(answers.c.id).limit(1)).first() is not None
                    and conn.execute(sa.select(current_answers.c.answer_id).limit(1)).first() is None):
                _refresh_current(conn, sa.true())

    # -- lifecycle
    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def journal_mode(self) -> str:
        with self.engine.connect() as conn:
            return str(conn.exec_driver_sql("PRAGMA journal_mode").scalar())

    # -- trainees
    def trainee(self, trainee_id: str) -> TraineeStore:
        """A view of the store bound to one trainee; the trainee row is created when missing."""
        trainee_id = (trainee_id or "").strip()
        if not trainee_id:
            raise InvalidTrainee("a trainee id cannot be empty")
        if len(trainee_id) > MAX_TRAINEE_ID:
            raise InvalidTrainee(f"a trainee id has at most {MAX_TRAINEE_ID} characters")
        with self.engine.begin() as conn:
            exists = conn.execute(sa.select(trainees.c.id).where(trainees.c.id == trainee_id)).first()
            if not exists:
                conn.execute(trainees.insert().values(id=trainee_id, created_at=clock.utc_now()))
        return TraineeStore(self, trainee_id)

    def cohort(self, **filters):
        """The trainer's read view over all trainees (aggregations in SQL); see `cohort.CohortView`."""
        from .cohort import CohortView, Filters

        return CohortView(self, Filters(**filters))

    def set_cohort(self, trainee_id: str, cohort: str) -> None:
        cohort = (cohort or "").strip()
        if not cohort or len(cohort) > MAX_COHORT:
            raise InvalidCohort(f"a cohort name has 1 to {MAX_COHORT} characters")
        self.trainee(trainee_id)
        with self.engine.begin() as conn:
            conn.execute(memberships.delete().where(memberships.c.trainee_id == trainee_id))
            conn.execute(memberships.insert().values(trainee_id=trainee_id, cohort=cohort))

    def load_batch(self, batch: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
        """Bulk insert of prepared rows, one transaction, table by table in dependency order (demo data).
        `batch` maps a table name (trainees, memberships, answers, call_days, reviews) to its rows."""
        tables = {table.name: table for table in (trainees, memberships, answers, call_days, reviews)}  # in FK order
        unknown = set(batch) - set(tables)
        if unknown:
            raise StoreError(f"no bulk loading into {', '.join(sorted(unknown))}")
        with self.engine.begin() as conn:
            for name, table in tables.items():
                if batch.get(name):
                    conn.execute(table.insert(), list(batch[name]))
            touched = sorted({row["trainee_id"] for row in batch.get("answers", ())})
            for start in range(0, len(touched), 500):
                _refresh_current(conn, answers.c.trainee_id.in_(touched[start:start + 500]))

    def has_trainee(self, trainee_id: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(trainees.c.id).where(trainees.c.id == trainee_id)).first() is not None

    def next_answer_id(self) -> int:
        with self.engine.connect() as conn:
            return (conn.execute(sa.select(sa.func.max(answers.c.id))).scalar() or 0) + 1

    def trainee_ids(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.execute(sa.select(trainees.c.id).order_by(trainees.c.id)).scalars())

    def backfill_call_days(self, lesson_id: str, item_id: str,
                           days_of: Callable[[Any], tuple[dict[date, int], int] | None]) -> int:
        """Call-log answers saved before the per-day table existed become `call_days` rows, once per store
        (a setting records that it ran). The newest answer per trainee and day wins; days already logged are
        kept. `days_of` turns one saved answer into ({day: calls}, target), or None to skip it.
        Returns how many days were added."""
        done_key = f"call_days_backfilled:{lesson_id}/{item_id}"
        if self.get_setting(done_key):
            return 0
        query = (sa.select(answers.c.trainee_id, answers.c.value)
                 .where(answers.c.lesson_id == lesson_id, answers.c.item_id == item_id).order_by(answers.c.id))
        days: dict[tuple[str, date], tuple[int, int]] = {}
        with self.engine.connect() as conn:
            for trainee_id, value in conn.execute(query):
                try:
                    parsed = days_of(json.loads(value))
                except ValueError:
                    parsed = None
                if parsed is not None:
                    counts, target = parsed
                    days.update({(trainee_id, day): (calls_, target) for day, calls_ in counts.items()})
        rows = [{"trainee_id": trainee_id, "day": day, "calls": calls_, "target": target}
                for (trainee_id, day), (calls_, target) in days.items()]
        with self.engine.begin() as conn:
            added = _insert_new(conn, call_days, ["trainee_id", "day"], rows)
            _put_setting(conn, done_key, clock.utc_now().isoformat())  # same transaction: done exactly when the rows are in
        return added

    # -- machine-wide settings
    def get_setting(self, key: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(settings.c.value).where(settings.c.key == key)).scalar()

    def set_setting(self, key: str, value: str) -> None:
        with self.engine.begin() as conn:
            _put_setting(conn, key, value)


class TraineeStore:
    """Everything one trainee may read or write. No method reaches another trainee's rows."""

    def __init__(self, store: Store, trainee_id: str):
        self._store = store
        self.trainee_id = trainee_id

    @property
    def _engine(self) -> sa.Engine:
        return self._store.engine

    def save_answer(self, lesson_id: str, item_id: str, value: Any,
                    score: float | None = None, max_points: float = 0,
                    at: datetime | None = None) -> AnswerRecord:
        encoded = json.dumps(value, ensure_ascii=False)
        if len(encoded.encode("utf-8")) > MAX_ANSWER_BYTES:
            raise AnswerTooLarge(f"an answer may hold at most {MAX_ANSWER_BYTES // 1000} KB")
        created = _as_utc(at or clock.utc_now())
        with self._engine.begin() as conn:
            answer_id = conn.execute(answers.insert().values(
                trainee_id=self.trainee_id, lesson_id=lesson_id, item_id=item_id, value=encoded,
                score=score, max_points=max_points, created_at=created)).inserted_primary_key[0]
            conn.execute(current_answers.delete().where(
                current_answers.c.trainee_id == self.trainee_id, current_answers.c.lesson_id == lesson_id,
                current_answers.c.item_id == item_id))
            conn.execute(current_answers.insert().values(
                trainee_id=self.trainee_id, lesson_id=lesson_id, item_id=item_id, answer_id=answer_id,
                score=score, max_points=max_points, created_at=created))
        return AnswerRecord(lesson_id, item_id, value, score, max_points, created)

    def _records(self, query) -> list[AnswerRecord]:
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return [AnswerRecord(r.lesson_id, r.item_id, json.loads(r.value), r.score, r.max_points,
                             _as_utc(r.created_at)) for r in rows]

    def latest_answers(self, lesson_id: str) -> dict[str, AnswerRecord]:
        latest_ids = (
            sa.select(sa.func.max(answers.c.id))
            .where(answers.c.trainee_id == self.trainee_id, answers.c.lesson_id == lesson_id)
            .group_by(answers.c.item_id)
        )
        records = self._records(sa.select(answers).where(answers.c.id.in_(latest_ids)))
        return {r.item_id: r for r in records}

    def history(self, lesson_id: str, item_id: str) -> list[AnswerRecord]:
        return self._records(
            sa.select(answers)
            .where(answers.c.trainee_id == self.trainee_id, answers.c.lesson_id == lesson_id,
                   answers.c.item_id == item_id)
            .order_by(answers.c.id)
        )

    def progress(self) -> dict[str, LessonProgress]:
        """Per lesson: how many items have an answer, and the points of the latest answers."""
        latest_ids = (
            sa.select(sa.func.max(answers.c.id))
            .where(answers.c.trainee_id == self.trainee_id)
            .group_by(answers.c.lesson_id, answers.c.item_id)
        )
        query = (
            sa.select(answers.c.lesson_id, sa.func.count(), sa.func.coalesce(sa.func.sum(answers.c.score), 0),
                      sa.func.sum(answers.c.max_points))
            .where(answers.c.id.in_(latest_ids))
            .group_by(answers.c.lesson_id)
        )
        with self._engine.connect() as conn:
            return {lesson: LessonProgress(count, float(score), float(top or 0))
                    for lesson, count, score, top in conn.execute(query)}

    def add_calls(self, batch: Iterable[tuple[datetime, str]]) -> int:
        """Insert (called_at, call_key) pairs; keys already stored are skipped. Returns how many were new."""
        rows = [{"trainee_id": self.trainee_id, "called_at": called_at, "call_key": key} for called_at, key in batch]
        with self._engine.begin() as conn:
            return _insert_new(conn, calls, ["trainee_id", "call_key"], rows, calls.c.trainee_id == self.trainee_id)

    def daily_calls(self, first: date, last: date) -> dict[date, int]:
        """Imported calls per calendar day, first..last inclusive (days without calls are absent)."""
        day = sa.func.date(calls.c.called_at)
        query = (sa.select(day, sa.func.count())
                 .where(calls.c.trainee_id == self.trainee_id,
                        calls.c.called_at >= datetime.combine(first, time.min),
                        calls.c.called_at < datetime.combine(last + timedelta(days=1), time.min))
                 .group_by(day))
        with self._engine.connect() as conn:
            return {_as_date(value): count for value, count in conn.execute(query)}

    def log_day_calls(self, counts: dict[date, int], target: int) -> None:
        """Calls made on each given day (replacing what was logged for those days before)."""
        if not counts:
            return
        with self._engine.begin() as conn:
            conn.execute(call_days.delete().where(call_days.c.trainee_id == self.trainee_id,
                                                  call_days.c.day.in_(list(counts))))
            conn.execute(call_days.insert(), [{"trainee_id": self.trainee_id, "day": day, "calls": int(calls),
                                               "target": int(target)} for day, calls in counts.items()])

    def logged_calls(self, first: date, last: date) -> dict[date, tuple[int, int]]:
        """(calls, target) per logged day, first..last inclusive."""
        query = (sa.select(call_days.c.day, call_days.c.calls, call_days.c.target)
                 .where(call_days.c.trainee_id == self.trainee_id, call_days.c.day >= first, call_days.c.day <= last))
        with self._engine.connect() as conn:
            return {_as_date(day): (calls_, target) for day, calls_, target in conn.execute(query)}

    def reviews(self, lesson_id: str) -> dict[str, Review]:
        """The trainer's current review of each item of a lesson (the latest one per item)."""
        latest_ids = (sa.select(sa.func.max(reviews.c.id))
                      .where(reviews.c.trainee_id == self.trainee_id, reviews.c.lesson_id == lesson_id)
                      .group_by(reviews.c.item_id))
        with self._engine.connect() as conn:
            rows = conn.execute(sa.select(reviews).where(reviews.c.id.in_(latest_ids))).all()
        return {r.item_id: Review(r.answer_id, r.reviewer, r.comment, _as_utc(r.created_at)) for r in rows}

    def add_review(self, lesson_id: str, item_id: str, answer_id: int, reviewer: str, comment: str = "") -> Review:
        """Record a trainer's review of one of this trainee's answers (the answer must be theirs)."""
        comment = (comment or "").strip()
        if len(comment) > MAX_COMMENT:
            raise InvalidReview(f"a comment has at most {MAX_COMMENT} characters")
        reviewer = (reviewer or "").strip()[:MAX_TRAINEE_ID] or "trainer"
        created = clock.utc_now()
        with self._engine.begin() as conn:
            owner = conn.execute(sa.select(answers.c.trainee_id).where(
                answers.c.id == answer_id, answers.c.lesson_id == lesson_id, answers.c.item_id == item_id)).scalar()
            if owner != self.trainee_id:
                raise InvalidReview("that answer does not belong to this trainee's item")
            conn.execute(reviews.insert().values(trainee_id=self.trainee_id, lesson_id=lesson_id, item_id=item_id,
                                                 answer_id=answer_id, reviewer=reviewer, comment=comment,
                                                 created_at=created))
        return Review(answer_id, reviewer, comment, created)

    def joined(self) -> datetime | None:
        """When the trainee was first seen (the trainee row's creation)."""
        with self._engine.connect() as conn:
            created = conn.execute(sa.select(trainees.c.created_at).where(trainees.c.id == self.trainee_id)).scalar()
        return _as_utc(created) if created else None

    def cohort(self) -> str | None:
        with self._engine.connect() as conn:
            return conn.execute(sa.select(memberships.c.cohort)
                                .where(memberships.c.trainee_id == self.trainee_id)).scalar()

    def get_preference(self, key: str) -> str | None:
        with self._engine.connect() as conn:
            return conn.execute(
                sa.select(preferences.c.value)
                .where(preferences.c.trainee_id == self.trainee_id, preferences.c.key == key)
            ).scalar()

    def set_preference(self, key: str, value: str) -> None:
        with self._engine.begin() as conn:
            conn.execute(preferences.delete().where(
                preferences.c.trainee_id == self.trainee_id, preferences.c.key == key))
            conn.execute(preferences.insert().values(trainee_id=self.trainee_id, key=key, value=value))
