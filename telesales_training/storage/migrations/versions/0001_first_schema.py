"""The schema the project first shipped: trainees, their answers (JSON text), preferences, settings.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trainees",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("trainee_id", sa.String(100), sa.ForeignKey("trainees.id"), nullable=False),
        sa.Column("lesson_id", sa.String(64), nullable=False),
        sa.Column("item_id", sa.String(64), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("max_points", sa.Float, nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_answers_trainee_lesson_item", "answers", ["trainee_id", "lesson_id", "item_id", "id"])
    op.create_table(
        "preferences",
        sa.Column("trainee_id", sa.String(100), sa.ForeignKey("trainees.id"), primary_key=True),
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("stores are only ever upgraded")
