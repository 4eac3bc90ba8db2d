"""Team mode, the hub's side: a database role per hub user, provisioned when the hub starts their server.

`provision(admin_url, name, trainer=...)` runs with the store owner's credentials (which stay with the hub):
it makes sure the store is at the current schema and the team role has its grants, creates or updates the
user's login role with a new random password, records the account (role -> trainee, trainer or not) and
returns the URL the user's server gets as TELESALES_DB. That URL is the only credential in the user's
environment; the database's own rules (access.py) decide what it can reach.
"""

from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa

from . import access
from .database import normalised_url, open_engine, upsert
from .identity import clean_name
from .schema import accounts
from .store import Store

ROLE_PREFIX = "ts_"
CONNECTIONS_PER_USER = 32  # one user's pages cannot take the whole database's connections


def role_name(database: str, name: str) -> str:
    """The database role of a hub user of one store: a fixed-length digest, so any user name (Chinese, dots,
    @) fits the 63-byte limit and needs no quoting. Roles belong to the whole PostgreSQL cluster, so the store's
    database is part of the digest: two hubs (or a test and a bench) sharing a cluster never rotate each
    other's passwords."""
    return ROLE_PREFIX + hashlib.sha256(f"{database}\0{name}".encode()).hexdigest()[:24]


def provision(admin_url: str, name: str, trainer: bool = False) -> str:
    """Create or refresh `name`'s login role and account; returns the store URL for their server."""
    trainee = clean_name(name)
    role = role_name(normalised_url(admin_url).database, trainee)
    password = secrets.token_urlsafe(24)
    # Opening the store brings it to the current schema, as the owner.
    with Store(admin_url) as store, store.writing.begin() as conn:
        access.grant_team(conn)
        exists = conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}).first()
        verb = "ALTER" if exists else "CREATE"
        # Role names are digests (no quoting needed); the password is a literal the server hashes.
        quoted = conn.exec_driver_sql("SELECT quote_literal(%(pw)s)", {"pw": password}).scalar()
        conn.exec_driver_sql(
            f"{verb} ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT "
            f"CONNECTION LIMIT {CONNECTIONS_PER_USER} PASSWORD {quoted}"
        )
        conn.exec_driver_sql(f"GRANT {access.TEAM_ROLE} TO {role}")
        access.connect_role(conn, role)
        # One role per user and store: an account left by an earlier naming of roles gives way.
        conn.execute(accounts.delete().where(accounts.c.trainee_id == trainee, accounts.c.role != role))
        upsert(conn, accounts, ["role"], {"role": role, "trainee_id": trainee, "trainer": trainer})
    url = normalised_url(admin_url).set(username=role, password=password)
    return url.render_as_string(hide_password=False)


EXAM_SERVICE = "\0exam service"  # the name the exam service's role is derived from (no hub user can have it)
LRS_SENDER = "\0lrs sender"  # the name the senders' role is derived from (no hub user can have it)


def _service_role(admin_url: str, name: str, grant, connections: int) -> str:
    """Create or refresh a service's login role (a new random password each time; not a member of the team role),
    let `grant(conn, role)` give it its rights, and return its store URL."""
    role = role_name(normalised_url(admin_url).database, name)
    password = secrets.token_urlsafe(24)
    with Store(admin_url) as store, store.writing.begin() as conn:
        access.grant_team(conn)
        exists = conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}).first()
        quoted = conn.exec_driver_sql("SELECT quote_literal(%(pw)s)", {"pw": password}).scalar()
        conn.exec_driver_sql(
            f"{'ALTER' if exists else 'CREATE'} ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT "
            f"CONNECTION LIMIT {connections} PASSWORD {quoted}"
        )
        access.connect_role(conn, role)
        grant(conn, role)
    return normalised_url(admin_url).set(username=role, password=password).render_as_string(hide_password=False)


def provision_exam(admin_url: str) -> str:
    """Create or refresh the exam service's login role (a new random password each time) and return its store
    URL: the only role that writes exam results and certificates (access.py). Not a member of the team role."""
    return _service_role(admin_url, EXAM_SERVICE, access.grant_exam, CONNECTIONS_PER_USER * 2)


def provision_sender(admin_url: str) -> str:
    """Create or refresh the senders' login role (issue 30: learning records to an LRS, grades to the LMS; a new
    random password each time) and return its store URL: it reads what becomes a record or a grade and keeps the
    outboxes, nothing else (access.SENDER_GRANTS). Call it once per hub start: both senders share the URL."""
    return _service_role(admin_url, LRS_SENDER, access.grant_sender, 4)


def remove(admin_url: str, name: str) -> None:
    """The user can no longer log in to the store (their rows stay)."""
    role = role_name(normalised_url(admin_url).database, clean_name(name))
    engine = open_engine(normalised_url(admin_url), poolclass=sa.NullPool)
    try:
        with engine.begin() as conn:
            conn.execute(accounts.delete().where(accounts.c.role == role))
            conn.exec_driver_sql(f"ALTER ROLE {role} NOLOGIN")
    finally:
        engine.dispose()
