"""Who may read and write what, enforced by PostgreSQL itself (row-level security), for team mode.

On the team deployment every trainee's server connects with a database role of its own (team.py provisions
it when the hub starts the server). The database knows the role that logged in (`session_user`); the
`accounts` table maps it to a trainee and says whether that account is a trainer. Policies then let:

- a trainee read and write only their own rows, never write trainer data (reviews, the trainer's scores of
  the assessment) and never touch `current_answers` directly (a trigger keeps it, with the owner's rights);
- a trainer read the whole cohort, write reviews and trainer scores signed with their own name, and set
  cohorts.

The owner of the tables (the hub's provisioning, migrations, `telesales demo/export`) is not bound by the
policies; on SQLite and for a personal PostgreSQL store nothing here applies. Whatever code runs in a
trainee's kernel, it holds only that trainee's password and these rules stay in force.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..core.limits import (
    MAX_ANSWER_BYTES,
    MAX_CALL_SECONDS,
    MAX_COMMENT,
    MAX_DAY_CALLS,
    MAX_ID,
    MAX_MARKS,
    MAX_POINTS,
    MAX_PREFERENCE_BYTES,
    MAX_RECORDING_BYTES,
    MAX_RECORDING_COMMENTS,
    MAX_SITTINGS,
)
from .schema import keep_current_function, keep_first_functions, keep_totals_function

TEAM_ROLE = "telesales_team"  # group role every trainee's login role belongs to (granted in team.py)
ME = "(SELECT telesales_trainee())"
# The settings a trainer writes: today's review's daily count (course/review.REVIEW_PER_DAY) and how long spoken
# practice recordings are kept (storage/recordings.RETENTION_SETTING).
TRAINER_SETTINGS = ("review_per_day", "recording_days")
TRAINER_KEY = "key IN (" + ", ".join(f"'{key}'" for key in TRAINER_SETTINGS) + ")"
# A recording older than the retention period the trainer set (default 90 days, the number checked before it is
# read): the rows a trainer may empty.
EXPIRED = (
    "created_at < now() - make_interval(days => coalesce((SELECT value::int FROM settings "
    "WHERE key = 'recording_days' AND value ~ '^[0-9]{1,4}$'), 90))"
)
TRAINER = "(SELECT telesales_is_trainer())"
# The exam service's own login role (issue 26): the only one that writes exam results and certificates.
EXAM = "(SELECT telesales_is_exam_service())"
EXAM_ROLE_SETTING = "exam_service_role"  # the `settings` row naming that role (written by team.provision_exam)
# The LRS sender's own login role (issue 30): reads what becomes a learning record (never audio), and is the only
# role besides the owner that reaches the outbox.
SENDER = "(SELECT telesales_is_lrs_sender())"
SENDER_ROLE_SETTING = "lrs_sender_role"  # the `settings` row naming that role (written by team.provision_sender)

# table -> policies (name, command, USING, WITH CHECK)
POLICIES: dict[str, list[tuple[str, str, str | None, str | None]]] = {
    "trainees": [
        ("read", "SELECT", f"id = {ME} OR {TRAINER} OR {EXAM}", None),
        ("join", "INSERT", None, f"id = {ME} OR {TRAINER} OR {EXAM}"),
    ],
    "answers": [
        ("read", "SELECT", f"trainee_id = {ME} OR {TRAINER} OR {SENDER}", None),
        ("write", "INSERT", None, f"trainee_id = {ME}"),
    ],
    "current_answers": [("read", "SELECT", f"trainee_id = {ME} OR {TRAINER}", None)],
    # Written by the answers trigger only (with the owner's rights): a trainee cannot replace her first try.
    "first_answers": [("read", "SELECT", f"trainee_id = {ME} OR {TRAINER} OR {SENDER}", None)],
    "reveals": [
        ("read", "SELECT", f"trainee_id = {ME} OR {TRAINER}", None),
        ("write", "INSERT", None, f"trainee_id = {ME}"),
    ],
    "preferences": [
        ("own", "ALL", f"trainee_id = {ME}", f"trainee_id = {ME}"),
        ("trainer_read", "SELECT", TRAINER, None),
    ],
    "calls": [
        ("read", "SELECT", f"trainee_id = {ME} OR {TRAINER}", None),
        ("write", "INSERT", None, f"trainee_id = {ME}"),
    ],
    "memberships": [
        ("read", "SELECT", f"trainee_id = {ME} OR {TRAINER}", None),
        ("assign", "INSERT", None, TRAINER),
        ("reassign", "UPDATE", TRAINER, TRAINER),
    ],
    "call_days": [
        ("read", "SELECT", f"trainee_id = {ME} OR {TRAINER}", None),
        ("write", "INSERT", None, f"trainee_id = {ME}"),
        ("rewrite", "UPDATE", f"trainee_id = {ME}", f"trainee_id = {ME}"),
    ],
    "reviews": [
        ("read", "SELECT", f"trainee_id = {ME} OR {TRAINER} OR {SENDER}", None),
        ("write", "INSERT", None, f"{TRAINER} AND reviewer = {ME}"),
    ],
    "trainer_scores": [
        ("read", "SELECT", f"trainee_id = {ME} OR {TRAINER}", None),
        ("write", "INSERT", None, f"{TRAINER} AND trainer = {ME}"),
    ],
    # Settings are the store's; of them, trainers set how many questions today's review asks a day (issue 27).
    "settings": [
        ("read", "SELECT", "true", None),
        ("trainer_write", "INSERT", None, f"{TRAINER} AND {TRAINER_KEY}"),
        ("trainer_rewrite", "UPDATE", f"{TRAINER} AND {TRAINER_KEY}", f"{TRAINER} AND {TRAINER_KEY}"),
    ],
    # Totals are written by the database's own trigger only; a trainee reads her own lesson totals, and only
    # trainers read the cohort-wide item totals.
    "lesson_totals": [("read", "SELECT", f"trainee_id = {ME} OR {TRAINER}", None)],
    "item_totals": [("read", "SELECT", TRAINER, None)],
    "accounts": [("exam_read", "SELECT", EXAM, None)],  # the owner, and the exam service (who is a trainer)
    # Certification: only the exam service writes sittings, their answers and certificates; a trainee reads her
    # own, trainers all; a trainer signs off in her own name.
    "exam_sittings": [
        ("read", "SELECT", f"trainee_id = {ME} OR {TRAINER} OR {EXAM} OR {SENDER}", None),
        ("service_write", "INSERT", None, EXAM),
        ("service_update", "UPDATE", EXAM, EXAM),
    ],
    # Each answer's score stays with the service (a trainee's role has no SELECT on the table at all): during a
    # sitting nothing tells right from wrong, not even her own rows; the sitting's result is in exam_sittings.
    "exam_answers": [
        ("service_read", "SELECT", EXAM, None),
        ("service_write", "INSERT", None, EXAM),
    ],
    "signoffs": [
        ("read", "SELECT", f"trainee_id = {ME} OR {TRAINER} OR {EXAM}", None),
        ("write", "INSERT", None, f"{TRAINER} AND trainer = {ME}"),
    ],
    "certificates": [
        ("read", "SELECT", f"trainee_id = {ME} OR {TRAINER} OR {EXAM} OR {SENDER}", None),
        ("service_write", "INSERT", None, EXAM),
        ("service_update", "UPDATE", EXAM, EXAM),
    ],
    # Today's review: a trainee keeps her own cards and logs her own reviews; trainers read them.
    "review_cards": [
        ("read", "SELECT", f"trainee_id = {ME} OR {TRAINER}", None),
        ("write", "INSERT", None, f"trainee_id = {ME}"),
        ("rewrite", "UPDATE", f"trainee_id = {ME}", f"trainee_id = {ME}"),
    ],
    "review_logs": [
        ("read", "SELECT", f"trainee_id = {ME} OR {TRAINER}", None),
        ("write", "INSERT", None, f"trainee_id = {ME}"),
    ],
    # Spoken practice: a trainee records and empties (deletes) her own recordings and updates their measures; a
    # trainer hears the cohort's and empties those past the retention period. The attempt number is the
    # database's (recordings_number), and an emptied recording stays empty (recordings_guard).
    "recordings": [
        ("read", "SELECT", f"trainee_id = {ME} OR {TRAINER} OR {SENDER}", None),
        ("write", "INSERT", None, f"trainee_id = {ME}"),
        ("own_update", "UPDATE", f"trainee_id = {ME}", f"trainee_id = {ME}"),
        ("expire", "UPDATE", f"{TRAINER} AND {EXPIRED}", "audio IS NULL AND metrics IS NULL"),
    ],
    # Her own review of her own recording, or a trainer's of anyone's, each signed by who wrote it; the recording
    # must be that trainee's (the foreign key on recording and trainee).
    "recording_reviews": [
        ("read", "SELECT", f"trainee_id = {ME} OR {TRAINER} OR {SENDER}", None),
        (
            "write",
            "INSERT",
            None,
            f"reviewer = {ME} AND ((kind = 'self' AND trainee_id = {ME}) OR (kind = 'trainer' AND {TRAINER}))",
        ),
    ],
    # The LRS outbox (issue 30): the sender's alone. The team role has no grants on it; the policy admits only the
    # sender's role (trainees and trainers are refused every row).
    "lrs_outbox": [("sender", "ALL", SENDER, SENDER)],
    # Grades back to the LMS (issue 30): the hub keeps the launches (with the owner's rights); the senders' role reads
    # them and keeps the grades; trainers read both (the cockpit shows what was sent and what failed).
    "lti_launches": [("read", "SELECT", f"{TRAINER} OR {SENDER}", None)],
    "lms_grades": [
        ("read", "SELECT", f"{TRAINER} OR {SENDER}", None),
        ("sender_write", "INSERT", None, SENDER),
        ("sender_update", "UPDATE", SENDER, SENDER),
    ],
}
# Columns a role may UPDATE where it may not update the whole row.
UPDATE_COLUMNS = {"recordings": ("audio", "metrics", "deleted_at")}
# What the team role may do at all (the policies then pick the rows). INSERT is granted on every column but the
# ids: the database numbers rows (identity columns), so no trainee can take the ids of everyone's next saves.
GRANTS = {
    "SELECT": [
        "trainees",
        "answers",
        "current_answers",
        "first_answers",
        "reveals",
        "preferences",
        "calls",
        "memberships",
        "call_days",
        "reviews",
        "trainer_scores",
        "settings",
        "alembic_version",
        "lesson_totals",
        "item_totals",
        "exam_sittings",
        "signoffs",
        "certificates",
        "review_cards",
        "review_logs",
        "recordings",
        "recording_reviews",
        "lti_launches",
        "lms_grades",
    ],
    "INSERT": [
        "trainees",
        "answers",
        "reveals",
        "preferences",
        "calls",
        "memberships",
        "call_days",
        "reviews",
        "trainer_scores",
        "signoffs",
        "review_cards",
        "review_logs",
        "settings",
        "recordings",
        "recording_reviews",
    ],
    "UPDATE": ["preferences", "memberships", "call_days", "review_cards", "settings"],
    "DELETE": ["preferences"],
}
NUMBERED = (
    "answers",
    "calls",
    "reviews",
    "trainer_scores",
    "signoffs",
    "exam_sittings",
    "review_logs",
    "recordings",
    "recording_reviews",
)  # ids the database chooses
# What the exam service's role may do at all (its policies above pick the rows): read what certifying needs, write
# sittings, answers and certificates. It is not a member of the team role.
EXAM_GRANTS = {
    "SELECT": [
        "trainees",
        "accounts",
        "exam_sittings",
        "exam_answers",
        "signoffs",
        "certificates",
        "settings",
        "alembic_version",
    ],
    "INSERT": ["trainees", "exam_sittings", "exam_answers", "certificates"],
    "UPDATE": ["exam_sittings", "certificates"],
}

# What the LRS sender's role may do (issue 30): read what becomes a learning record, and keep the outbox. Of a
# recording it reads only which drill and which try it was, never the audio or what was measured.
SENDER_GRANTS = {
    "SELECT": [
        "answers",
        "first_answers",
        "reviews",
        "recording_reviews",
        "exam_sittings",
        "certificates",
        "settings",
        "alembic_version",
        "lrs_outbox",
        "lti_launches",
        "lms_grades",
    ],
    "INSERT": ["lrs_outbox", "lms_grades"],
    "UPDATE": ["lrs_outbox", "lms_grades"],
}
SENDER_RECORDING_COLUMNS = ("id", "trainee_id", "lesson_id", "item_id", "attempt")

# Sizes held by the database itself, whatever code writes (the package checks the same limits first, with a
# message; these are the backstop). JSON is measured as PostgreSQL prints it: the package's separators, but numbers
# written out in full (1e-7 as 0.0000001), hence room to spare.
LIMITS: dict[str, list[tuple[str, str, str]]] = {  # table: (constraint, the column it is about, check)
    "answers": [
        ("answers_value_size", "value", f"octet_length(value::text) <= {2 * MAX_ANSWER_BYTES}"),
        ("answers_points", "max_points", f"max_points >= 0 AND max_points <= {MAX_POINTS}"),
        ("answers_score", "score", "score IS NULL OR (score >= 0 AND score <= max_points)"),
        ("answers_sitting", "sitting", f"sitting >= 1 AND sitting <= {MAX_SITTINGS} AND attempt >= 1"),
    ],
    "reveals": [("reveals_sitting", "sitting", f"sitting >= 1 AND sitting <= {MAX_SITTINGS}")],
    "reviews": [
        ("reviews_comment_size", "comment", f"char_length(comment) <= {MAX_COMMENT}"),
        (
            "reviews_marks_size",
            "marks",
            f"marks IS NULL OR octet_length(marks::text) <= {2 * MAX_ID * (MAX_MARKS + 1)}",
        ),
    ],
    "trainer_scores": [("trainer_scores_size", "scores", f"octet_length(scores::text) <= {MAX_ANSWER_BYTES}")],
    "exam_answers": [("exam_answers_value_size", "value", f"octet_length(value::text) <= {2 * MAX_ANSWER_BYTES}")],
    "signoffs": [
        ("signoffs_comment_size", "comment", f"char_length(comment) <= {MAX_COMMENT}"),
        ("signoffs_audit_size", "audit", f"octet_length(audit::text) <= {MAX_ANSWER_BYTES}"),
    ],
    "preferences": [("preferences_value_size", "value", f"octet_length(value) <= {MAX_PREFERENCE_BYTES}")],
    "call_days": [
        (
            "call_days_counts",
            "calls",
            f"calls >= 0 AND calls <= {MAX_DAY_CALLS} AND target >= 0 AND target <= {MAX_DAY_CALLS}",
        ),
        ("call_days_imported", "imported", f"imported >= 0 AND imported <= {MAX_DAY_CALLS}"),
    ],
    "recordings": [
        ("recordings_audio_size", "audio", f"audio IS NULL OR octet_length(audio) <= {MAX_RECORDING_BYTES}"),
        ("recordings_metrics_size", "metrics", f"metrics IS NULL OR octet_length(metrics::text) <= {MAX_ANSWER_BYTES}"),
    ],
    "recording_reviews": [
        (
            "recording_reviews_size",
            "comments",
            f"octet_length(comments::text) + octet_length(levels::text) <= "
            f"{4 * MAX_COMMENT * (MAX_RECORDING_COMMENTS + 1)}",
        ),
        ("recording_reviews_kind", "kind", "kind IN ('self', 'trainer')"),
    ],
    "calls": [
        (
            "calls_duration",
            "duration_s",
            f"duration_s IS NULL OR (duration_s >= 0 AND duration_s <= {MAX_CALL_SECONDS})",
        )
    ],
}

# What every trainee's (and trainer's) login role runs with unless its own session changes it (PostgreSQL lets
# any role SET these for itself: they stop runaway work by the package, not a determined attacker; the limits
# that hold against any code are the CHECKs above, the connection limit and, where the owner may set it,
# temp_file_limit).
ROLE_SETTINGS = {
    "statement_timeout": "60s",
    "idle_in_transaction_session_timeout": "60s",
    "lock_timeout": "20s",
    "work_mem": "4MB",
}
SUPERUSER_SETTINGS = {"temp_file_limit": "256MB"}  # PostgreSQL allows only privileged roles to set it


def _functions(conn: sa.Connection, schema: str) -> list[str]:
    # SECURITY DEFINER: they read `accounts` with the owner's rights; session_user cannot be changed by the
    # logged-in role (SET ROLE changes current_user only), so a trainee cannot become someone else. PostgreSQL
    # searches pg_temp FIRST unless the path names it: a temporary `accounts` made by a trainee would then
    # answer for the real one. So the path puts pg_temp last and the bodies name the schema of every table.
    header = f"LANGUAGE sql STABLE SECURITY DEFINER {search_path(schema)}"
    statements = [
        f"CREATE OR REPLACE FUNCTION {schema}.telesales_trainee() RETURNS text {header} "
        f"AS $$ SELECT trainee_id FROM {schema}.accounts WHERE role = session_user $$",
        f"CREATE OR REPLACE FUNCTION {schema}.telesales_is_trainer() RETURNS boolean {header} "
        f"AS $$ SELECT coalesce((SELECT trainer FROM {schema}.accounts WHERE role = session_user), false) $$",
        f"CREATE OR REPLACE FUNCTION {schema}.telesales_is_exam_service() RETURNS boolean {header} "
        f"AS $$ SELECT coalesce((SELECT value = session_user FROM {schema}.settings "
        f"WHERE key = '{EXAM_ROLE_SETTING}'), false) $$",
        f"CREATE OR REPLACE FUNCTION {schema}.telesales_is_lrs_sender() RETURNS boolean {header} "
        f"AS $$ SELECT coalesce((SELECT value = session_user FROM {schema}.settings "
        f"WHERE key = '{SENDER_ROLE_SETTING}'), false) $$",
        f"REVOKE ALL ON FUNCTION {schema}.telesales_trainee(), {schema}.telesales_is_trainer(), "
        f"{schema}.telesales_is_exam_service(), {schema}.telesales_is_lrs_sender() FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION {schema}.telesales_trainee(), {schema}.telesales_is_trainer(), "
        f"{schema}.telesales_is_exam_service(), {schema}.telesales_is_lrs_sender() TO PUBLIC",
        # current_answers (and from it the totals) are written by these triggers only, with the owner's rights.
        keep_current_function(f"{schema}."),
        f"ALTER FUNCTION {schema}.answers_keep_current() SECURITY DEFINER {search_path(schema)}",
    ]
    if conn.exec_driver_sql(f"SELECT to_regclass('{schema}.recordings')").scalar() is not None:
        statements += recording_triggers(schema)
    if conn.exec_driver_sql(f"SELECT to_regproc('{schema}.current_answers_keep_totals')").scalar() is not None:
        statements += [
            keep_totals_function(f"{schema}."),
            f"ALTER FUNCTION {schema}.current_answers_keep_totals() SECURITY DEFINER {search_path(schema)}",
        ]
    if conn.exec_driver_sql(f"SELECT to_regproc('{schema}.answers_keep_first')").scalar() is not None:
        for statement in keep_first_functions(f"{schema}."):
            statements.append(statement)
        statements += [
            f"ALTER FUNCTION {schema}.{function}() SECURITY DEFINER {search_path(schema)}"
            for function in ("answers_keep_first", "first_answers_keep_totals")
        ]
    return statements


def recording_triggers(schema: str) -> list[str]:
    """The database numbers each recording of a trainee's drill (1 = the first try; whatever number the writer sent)
    and keeps an emptied recording empty: audio is never replaced, only removed, and a deletion is never undone."""
    header = f"LANGUAGE plpgsql SECURITY DEFINER {search_path(schema)}"
    return [
        f"CREATE OR REPLACE FUNCTION {schema}.recordings_number() RETURNS trigger {header} AS $$ BEGIN "
        f"NEW.attempt := coalesce((SELECT max(attempt) FROM {schema}.recordings WHERE trainee_id = NEW.trainee_id "
        "AND lesson_id = NEW.lesson_id AND item_id = NEW.item_id), 0) + 1; "
        "IF NEW.audio IS NULL OR NEW.deleted_at IS NOT NULL THEN "
        "RAISE EXCEPTION 'a recording is stored with its audio' USING ERRCODE = 'check_violation'; END IF; "
        "RETURN NEW; END $$",
        # (reads no table: it runs with the writer's rights)
        f"CREATE OR REPLACE FUNCTION {schema}.recordings_guard() RETURNS trigger LANGUAGE plpgsql "
        f"{search_path(schema)} AS $$ BEGIN "
        "IF NEW.audio IS NOT NULL AND NEW.audio IS DISTINCT FROM OLD.audio THEN "
        "RAISE EXCEPTION 'a recording is never replaced' USING ERRCODE = 'check_violation'; END IF; "
        "IF OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS DISTINCT FROM OLD.deleted_at THEN "
        "RAISE EXCEPTION 'a deleted recording stays deleted' USING ERRCODE = 'check_violation'; END IF; "
        "IF NEW.audio IS NULL AND NEW.deleted_at IS NULL THEN "
        "RAISE EXCEPTION 'an emptied recording is marked deleted' USING ERRCODE = 'check_violation'; END IF; "
        "RETURN NEW; END $$",
        f"DROP TRIGGER IF EXISTS recordings_number ON {schema}.recordings",
        f"CREATE TRIGGER recordings_number BEFORE INSERT ON {schema}.recordings "
        f"FOR EACH ROW EXECUTE FUNCTION {schema}.recordings_number()",
        f"DROP TRIGGER IF EXISTS recordings_guard ON {schema}.recordings",
        f"CREATE TRIGGER recordings_guard BEFORE UPDATE ON {schema}.recordings "
        f"FOR EACH ROW EXECUTE FUNCTION {schema}.recordings_guard()",
    ]


def search_path(schema: str) -> str:
    """The path every SECURITY DEFINER function of the store runs with: the catalog, the store, temp last."""
    return f"SET search_path = pg_catalog, {schema}, pg_temp"


def _schema(conn: sa.Connection) -> str:
    return conn.dialect.identifier_preparer.quote(conn.exec_driver_sql("SELECT current_schema()").scalar())


def install(conn: sa.Connection) -> None:
    """Create or replace the access rules (PostgreSQL only): functions, row-level security and policies.
    Run by the migration that introduced them and whenever a new store is created."""
    if conn.dialect.name != "postgresql":
        return
    schema = _schema(conn)
    for statement in _functions(conn, schema):
        conn.exec_driver_sql(statement)
    for table, policies in POLICIES.items():
        if conn.exec_driver_sql(f"SELECT to_regclass('{table}')").scalar() is None:
            continue  # a table of a later revision: its own migration installs the rules again
        conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        for name, command, using, check in policies:
            conn.exec_driver_sql(f"DROP POLICY IF EXISTS ts_{name} ON {table}")
            conn.exec_driver_sql(
                f"CREATE POLICY ts_{name} ON {table} FOR {command}"
                + (f" USING ({using})" if using else "")
                + (f" WITH CHECK ({check})" if check else "")
            )
    for table, checks in LIMITS.items():
        for name, column, check in checks:
            if not _has_column(conn, table, column):
                continue  # a column of a later revision: its migration installs the rules again
            # NOT VALID: rows already stored are kept as they are (an oversized one is shown, not lost);
            # every row written from now on is held to the limit.
            conn.exec_driver_sql(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")
            conn.exec_driver_sql(f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({check}) NOT VALID")
    # A store already used in team mode: tables added by this revision are granted at once, not only at the
    # next provisioning (a trainer's cockpit would otherwise be refused them until then).
    if conn.exec_driver_sql(f"SELECT 1 FROM pg_roles WHERE rolname = '{TEAM_ROLE}'").first():
        _grant(conn)


def grant_team(conn: sa.Connection) -> None:
    """The team role exists and may do what GRANTS says (idempotent; needs CREATEROLE or a superuser)."""
    conn.exec_driver_sql(f"""DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{TEAM_ROLE}') THEN CREATE ROLE {TEAM_ROLE} NOLOGIN;
        END IF; END $$""")
    _grant(conn)


def _grant(conn: sa.Connection) -> None:
    schema = _schema(conn)
    database = conn.dialect.identifier_preparer.quote(conn.exec_driver_sql("SELECT current_database()").scalar())
    # Nobody but the owner and the store's own login roles may connect, and no one may make temporary objects:
    # a temporary table is searched before the schema by any function whose path does not put pg_temp last.
    conn.exec_driver_sql(f"REVOKE ALL ON DATABASE {database} FROM PUBLIC")
    conn.exec_driver_sql(f"REVOKE ALL ON DATABASE {database} FROM {TEAM_ROLE}")  # the group is cluster-wide
    for (role,) in conn.exec_driver_sql("SELECT role FROM accounts WHERE role IN (SELECT rolname FROM pg_roles)"):
        conn.exec_driver_sql(f"GRANT CONNECT ON DATABASE {database} TO {quoted_role(conn, role)}")
    conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {schema} TO {TEAM_ROLE}")
    conn.exec_driver_sql(f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC")
    for privilege, tables in GRANTS.items():
        present = [t for t in tables if conn.exec_driver_sql(f"SELECT to_regclass('{t}')").scalar() is not None]
        conn.exec_driver_sql(f"REVOKE {privilege} ON {', '.join(present)} FROM {TEAM_ROLE}")
        whole = [t for t in present if privilege != "INSERT" or t not in NUMBERED]
        conn.exec_driver_sql(f"GRANT {privilege} ON {', '.join(whole)} TO {TEAM_ROLE}")
        for table in set(present) - set(whole):
            columns = conn.execute(
                sa.text(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                    "AND table_name = :table AND column_name <> 'id' ORDER BY ordinal_position"
                ),
                {"table": table},
            ).scalars()
            conn.exec_driver_sql(f"GRANT INSERT ({', '.join(columns)}) ON {table} TO {TEAM_ROLE}")
    for table, columns in UPDATE_COLUMNS.items():
        if conn.exec_driver_sql(f"SELECT to_regclass('{table}')").scalar() is not None:
            conn.exec_driver_sql(f"REVOKE UPDATE ON {table} FROM {TEAM_ROLE}")
            conn.exec_driver_sql(f"GRANT UPDATE ({', '.join(columns)}) ON {table} TO {TEAM_ROLE}")
    # Rows are numbered by identity columns, which need no rights on their sequences: none are granted.
    conn.exec_driver_sql(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {TEAM_ROLE}")


def grant_exam(conn: sa.Connection, role: str) -> None:
    """The exam service's login role `role` may do what EXAM_GRANTS says, and is the one the policies call the
    exam service (idempotent)."""
    schema = _schema(conn)
    quoted = quoted_role(conn, role)
    conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {schema} TO {quoted}")
    for privilege, tables in EXAM_GRANTS.items():
        whole = [t for t in tables if privilege != "INSERT" or t not in NUMBERED]
        conn.exec_driver_sql(f"GRANT {privilege} ON {', '.join(whole)} TO {quoted}")
        for table in set(tables) - set(whole):
            columns = conn.execute(
                sa.text(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                    "AND table_name = :table AND column_name <> 'id' ORDER BY ordinal_position"
                ),
                {"table": table},
            ).scalars()
            conn.exec_driver_sql(f"GRANT INSERT ({', '.join(columns)}) ON {table} TO {quoted}")
    conn.execute(
        sa.text("INSERT INTO settings (key, value) VALUES (:key, :role) ON CONFLICT (key) DO UPDATE SET value = :role"),
        {"key": EXAM_ROLE_SETTING, "role": role},
    )


def _has_column(conn: sa.Connection, table: str, column: str) -> bool:
    return (
        conn.execute(
            sa.text(
                "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND table_name = :table AND column_name = :column"
            ),
            {"table": table, "column": column},
        ).first()
        is not None
    )


def quoted_role(conn: sa.Connection, role: str) -> str:
    return conn.dialect.identifier_preparer.quote(role)


def connect_role(conn: sa.Connection, role: str) -> None:
    """`role` may connect to this store's database, and to no other through this store (team.py)."""
    database = conn.exec_driver_sql("SELECT current_database()").scalar()
    preparer = conn.dialect.identifier_preparer
    conn.exec_driver_sql(f"GRANT CONNECT ON DATABASE {preparer.quote(database)} TO {preparer.quote(role)}")
    for name, value in ROLE_SETTINGS.items():
        conn.exec_driver_sql(f"ALTER ROLE {preparer.quote(role)} SET {name} = '{value}'")
    for name, value in SUPERUSER_SETTINGS.items():
        if _may_set(conn, name):
            conn.exec_driver_sql(f"ALTER ROLE {preparer.quote(role)} SET {name} = '{value}'")


def _may_set(conn: sa.Connection, parameter: str) -> bool:
    """Whether the owner may give roles a superuser-only setting (a superuser, or granted SET on PostgreSQL 15+)."""
    if conn.exec_driver_sql("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").scalar():
        return True
    if conn.dialect.server_version_info < (15,):
        return False
    return conn.exec_driver_sql("SELECT has_parameter_privilege(%(p)s, 'SET')", {"p": parameter}).scalar()


def grant_sender(conn: sa.Connection, role: str) -> None:
    """The LRS sender's login role `role` may do what SENDER_GRANTS says, and is the one the policies call the
    sender (idempotent)."""
    schema = _schema(conn)
    quoted = quoted_role(conn, role)
    conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {schema} TO {quoted}")
    for privilege, tables in SENDER_GRANTS.items():
        conn.exec_driver_sql(f"GRANT {privilege} ON {', '.join(tables)} TO {quoted}")
    conn.exec_driver_sql(f"REVOKE SELECT ON recordings FROM {quoted}")
    conn.exec_driver_sql(f"GRANT SELECT ({', '.join(SENDER_RECORDING_COLUMNS)}) ON recordings TO {quoted}")
    conn.execute(
        sa.text("INSERT INTO settings (key, value) VALUES (:key, :role) ON CONFLICT (key) DO UPDATE SET value = :role"),
        {"key": SENDER_ROLE_SETTING, "role": role},
    )
