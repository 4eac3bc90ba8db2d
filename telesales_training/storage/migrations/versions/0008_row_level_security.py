"""Team mode: the accounts table and PostgreSQL row-level security (access.py).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

MAX_TRAINEE_ID = 100  # limits.py when this revision was made


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("role", sa.String(63), primary_key=True),
        sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), nullable=False, unique=True),
        sa.Column("trainer", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    # The functions, policies and checks themselves are today's (access.install), put in place by the upgrade
    # after the last revision ran (migrate._upgrade): access rules are not history.


def downgrade() -> None:
    raise NotImplementedError("stores are only ever upgraded")
