"""The store's tables, at the current schema revision. Alembic migrations (telesales_training/migrations)
take any earlier store here; a new store is created from these definitions and stamped at the head."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from ..core.limits import MAX_COHORT, MAX_ID, MAX_TRAINEE_ID

metadata = sa.MetaData()


def dumps(value: Any) -> str:
    """Answers as JSON: Chinese kept readable, NaN and infinities refused (not JSON; PostgreSQL rejects them)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


class JsonValue(sa.types.TypeDecorator):
    """A stored answer: JSON text on SQLite, jsonb on PostgreSQL (parsed once when written, so cohort
    queries read it without casting every row). Python values in and out on both."""

    impl = sa.Text
    cache_ok = True

    def load_dialect_impl(self, dialect):
        return dialect.type_descriptor(JSONB() if dialect.name == "postgresql" else sa.Text())

    def process_bind_param(self, value, dialect):
        return value if dialect.name == "postgresql" else dumps(value)  # jsonb serialises with the engine's dumps

    def process_result_value(self, value, dialect):
        return value if dialect.name == "postgresql" or value is None else json.loads(value)


trainees = sa.Table(
    "trainees",
    metadata,
    sa.Column("id", sa.String(MAX_TRAINEE_ID), primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)


# Row numbers: 64-bit on PostgreSQL (a trainee's failed or skipped inserts each use one up: 32 bits could be
# run out of), SQLite's INTEGER PRIMARY KEY (its rowid, already 64-bit). Chosen by the database only: an
# identity column (no rights on a sequence needed) whose values no trainee's grant lets her set (access.py).
RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def row_id() -> sa.Column:
    return sa.Column("id", RowId, sa.Identity(), primary_key=True)


def _history_columns() -> list[sa.Column]:
    """Append-only tables about one item of one trainee: a growing id, whose, which lesson and item."""
    return [
        row_id(),
        sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), sa.ForeignKey("trainees.id"), nullable=False),
        sa.Column("lesson_id", sa.String(MAX_ID), nullable=False),
        sa.Column("item_id", sa.String(MAX_ID), nullable=False),
    ]


answers = sa.Table(
    "answers",
    metadata,
    *_history_columns(),
    sa.Column("value", JsonValue(), nullable=False),
    sa.Column("score", sa.Float, nullable=True),
    sa.Column("max_points", sa.Float, nullable=False, server_default="0"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    # Which save of this item by this trainee it is (1 = her first answer to the idea, whatever the sitting).
    sa.Column("attempt", sa.Integer, nullable=False, server_default="1"),
    # 1 = the lesson as first met; 2, 3… = retakes, each drawn from variants not seen before (migration 0015).
    sa.Column("sitting", sa.Integer, nullable=False, server_default="1"),
    sa.Column("variant", sa.String(MAX_ID), nullable=False, server_default=""),  # "" = the item as first written
    sa.Column("revealed", sa.Boolean, nullable=False, server_default=sa.false()),  # saved after the key was shown
    sa.Index("ix_answers_trainee_lesson_item", "trainee_id", "lesson_id", "item_id", "id"),
)


# The first answer of each sitting of an item (trainee, lesson, item, sitting): kept by the database on every save
# (the answers trigger inserts and never updates it), so practice after a first try never changes it.
def _sitting_columns() -> list[sa.Column]:
    """Tables with one row per (trainee, lesson, item, sitting), and the variant asked in it."""
    return [
        sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), sa.ForeignKey("trainees.id"), primary_key=True),
        sa.Column("lesson_id", sa.String(MAX_ID), primary_key=True),
        sa.Column("item_id", sa.String(MAX_ID), primary_key=True),
        sa.Column("sitting", sa.Integer, primary_key=True),
        sa.Column("variant", sa.String(MAX_ID), nullable=False),
    ]


first_answers = sa.Table(
    "first_answers",
    metadata,
    *_sitting_columns(),
    sa.Column("answer_id", RowId, sa.ForeignKey("answers.id"), nullable=False),
    sa.Column("score", sa.Float, nullable=True),
    sa.Column("max_points", sa.Float, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sqlite_with_rowid=False,
)

# When the key of an item was shown to a trainee (after her second wrong try, or because she asked): once per
# sitting; answers saved after it are practice.
reveals = sa.Table(
    "reveals",
    metadata,
    *_sitting_columns(),
    sa.Column("reason", sa.String(20), nullable=False),  # "asked" | "second_try"
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

# The latest answer per (trainee, lesson, item), kept up to date by every save: the cockpit aggregates
# this (one row per item a trainee answered) instead of finding the newest of all history rows each time.
current_answers = sa.Table(
    "current_answers",
    metadata,
    sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), sa.ForeignKey("trainees.id"), primary_key=True),
    sa.Column("lesson_id", sa.String(MAX_ID), primary_key=True),
    sa.Column("item_id", sa.String(MAX_ID), primary_key=True),
    sa.Column("answer_id", RowId, sa.ForeignKey("answers.id"), nullable=False),
    sa.Column("score", sa.Float, nullable=True),
    sa.Column("max_points", sa.Float, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    # Covering index: per-item aggregations never visit the table.
    sa.Index(
        "ix_current_answers_item",
        "lesson_id",
        "item_id",
        "trainee_id",
        "answer_id",
        "score",
        "max_points",
        "created_at",
    ),
    sqlite_with_rowid=False,  # stored in key order: per-trainee groupings read it in order
)


# Every insert into answers keeps current_answers up to date in the database itself: one statement per save,
# and rows written by any release (or by hand) are never missed. The newest answer id wins, so a save that
# arrives late never replaces a newer one.
def _upsert_current(schema: str = "") -> str:
    """The statement of the trigger; `schema` names the tables' schema (PostgreSQL's functions that run with
    the owner's rights name it, access.py; SQLite's triggers may not)."""
    return f"""
    INSERT INTO {schema}current_answers (trainee_id, lesson_id, item_id, answer_id, score, max_points, created_at)
    VALUES (NEW.trainee_id, NEW.lesson_id, NEW.item_id, NEW.id, NEW.score, NEW.max_points, NEW.created_at)
    ON CONFLICT (trainee_id, lesson_id, item_id) DO UPDATE SET answer_id = excluded.answer_id,
        score = excluded.score, max_points = excluded.max_points, created_at = excluded.created_at
    WHERE current_answers.answer_id < excluded.answer_id;"""


def keep_current_function(schema: str = "") -> str:
    """PostgreSQL: the function behind the answers trigger (CREATE OR REPLACE), tables in `schema` (e.g. "public.")."""
    return (
        f"CREATE OR REPLACE FUNCTION {schema}answers_keep_current() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$ BEGIN {_upsert_current(schema)} RETURN NULL; END $$"
    )


KEEP_CURRENT = {
    "sqlite": [f"CREATE TRIGGER answers_keep_current AFTER INSERT ON answers BEGIN {_upsert_current()} END"],
    "postgresql": [
        keep_current_function(),
        "CREATE TRIGGER answers_keep_current AFTER INSERT ON answers FOR EACH ROW "
        "EXECUTE FUNCTION answers_keep_current()",
    ],
}
for _dialect, _statements in KEEP_CURRENT.items():
    for _statement in _statements:
        sa.event.listen(current_answers, "after_create", sa.DDL(_statement).execute_if(dialect=_dialect))

# Running totals over current_answers, kept by the database on every change of it, so the cockpit's overview
# reads one row per (trainee, lesson) and one per item instead of aggregating every current answer (20,000
# trainees: 1.5 M rows). A row's contribution: answered 1; and when it carries points (max_points > 0): scored 1,
# its score (0 when missing), its max_points, missed 1 when score < max_points, share score / max_points.
lesson_totals = sa.Table(
    "lesson_totals",
    metadata,
    sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), sa.ForeignKey("trainees.id"), primary_key=True),
    sa.Column("lesson_id", sa.String(MAX_ID), primary_key=True),
    sa.Column("answered", sa.Integer, nullable=False, server_default="0"),
    sa.Column("scored", sa.Integer, nullable=False, server_default="0"),
    sa.Column("score", sa.Float, nullable=False, server_default="0"),
    sa.Column("max_points", sa.Float, nullable=False, server_default="0"),
    # The same of the first answers of sitting 1 (first_answers): the trainee's first tries, never changed by practice.
    sa.Column("first_scored", sa.Integer, nullable=False, server_default="0"),
    sa.Column("first_score", sa.Float, nullable=False, server_default="0"),
    sa.Column("first_max_points", sa.Float, nullable=False, server_default="0"),
    sqlite_with_rowid=False,
)
item_totals = sa.Table(
    "item_totals",
    metadata,
    sa.Column("lesson_id", sa.String(MAX_ID), primary_key=True),
    sa.Column("item_id", sa.String(MAX_ID), primary_key=True),
    sa.Column("answered", sa.Integer, nullable=False, server_default="0"),
    sa.Column("scored", sa.Integer, nullable=False, server_default="0"),
    sa.Column("missed", sa.Integer, nullable=False, server_default="0"),
    sa.Column("share", sa.Float, nullable=False, server_default="0"),
    sa.Column("first_scored", sa.Integer, nullable=False, server_default="0"),
    sa.Column("first_missed", sa.Integer, nullable=False, server_default="0"),
    sa.Column("first_share", sa.Float, nullable=False, server_default="0"),
)


def _add_totals(row: str, sign: str, schema: str = "") -> str:
    """Statements adding (sign "+") or taking away ("-") one current_answers row (NEW or OLD) to the totals;
    `schema` as in _upsert_current."""
    points = f"{row}.max_points > 0"
    return f"""
    INSERT INTO {schema}lesson_totals (trainee_id, lesson_id, answered, scored, score, max_points)
    VALUES ({row}.trainee_id, {row}.lesson_id, {sign}1, {sign}(CASE WHEN {points} THEN 1 ELSE 0 END),
            {sign}(CASE WHEN {points} THEN coalesce({row}.score, 0) ELSE 0 END),
            {sign}(CASE WHEN {points} THEN {row}.max_points ELSE 0 END))
    ON CONFLICT (trainee_id, lesson_id) DO UPDATE SET answered = lesson_totals.answered + excluded.answered,
        scored = lesson_totals.scored + excluded.scored, score = lesson_totals.score + excluded.score,
        max_points = lesson_totals.max_points + excluded.max_points;
    INSERT INTO {schema}item_totals (lesson_id, item_id, answered, scored, missed, share)
    VALUES ({row}.lesson_id, {row}.item_id, {sign}1, {sign}(CASE WHEN {points} THEN 1 ELSE 0 END),
            {sign}(CASE WHEN {points} AND {row}.score < {row}.max_points THEN 1 ELSE 0 END),
            {sign}(CASE WHEN {points} THEN coalesce({row}.score, 0) * 1.0 / {row}.max_points ELSE 0 END))
    ON CONFLICT (lesson_id, item_id) DO UPDATE SET answered = item_totals.answered + excluded.answered,
        scored = item_totals.scored + excluded.scored, missed = item_totals.missed + excluded.missed,
        share = item_totals.share + excluded.share;"""


def keep_totals_function(schema: str = "") -> str:
    """PostgreSQL: the function behind the current_answers trigger (CREATE OR REPLACE), as keep_current_function."""
    return (
        f"CREATE OR REPLACE FUNCTION {schema}current_answers_keep_totals() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN IF TG_OP = 'UPDATE' THEN {_add_totals('OLD', '-', schema)} END IF; {_add_totals('NEW', '+', schema)} "
        "RETURN NULL; END $$"
    )


KEEP_TOTALS = {
    "sqlite": [
        f"CREATE TRIGGER current_answers_added AFTER INSERT ON current_answers BEGIN {_add_totals('NEW', '+')} END",
        f"CREATE TRIGGER current_answers_replaced AFTER UPDATE ON current_answers BEGIN "
        f"{_add_totals('OLD', '-')} {_add_totals('NEW', '+')} END",
    ],
    "postgresql": [
        keep_totals_function(),
        "CREATE TRIGGER current_answers_keep_totals AFTER INSERT OR UPDATE ON current_answers FOR EACH ROW "
        "EXECUTE FUNCTION current_answers_keep_totals()",
    ],
}
# Both totals tables and current_answers exist by then, whatever order create_all picks.
for _dialect, _statements in KEEP_TOTALS.items():
    for _statement in _statements:
        sa.event.listen(metadata, "after_create", sa.DDL(_statement).execute_if(dialect=_dialect))


def _keep_first(schema: str = "") -> str:
    """The answers trigger's second statement: the first answer of a sitting goes to first_answers, once."""
    return f"""
    INSERT INTO {schema}first_answers (trainee_id, lesson_id, item_id, sitting, variant, answer_id, score, max_points,
                                       created_at)
    VALUES (NEW.trainee_id, NEW.lesson_id, NEW.item_id, NEW.sitting, NEW.variant, NEW.id, NEW.score, NEW.max_points,
            NEW.created_at)
    ON CONFLICT (trainee_id, lesson_id, item_id, sitting) DO NOTHING;"""


def _add_first_totals(schema: str = "") -> str:
    """A first answer of sitting 1 (NEW, a first_answers row) added to the first-try totals."""
    points = "NEW.max_points > 0"
    return f"""
    INSERT INTO {schema}lesson_totals (trainee_id, lesson_id, first_scored, first_score, first_max_points)
    VALUES (NEW.trainee_id, NEW.lesson_id, CASE WHEN {points} THEN 1 ELSE 0 END,
            CASE WHEN {points} THEN coalesce(NEW.score, 0) ELSE 0 END,
            CASE WHEN {points} THEN NEW.max_points ELSE 0 END)
    ON CONFLICT (trainee_id, lesson_id) DO UPDATE SET first_scored = lesson_totals.first_scored + excluded.first_scored,
        first_score = lesson_totals.first_score + excluded.first_score,
        first_max_points = lesson_totals.first_max_points + excluded.first_max_points;
    INSERT INTO {schema}item_totals (lesson_id, item_id, first_scored, first_missed, first_share)
    VALUES (NEW.lesson_id, NEW.item_id, CASE WHEN {points} THEN 1 ELSE 0 END,
            CASE WHEN {points} AND NEW.score < NEW.max_points THEN 1 ELSE 0 END,
            CASE WHEN {points} THEN coalesce(NEW.score, 0) * 1.0 / NEW.max_points ELSE 0 END)
    ON CONFLICT (lesson_id, item_id) DO UPDATE SET first_scored = item_totals.first_scored + excluded.first_scored,
        first_missed = item_totals.first_missed + excluded.first_missed,
        first_share = item_totals.first_share + excluded.first_share;"""


def keep_first_functions(schema: str = "") -> list[str]:
    """PostgreSQL: the functions behind the first-answer triggers (CREATE OR REPLACE), as keep_current_function."""
    return [
        f"CREATE OR REPLACE FUNCTION {schema}answers_keep_first() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$ BEGIN {_keep_first(schema)} RETURN NULL; END $$",
        f"CREATE OR REPLACE FUNCTION {schema}first_answers_keep_totals() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$ BEGIN {_add_first_totals(schema)} RETURN NULL; END $$",
    ]


KEEP_FIRST = {
    "sqlite": [
        f"CREATE TRIGGER answers_keep_first AFTER INSERT ON answers BEGIN {_keep_first()} END",
        f"CREATE TRIGGER first_answers_added AFTER INSERT ON first_answers WHEN NEW.sitting = 1 "
        f"BEGIN {_add_first_totals()} END",
    ],
    "postgresql": [
        *keep_first_functions(),
        "CREATE TRIGGER answers_keep_first AFTER INSERT ON answers FOR EACH ROW EXECUTE FUNCTION answers_keep_first()",
        "CREATE TRIGGER first_answers_keep_totals AFTER INSERT ON first_answers FOR EACH ROW WHEN (NEW.sitting = 1) "
        "EXECUTE FUNCTION first_answers_keep_totals()",
    ],
}
for _dialect, _statements in KEEP_FIRST.items():
    for _statement in _statements:
        sa.event.listen(metadata, "after_create", sa.DDL(_statement).execute_if(dialect=_dialect))

# Totals of the rows already in current_answers (the migration that adds the tables fills them with this).
FILL_TOTALS = """
    INSERT INTO lesson_totals (trainee_id, lesson_id, answered, scored, score, max_points)
    SELECT trainee_id, lesson_id, count(*), sum(CASE WHEN max_points > 0 THEN 1 ELSE 0 END),
           sum(CASE WHEN max_points > 0 THEN coalesce(score, 0) ELSE 0 END),
           sum(CASE WHEN max_points > 0 THEN max_points ELSE 0 END)
    FROM current_answers GROUP BY trainee_id, lesson_id;
    INSERT INTO item_totals (lesson_id, item_id, answered, scored, missed, share)
    SELECT lesson_id, item_id, count(*), sum(CASE WHEN max_points > 0 THEN 1 ELSE 0 END),
           sum(CASE WHEN max_points > 0 AND score < max_points THEN 1 ELSE 0 END),
           sum(CASE WHEN max_points > 0 THEN coalesce(score, 0) * 1.0 / max_points ELSE 0 END)
    FROM current_answers GROUP BY lesson_id, item_id"""

preferences = sa.Table(
    "preferences",
    metadata,
    sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), sa.ForeignKey("trainees.id"), primary_key=True),
    sa.Column("key", sa.String(MAX_ID), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

# Individual calls imported from dialer / CRM exports; `call_key` makes re-imports idempotent.
calls = sa.Table(
    "calls",
    metadata,
    row_id(),
    sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), sa.ForeignKey("trainees.id"), nullable=False),
    sa.Column("called_at", sa.DateTime, nullable=False),
    sa.Column("call_key", sa.String(40), nullable=False),
    # What the export said besides the time, when it said it (migration 0011).
    sa.Column("direction", sa.String(3), nullable=True),  # "in" / "out"
    sa.Column("duration_s", sa.Integer, nullable=True),
    sa.Column("outcome", sa.String(40), nullable=True),  # the export's own words (disposition, status)
    sa.Column("connected", sa.Boolean, nullable=True),
    sa.UniqueConstraint("trainee_id", "call_key", name="uq_calls_trainee_key"),
    sa.Index("ix_calls_trainee_time", "trainee_id", "called_at"),
)

# Which cohort (training group) a trainee belongs to.
memberships = sa.Table(
    "memberships",
    metadata,
    sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), sa.ForeignKey("trainees.id"), primary_key=True),
    sa.Column("cohort", sa.String(MAX_COHORT), nullable=False),
    sa.Index("ix_memberships_cohort", "cohort", "trainee_id"),
)

# Calls per trainee per day (the weekly call log writes its five days here, the import its days' counts; the demo a
# year of them):
# the cockpit's pacing is one GROUP BY over this table.
call_days = sa.Table(
    "call_days",
    metadata,
    sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), sa.ForeignKey("trainees.id"), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("calls", sa.Integer, nullable=False),  # typed in the week log
    sa.Column("target", sa.Integer, nullable=False),
    # Calls of that day imported from the dialer's export (kept by the import, migration 0014). A day counts the
    # larger of the two (callplan.day_total): never twice.
    sa.Column("imported", sa.Integer, nullable=False, server_default="0"),
    sa.Index("ix_call_days_day", "day", "trainee_id", "calls", "target", "imported"),  # covering: pacing reads it
)

# A trainer's mark on one answer: reviewed, with an optional comment the trainee sees in the lesson.
# Append-only like the answers; the latest row per (trainee, lesson, item) is the current review.
reviews = sa.Table(
    "reviews",
    metadata,
    *_history_columns(),
    sa.Column("answer_id", RowId, sa.ForeignKey("answers.id"), nullable=False),
    sa.Column("reviewer", sa.String(MAX_TRAINEE_ID), nullable=False),
    sa.Column("comment", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    # The rubric checks of the question the answer meets (ids), when the trainer scored it against the rubric.
    sa.Column("marks", JsonValue(), nullable=True),
    sa.Index("ix_reviews_trainee_lesson_item", "trainee_id", "lesson_id", "item_id", "id"),
)

# The trainer's column of a trainee's assessment form (a lesson's form): append-only, the latest row counts. Its
# own table, not an answer of the trainee: it is the trainer's work (only trainers write it, signed with their
# name) and it is not a question the trainee answered.
trainer_scores = sa.Table(
    "trainer_scores",
    metadata,
    row_id(),
    sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), sa.ForeignKey("trainees.id"), nullable=False),
    sa.Column("lesson_id", sa.String(MAX_ID), nullable=False),
    sa.Column("scores", JsonValue(), nullable=False),
    sa.Column("trainer", sa.String(MAX_TRAINEE_ID), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_trainer_scores_trainee_lesson", "trainee_id", "lesson_id", "id"),
)

# Team mode (PostgreSQL): which database role is which trainee, and who is a trainer. Written by the hub's
# provisioning (team.py) with the owner's credentials; a trainee's role cannot read it (access.py).
accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("role", sa.String(63), primary_key=True),  # PostgreSQL role names have at most 63 bytes
    sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), nullable=False, unique=True),
    sa.Column("trainer", sa.Boolean, nullable=False, server_default=sa.false()),
)

# Settings of the whole store (e.g. the remembered local trainee name, which package wrote the schema).
settings = sa.Table(
    "settings",
    metadata,
    sa.Column("key", sa.String(MAX_ID), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

# The certification exam (issue 26). In team mode only the exam service writes these (access.py); a trainee reads
# her own rows, trainers all. On a personal store the practice exam writes them, marked practice.
exam_sittings = sa.Table(
    "exam_sittings",
    metadata,
    row_id(),
    sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), sa.ForeignKey("trainees.id"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),  # 1, 2, … per trainee
    sa.Column("practice", sa.Boolean, nullable=False),
    sa.Column("bank", sa.String(MAX_ID), nullable=False),  # the version of the bank it was drawn from
    sa.Column("forms", JsonValue(), nullable=False),  # the forms drawn, in the order shown
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("points", sa.Float, nullable=True),
    sa.Column("max_points", sa.Float, nullable=True),
    sa.Column("passed", sa.Boolean, nullable=True),
    sa.UniqueConstraint("trainee_id", "number", name="uq_exam_sittings_trainee_number"),
)

# The first answer to each form of a sitting; a second one conflicts and is not kept (the first counts).
exam_answers = sa.Table(
    "exam_answers",
    metadata,
    sa.Column("sitting_id", RowId, sa.ForeignKey("exam_sittings.id"), primary_key=True),
    sa.Column("form", sa.String(MAX_ID), primary_key=True),
    sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), sa.ForeignKey("trainees.id"), nullable=False),
    sa.Column("value", JsonValue(), nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("max_points", sa.Float, nullable=False),
    sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
)

# A trainer's sign-off: the call-quality audit of a number of recorded calls and her decision.
signoffs = sa.Table(
    "signoffs",
    metadata,
    row_id(),
    sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), sa.ForeignKey("trainees.id"), nullable=False),
    sa.Column("trainer", sa.String(MAX_TRAINEE_ID), nullable=False),
    sa.Column("audit", JsonValue(), nullable=False),  # per call: the sheet's points per line
    sa.Column("audit_percent", sa.Float, nullable=False),
    sa.Column("approved", sa.Boolean, nullable=False),
    sa.Column("comment", sa.Text, nullable=False),
    sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_signoffs_trainee", "trainee_id", "id"),
)

# Certificates issued (the signed credential kept whole) and, when withdrawn, when, by whom and why.
certificates = sa.Table(
    "certificates",
    metadata,
    sa.Column("id", sa.String(MAX_ID), primary_key=True),  # urn:uuid:…, the credential's id
    sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), sa.ForeignKey("trainees.id"), nullable=False),
    sa.Column("sitting_id", RowId, sa.ForeignKey("exam_sittings.id"), nullable=False),
    sa.Column("signoff_id", RowId, sa.ForeignKey("signoffs.id"), nullable=False),
    sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("credential", sa.Text, nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("revoked_by", sa.String(MAX_TRAINEE_ID), nullable=True),
    sa.Column("revoked_reason", sa.Text, nullable=True),
    sa.Index("ix_certificates_trainee", "trainee_id", "issued_at"),
)

# Today's review (issue 27): a card per idea a trainee has met, in the scheduler's terms (course/review.py), and a
# log of every review. A review's key (given by its page) is unique per trainee: sent twice, logged once.
review_cards = sa.Table(
    "review_cards",
    metadata,
    sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), sa.ForeignKey("trainees.id"), primary_key=True),
    sa.Column("lesson_id", sa.String(MAX_ID), primary_key=True),
    sa.Column("item_id", sa.String(MAX_ID), primary_key=True),
    sa.Column("state", sa.SmallInteger, nullable=False),
    sa.Column("step", sa.SmallInteger, nullable=True),
    sa.Column("stability", sa.Float, nullable=True),
    sa.Column("difficulty", sa.Float, nullable=True),
    sa.Column("due", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_review", sa.DateTime(timezone=True), nullable=True),
    sa.Column("reps", sa.Integer, nullable=False),
    sa.Column("lapses", sa.Integer, nullable=False),
    sa.Column("last_form", sa.String(MAX_ID), nullable=False),
    sa.Index("ix_review_cards_trainee_due", "trainee_id", "due"),
)

review_logs = sa.Table(
    "review_logs",
    metadata,
    row_id(),
    sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), sa.ForeignKey("trainees.id"), nullable=False),
    sa.Column("lesson_id", sa.String(MAX_ID), nullable=False),
    sa.Column("item_id", sa.String(MAX_ID), nullable=False),
    sa.Column("form", sa.String(MAX_ID), nullable=False),
    sa.Column("rating", sa.SmallInteger, nullable=False),
    sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("duration_ms", sa.Integer, nullable=True),
    sa.Column("review_key", sa.String(MAX_ID), nullable=False),
    # "first": the idea's first attempt in its lesson (it made the card); "review": an answer in today's review
    sa.Column("kind", sa.String(8), nullable=False, server_default="review"),
    sa.Column("answer", JsonValue, nullable=True),  # what was answered in the review (None for a first attempt)
    sa.UniqueConstraint("trainee_id", "review_key", name="uq_review_logs_trainee_key"),
    sa.Index("ix_review_logs_trainee_time", "trainee_id", "reviewed_at"),
    sa.Index("ix_review_logs_idea", "lesson_id", "item_id", "reviewed_at"),
)

# Spoken practice (issue 29): each recording of a spoken drill, numbered per trainee and drill (attempt 1 is the first
# try, the one that counts), with what was measured in it. Deleting one (the trainee, or the retention period the
# trainer sets) empties it — the audio and the measures go, the row stays as a marker, so the next recording is not
# a "first" again. Reviews on the drill's rubric: the trainee's own ("self") and the trainer's, with comments at
# moments of the recording.
recordings = sa.Table(
    "recordings",
    metadata,
    *_history_columns(),
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("lang", sa.String(8), nullable=False),
    sa.Column("mime", sa.String(MAX_ID), nullable=False),
    sa.Column("audio", sa.LargeBinary, nullable=True),  # None once deleted
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("duration", sa.Float, nullable=True),
    sa.Column("metrics", JsonValue(), nullable=True),  # tools/speech.Metrics; None once deleted
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
    sa.UniqueConstraint("trainee_id", "lesson_id", "item_id", "attempt", name="uq_recordings_attempt"),
    sa.UniqueConstraint("id", "trainee_id", name="uq_recordings_id_trainee"),  # what a review points at
    sa.Index("ix_recordings_created", "created_at"),
)

recording_reviews = sa.Table(
    "recording_reviews",
    metadata,
    row_id(),
    sa.Column("recording_id", RowId, nullable=False),
    sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), nullable=False),  # whose recording
    sa.Column("reviewer", sa.String(MAX_TRAINEE_ID), nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),  # "self" or "trainer"
    sa.Column("levels", JsonValue(), nullable=False),  # rubric check id → "not_yet" / "meets" / "strong"
    sa.Column("comments", JsonValue(), nullable=False),  # [{"at": seconds, "text": ...}]
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(
        ["recording_id", "trainee_id"],
        ["recordings.id", "recordings.trainee_id"],
        name="fk_recording_reviews_recording",
        ondelete="CASCADE",
    ),
    sa.Index("ix_recording_reviews_recording", "recording_id", "id"),
)

# Learning records to an LRS (issue 30): one xAPI statement per event found in the store (`source`, `source_id`:
# an answer, a completed lesson, an exam sitting, a certificate, a review), its id and text fixed when written here;
# sent once the LRS accepts it (`sent_at`), retried at `next_try_at` after a failure. Only the sender touches it.
lrs_outbox = sa.Table(
    "lrs_outbox",
    metadata,
    row_id(),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("source_id", sa.String(200), nullable=False),
    sa.Column("source_row", RowId, nullable=True),  # the source row's id as a number (sources with growing ids)
    sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), nullable=False),
    sa.Column("statement_id", sa.String(36), nullable=False),
    sa.Column("statement", JsonValue(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_try_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    sa.UniqueConstraint("source", "source_id", name="uq_lrs_outbox_source"),
    sa.UniqueConstraint("statement_id", name="uq_lrs_outbox_statement"),
    sa.Index("ix_lrs_outbox_unsent", "sent_at", "id"),
    sa.Index("ix_lrs_outbox_source_row", "source", "source_row"),
)

# Grades back to the LMS (issue 30). The launches the hub saw (written by the hub with the owner's rights; one row per
# trainee and course of a platform deployment, `lineitems` when it offers Assignment and Grade Services), and the
# scores to post there: one row per value (a lesson's first-try score and progress, the certification result), so a
# value is posted once; `sent_at` when the LMS took it, retried at `next_try_at` after a failure.
LTI_URL = 2000
lti_launches = sa.Table(
    "lti_launches",
    metadata,
    row_id(),
    sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), nullable=False),
    sa.Column("issuer", sa.String(LTI_URL), nullable=False),
    sa.Column("client_id", sa.String(200), nullable=False),
    sa.Column("deployment_id", sa.String(200), nullable=False),
    sa.Column("context_id", sa.String(200), nullable=False),
    sa.Column("context_title", sa.String(200), nullable=False, server_default=""),
    sa.Column("lineitems", sa.String(LTI_URL), nullable=True),
    sa.Column("scopes", JsonValue(), nullable=False),
    sa.Column("trainer", sa.Boolean, nullable=False),
    sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("trainee_id", "issuer", "deployment_id", "context_id", name="uq_lti_launches_course"),
)
lms_grades = sa.Table(
    "lms_grades",
    metadata,
    row_id(),
    sa.Column("launch_id", RowId, sa.ForeignKey("lti_launches.id"), nullable=False),
    sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), nullable=False),
    sa.Column("subject", sa.String(MAX_ID), nullable=False),
    sa.Column("score_given", sa.Float, nullable=False),
    sa.Column("score_maximum", sa.Float, nullable=False),
    sa.Column("activity_progress", sa.String(16), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_try_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("state", sa.String(12), nullable=False, server_default="waiting"),  # waiting, sent, superseded
    sa.Column("line_item", sa.String(LTI_URL), nullable=True),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    sa.UniqueConstraint("launch_id", "subject", "score_given", "activity_progress", name="uq_lms_grades_value"),
    sa.Index("ix_lms_grades_state", "state", "id"),
)
