"""Imported calls from dialer / CRM exports.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calls",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("trainee_id", sa.String(100), sa.ForeignKey("trainees.id"), nullable=False),
        sa.Column("called_at", sa.DateTime, nullable=False),
        sa.Column("call_key", sa.String(40), nullable=False),
        sa.UniqueConstraint("trainee_id", "call_key", name="uq_calls_trainee_key"),
    )
    op.create_index("ix_calls_trainee_time", "calls", ["trainee_id", "called_at"])


def downgrade() -> None:
    raise NotImplementedError("stores are only ever upgraded")
