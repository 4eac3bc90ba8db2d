"""Weekly call logs saved as answers before the per-day table existed become call_days rows (the newest
save per trainee and day wins; days already logged are kept). Stores that ran the old run-once backfill
(a settings flag) are left as they are.

Revision ID: 0005
Revises: 0004
"""

import json

import sqlalchemy as sa
from alembic import op

from telesales_training.callplan import week_log_days
from telesales_training.database import insert_for

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

WEEK_LOG = ("05_call_plan", "week_log")
OLD_FLAG = "call_days_backfilled:05_call_plan/week_log"


def upgrade() -> None:
    conn = op.get_bind()
    if conn.execute(sa.text("SELECT 1 FROM settings WHERE key = :key"), {"key": OLD_FLAG}).first():
        return
    saved = conn.execute(
        sa.text("SELECT trainee_id, value FROM answers WHERE lesson_id = :lesson AND item_id = :item ORDER BY id"),
        {"lesson": WEEK_LOG[0], "item": WEEK_LOG[1]},
    )
    days: dict[tuple[str, object], tuple[int, int]] = {}
    for trainee_id, value in saved:
        try:
            parsed = week_log_days(json.loads(value))
        except ValueError:
            parsed = None
        if parsed is not None:
            counts, target = parsed
            days.update({(trainee_id, day): (calls, target) for day, calls in counts.items()})
    rows = [
        {"trainee_id": trainee_id, "day": day, "calls": calls, "target": target}
        for (trainee_id, day), (calls, target) in days.items()
    ]
    if rows:
        table = sa.table(
            "call_days", sa.column("trainee_id"), sa.column("day", sa.Date), sa.column("calls"), sa.column("target")
        )
        conn.execute(insert_for(conn, table).on_conflict_do_nothing(index_elements=["trainee_id", "day"]), rows)


def downgrade() -> None:
    raise NotImplementedError("stores are only ever upgraded")
