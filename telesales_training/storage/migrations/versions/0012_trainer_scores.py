"""The trainer's column of the assessment form gets its own table. It was saved as an answer of the trainee (item
"trainer_scores"), which counted as a question answered on the start page and in the cockpit's totals. Those
saves move to `trainer_scores` (scores, trainer, time kept), leave `answers` and `current_answers`, and the
running totals are counted again.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

OLD_ITEM = "trainer_scores"
MAX_ID, MAX_TRAINEE_ID = 64, 100  # key and trainee id lengths (limits.py when this revision was made)
JSON_VALUE = sa.Text().with_variant(JSONB(), "postgresql")  # schema.JsonValue's column: jsonb, text on SQLite
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


def upgrade() -> None:
    op.create_table(
        "trainer_scores",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), sa.ForeignKey("trainees.id"), nullable=False),
        sa.Column("lesson_id", sa.String(MAX_ID), nullable=False),
        sa.Column("scores", JSON_VALUE, nullable=False),
        sa.Column("trainer", sa.String(MAX_TRAINEE_ID), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_trainer_scores_trainee_lesson", "trainer_scores", ["trainee_id", "lesson_id", "id"])
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        scores, trainer = "value::jsonb -> 'scores'", "coalesce(value::jsonb ->> 'by', 'trainer')"
        kept = "jsonb_typeof(value::jsonb -> 'scores') = 'object'"
    else:
        scores, trainer = "json_extract(value, '$.scores')", "coalesce(json_extract(value, '$.by'), 'trainer')"
        kept = "json_type(value, '$.scores') = 'object'"
    op.execute(
        f"INSERT INTO trainer_scores (trainee_id, lesson_id, scores, trainer, created_at) "
        f"SELECT trainee_id, lesson_id, {scores}, {trainer}, created_at FROM answers "
        f"WHERE item_id = '{OLD_ITEM}' AND {kept} ORDER BY id"
    )
    op.execute(f"DELETE FROM current_answers WHERE item_id = '{OLD_ITEM}'")
    op.execute(f"DELETE FROM answers WHERE item_id = '{OLD_ITEM}'")
    op.execute("DELETE FROM lesson_totals")
    op.execute("DELETE FROM item_totals")
    for statement in FILL_TOTALS.split(";"):
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("stores are only ever upgraded")
