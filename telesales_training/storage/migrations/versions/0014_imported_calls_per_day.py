"""Imported calls count in pacing: call_days gains `imported`, the calls of that day in the dialer's exports (the
import keeps it; a day counts the larger of typed and imported, callplan.day_total). Filled from the calls already
imported; a day with imported calls but no week log gets a row with the course's target.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

DEFAULT_TARGET = 200  # the course's calls a day, as of this revision
MOST = 100_000  # calls of one day the database keeps (access.LIMITS)


def upgrade() -> None:
    conn = op.get_bind()
    op.drop_index("ix_call_days_day", table_name="call_days")
    with op.batch_alter_table("call_days") as batch:
        batch.add_column(sa.Column("imported", sa.Integer, nullable=False, server_default="0"))
    op.create_index("ix_call_days_day", "call_days", ["day", "trainee_id", "calls", "target", "imported"])
    least = "min" if conn.dialect.name == "sqlite" else "least"
    op.execute(
        "INSERT INTO call_days (trainee_id, day, calls, target, imported) "
        f"SELECT trainee_id, date(called_at), 0, {DEFAULT_TARGET}, {least}(count(*), {MOST}) FROM calls "
        "GROUP BY trainee_id, date(called_at) "
        "ON CONFLICT (trainee_id, day) DO UPDATE SET imported = excluded.imported"
    )


def downgrade() -> None:
    raise NotImplementedError("stores are only ever upgraded")
