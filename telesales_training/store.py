"""The one storage gateway: every read and write of trainee data goes through `Store`.

Answers are append-only: each submission is a new row with a timestamp, the latest row per item is
the current answer, the older rows are the history. Every query is scoped to one trainee.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from platformdirs import user_data_path
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

APP_NAME = "telesales-training"
MAX_ANSWER_BYTES = 100_000
MAX_TRAINEE_ID = 100

metadata = sa.MetaData()

trainees = sa.Table(
    "trainees",
    metadata,
    sa.Column("id", sa.String(MAX_TRAINEE_ID), primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

answers = sa.Table(
    "answers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), sa.ForeignKey("trainees.id"), nullable=False),
    sa.Column("lesson_id", sa.String(64), nullable=False),
    sa.Column("item_id", sa.String(64), nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("score", sa.Float, nullable=True),
    sa.Column("max_points", sa.Float, nullable=False, server_default="0"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_answers_trainee_lesson_item", "trainee_id", "lesson_id", "item_id", "id"),
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


@dataclass(frozen=True)
class AnswerRecord:
    lesson_id: str
    item_id: str
    value: Any
    score: float | None
    max_points: float
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


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


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
                conn.execute(trainees.insert().values(id=trainee_id, created_at=_now()))
        return TraineeStore(self, trainee_id)

    def trainee_ids(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.execute(sa.select(trainees.c.id).order_by(trainees.c.id)).scalars())

    # -- machine-wide settings
    def get_setting(self, key: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(settings.c.value).where(settings.c.key == key)).scalar()

    def set_setting(self, key: str, value: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(settings.delete().where(settings.c.key == key))
            conn.execute(settings.insert().values(key=key, value=value))


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
        created = _as_utc(at or _now())
        with self._engine.begin() as conn:
            conn.execute(answers.insert().values(
                trainee_id=self.trainee_id, lesson_id=lesson_id, item_id=item_id, value=encoded,
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
        if not rows:
            return 0
        dialect = self._engine.dialect.name
        if dialect in ("sqlite", "postgresql"):
            insert = (sqlite_insert if dialect == "sqlite" else pg_insert)(calls).on_conflict_do_nothing(
                index_elements=["trainee_id", "call_key"])
            with self._engine.begin() as conn:
                before = self._count_calls(conn)
                conn.execute(insert, rows)
                return self._count_calls(conn) - before
        inserted = 0
        for row in rows:  # other databases: one row at a time, duplicates rejected by the unique key
            try:
                with self._engine.begin() as conn:
                    conn.execute(calls.insert().values(**row))
                inserted += 1
            except sa.exc.IntegrityError:
                continue
        return inserted

    def _count_calls(self, conn) -> int:
        return conn.execute(sa.select(sa.func.count()).select_from(calls)
                            .where(calls.c.trainee_id == self.trainee_id)).scalar()

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
