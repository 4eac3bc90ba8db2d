"""Answers as clean JSON: NUL characters dropped, NaN and infinities made null, text in NFC, lone surrogates
replaced; on PostgreSQL the column becomes jsonb (parsed once, so one odd row can no longer break a cohort
query). The per-day call index is made covering (stores from before Alembic may have the older one).

Revision ID: 0006
Revises: 0005
"""

import json
import math
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BATCH = 2000


def _clean(value):
    if isinstance(value, str):
        value = "".join("\ufffd" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in value.replace("\x00", ""))
        return unicodedata.normalize("NFC", value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {_clean(str(k)): _clean(v) for k, v in value.items()}
    return value


def upgrade() -> None:
    conn = op.get_bind()
    last = 0
    while True:
        rows = conn.execute(
            sa.text("SELECT id, value FROM answers WHERE id > :last ORDER BY id LIMIT :n"), {"last": last, "n": BATCH}
        ).all()
        if not rows:
            break
        last = rows[-1][0]
        changed = []
        for answer_id, text in rows:
            try:
                cleaned = json.dumps(_clean(json.loads(text)), ensure_ascii=False, allow_nan=False)
            except ValueError:
                cleaned = json.dumps(text, ensure_ascii=False)  # not JSON at all: kept as the text it is
            if cleaned != text:
                changed.append({"id": answer_id, "value": cleaned})
        if changed:
            conn.execute(sa.text("UPDATE answers SET value = :value WHERE id = :id"), changed)
    if conn.dialect.name == "postgresql":
        op.execute("ALTER TABLE answers ALTER COLUMN value TYPE jsonb USING value::jsonb")
    op.drop_index("ix_call_days_day", table_name="call_days")
    op.create_index("ix_call_days_day", "call_days", ["day", "trainee_id", "calls", "target"])


def downgrade() -> None:
    raise NotImplementedError("stores are only ever upgraded")
