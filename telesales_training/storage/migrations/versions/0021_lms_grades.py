"""Grades back to the LMS (issue 30): the LTI launches the hub saw (who, from which platform, deployment and course,
and the course's line-items endpoint when the platform offers Assignment and Grade Services), and the outbox of
scores for them — one row per value to post (a lesson's first-try score, its completion, the certification result),
posted once, retried after a failure.

Revision ID: 0021
Revises: 0020
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

MAX_ID, MAX_TRAINEE_ID = 64, 100  # key and trainee id lengths (limits.py when this revision was made)
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # schema.RowId as of this revision
JSON_VALUE = sa.Text().with_variant(JSONB(), "postgresql")  # schema.JsonValue's column: jsonb, text on SQLite
URL = 2000


def upgrade() -> None:
    op.create_table(
        "lti_launches",
        sa.Column("id", ROW_ID, sa.Identity(), primary_key=True),
        sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), nullable=False),
        sa.Column("issuer", sa.String(URL), nullable=False),
        sa.Column("client_id", sa.String(200), nullable=False),
        sa.Column("deployment_id", sa.String(200), nullable=False),
        sa.Column("context_id", sa.String(200), nullable=False),
        sa.Column("context_title", sa.String(200), nullable=False, server_default=""),
        sa.Column("lineitems", sa.String(URL), nullable=True),
        sa.Column("scopes", JSON_VALUE, nullable=False),
        sa.Column("trainer", sa.Boolean, nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("trainee_id", "issuer", "deployment_id", "context_id", name="uq_lti_launches_course"),
    )
    op.create_table(
        "lms_grades",
        sa.Column("id", ROW_ID, sa.Identity(), primary_key=True),
        sa.Column("launch_id", ROW_ID, sa.ForeignKey("lti_launches.id"), nullable=False),
        sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), nullable=False),
        sa.Column("subject", sa.String(MAX_ID), nullable=False),  # a lesson id, or "certification"
        sa.Column("score_given", sa.Float, nullable=False),
        sa.Column("score_maximum", sa.Float, nullable=False),
        sa.Column("activity_progress", sa.String(16), nullable=False),  # InProgress, Completed
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_try_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("state", sa.String(12), nullable=False, server_default="waiting"),  # waiting, sent, superseded
        sa.Column("line_item", sa.String(URL), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("launch_id", "subject", "score_given", "activity_progress", name="uq_lms_grades_value"),
    )
    op.create_index("ix_lms_grades_state", "lms_grades", ["state", "id"])


def downgrade() -> None:
    raise NotImplementedError("stores are only ever upgraded")
