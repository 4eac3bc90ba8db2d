"""A trainer's review can tick the question's rubric: the ids of the checks the answer meets.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

JSON_VALUE = sa.Text().with_variant(JSONB(), "postgresql")  # schema.JsonValue's column: jsonb, text on SQLite


def upgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.add_column(sa.Column("marks", JSON_VALUE, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("marks")
