"""First attempts kept (issue 25): every answer knows its attempt number, its sitting (1 = the lesson as first met,
2… = retakes drawn from variants not seen before), its variant and whether the key had been shown before it.
`first_answers` holds the first answer of each sitting of an item — inserted by a trigger on `answers`, never
updated — and the first-try totals of sitting 1 join the overview's running totals. `reveals` records when a
trainee was shown an item's key. Answers already stored count as sitting 1 of the item as first written; the
oldest of each item is its first try.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

MAX_ID, MAX_TRAINEE_ID = 64, 100  # key and trainee id lengths (limits.py when this revision was made)
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # schema.RowId as of this revision

KEEP_FIRST = """
    INSERT INTO first_answers (trainee_id, lesson_id, item_id, sitting, variant, answer_id, score, max_points,
                               created_at)
    VALUES (NEW.trainee_id, NEW.lesson_id, NEW.item_id, NEW.sitting, NEW.variant, NEW.id, NEW.score, NEW.max_points,
            NEW.created_at)
    ON CONFLICT (trainee_id, lesson_id, item_id, sitting) DO NOTHING;"""
ADD_FIRST_TOTALS = """
    INSERT INTO lesson_totals (trainee_id, lesson_id, first_scored, first_score, first_max_points)
    VALUES (NEW.trainee_id, NEW.lesson_id, CASE WHEN NEW.max_points > 0 THEN 1 ELSE 0 END,
            CASE WHEN NEW.max_points > 0 THEN coalesce(NEW.score, 0) ELSE 0 END,
            CASE WHEN NEW.max_points > 0 THEN NEW.max_points ELSE 0 END)
    ON CONFLICT (trainee_id, lesson_id) DO UPDATE SET first_scored = lesson_totals.first_scored + excluded.first_scored,
        first_score = lesson_totals.first_score + excluded.first_score,
        first_max_points = lesson_totals.first_max_points + excluded.first_max_points;
    INSERT INTO item_totals (lesson_id, item_id, first_scored, first_missed, first_share)
    VALUES (NEW.lesson_id, NEW.item_id, CASE WHEN NEW.max_points > 0 THEN 1 ELSE 0 END,
            CASE WHEN NEW.max_points > 0 AND NEW.score < NEW.max_points THEN 1 ELSE 0 END,
            CASE WHEN NEW.max_points > 0 THEN coalesce(NEW.score, 0) * 1.0 / NEW.max_points ELSE 0 END)
    ON CONFLICT (lesson_id, item_id) DO UPDATE SET first_scored = item_totals.first_scored + excluded.first_scored,
        first_missed = item_totals.first_missed + excluded.first_missed,
        first_share = item_totals.first_share + excluded.first_share;"""
TRIGGERS = {
    "sqlite": [
        f"CREATE TRIGGER answers_keep_first AFTER INSERT ON answers BEGIN {KEEP_FIRST} END",
        f"CREATE TRIGGER first_answers_added AFTER INSERT ON first_answers WHEN NEW.sitting = 1 "
        f"BEGIN {ADD_FIRST_TOTALS} END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION answers_keep_first() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$ BEGIN {KEEP_FIRST} RETURN NULL; END $$",
        "CREATE OR REPLACE FUNCTION first_answers_keep_totals() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$ BEGIN {ADD_FIRST_TOTALS} RETURN NULL; END $$",
        "CREATE TRIGGER answers_keep_first AFTER INSERT ON answers FOR EACH ROW EXECUTE FUNCTION answers_keep_first()",
        "CREATE TRIGGER first_answers_keep_totals AFTER INSERT ON first_answers FOR EACH ROW WHEN (NEW.sitting = 1) "
        "EXECUTE FUNCTION first_answers_keep_totals()",
    ],
}


def _key_columns() -> list[sa.Column]:
    return [
        sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), sa.ForeignKey("trainees.id"), primary_key=True),
        sa.Column("lesson_id", sa.String(MAX_ID), primary_key=True),
        sa.Column("item_id", sa.String(MAX_ID), primary_key=True),
        sa.Column("sitting", sa.Integer, primary_key=True),
        sa.Column("variant", sa.String(MAX_ID), nullable=False),
    ]


def upgrade() -> None:
    conn = op.get_bind()
    # Plain ADD COLUMN (no table rebuild on SQLite: the answers triggers stay).
    op.add_column("answers", sa.Column("attempt", sa.Integer, nullable=False, server_default="1"))
    op.add_column("answers", sa.Column("sitting", sa.Integer, nullable=False, server_default="1"))
    op.add_column("answers", sa.Column("variant", sa.String(MAX_ID), nullable=False, server_default=""))
    op.add_column("answers", sa.Column("revealed", sa.Boolean, nullable=False, server_default=sa.false()))
    op.execute(
        "UPDATE answers SET attempt = (SELECT count(*) FROM answers AS earlier "
        "WHERE earlier.trainee_id = answers.trainee_id AND earlier.lesson_id = answers.lesson_id "
        "AND earlier.item_id = answers.item_id AND earlier.id <= answers.id) "
        "WHERE EXISTS (SELECT 1 FROM answers AS earlier WHERE earlier.trainee_id = answers.trainee_id "
        "AND earlier.lesson_id = answers.lesson_id AND earlier.item_id = answers.item_id AND earlier.id < answers.id)"
    )
    op.create_table(
        "first_answers",
        *_key_columns(),
        sa.Column("answer_id", ROW_ID, sa.ForeignKey("answers.id"), nullable=False),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("max_points", sa.Float, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "reveals",
        *_key_columns(),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    for table, columns in (
        ("lesson_totals", (("first_scored", sa.Integer), ("first_score", sa.Float), ("first_max_points", sa.Float))),
        ("item_totals", (("first_scored", sa.Integer), ("first_missed", sa.Integer), ("first_share", sa.Float))),
    ):
        for name, kind in columns:
            op.add_column(table, sa.Column(name, kind, nullable=False, server_default="0"))
    for statement in TRIGGERS[conn.dialect.name]:
        op.execute(statement)
    # The oldest answer of each item is its first try; the totals trigger counts each as it arrives.
    op.execute(
        "INSERT INTO first_answers (trainee_id, lesson_id, item_id, sitting, variant, answer_id, score, max_points, "
        "created_at) SELECT trainee_id, lesson_id, item_id, 1, '', id, score, max_points, created_at FROM answers "
        "WHERE id IN (SELECT min(id) FROM answers GROUP BY trainee_id, lesson_id, item_id)"
    )


def downgrade() -> None:
    raise NotImplementedError("stores are only ever upgraded")
