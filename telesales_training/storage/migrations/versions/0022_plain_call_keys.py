"""Plain call keys: from release 0.11 an imported call whose id has 1–39 characters is keyed by the id itself
(before, every key was the SHA-1 of the id, which scattered a big import's keys across the unique index). The calls
already stored keep their keys; each trainee who has some gets a preference holding the highest `calls.id` then, and
that trainee's imports skip a call whose old key (the SHA-1) is stored — a file imported again counts nothing twice.

Revision ID: 0022
Revises: 0021
"""

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

HASHED_CALL_KEYS = "calls:hashed_keys_through"  # store.HASHED_CALL_KEYS as of this revision


def upgrade() -> None:
    op.execute(
        "INSERT INTO preferences (trainee_id, key, value) "
        f"SELECT trainee_id, '{HASHED_CALL_KEYS}', CAST(max(id) AS VARCHAR(20)) FROM calls GROUP BY trainee_id "
        "ON CONFLICT (trainee_id, key) DO NOTHING"
    )


def downgrade() -> None:
    raise NotImplementedError("stores are only ever upgraded")
