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

TEAM_ROLE = "telesales_team"  # group role every trainee's login role belongs to (granted in team.py)
ME = "(SELECT telesales_trainee())"
TRAINER = "(SELECT telesales_is_trainer())"

# table -> policies (name, command, USING, WITH CHECK)
POLICIES: dict[str, list[tuple[str, str, str | None, str | None]]] = {
    "trainees": [
        ("read", "SELECT", f"id = {ME} OR {TRAINER}", None),
        ("join", "INSERT", None, f"id = {ME} OR {TRAINER}"),
    ],
    "answers": [
        ("read", "SELECT", f"trainee_id = {ME} OR {TRAINER}", None),
        ("write", "INSERT", None, f"trainee_id = {ME}"),
    ],
    "current_answers": [("read", "SELECT", f"trainee_id = {ME} OR {TRAINER}", None)],
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
        ("read", "SELECT", f"trainee_id = {ME} OR {TRAINER}", None),
        ("write", "INSERT", None, f"{TRAINER} AND reviewer = {ME}"),
    ],
    "trainer_scores": [
        ("read", "SELECT", f"trainee_id = {ME} OR {TRAINER}", None),
        ("write", "INSERT", None, f"{TRAINER} AND trainer = {ME}"),
    ],
    "settings": [("read", "SELECT", "true", None)],
    # Totals are written by the database's own trigger only; a trainee reads her own lesson totals, and only
    # trainers read the cohort-wide item totals.
    "lesson_totals": [("read", "SELECT", f"trainee_id = {ME} OR {TRAINER}", None)],
    "item_totals": [("read", "SELECT", TRAINER, None)],
    "accounts": [],  # nobody but the owner
}
# What the team role may do at all (the policies then pick the rows).
GRANTS = {
    "SELECT": [
        "trainees",
        "answers",
        "current_answers",
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
    ],
    "INSERT": ["trainees", "answers", "preferences", "calls", "memberships", "call_days", "reviews", "trainer_scores"],
    "UPDATE": ["preferences", "memberships", "call_days"],
    "DELETE": ["preferences"],
}


def _functions(schema: str) -> list[str]:
    # SECURITY DEFINER: they read `accounts` with the owner's rights; session_user cannot be changed by the
    # logged-in role (SET ROLE changes current_user only), so a trainee cannot become someone else.
    header = f"LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, {schema}"
    return [
        f"CREATE OR REPLACE FUNCTION telesales_trainee() RETURNS text {header} "
        "AS $$ SELECT trainee_id FROM accounts WHERE role = session_user $$",
        f"CREATE OR REPLACE FUNCTION telesales_is_trainer() RETURNS boolean {header} "
        "AS $$ SELECT coalesce((SELECT trainer FROM accounts WHERE role = session_user), false) $$",
        "REVOKE ALL ON FUNCTION telesales_trainee(), telesales_is_trainer() FROM PUBLIC",
        "GRANT EXECUTE ON FUNCTION telesales_trainee(), telesales_is_trainer() TO PUBLIC",
        # current_answers (and from it the totals) are written by these triggers only, with the owner's rights.
        f"ALTER FUNCTION answers_keep_current() SECURITY DEFINER SET search_path = pg_catalog, {schema}",
        f"""DO $$ BEGIN IF to_regproc('current_answers_keep_totals') IS NOT NULL THEN
            ALTER FUNCTION current_answers_keep_totals() SECURITY DEFINER SET search_path = pg_catalog, {schema};
            END IF; END $$""",
    ]


def install(conn: sa.Connection) -> None:
    """Create or replace the access rules (PostgreSQL only): functions, row-level security and policies.
    Run by the migration that introduced them and whenever a new store is created."""
    if conn.dialect.name != "postgresql":
        return
    schema = conn.exec_driver_sql("SELECT current_schema()").scalar()
    for statement in _functions(schema):
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
    schema = conn.exec_driver_sql("SELECT current_schema()").scalar()
    database = conn.exec_driver_sql("SELECT current_database()").scalar()
    conn.exec_driver_sql(f'GRANT CONNECT ON DATABASE "{database}" TO {TEAM_ROLE}')
    conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {schema} TO {TEAM_ROLE}")
    conn.exec_driver_sql(f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC")
    for privilege, tables in GRANTS.items():
        present = [t for t in tables if conn.exec_driver_sql(f"SELECT to_regclass('{t}')").scalar() is not None]
        conn.exec_driver_sql(f"GRANT {privilege} ON {', '.join(present)} TO {TEAM_ROLE}")
    conn.exec_driver_sql(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {TEAM_ROLE}")
