"""Running totals per (trainee, lesson) and per item, kept by the database (schema.py): the cockpit's overview
reads them instead of aggregating every current answer.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

MAX_ID, MAX_TRAINEE_ID = 64, 100  # key and trainee id lengths (limits.py when this revision was made)
# The totals filled and kept as this revision does it (frozen: schema.py's may change).
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
KEEP_TOTALS = {
    "sqlite": [
        """CREATE TRIGGER current_answers_added AFTER INSERT ON current_answers BEGIN
    INSERT INTO lesson_totals (trainee_id, lesson_id, answered, scored, score, max_points)
    VALUES (NEW.trainee_id, NEW.lesson_id, +1, +(CASE WHEN NEW.max_points > 0 THEN 1 ELSE 0 END),
            +(CASE WHEN NEW.max_points > 0 THEN coalesce(NEW.score, 0) ELSE 0 END),
            +(CASE WHEN NEW.max_points > 0 THEN NEW.max_points ELSE 0 END))
    ON CONFLICT (trainee_id, lesson_id) DO UPDATE SET answered = lesson_totals.answered + excluded.answered,
        scored = lesson_totals.scored + excluded.scored, score = lesson_totals.score + excluded.score,
        max_points = lesson_totals.max_points + excluded.max_points;
    INSERT INTO item_totals (lesson_id, item_id, answered, scored, missed, share)
    VALUES (NEW.lesson_id, NEW.item_id, +1, +(CASE WHEN NEW.max_points > 0 THEN 1 ELSE 0 END),
            +(CASE WHEN NEW.max_points > 0 AND NEW.score < NEW.max_points THEN 1 ELSE 0 END),
            +(CASE WHEN NEW.max_points > 0 THEN coalesce(NEW.score, 0) * 1.0 / NEW.max_points ELSE 0 END))
    ON CONFLICT (lesson_id, item_id) DO UPDATE SET answered = item_totals.answered + excluded.answered,
        scored = item_totals.scored + excluded.scored, missed = item_totals.missed + excluded.missed,
        share = item_totals.share + excluded.share; END""",
        """CREATE TRIGGER current_answers_replaced AFTER UPDATE ON current_answers BEGIN
    INSERT INTO lesson_totals (trainee_id, lesson_id, answered, scored, score, max_points)
    VALUES (OLD.trainee_id, OLD.lesson_id, -1, -(CASE WHEN OLD.max_points > 0 THEN 1 ELSE 0 END),
            -(CASE WHEN OLD.max_points > 0 THEN coalesce(OLD.score, 0) ELSE 0 END),
            -(CASE WHEN OLD.max_points > 0 THEN OLD.max_points ELSE 0 END))
    ON CONFLICT (trainee_id, lesson_id) DO UPDATE SET answered = lesson_totals.answered + excluded.answered,
        scored = lesson_totals.scored + excluded.scored, score = lesson_totals.score + excluded.score,
        max_points = lesson_totals.max_points + excluded.max_points;
    INSERT INTO item_totals (lesson_id, item_id, answered, scored, missed, share)
    VALUES (OLD.lesson_id, OLD.item_id, -1, -(CASE WHEN OLD.max_points > 0 THEN 1 ELSE 0 END),
            -(CASE WHEN OLD.max_points > 0 AND OLD.score < OLD.max_points THEN 1 ELSE 0 END),
            -(CASE WHEN OLD.max_points > 0 THEN coalesce(OLD.score, 0) * 1.0 / OLD.max_points ELSE 0 END))
    ON CONFLICT (lesson_id, item_id) DO UPDATE SET answered = item_totals.answered + excluded.answered,
        scored = item_totals.scored + excluded.scored, missed = item_totals.missed + excluded.missed,
        share = item_totals.share + excluded.share;
    INSERT INTO lesson_totals (trainee_id, lesson_id, answered, scored, score, max_points)
    VALUES (NEW.trainee_id, NEW.lesson_id, +1, +(CASE WHEN NEW.max_points > 0 THEN 1 ELSE 0 END),
            +(CASE WHEN NEW.max_points > 0 THEN coalesce(NEW.score, 0) ELSE 0 END),
            +(CASE WHEN NEW.max_points > 0 THEN NEW.max_points ELSE 0 END))
    ON CONFLICT (trainee_id, lesson_id) DO UPDATE SET answered = lesson_totals.answered + excluded.answered,
        scored = lesson_totals.scored + excluded.scored, score = lesson_totals.score + excluded.score,
        max_points = lesson_totals.max_points + excluded.max_points;
    INSERT INTO item_totals (lesson_id, item_id, answered, scored, missed, share)
    VALUES (NEW.lesson_id, NEW.item_id, +1, +(CASE WHEN NEW.max_points > 0 THEN 1 ELSE 0 END),
            +(CASE WHEN NEW.max_points > 0 AND NEW.score < NEW.max_points THEN 1 ELSE 0 END),
            +(CASE WHEN NEW.max_points > 0 THEN coalesce(NEW.score, 0) * 1.0 / NEW.max_points ELSE 0 END))
    ON CONFLICT (lesson_id, item_id) DO UPDATE SET answered = item_totals.answered + excluded.answered,
        scored = item_totals.scored + excluded.scored, missed = item_totals.missed + excluded.missed,
        share = item_totals.share + excluded.share; END""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION current_answers_keep_totals() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF TG_OP = 'UPDATE' THEN
    INSERT INTO lesson_totals (trainee_id, lesson_id, answered, scored, score, max_points)
    VALUES (OLD.trainee_id, OLD.lesson_id, -1, -(CASE WHEN OLD.max_points > 0 THEN 1 ELSE 0 END),
            -(CASE WHEN OLD.max_points > 0 THEN coalesce(OLD.score, 0) ELSE 0 END),
            -(CASE WHEN OLD.max_points > 0 THEN OLD.max_points ELSE 0 END))
    ON CONFLICT (trainee_id, lesson_id) DO UPDATE SET answered = lesson_totals.answered + excluded.answered,
        scored = lesson_totals.scored + excluded.scored, score = lesson_totals.score + excluded.score,
        max_points = lesson_totals.max_points + excluded.max_points;
    INSERT INTO item_totals (lesson_id, item_id, answered, scored, missed, share)
    VALUES (OLD.lesson_id, OLD.item_id, -1, -(CASE WHEN OLD.max_points > 0 THEN 1 ELSE 0 END),
            -(CASE WHEN OLD.max_points > 0 AND OLD.score < OLD.max_points THEN 1 ELSE 0 END),
            -(CASE WHEN OLD.max_points > 0 THEN coalesce(OLD.score, 0) * 1.0 / OLD.max_points ELSE 0 END))
    ON CONFLICT (lesson_id, item_id) DO UPDATE SET answered = item_totals.answered + excluded.answered,
        scored = item_totals.scored + excluded.scored, missed = item_totals.missed + excluded.missed,
        share = item_totals.share + excluded.share; END IF;
    INSERT INTO lesson_totals (trainee_id, lesson_id, answered, scored, score, max_points)
    VALUES (NEW.trainee_id, NEW.lesson_id, +1, +(CASE WHEN NEW.max_points > 0 THEN 1 ELSE 0 END),
            +(CASE WHEN NEW.max_points > 0 THEN coalesce(NEW.score, 0) ELSE 0 END),
            +(CASE WHEN NEW.max_points > 0 THEN NEW.max_points ELSE 0 END))
    ON CONFLICT (trainee_id, lesson_id) DO UPDATE SET answered = lesson_totals.answered + excluded.answered,
        scored = lesson_totals.scored + excluded.scored, score = lesson_totals.score + excluded.score,
        max_points = lesson_totals.max_points + excluded.max_points;
    INSERT INTO item_totals (lesson_id, item_id, answered, scored, missed, share)
    VALUES (NEW.lesson_id, NEW.item_id, +1, +(CASE WHEN NEW.max_points > 0 THEN 1 ELSE 0 END),
            +(CASE WHEN NEW.max_points > 0 AND NEW.score < NEW.max_points THEN 1 ELSE 0 END),
            +(CASE WHEN NEW.max_points > 0 THEN coalesce(NEW.score, 0) * 1.0 / NEW.max_points ELSE 0 END))
    ON CONFLICT (lesson_id, item_id) DO UPDATE SET answered = item_totals.answered + excluded.answered,
        scored = item_totals.scored + excluded.scored, missed = item_totals.missed + excluded.missed,
        share = item_totals.share + excluded.share; RETURN NULL; END $$""",
        """CREATE TRIGGER current_answers_keep_totals AFTER INSERT OR UPDATE ON current_answers FOR EACH ROW
    EXECUTE FUNCTION current_answers_keep_totals()""",
    ],
}


def upgrade() -> None:
    op.create_table(
        "lesson_totals",
        sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), sa.ForeignKey("trainees.id"), primary_key=True),
        sa.Column("lesson_id", sa.String(MAX_ID), primary_key=True),
        sa.Column("answered", sa.Integer, nullable=False, server_default="0"),
        sa.Column("scored", sa.Integer, nullable=False, server_default="0"),
        sa.Column("score", sa.Float, nullable=False, server_default="0"),
        sa.Column("max_points", sa.Float, nullable=False, server_default="0"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "item_totals",
        sa.Column("lesson_id", sa.String(MAX_ID), primary_key=True),
        sa.Column("item_id", sa.String(MAX_ID), primary_key=True),
        sa.Column("answered", sa.Integer, nullable=False, server_default="0"),
        sa.Column("scored", sa.Integer, nullable=False, server_default="0"),
        sa.Column("missed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("share", sa.Float, nullable=False, server_default="0"),
    )
    conn = op.get_bind()
    for statement in FILL_TOTALS.split(";"):
        op.execute(statement)
    for statement in KEEP_TOTALS[conn.dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("stores are only ever upgraded")
