"""The trainer cockpit's tables: cohort memberships, calls per day, reviews of answers.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "memberships",
        sa.Column("trainee_id", sa.String(100), sa.ForeignKey("trainees.id"), primary_key=True),
        sa.Column("cohort", sa.String(64), nullable=False),
    )
    op.create_index("ix_memberships_cohort", "memberships", ["cohort", "trainee_id"])
    op.create_table(
        "call_days",
        sa.Column("trainee_id", sa.String(100), sa.ForeignKey("trainees.id"), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("calls", sa.Integer, nullable=False),
        sa.Column("target", sa.Integer, nullable=False),
    )
    op.create_index("ix_call_days_day", "call_days", ["day", "trainee_id"])
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("trainee_id", sa.String(100), sa.ForeignKey("trainees.id"), nullable=False),
        sa.Column("lesson_id", sa.String(64), nullable=False),
        sa.Column("item_id", sa.String(64), nullable=False),
        sa.Column("answer_id", sa.Integer, sa.ForeignKey("answers.id"), nullable=False),
        sa.Column("reviewer", sa.String(100), nullable=False),
        sa.Column("comment", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_reviews_trainee_lesson_item", "reviews", ["trainee_id", "lesson_id", "item_id", "id"])


def downgrade() -> None:
    raise NotImplementedError("stores are only ever upgraded")
