"""The certification exam (issue 26): sittings (each drawn for its trainee from the exam bank, practice on a
personal store), the first answer to each form of a sitting, the trainer's sign-off with its call-quality audit,
and the certificates issued (the signed credential kept whole, and its revocation).

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

MAX_ID, MAX_TRAINEE_ID = 64, 100  # key and trainee id lengths (limits.py when this revision was made)
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # schema.RowId as of this revision
JSON_VALUE = sa.Text().with_variant(JSONB(), "postgresql")  # schema.JsonValue's column: jsonb, text on SQLite


def _trainee() -> sa.Column:
    return sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), sa.ForeignKey("trainees.id"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "exam_sittings",
        sa.Column("id", ROW_ID, sa.Identity(), primary_key=True),
        _trainee(),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("practice", sa.Boolean, nullable=False),
        sa.Column("bank", sa.String(MAX_ID), nullable=False),
        sa.Column("forms", JSON_VALUE, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("points", sa.Float, nullable=True),
        sa.Column("max_points", sa.Float, nullable=True),
        sa.Column("passed", sa.Boolean, nullable=True),
        sa.UniqueConstraint("trainee_id", "number", name="uq_exam_sittings_trainee_number"),
    )
    op.create_table(
        "exam_answers",
        sa.Column("sitting_id", ROW_ID, sa.ForeignKey("exam_sittings.id"), primary_key=True),
        sa.Column("form", sa.String(MAX_ID), primary_key=True),
        _trainee(),
        sa.Column("value", JSON_VALUE, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("max_points", sa.Float, nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "signoffs",
        sa.Column("id", ROW_ID, sa.Identity(), primary_key=True),
        _trainee(),
        sa.Column("trainer", sa.String(MAX_TRAINEE_ID), nullable=False),
        sa.Column("audit", JSON_VALUE, nullable=False),
        sa.Column("audit_percent", sa.Float, nullable=False),
        sa.Column("approved", sa.Boolean, nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_signoffs_trainee", "signoffs", ["trainee_id", "id"])
    op.create_table(
        "certificates",
        sa.Column("id", sa.String(MAX_ID), primary_key=True),
        _trainee(),
        sa.Column("sitting_id", ROW_ID, sa.ForeignKey("exam_sittings.id"), nullable=False),
        sa.Column("signoff_id", ROW_ID, sa.ForeignKey("signoffs.id"), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("credential", sa.Text, nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(MAX_TRAINEE_ID), nullable=True),
        sa.Column("revoked_reason", sa.Text, nullable=True),
    )
    op.create_index("ix_certificates_trainee", "certificates", ["trainee_id", "issued_at"])


def downgrade() -> None:
    raise NotImplementedError("stores are only ever upgraded")
