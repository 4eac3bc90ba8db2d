"""Learning records to an LRS (issue 30): the outbox of xAPI statements. The sender finds what happened in the
store (answers, completed lessons, exam results, certificates, trainers' reviews), writes each as one statement
here — its id fixed once, its text frozen — and posts what is not yet sent, retrying later when the LRS fails.

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

MAX_ID, MAX_TRAINEE_ID = 64, 100  # key and trainee id lengths (limits.py when this revision was made)
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # schema.RowId as of this revision
JSON_VALUE = sa.Text().with_variant(JSONB(), "postgresql")  # schema.JsonValue's column: jsonb, text on SQLite


def upgrade() -> None:
    op.create_table(
        "lrs_outbox",
        sa.Column("id", ROW_ID, sa.Identity(), primary_key=True),
        sa.Column("source", sa.String(16), nullable=False),  # answer, completed, sitting, certificate, review…
        sa.Column("source_id", sa.String(200), nullable=False),  # the source row's id (completed: trainee + lesson)
        sa.Column("source_row", ROW_ID, nullable=True),  # the source row's id as a number (sources with growing ids)
        sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), nullable=False),
        sa.Column("statement_id", sa.String(36), nullable=False),
        sa.Column("statement", JSON_VALUE, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_try_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("source", "source_id", name="uq_lrs_outbox_source"),
        sa.UniqueConstraint("statement_id", name="uq_lrs_outbox_statement"),
    )
    op.create_index("ix_lrs_outbox_unsent", "lrs_outbox", ["sent_at", "id"])
    op.create_index("ix_lrs_outbox_source_row", "lrs_outbox", ["source", "source_row"])


def downgrade() -> None:
    raise NotImplementedError("stores are only ever upgraded")
