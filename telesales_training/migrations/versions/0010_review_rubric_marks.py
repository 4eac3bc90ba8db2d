"""A trainer's review can tick the question's rubric: the ids of the checks the answer meets.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from telesales_training.schema import JsonValue

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.add_column(sa.Column("marks", JsonValue(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("marks")
