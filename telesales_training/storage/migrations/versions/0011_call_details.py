"""What an export says about each call besides its time, when it says it: direction, duration, outcome, and
whether the call connected (read from the outcome, else from a duration above zero).

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("direction", sa.String(3), nullable=True))
        batch.add_column(sa.Column("duration_s", sa.Integer, nullable=True))
        batch.add_column(sa.Column("outcome", sa.String(40), nullable=True))
        batch.add_column(sa.Column("connected", sa.Boolean, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        for name in ("connected", "outcome", "duration_s", "direction"):
            batch.drop_column(name)
