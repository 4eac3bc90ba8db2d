"""Weekly call logs saved as answers before the per-day table existed become call_days rows (the newest
save per trainee and day wins; days already logged are kept). Stores that ran the old run-once backfill
(a settings flag) are left as they are.

Revision ID: 0005
Revises: 0004
"""

import json
from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

WEEK_LOG = ("05_call_plan", "week_log")
OLD_FLAG = "call_days_backfilled:05_call_plan/week_log"
MAX_DAILY_CALLS = 1000  # a day's calls and a daily target as the week log took them when this revision was made


def _whole(value: object, least: int) -> int | None:
    return (
        value if isinstance(value, int) and not isinstance(value, bool) and least <= value <= MAX_DAILY_CALLS else None
    )


def week_log_days(record: object) -> tuple[dict[date, int], int] | None:
    """The five days of a saved week log ({"week": Monday, "counts": five numbers, "target": n}) and its daily
    target; None for anything else. Frozen here: this revision means the same whatever the package becomes."""
    if not isinstance(record, dict):
        return None
    try:
        week = date.fromisoformat(str(record.get("week")))
    except ValueError:
        return None
    counts, target = record.get("counts"), _whole(record.get("target"), 1)
    if week.weekday() != 0 or target is None or not isinstance(counts, list) or len(counts) != 5:
        return None
    days = [_whole(count, 0) for count in counts]
    if any(count is None for count in days):
        return None
    return {week + timedelta(days=n): count for n, count in enumerate(days)}, target


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
        insert = postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert
        conn.execute(insert(table).on_conflict_do_nothing(index_elements=["trainee_id", "day"]), rows)


def downgrade() -> None:
    raise NotImplementedError("stores are only ever upgraded")
