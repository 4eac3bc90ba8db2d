"""The one storage gateway: every read and write of trainee data goes through `Store`.

Answers are append-only: each submission is a new row with a timestamp, the latest row per item is
the current answer, the older rows are the history. Every query is scoped to one trainee.

Backends: SQLite (a file, WAL) and PostgreSQL. Every write is one short transaction (on SQLite it takes
the write lock when it begins), and every "insert or replace" is a single INSERT … ON CONFLICT statement,
so concurrent writers never collide; the database itself keeps the current answer per item (a trigger).
Values are checked and normalised here (NFC text, no NUL, finite numbers), and every database
problem surfaces as one of the store's own exceptions (errors.py). The schema is kept by Alembic
(migrate.py): opening a store brings it to the current revision.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from platformdirs import user_data_path

from ..core import clock
from ..core.errors import (
    AnswerTooLarge,
    InvalidAnswer,
    InvalidCohort,
    InvalidKey,
    InvalidReview,
    InvalidTrainee,
    StoreError,
    StoreFailure,
)
from ..core.limits import (
    MAX_ANSWER_BYTES,
    MAX_COHORT,
    MAX_COMMENT,
    MAX_DAY_CALLS,
    MAX_ID,
    MAX_MARKS,
    MAX_PREFERENCE_BYTES,
    MAX_SITTINGS,
    MAX_TRAINEE_ID,
)
from ..core.settings import settings as current_settings
from ..tools.assessment import TrainerAssessment
from ..tools.callplan import DEFAULT_TARGET, day_total
from . import migrate
from .cohort import CohortView, Filters
from .database import driver_error, insert_for, normalised_url, open_engine, upsert, writer
from .exams import CertificateRegister, TraineeExams
from .grades import LmsGrades
from .outbox import LrsOutbox
from .recall import TraineeRecall
from .recordings import CohortRecordings, TraineeRecordings
from .schema import (
    JsonValue,
    accounts,
    answers,
    call_days,
    calls,
    current_answers,
    dumps,
    first_answers,
    memberships,
    preferences,
    reveals,
    review_cards,
    review_logs,
    reviews,
    settings,
    trainees,
    trainer_scores,
)

__all__ = [
    "AnswerRecord",
    "AnswerTooLarge",
    "InvalidAnswer",
    "InvalidCohort",
    "InvalidKey",
    "InvalidReview",
    "InvalidTrainee",
    "LessonProgress",
    "Reveal",
    "Review",
    "Store",
    "StoreError",
    "StoreFailure",
    "TraineeStore",
    "clean_value",
    "default_url",
]

APP_NAME = "telesales-training"


@dataclass(frozen=True)
class AnswerRecord:
    lesson_id: str
    item_id: str
    value: Any
    score: float | None
    max_points: float
    created_at: datetime
    attempt: int = 1  # which save of the item by this trainee (1 = her first)
    sitting: int = 1  # 1 = the lesson as first met, 2… = retakes
    variant: str = ""  # which variant of the item was answered ("" = the item as first written)
    revealed: bool = False  # saved after the key had been shown (practice)


@dataclass(frozen=True)
class Reveal:
    """The key of an item was shown to the trainee in a sitting: after her second wrong try, or on asking."""

    item_id: str
    sitting: int
    variant: str
    reason: str  # REVEAL_REASONS
    created_at: datetime


REVEAL_REASONS = ("second_try", "asked")


@dataclass(frozen=True)
class Review:
    answer_id: int
    reviewer: str
    comment: str
    created_at: datetime
    marks: tuple[str, ...] | None = None  # rubric checks the answer meets (None: not scored on the rubric)


@dataclass(frozen=True)
class LessonProgress:
    answered_items: int
    score: float  # of the latest answers
    max_points: float
    last_active: datetime | None = None  # the newest of the lesson's current answers
    # Per sitting (1 = the lesson as first met, 2… = retakes): the points of the first answers (first tries).
    first_scores: Mapping[int, float] = field(default_factory=dict)
    first_items: Mapping[int, int] = field(default_factory=dict)  # sitting → items with a first answer

    @property
    def first_try(self) -> float:
        """The points of the first tries of sitting 1 (0 before any)."""
        return self.first_scores.get(1, 0.0)

    @property
    def best_sitting(self) -> float:
        """The best sitting's first-try points (what a lesson is passed on)."""
        return max(self.first_scores.values(), default=0.0)


def default_url() -> str:
    """TELESALES_DB, else a SQLite file in the user's data dir (never inside a served folder)."""
    configured = current_settings().db
    if configured:
        return configured
    path = user_data_path(APP_NAME, appauthor=False) / "workbook.sqlite3"
    return f"sqlite:///{path}"


# ---------------------------------------------------------------- values in


def _text(value: str, what: str) -> str:
    """NFC (one spelling per name), no NUL (PostgreSQL cannot keep it); a lone surrogate is refused."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidAnswer(f"{what} contains characters that are not valid Unicode text") from None
    return unicodedata.normalize("NFC", value.replace("\x00", ""))


def clean_value(value: Any, what: str = "an answer") -> Any:
    """A JSON-ready copy of `value` with every text normalised; InvalidAnswer for what cannot be stored."""
    if isinstance(value, str):
        return _text(value, what)
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidAnswer(f"{what} holds a number that is not finite ({value})")
        return value
    if isinstance(value, (list, tuple)):
        return [clean_value(v, what) for v in value]
    if isinstance(value, dict):
        return {_text(str(k), what): clean_value(v, what) for k, v in value.items()}
    raise InvalidAnswer(f"{what} holds a {type(value).__name__}, which cannot be stored")


def _name(raw: str | None, what: str, longest: int, problem: type[StoreError]) -> str:
    """A trainee id, cohort or key: trimmed, NFC, 1..`longest` characters, printable."""
    try:
        name = _text((raw or "").strip(), what)
    except InvalidAnswer as bad:
        raise problem(str(bad)) from None
    if not name:
        raise problem(f"{what} cannot be empty")
    if len(name) > longest:
        raise problem(f"{what} has at most {longest} characters")
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        raise problem(f"{what} cannot contain control characters")
    return name


def trainee_key(raw: str | None) -> str:
    return _name(raw, "a trainee id", MAX_TRAINEE_ID, InvalidTrainee)


def _key(raw: str, what: str = "a lesson or item id") -> str:
    return _name(raw, what, MAX_ID, InvalidKey)


SITTING_KEY = "sitting:"  # preference key prefix: the sitting (retake) a trainee started in a lesson


def _sitting(number: int) -> int:
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= MAX_SITTINGS:
        raise InvalidKey(f"a sitting is a whole number from 1 to {MAX_SITTINGS}, not {number!r}")
    return number


def progress_of(current: Sequence[Sequence[Any]], firsts: Sequence[Sequence[Any]]) -> dict[str, LessonProgress]:
    """LessonProgress per lesson from the rows of progress()'s two queries: (lesson, count, score, max_points,
    last) of the current answers and (lesson, sitting, count, score) of the first answers."""
    first_scores: dict[str, dict[int, float]] = {}
    first_items: dict[str, dict[int, int]] = {}
    for lesson, sitting, count, score in firsts:
        first_scores.setdefault(lesson, {})[sitting] = float(score)
        first_items.setdefault(lesson, {})[sitting] = int(count)
    return {
        lesson: LessonProgress(
            count,
            float(score),
            float(top or 0),
            clock.as_utc(last) if last else None,
            first_scores.get(lesson, {}),
            first_items.get(lesson, {}),
        )
        for lesson, count, score, top, last in current
    }


# ---------------------------------------------------------------- SQL helpers

CALL_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"  # how a call's time is written in bulk (SQLAlchemy's SQLite form)
CALL_DETAILS = ("direction", "duration_s", "outcome", "connected")  # optional columns of a call
# Preference of a trainee whose calls were imported before migration 0022, when every call key was the SHA-1 of
# the call's id (its value: the highest calls.id then). Their imports skip a call whose old key is stored.
HASHED_CALL_KEYS = "calls:hashed_keys_through"
IMPORT_CACHE_KB = 65_536  # SQLite page cache of a connection that has bulk-imported calls
IMPORT_BATCH = 50_000  # PostgreSQL: calls per INSERT of a bulk import (each statement well inside the timeout)
CALL_COLUMN_TYPES = {
    "called_at": "timestamp",
    "call_key": "varchar",
    "direction": "varchar",
    "duration_s": "integer",
    "outcome": "varchar",
    "connected": "boolean",
}


def _put_setting(conn: sa.Connection, key: str, value: str) -> None:
    upsert(conn, settings, ["key"], {"key": _key(key, "a setting key"), "value": _text(value, "a setting")})


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class Account:
    """Team mode: who the database says this connection is."""

    trainee: str
    trainer: bool


@dataclass(frozen=True)
class TraineeSnapshot:
    """One read of a trainee's workbook (TraineeStore.snapshot): what the report and the cockpit's trainee tab show,
    read in five queries instead of a few per lesson, then answered from memory with TraineeStore's own read
    methods' names and results."""

    trainee_id: str
    latest: Mapping[str, Mapping[str, AnswerRecord]]  # lesson → item → the latest answer
    reviewed: Mapping[str, Mapping[str, Review]]  # lesson → item → the current review
    lessons: Mapping[str, LessonProgress]
    calls: Mapping[date, tuple[int, int]]  # day → (calls, target), over `calls_span`
    calls_span: tuple[date, date]
    trainer: Mapping[str, TrainerAssessment]  # lesson → the trainer's latest column

    def latest_answers(self, lesson_id: str) -> dict[str, AnswerRecord]:
        return dict(self.latest.get(lesson_id, {}))

    def reviews(self, lesson_id: str) -> dict[str, Review]:
        return dict(self.reviewed.get(lesson_id, {}))

    def progress(self) -> dict[str, LessonProgress]:
        return dict(self.lessons)

    def logged_calls(self, first: date, last: date) -> dict[date, tuple[int, int]]:
        if first < self.calls_span[0] or last > self.calls_span[1]:
            raise ValueError(f"the snapshot holds calls of {self.calls_span[0]}..{self.calls_span[1]} only")
        return {day: counted for day, counted in self.calls.items() if first <= day <= last}

    def trainer_scores(self, lesson_id: str) -> TrainerAssessment | None:
        return self.trainer.get(lesson_id)


@dataclass(frozen=True)
class LessonBook:
    """One read of a trainee's lesson (TraineeStore.lesson_book): every save of each of its items, oldest first,
    and the trainer's current reviews — what a lesson page opens with, in two queries whatever its size."""

    lesson_id: str
    histories: Mapping[str, Sequence[AnswerRecord]]  # item → its saves, oldest first
    reviewed: Mapping[str, Review]  # item → the current review
    revealed: Mapping[str, Sequence[Reveal]] = field(default_factory=dict)  # item → when its key was shown
    sitting: int = 1  # the sitting the trainee is in (a retake she started, else 1)

    def history(self, item_id: str) -> list[AnswerRecord]:
        return list(self.histories.get(item_id, ()))

    def reveals(self, item_id: str) -> list[Reveal]:
        return list(self.revealed.get(item_id, ()))


class Store:
    """Gateway over a SQLAlchemy URL (SQLite or PostgreSQL). Creates or upgrades its schema when opened."""

    def __init__(self, url: str | None = None):
        self.url = normalised_url(url or default_url())
        self.engine = open_engine(self.url)
        self.writing = writer(self.engine)  # every transaction that writes begins here
        try:
            migrate.ensure_current(self.engine)
        except Exception:
            self.engine.dispose()
            raise

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

    def schema_revision(self) -> str | None:
        return migrate.revision_of(self.engine)

    # -- team mode
    def account(self) -> Account | None:
        """Team mode: the trainee this connection's database role belongs to, as the database says (a kernel
        cannot change it); None on SQLite and for roles without an account (a personal install, the owner)."""
        if self.engine.dialect.name != "postgresql":
            return None
        if not hasattr(self, "_account"):
            with self.engine.connect() as conn:
                row = conn.exec_driver_sql("SELECT telesales_trainee(), telesales_is_trainer()").one()
            self._account = Account(row[0], bool(row[1])) if row[0] else None
        return self._account

    def is_trainer(self, name: str) -> bool:
        """Team mode: whether hub user `name` has a trainer's account (the hub's trainers group, recorded when the
        hub provisioned them). Readable by the owner and the exam service only; False elsewhere."""
        if self.engine.dialect.name != "postgresql":
            return False
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(accounts.c.trainer).where(accounts.c.trainee_id == name)).scalar()
        return bool(found)

    # -- trainees
    def ensure_trainee(self, trainee_id: str) -> TraineeStore:
        """A view of the store bound to one trainee; the trainee row is created when missing (safely when two
        pages open the same new trainee at once)."""
        trainee_id = trainee_key(trainee_id)
        if not self.has_trainee(trainee_id):
            with self.writing.begin() as conn:
                conn.execute(
                    insert_for(conn, trainees)
                    .values(id=trainee_id, created_at=clock.utc_now())
                    .on_conflict_do_nothing(index_elements=["id"])
                )
        return TraineeStore(self, trainee_id)

    def recordings(self) -> CohortRecordings:
        """Trainers: the cohort's spoken-practice recordings, the review queue, expiry (issue 29)."""
        return CohortRecordings(self)

    def certificates(self) -> CertificateRegister:
        """Every certificate issued from this store (issue 26); see `exams.CertificateRegister`."""
        return CertificateRegister(self)

    def grades(self) -> LmsGrades:
        """Grades back to the LMS: the LTI launches seen and the scores to post to them (issue 30)."""
        return LmsGrades(self)

    def outbox(self) -> LrsOutbox:
        """The sender's side: learning records found in the store as xAPI statements, and what was sent (issue 30;
        team mode: the owner's URL only)."""
        return LrsOutbox(self)

    def cohort(self, **filters) -> CohortView:
        """The trainer's read view over all trainees (aggregations in SQL); see `cohort.CohortView`."""
        return CohortView(self, Filters(**filters))

    def set_cohort(self, trainee_id: str, cohort: str) -> None:
        try:
            cohort = _name(cohort, "a cohort name", MAX_COHORT, InvalidCohort)
        except InvalidCohort:
            raise InvalidCohort(f"a cohort name has 1 to {MAX_COHORT} characters of text") from None
        view = self.ensure_trainee(trainee_id)
        with self.writing.begin() as conn:
            upsert(conn, memberships, ["trainee_id"], {"trainee_id": view.trainee_id, "cohort": cohort})

    def load_batch(self, batch: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
        """Bulk insert of prepared rows in one transaction (demo data). `batch` maps a table name (trainees,
        memberships, answers, call_days, reviews, trainer_scores, review_cards, review_logs) to its rows. The
        database numbers the answers; a review names its answer by position in batch["answers"] (key "answer")."""
        tables = {"trainees", "memberships", "answers", "call_days", "reviews", "trainer_scores"}
        unknown = set(batch) - tables - {"review_cards", "review_logs"}
        if unknown:
            raise StoreError(f"no bulk loading into {', '.join(sorted(unknown))}")
        with self.writing.begin() as conn:
            for table in (trainees, memberships):
                if batch.get(table.name):
                    conn.execute(table.insert(), list(batch[table.name]))
            answer_ids: list[int] = []
            if batch.get("answers"):
                rows = [{**row, "value": clean_value(row["value"])} for row in batch["answers"]]
                inserted = conn.execute(answers.insert().returning(answers.c.id, sort_by_parameter_order=True), rows)
                answer_ids = [row.id for row in inserted]
            for table in (call_days, trainer_scores, review_cards, review_logs):
                if batch.get(table.name):
                    conn.execute(table.insert(), list(batch[table.name]))
            if batch.get("reviews"):
                conn.execute(
                    reviews.insert(),
                    [
                        {**{k: v for k, v in row.items() if k != "answer"}, "answer_id": answer_ids[row["answer"]]}
                        for row in batch["reviews"]
                    ],
                )

    def find_trainee(self, trainee_id: str) -> TraineeStore | None:
        """The view of an existing trainee, or None (a typo in the cockpit's trainee box creates nobody)."""
        return TraineeStore(self, trainee_key(trainee_id)) if self.has_trainee(trainee_id) else None

    def has_trainee(self, trainee_id: str) -> bool:
        try:
            trainee_id = trainee_key(trainee_id)
        except InvalidTrainee:
            return False
        with self.engine.connect() as conn:
            return conn.execute(sa.select(trainees.c.id).where(trainees.c.id == trainee_id)).first() is not None

    def trainee_ids(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.execute(sa.select(trainees.c.id).order_by(trainees.c.id)).scalars())

    def answered_items(self) -> dict[tuple[str, str], int]:
        """How many trainees' current answers each (lesson, item) has, over the rows this store may read."""
        query = sa.select(current_answers.c.lesson_id, current_answers.c.item_id, sa.func.count()).group_by(
            current_answers.c.lesson_id, current_answers.c.item_id
        )
        with self.engine.connect() as conn:
            return {(lesson, item): count for lesson, item, count in conn.execute(query)}

    def stored_values(self, lesson_id: str, item_id: str, limit: int = 1000) -> list[Any]:
        """The distinct current answers to one item (at most `limit` of them)."""
        query = (
            sa.select(answers.c.value)
            .join(current_answers, current_answers.c.answer_id == answers.c.id)
            .where(current_answers.c.lesson_id == lesson_id, current_answers.c.item_id == item_id)
            .distinct()
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    # -- settings of the whole store
    def get_setting(self, key: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(settings.c.value).where(settings.c.key == key)).scalar()

    def set_setting(self, key: str, value: str) -> None:
        with self.writing.begin() as conn:
            _put_setting(conn, key, value)


def _hashed_call_key(key: str) -> str:
    """A call's key as imports made it before migration 0022: the SHA-1 of the call id (`tools.calllog.call_keys`
    keeps an id of up to 39 characters as it is now; a 40-digit key is a SHA-1 then and now)."""
    return key if len(key) == 40 else hashlib.sha1(key.encode("utf-8")).hexdigest()


class TraineeStore:
    """Everything one trainee may read or write. No method reaches another trainee's rows."""

    def __init__(self, store: Store, trainee_id: str):
        self._store = store
        self.trainee_id = trainee_id

    @property
    def _engine(self) -> sa.Engine:
        return self._store.engine

    @property
    def store(self) -> Store:
        """The whole store this view belongs to."""
        return self._store

    def save_answer(
        self,
        lesson_id: str,
        item_id: str,
        value: Any,
        score: float | None = None,
        max_points: float = 0,
        at: datetime | None = None,
        sitting: int = 1,
        variant: str = "",
        revealed: bool = False,
    ) -> AnswerRecord:
        """One save of an item. Its attempt number is the database's count of this trainee's saves of the item plus
        one; the first save of a sitting becomes its first try (first_answers, kept by a trigger)."""
        lesson_id, item_id = _key(lesson_id), _key(item_id)
        variant = _key(variant) if variant else ""
        sitting = _sitting(sitting)
        value = clean_value(value)
        if len(dumps(value).encode("utf-8")) > MAX_ANSWER_BYTES:
            raise AnswerTooLarge(f"an answer may hold at most {MAX_ANSWER_BYTES // 1000} KB")
        for number in (score, max_points):
            if number is not None and not math.isfinite(number):
                raise InvalidAnswer(f"points must be finite numbers, not {number}")
        created = clock.as_utc(at or clock.utc_now())
        mine = sa.and_(
            answers.c.trainee_id == self.trainee_id, answers.c.lesson_id == lesson_id, answers.c.item_id == item_id
        )
        with self._store.writing.begin() as conn:
            attempt = conn.execute(sa.select(sa.func.coalesce(sa.func.max(answers.c.attempt), 0) + 1).where(mine))
            attempt = int(attempt.scalar_one())
            conn.execute(
                answers.insert(),
                {  # the database's triggers keep current_answers and first_answers (schema.py)
                    "trainee_id": self.trainee_id,
                    "lesson_id": lesson_id,
                    "item_id": item_id,
                    "value": value,
                    "score": score,
                    "max_points": max_points,
                    "created_at": created,
                    "attempt": attempt,
                    "sitting": sitting,
                    "variant": variant,
                    "revealed": bool(revealed),
                },
            )
        return AnswerRecord(lesson_id, item_id, value, score, max_points, created, attempt, sitting, variant, revealed)

    def reveal(
        self, lesson_id: str, item_id: str, reason: str, sitting: int = 1, variant: str = "", at: datetime | None = None
    ) -> Reveal:
        """Note that the key of an item was shown in a sitting (once: a second reveal keeps the first)."""
        if reason not in REVEAL_REASONS:
            raise ValueError(f"reason must be one of {', '.join(REVEAL_REASONS)}, not {reason!r}")
        lesson_id, item_id = _key(lesson_id), _key(item_id)
        variant = _key(variant) if variant else ""
        sitting = _sitting(sitting)
        created = clock.as_utc(at or clock.utc_now())
        row = {
            "trainee_id": self.trainee_id,
            "lesson_id": lesson_id,
            "item_id": item_id,
            "sitting": sitting,
            "variant": variant,
            "reason": reason,
            "created_at": created,
        }
        with self._store.writing.begin() as conn:
            conn.execute(insert_for(conn, reveals).values(row).on_conflict_do_nothing())
        return Reveal(item_id, sitting, variant, reason, created)

    def recall(self) -> TraineeRecall:
        """This trainee's review cards and review log (today's review, issue 27); see `recall.py`."""
        return TraineeRecall(self)

    def recordings(self) -> TraineeRecordings:
        """This trainee's spoken-practice recordings and their reviews (issue 29); see `recordings.py`."""
        return TraineeRecordings(self)

    def exams(self) -> TraineeExams:
        """This trainee's certification records (exam sittings, sign-offs, certificates); see `exams.py`."""
        return TraineeExams(self)

    def start_sitting(self, lesson_id: str, sitting: int) -> None:
        """The trainee starts a retake of the lesson (sitting 2, 3…): its items are drawn from unseen variants."""
        self.set_preference(SITTING_KEY + _key(lesson_id), str(_sitting(sitting)))

    def _records(self, query) -> list[AnswerRecord]:
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            AnswerRecord(
                r.lesson_id,
                r.item_id,
                r.value,
                r.score,
                r.max_points,
                clock.as_utc(r.created_at),
                r.attempt,
                r.sitting,
                r.variant,
                bool(r.revealed),
            )
            for r in rows
        ]

    def latest_answers(self, lesson_id: str) -> dict[str, AnswerRecord]:
        latest_ids = (
            sa.select(sa.func.max(answers.c.id))
            .where(answers.c.trainee_id == self.trainee_id, answers.c.lesson_id == lesson_id)
            .group_by(answers.c.item_id)
        )
        records = self._records(sa.select(answers).where(answers.c.id.in_(latest_ids)))
        return {r.item_id: r for r in records}

    def snapshot(self, first: date, last: date) -> TraineeSnapshot:
        """Everything the report reads, in five queries: the latest answer to every item, the current review of
        each, the progress per lesson, the calls of `first`..`last` and the trainer's latest columns."""
        me = answers.c.trainee_id == self.trainee_id
        latest_ids = sa.select(sa.func.max(answers.c.id)).where(me).group_by(answers.c.lesson_id, answers.c.item_id)
        latest: dict[str, dict[str, AnswerRecord]] = {}
        for record in self._records(sa.select(answers).where(answers.c.id.in_(latest_ids))):
            latest.setdefault(record.lesson_id, {})[record.item_id] = record
        review_ids = (
            sa.select(sa.func.max(reviews.c.id))
            .where(reviews.c.trainee_id == self.trainee_id)
            .group_by(reviews.c.lesson_id, reviews.c.item_id)
        )
        column_ids = (
            sa.select(sa.func.max(trainer_scores.c.id))
            .where(trainer_scores.c.trainee_id == self.trainee_id)
            .group_by(trainer_scores.c.lesson_id)
        )
        with self._engine.connect() as conn:
            review_rows = conn.execute(sa.select(reviews).where(reviews.c.id.in_(review_ids))).all()
            column_rows = conn.execute(
                sa.select(trainer_scores.c.lesson_id, trainer_scores.c.scores, trainer_scores.c.trainer).where(
                    trainer_scores.c.id.in_(column_ids)
                )
            ).all()
        reviewed: dict[str, dict[str, Review]] = {}
        for r in review_rows:
            reviewed.setdefault(r.lesson_id, {})[r.item_id] = Review(
                r.answer_id,
                r.reviewer,
                r.comment,
                clock.as_utc(r.created_at),
                tuple(r.marks) if r.marks is not None else None,
            )
        trainer = {
            lesson_id: found
            for lesson_id, scores, by in column_rows
            if (found := TrainerAssessment.read({"scores": scores, "by": by})) is not None
        }
        return TraineeSnapshot(
            self.trainee_id, latest, reviewed, self.progress(), self.logged_calls(first, last), (first, last), trainer
        )

    def lesson_book(self, lesson_id: str) -> LessonBook:
        """Every save of every item of the lesson and the current reviews, in two queries (see LessonBook)."""
        histories: dict[str, list[AnswerRecord]] = {}
        mine = sa.select(answers).where(answers.c.trainee_id == self.trainee_id, answers.c.lesson_id == lesson_id)
        for record in self._records(mine.order_by(answers.c.id)):
            histories.setdefault(record.item_id, []).append(record)
        shown: dict[str, list[Reveal]] = {}
        for found in self.reveals(lesson_id):
            shown.setdefault(found.item_id, []).append(found)
        return LessonBook(lesson_id, histories, self.reviews(lesson_id), shown, self.sitting(lesson_id))

    def reveals(self, lesson_id: str, item_id: str | None = None) -> list[Reveal]:
        """When the keys of the lesson's items (or of one item) were shown to the trainee, by sitting."""
        query = sa.select(reveals).where(reveals.c.trainee_id == self.trainee_id, reveals.c.lesson_id == lesson_id)
        if item_id is not None:
            query = query.where(reveals.c.item_id == item_id)
        with self._engine.connect() as conn:
            rows = conn.execute(query.order_by(reveals.c.item_id, reveals.c.sitting)).all()
        return [Reveal(r.item_id, r.sitting, r.variant, r.reason, clock.as_utc(r.created_at)) for r in rows]

    def sitting(self, lesson_id: str) -> int:
        """The sitting the trainee is in for a lesson: the retake she started last, else 1."""
        try:
            return _sitting(int(self.get_preference(SITTING_KEY + _key(lesson_id)) or 1))
        except (InvalidKey, ValueError):
            return 1

    def history(self, lesson_id: str, item_id: str) -> list[AnswerRecord]:
        return self._records(
            sa.select(answers)
            .where(
                answers.c.trainee_id == self.trainee_id, answers.c.lesson_id == lesson_id, answers.c.item_id == item_id
            )
            .order_by(answers.c.id)
        )

    def progress(self) -> dict[str, LessonProgress]:
        """Per lesson: how many items have an answer, and the points of the latest answers."""
        query = (
            sa.select(
                current_answers.c.lesson_id,
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(current_answers.c.score), 0),
                sa.func.sum(current_answers.c.max_points),
                sa.func.max(current_answers.c.created_at),
            )
            .where(current_answers.c.trainee_id == self.trainee_id)
            .group_by(current_answers.c.lesson_id)
        )
        firsts = (
            sa.select(
                first_answers.c.lesson_id,
                first_answers.c.sitting,
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(first_answers.c.score), 0),
            )
            .where(first_answers.c.trainee_id == self.trainee_id)
            .group_by(first_answers.c.lesson_id, first_answers.c.sitting)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
            first_rows = conn.execute(firsts).all()
        return progress_of(rows, first_rows)

    def add_calls(self, batch: Iterable[tuple[datetime, str]]) -> int:
        """Insert (called_at, call_key) pairs; keys already stored are skipped. Returns how many were new."""
        pairs = list(batch)
        return self.add_call_texts(
            [moment.strftime(CALL_TIME_FORMAT) for moment, _key in pairs], [key for _moment, key in pairs]
        )

    def add_call_texts(
        self, times: Sequence[str], keys: Sequence[str], details: Mapping[str, Sequence[Any]] | None = None
    ) -> int:
        """The bulk path of a call-log import: `times` as 'YYYY-MM-DD HH:MM:SS.ffffff' (local wall-clock time,
        the form the store keeps), `keys` the calls' keys, `details` optional columns (direction, duration_s,
        outcome, connected; None where the export said nothing); keys already stored are skipped. Returns how
        many were new. SQLite: one prepared INSERT … ON CONFLICT DO NOTHING over all rows; PostgreSQL: batches of
        INSERT … SELECT FROM unnest(arrays) … ON CONFLICT DO NOTHING (row-level security applies)."""
        if len(times) != len(keys):
            raise ValueError("times and keys differ in length")
        if not keys:
            return 0
        if max(map(len, keys)) > 40:
            raise InvalidKey("a call key has at most 40 characters")
        details = details or {}
        extra = [name for name in CALL_DETAILS if details.get(name) is not None]
        columns = ["called_at", "call_key", *extra]
        values = [times, keys, *(details[name] for name in extra)]
        with self._store.writing.begin() as conn:
            hashed_before = conn.execute(
                sa.select(preferences.c.value).where(
                    preferences.c.trainee_id == self.trainee_id, preferences.c.key == HASHED_CALL_KEYS
                )
            ).scalar()
            try:
                added = self._bulk_calls(
                    conn, columns, values, [_hashed_call_key(key) for key in keys] if hashed_before else None
                )
            except conn.dialect.loaded_dbapi.Error as problem:  # the driver used directly: translate as the engine does
                raise driver_error(problem) from problem
            if added:
                self._count_imported_days(conn, min(times)[:10], max(times)[:10])
            return added

    def _count_imported_days(self, conn: sa.Connection, first: str, last: str) -> None:
        """call_days.imported of the days first..last (YYYY-MM-DD) counted again from the imported calls; a day
        the week log never had gets a row with the trainee's latest daily target."""
        target = conn.execute(
            sa.select(call_days.c.target)
            .where(call_days.c.trainee_id == self.trainee_id)
            .order_by(call_days.c.day.desc())
            .limit(1)
        ).scalar()
        day = sa.func.date(calls.c.called_at)
        counted = (
            sa.select(
                sa.literal(self.trainee_id),
                day,
                sa.literal(0),
                sa.literal(target or DEFAULT_TARGET),
                sa.func.min(sa.func.count(), MAX_DAY_CALLS)
                if conn.dialect.name == "sqlite"
                else sa.func.least(sa.func.count(), MAX_DAY_CALLS),
            )
            .where(
                calls.c.trainee_id == self.trainee_id,
                calls.c.called_at >= datetime.fromisoformat(first),
                calls.c.called_at < datetime.fromisoformat(last) + timedelta(days=1),
            )
            .group_by(day)
        )
        statement = insert_for(conn, call_days).from_select(
            ["trainee_id", "day", "calls", "target", "imported"], counted
        )
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=["trainee_id", "day"], set_={"imported": statement.excluded.imported}
            )
        )

    def _bulk_calls(
        self, conn: sa.Connection, columns: list[str], values: list[Sequence[Any]], old_keys: list[str] | None
    ) -> int:
        """Insert the calls; with `old_keys` (a trainee who imported before migration 0022: each call's key as it
        was made then) a call whose old key is stored is skipped too."""
        raw = conn.connection.driver_connection
        names = ", ".join(columns)
        if conn.dialect.name == "sqlite":
            cursor = raw.cursor()
            # The two indexes of `calls` are filled at random places: keep their pages in memory (64 MB).
            cursor.execute(f"PRAGMA cache_size=-{IMPORT_CACHE_KB}")
            places = f"?{', ?' * len(columns)}"
            if old_keys is None:
                statement = f"INSERT INTO calls (trainee_id, {names}) VALUES ({places})"
                rows = zip(itertools.repeat(self.trainee_id), *values)
            else:
                statement = (
                    f"INSERT INTO calls (trainee_id, {names}) SELECT {places} WHERE NOT EXISTS "
                    "(SELECT 1 FROM calls WHERE trainee_id = ? AND call_key = ?)"
                )
                rows = zip(itertools.repeat(self.trainee_id), *values, itertools.repeat(self.trainee_id), old_keys)
            cursor.executemany(statement + " ON CONFLICT (trainee_id, call_key) DO NOTHING", rows)
            return max(0, cursor.rowcount)
        # PostgreSQL: each column as one array, unnested into rows by the server (no temporary table: a trainee's
        # role may not make one, access.py), a batch of rows per statement.
        arrays = [f"%s::{CALL_COLUMN_TYPES[name]}[]" for name in columns]
        if old_keys is None:
            statement = f"INSERT INTO calls (trainee_id, {names}) SELECT %s, * FROM unnest({', '.join(arrays)})"
        else:
            statement = (
                f"INSERT INTO calls (trainee_id, {names}) SELECT %s, {', '.join(f'given.{n}' for n in columns)} "
                f"FROM unnest({', '.join(arrays)}, %s::varchar[]) AS given({names}, old_key) "
                "WHERE NOT EXISTS (SELECT 1 FROM calls WHERE calls.trainee_id = %s AND calls.call_key = given.old_key)"
            )
        statement += " ON CONFLICT (trainee_id, call_key) DO NOTHING"
        added = 0
        with raw.cursor() as cursor:
            for start in range(0, len(values[0]), IMPORT_BATCH):
                batch = [list(column[start : start + IMPORT_BATCH]) for column in values]
                if old_keys is not None:
                    batch += [old_keys[start : start + IMPORT_BATCH], self.trainee_id]
                cursor.execute(statement, (self.trainee_id, *batch))
                added += max(0, cursor.rowcount)
        return added

    def daily_calls(self, first: date, last: date) -> dict[date, int]:
        """Imported calls per calendar day, first..last inclusive (days without calls are absent)."""
        day = sa.func.date(calls.c.called_at)
        query = (
            sa.select(day, sa.func.count())
            .where(
                calls.c.trainee_id == self.trainee_id,
                calls.c.called_at >= datetime.combine(first, time.min),
                calls.c.called_at < datetime.combine(last + timedelta(days=1), time.min),
            )
            .group_by(day)
        )
        with self._engine.connect() as conn:
            return {_as_date(value): count for value, count in conn.execute(query)}

    def daily_connected(self, first: date, last: date) -> dict[date, int]:
        """Imported calls the export marked as connected, per day, first..last inclusive (days whose calls say
        nothing about it are absent)."""
        day = sa.func.date(calls.c.called_at)
        query = (
            sa.select(day, sa.func.count())
            .where(
                calls.c.trainee_id == self.trainee_id,
                calls.c.connected.is_(True),
                calls.c.called_at >= datetime.combine(first, time.min),
                calls.c.called_at < datetime.combine(last + timedelta(days=1), time.min),
            )
            .group_by(day)
        )
        with self._engine.connect() as conn:
            return {_as_date(value): count for value, count in conn.execute(query)}

    def knows_connected(self, first: date, last: date) -> bool:
        """Whether any imported call of first..last says whether it connected."""
        query = (
            sa.select(calls.c.id)
            .where(
                calls.c.trainee_id == self.trainee_id,
                calls.c.connected.is_not(None),
                calls.c.called_at >= datetime.combine(first, time.min),
                calls.c.called_at < datetime.combine(last + timedelta(days=1), time.min),
            )
            .limit(1)
        )
        with self._engine.connect() as conn:
            return conn.execute(query).first() is not None

    def log_day_calls(self, counts: dict[date, int], target: int) -> None:
        """Calls made on each given day (replacing what was logged for those days before)."""
        if not counts:
            return
        with self._store.writing.begin() as conn:
            upsert(
                conn,
                call_days,
                ["trainee_id", "day"],
                [
                    {"trainee_id": self.trainee_id, "day": day, "calls": int(calls_), "target": int(target)}
                    for day, calls_ in counts.items()
                ],
            )

    def logged_calls(self, first: date, last: date) -> dict[date, tuple[int, int]]:
        """(calls, target) per day with calls typed or imported, first..last inclusive: a day's calls are the
        larger of the two (callplan.day_total)."""
        return {
            day: (day_total(typed, imported), target)
            for day, (typed, imported, target) in self.call_days(first, last).items()
        }

    def call_days(self, first: date, last: date) -> dict[date, tuple[int, int, int]]:
        """(typed, imported, target) per day that has a row, first..last inclusive."""
        query = sa.select(call_days.c.day, call_days.c.calls, call_days.c.imported, call_days.c.target).where(
            call_days.c.trainee_id == self.trainee_id, call_days.c.day >= first, call_days.c.day <= last
        )
        with self._engine.connect() as conn:
            return {_as_date(day): (typed, imported, target) for day, typed, imported, target in conn.execute(query)}

    def reviews_since(self, seen: Mapping[str, datetime]) -> dict[str, int]:
        """Per lesson, how many of the trainer's current reviews of this trainee's answers are newer than the
        lesson's entry in `seen` (all of them for a lesson not in it): what the start page calls new feedback."""
        latest = (
            sa.select(reviews.c.lesson_id, sa.func.max(reviews.c.created_at).label("at"))
            .where(reviews.c.trainee_id == self.trainee_id)
            .group_by(reviews.c.lesson_id, reviews.c.item_id)
        )
        found: dict[str, int] = {}
        with self._engine.connect() as conn:
            for lesson_id, at in conn.execute(latest):
                before = seen.get(lesson_id)
                if before is None or clock.as_utc(at) > before:
                    found[lesson_id] = found.get(lesson_id, 0) + 1
        return found

    def preferences_starting(self, prefix: str) -> dict[str, str]:
        """This trainee's preferences whose key starts with `prefix` (one query)."""
        query = sa.select(preferences.c.key, preferences.c.value).where(
            preferences.c.trainee_id == self.trainee_id, preferences.c.key.startswith(prefix, autoescape=True)
        )
        with self._engine.connect() as conn:
            return dict(conn.execute(query).all())

    def reviews(self, lesson_id: str) -> dict[str, Review]:
        """The trainer's current review of each item of a lesson (the latest one per item)."""
        latest_ids = (
            sa.select(sa.func.max(reviews.c.id))
            .where(reviews.c.trainee_id == self.trainee_id, reviews.c.lesson_id == lesson_id)
            .group_by(reviews.c.item_id)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(sa.select(reviews).where(reviews.c.id.in_(latest_ids))).all()
        return {
            r.item_id: Review(
                r.answer_id,
                r.reviewer,
                r.comment,
                clock.as_utc(r.created_at),
                tuple(r.marks) if r.marks is not None else None,
            )
            for r in rows
        }

    def add_review(
        self,
        lesson_id: str,
        item_id: str,
        answer_id: int,
        reviewer: str,
        comment: str = "",
        marks: Iterable[str] | None = None,
    ) -> Review:
        """Record a trainer's review of one of this trainee's answers (the answer must be theirs); `marks`: the
        ids of the question's rubric checks the answer meets."""
        try:
            comment = _text((comment or "").strip(), "a comment")
        except InvalidAnswer as bad:
            raise InvalidReview(str(bad)) from None
        if marks is not None:
            marks = sorted({str(mark) for mark in marks})
            if len(marks) > MAX_MARKS or any(len(mark) > MAX_ID or not mark for mark in marks):
                raise InvalidReview("rubric marks are at most 50 check ids")
        if len(comment) > MAX_COMMENT:
            raise InvalidReview(f"a comment has at most {MAX_COMMENT} characters")
        try:
            reviewer = trainee_key((reviewer or "").strip()[:MAX_TRAINEE_ID] or "trainer")
        except InvalidTrainee as bad:
            raise InvalidReview(str(bad)) from None
        created = clock.utc_now()
        # One statement: the review is written only if the answer is this trainee's answer to that item.
        owned = sa.select(
            sa.literal(self.trainee_id),
            sa.literal(lesson_id),
            sa.literal(item_id),
            answers.c.id,
            sa.literal(reviewer),
            sa.literal(comment),
            sa.literal(created, sa.DateTime(timezone=True)),
            sa.literal(marks, JsonValue()),
        ).where(
            answers.c.id == answer_id,
            answers.c.trainee_id == self.trainee_id,
            answers.c.lesson_id == lesson_id,
            answers.c.item_id == item_id,
        )
        with self._store.writing.begin() as conn:
            written = conn.execute(
                reviews.insert()
                .from_select(
                    ["trainee_id", "lesson_id", "item_id", "answer_id", "reviewer", "comment", "created_at", "marks"],
                    owned,
                )
                .returning(reviews.c.id)
            ).all()
            if len(written) != 1:
                raise InvalidReview("that answer does not belong to this trainee's item")
        return Review(answer_id, reviewer, comment, created, tuple(marks) if marks is not None else None)

    def save_trainer_scores(self, lesson_id: str, scores: TrainerAssessment) -> None:
        """Record the trainer's column of this trainee's assessment form (signed with `scores.by`). In team mode
        only a trainer may, and only under their own name (access.py)."""
        lesson_id = _key(lesson_id, "a lesson id")
        trainer = trainee_key(scores.by)
        with self._store.writing.begin() as conn:
            conn.execute(
                trainer_scores.insert().values(
                    trainee_id=self.trainee_id,
                    lesson_id=lesson_id,
                    scores=dict(scores.scores),
                    trainer=trainer,
                    created_at=clock.utc_now(),
                )
            )

    def trainer_scores(self, lesson_id: str) -> TrainerAssessment | None:
        """The trainer's latest column of this trainee's form in `lesson_id`, or None."""
        query = (
            sa.select(trainer_scores.c.scores, trainer_scores.c.trainer)
            .where(trainer_scores.c.trainee_id == self.trainee_id, trainer_scores.c.lesson_id == lesson_id)
            .order_by(trainer_scores.c.id.desc())
            .limit(1)
        )
        with self._engine.connect() as conn:
            row = conn.execute(query).first()
        return TrainerAssessment.read({"scores": row.scores, "by": row.trainer}) if row else None

    def joined(self) -> datetime | None:
        """When the trainee was first seen (the trainee row's creation)."""
        with self._engine.connect() as conn:
            created = conn.execute(sa.select(trainees.c.created_at).where(trainees.c.id == self.trainee_id)).scalar()
        return clock.as_utc(created) if created else None

    def cohort(self) -> str | None:
        with self._engine.connect() as conn:
            return conn.execute(
                sa.select(memberships.c.cohort).where(memberships.c.trainee_id == self.trainee_id)
            ).scalar()

    def get_preference(self, key: str) -> str | None:
        with self._engine.connect() as conn:
            return conn.execute(
                sa.select(preferences.c.value).where(
                    preferences.c.trainee_id == self.trainee_id, preferences.c.key == key
                )
            ).scalar()

    def set_preference(self, key: str, value: str) -> None:
        if len(value.encode("utf-8", errors="replace")) > MAX_PREFERENCE_BYTES:
            raise InvalidAnswer(f"a preference holds at most {MAX_PREFERENCE_BYTES} bytes")
        row = {
            "trainee_id": self.trainee_id,
            "key": _key(key, "a preference key"),
            "value": _text(value, "a preference"),
        }
        with self._store.writing.begin() as conn:
            upsert(conn, preferences, ["trainee_id", "key"], row)
