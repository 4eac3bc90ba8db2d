"""Today's review (issue 27): a card per idea a trainee has met (its FSRS state, when it is due, the form she met it
in last) and a log of every review (rating, when, how long, in which form). A review carries the key its page
gave it, unique per trainee, so a submission sent twice is logged once.

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

MAX_ID, MAX_TRAINEE_ID = 64, 100  # key and trainee id lengths (limits.py when this revision was made)
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # schema.RowId as of this revision


def upgrade() -> None:
    op.create_table(
        "review_cards",
        sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), sa.ForeignKey("trainees.id"), primary_key=True),
        sa.Column("lesson_id", sa.String(MAX_ID), primary_key=True),
        sa.Column("item_id", sa.String(MAX_ID), primary_key=True),
        sa.Column("state", sa.SmallInteger, nullable=False),
        sa.Column("step", sa.SmallInteger, nullable=True),
        sa.Column("stability", sa.Float, nullable=True),
        sa.Column("difficulty", sa.Float, nullable=True),
        sa.Column("due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_review", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reps", sa.Integer, nullable=False),
        sa.Column("lapses", sa.Integer, nullable=False),
        sa.Column("last_form", sa.String(MAX_ID), nullable=False),
    )
    op.create_index("ix_review_cards_trainee_due", "review_cards", ["trainee_id", "due"])
    op.create_table(
        "review_logs",
        sa.Column("id", ROW_ID, sa.Identity(), primary_key=True),
        sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), sa.ForeignKey("trainees.id"), nullable=False),
        sa.Column("lesson_id", sa.String(MAX_ID), nullable=False),
        sa.Column("item_id", sa.String(MAX_ID), nullable=False),
        sa.Column("form", sa.String(MAX_ID), nullable=False),
        sa.Column("rating", sa.SmallInteger, nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_ms", sa.Integer, nullable=True),
        sa.Column("review_key", sa.String(MAX_ID), nullable=False),
        sa.UniqueConstraint("trainee_id", "review_key", name="uq_review_logs_trainee_key"),
    )
    op.create_index("ix_review_logs_trainee_time", "review_logs", ["trainee_id", "reviewed_at"])
    op.create_index("ix_review_logs_idea", "review_logs", ["lesson_id", "item_id", "reviewed_at"])


def downgrade() -> None:
    raise NotImplementedError("stores are only ever upgraded")
