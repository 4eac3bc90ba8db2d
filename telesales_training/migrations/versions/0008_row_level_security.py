"""Team mode: the accounts table and PostgreSQL row-level security (access.py).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

from telesales_training import access
from telesales_training.limits import MAX_TRAINEE_ID

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("role", sa.String(63), primary_key=True),
        sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), nullable=False, unique=True),
        sa.Column("trainer", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    access.install(op.get_bind())


def downgrade() -> None:
    raise NotImplementedError("stores are only ever upgraded")
