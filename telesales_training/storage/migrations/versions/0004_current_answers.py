"""The latest answer per trainee and item, kept by every save (the cockpit aggregates it), filled from the
history.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "current_answers",
        sa.Column("trainee_id", sa.String(100), sa.ForeignKey("trainees.id"), primary_key=True),
        sa.Column("lesson_id", sa.String(64), primary_key=True),
        sa.Column("item_id", sa.String(64), primary_key=True),
        sa.Column("answer_id", sa.Integer, sa.ForeignKey("answers.id"), nullable=False),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("max_points", sa.Float, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_current_answers_item",
        "current_answers",
        ["lesson_id", "item_id", "trainee_id", "answer_id", "score", "max_points", "created_at"],
    )
    op.execute("""
        INSERT INTO current_answers (trainee_id, lesson_id, item_id, answer_id, score, max_points, created_at)
        SELECT a.trainee_id, a.lesson_id, a.item_id, a.id, a.score, a.max_points, a.created_at
        FROM answers AS a
        WHERE a.id IN (SELECT max(id) FROM answers GROUP BY trainee_id, lesson_id, item_id)
    """)


def downgrade() -> None:
    raise NotImplementedError("stores are only ever upgraded")
