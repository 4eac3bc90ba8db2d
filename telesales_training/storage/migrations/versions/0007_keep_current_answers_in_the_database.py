"""current_answers kept by a trigger on answers (one statement per save; rows written by any release count).

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# The trigger as this revision installs it (frozen: schema.py's may change; access.install re-creates the
# PostgreSQL function with its tables schema-qualified after every upgrade).
KEEP_CURRENT = {
    "sqlite": [
        """CREATE TRIGGER answers_keep_current AFTER INSERT ON answers BEGIN
    INSERT INTO current_answers (trainee_id, lesson_id, item_id, answer_id, score, max_points, created_at)
    VALUES (NEW.trainee_id, NEW.lesson_id, NEW.item_id, NEW.id, NEW.score, NEW.max_points, NEW.created_at)
    ON CONFLICT (trainee_id, lesson_id, item_id) DO UPDATE SET answer_id = excluded.answer_id,
        score = excluded.score, max_points = excluded.max_points, created_at = excluded.created_at
    WHERE current_answers.answer_id < excluded.answer_id; END""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION answers_keep_current() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
    INSERT INTO current_answers (trainee_id, lesson_id, item_id, answer_id, score, max_points, created_at)
    VALUES (NEW.trainee_id, NEW.lesson_id, NEW.item_id, NEW.id, NEW.score, NEW.max_points, NEW.created_at)
    ON CONFLICT (trainee_id, lesson_id, item_id) DO UPDATE SET answer_id = excluded.answer_id,
        score = excluded.score, max_points = excluded.max_points, created_at = excluded.created_at
    WHERE current_answers.answer_id < excluded.answer_id; RETURN NULL; END $$""",
        """CREATE TRIGGER answers_keep_current AFTER INSERT ON answers FOR EACH ROW EXECUTE FUNCTION
    answers_keep_current()""",
    ],
}


def upgrade() -> None:
    conn = op.get_bind()
    for statement in KEEP_CURRENT[conn.dialect.name]:
        op.execute(statement)
    # Answers written between 0004's fill and now by code that did not keep current_answers.
    op.execute("""
        INSERT INTO current_answers (trainee_id, lesson_id, item_id, answer_id, score, max_points, created_at)
        SELECT a.trainee_id, a.lesson_id, a.item_id, a.id, a.score, a.max_points, a.created_at
        FROM answers AS a
        WHERE a.id IN (SELECT max(id) FROM answers GROUP BY trainee_id, lesson_id, item_id)
        ON CONFLICT (trainee_id, lesson_id, item_id) DO UPDATE SET answer_id = excluded.answer_id,
            score = excluded.score, max_points = excluded.max_points, created_at = excluded.created_at
        WHERE current_answers.answer_id < excluded.answer_id
    """)


def downgrade() -> None:
    raise NotImplementedError("stores are only ever upgraded")
