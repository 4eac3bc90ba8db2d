"""Today's review keeps what was answered (issue 27): every review log row says whether it was the idea's first
attempt in its lesson or a review from the queue (retention counts reviews only), and a review's answer itself is
kept beside its rating — a trainee's answers are never lost, those of the review queue included.

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

JSON_VALUE = sa.Text().with_variant(JSONB(), "postgresql")  # schema.JsonValue's column: jsonb, text on SQLite


def upgrade() -> None:
    with op.batch_alter_table("review_logs") as batch:
        batch.add_column(sa.Column("kind", sa.String(8), nullable=False, server_default="review"))
        batch.add_column(sa.Column("answer", JSON_VALUE, nullable=True))


def downgrade() -> None:
    raise NotImplementedError("stores are only ever upgraded")
