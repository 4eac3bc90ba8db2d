"""Spoken practice (issue 29): recordings of the spoken drills (audio, what was measured, attempt number) and their
reviews on the drill's rubric (the trainee's own and the trainer's, with comments at moments of the recording).

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

MAX_ID, MAX_TRAINEE_ID = 64, 100  # key and trainee id lengths (limits.py when this revision was made)
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # schema.RowId as of this revision
JSON_VALUE = sa.Text().with_variant(JSONB(), "postgresql")  # schema.JsonValue's column: jsonb, text on SQLite


def upgrade() -> None:
    op.create_table(
        "recordings",
        sa.Column("id", ROW_ID, sa.Identity(), primary_key=True),
        sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), sa.ForeignKey("trainees.id"), nullable=False),
        sa.Column("lesson_id", sa.String(MAX_ID), nullable=False),
        sa.Column("item_id", sa.String(MAX_ID), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("mime", sa.String(MAX_ID), nullable=False),
        sa.Column("audio", sa.LargeBinary, nullable=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("duration", sa.Float, nullable=True),
        sa.Column("metrics", JSON_VALUE, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("trainee_id", "lesson_id", "item_id", "attempt", name="uq_recordings_attempt"),
        sa.UniqueConstraint("id", "trainee_id", name="uq_recordings_id_trainee"),
    )
    op.create_index("ix_recordings_created", "recordings", ["created_at"])
    op.create_table(
        "recording_reviews",
        sa.Column("id", ROW_ID, sa.Identity(), primary_key=True),
        sa.Column("recording_id", ROW_ID, nullable=False),
        sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), nullable=False),
        sa.Column("reviewer", sa.String(MAX_TRAINEE_ID), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("levels", JSON_VALUE, nullable=False),
        sa.Column("comments", JSON_VALUE, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recording_id", "trainee_id"],
            ["recordings.id", "recordings.trainee_id"],
            name="fk_recording_reviews_recording",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_recording_reviews_recording", "recording_reviews", ["recording_id", "id"])


def downgrade() -> None:
    raise NotImplementedError("stores are only ever upgraded")
