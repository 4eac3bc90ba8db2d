"""Running totals per (trainee, lesson) and per item, kept by the database (schema.py): the cockpit's overview
reads them instead of aggregating every current answer.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from telesales_training import access
from telesales_training.limits import MAX_ID, MAX_TRAINEE_ID
from telesales_training.schema import FILL_TOTALS, KEEP_TOTALS

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lesson_totals",
        sa.Column("trainee_id", sa.String(MAX_TRAINEE_ID), sa.ForeignKey("trainees.id"), primary_key=True),
        sa.Column("lesson_id", sa.String(MAX_ID), primary_key=True),
        sa.Column("answered", sa.Integer, nullable=False, server_default="0"),
        sa.Column("scored", sa.Integer, nullable=False, server_default="0"),
        sa.Column("score", sa.Float, nullable=False, server_default="0"),
        sa.Column("max_points", sa.Float, nullable=False, server_default="0"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "item_totals",
        sa.Column("lesson_id", sa.String(MAX_ID), primary_key=True),
        sa.Column("item_id", sa.String(MAX_ID), primary_key=True),
        sa.Column("answered", sa.Integer, nullable=False, server_default="0"),
        sa.Column("scored", sa.Integer, nullable=False, server_default="0"),
        sa.Column("missed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("share", sa.Float, nullable=False, server_default="0"),
    )
    conn = op.get_bind()
    for statement in FILL_TOTALS.split(";"):
        op.execute(statement)
    for statement in KEEP_TOTALS[conn.dialect.name]:
        op.execute(statement)
    access.install(conn)


def downgrade() -> None:
    raise NotImplementedError("stores are only ever upgraded")
