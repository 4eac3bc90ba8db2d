"""Schema revisions with Alembic (telesales_training/migrations). Opening a store brings it to the head:

- an empty database is created from schema.py and stamped at the head;
- an older one is upgraded revision by revision (data migrations included);
- a store made before the project used Alembic is recognised by its tables and upgraded from there;
- a store upgraded by a newer release is refused (SchemaTooNew names the release to install).

One process at a time migrates: a PostgreSQL advisory lock, or SQLite's BEGIN IMMEDIATE, held for the
whole upgrade, and the revision is read again under the lock. Many trainee servers starting at once on a
new or old database therefore migrate it exactly once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import sqlalchemy as sa

from ..core.errors import SchemaTooNew
from . import access
from .database import open_engine, sqlite_file, upsert, writer
from .schema import metadata, settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

LOCK_KEY = 7_352_114_901  # pg_advisory_xact_lock: "telesales-training is migrating this database"
WRITTEN_BY = "schema_written_by"  # setting: the release that last brought the schema to its revision
NEEDS = "schema_needs_release"  # setting: the oldest release that can use the store at its revision
# The first release of each schema revision (from 0013 on; 0001–0012 came with 0.1.0). A new revision needs a new
# release number here and in pyproject.toml (a test checks both).
RELEASES = {
    "0013": "0.2.0",
    "0014": "0.3.0",
    "0015": "0.4.0",
    "0016": "0.5.0",
    "0017": "0.6.0",
    "0018": "0.7.0",
    "0019": "0.8.0",
    "0020": "0.9.0",
    "0021": "0.10.0",
    "0022": "0.11.0",
}
# Releases from before migrations kept current_answers themselves: delete the row, insert it again. On a store
# whose database keeps that table (0007 on) each of their saves is counted twice in the totals. Nothing since
# deletes from it outside a migration, so such a delete is refused, with the release to install.
OLD_WRITERS_GUARD = "current_answers_old_writers"
MIGRATION_BUSY_TIMEOUT_MS = 600_000  # SQLite: wait up to 10 minutes for another process's migration
# Stores from before Alembic, by the newest table they have (each table arrived with one revision).
LEGACY = (("current_answers", "0004"), ("reviews", "0003"), ("calls", "0002"), ("answers", "0001"))


def package_version() -> str:
    try:
        return version("telesales-training")
    except PackageNotFoundError:
        return "unknown"


def alembic_config(conn: sa.Connection | None = None):
    """Alembic's configuration for our migrations, running on `conn`."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


@lru_cache(maxsize=1)
def _scripts():
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


@lru_cache(maxsize=1)
def head() -> str:
    """The newest revision: the highest numbered file in migrations/versions (revision ids are their files'
    four-digit prefixes; a test checks Alembic agrees). Read from the folder, not kept by hand, and without
    importing Alembic: every page's kernel opens the store, and a store at the head costs one read of one row."""
    return max(path.name[:4] for path in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))


def _known(revision: str) -> bool:
    return revision == head() or revision in {script.revision for script in _scripts().walk_revisions()}


def _revision(conn: sa.Connection) -> str | None:
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def revision_of(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return _revision(conn)


def needed_release() -> str:
    """The oldest release that can use a store at the head revision."""
    return RELEASES[head()]


def _refuse_if_newer(conn: sa.Connection, revision: str | None) -> None:
    if revision is None or _known(revision):
        return
    asked = sa.select(settings.c.key, settings.c.value).where(settings.c.key.in_((WRITTEN_BY, NEEDS)))
    said = dict(conn.execute(asked).all())
    written = said.get(WRITTEN_BY) or "a newer release"
    needed = said.get(NEEDS) if _release(said.get(NEEDS)) > _release(package_version()) else written
    raise SchemaTooNew(
        f"this database needs telesales-training {needed} or newer (schema revision {revision}, upgraded by "
        f"telesales-training {written}); this is telesales-training {package_version()}, which knows schemas up "
        f"to {head()}. Install telesales-training {needed} or newer to use it; nothing was written.",
        needed,
    )


def _release(number: str | None) -> tuple[int, ...]:
    """A release number to compare ("0.10.1" after "0.9.0"); () for none or a number that is not one."""
    try:
        return tuple(int(part) for part in (number or "").split("."))
    except ValueError:
        return ()


def _old_writers_guard(conn: sa.Connection, on: bool) -> None:
    message = (
        f"this store needs telesales-training {needed_release()} or newer (schema revision {head()}): "
        f"install telesales-training {needed_release()} or newer to use it"
    )
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {OLD_WRITERS_GUARD}")
        if on:
            conn.exec_driver_sql(
                f"CREATE TRIGGER {OLD_WRITERS_GUARD} BEFORE DELETE ON current_answers "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
        return
    conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {OLD_WRITERS_GUARD} ON current_answers")
    if on:
        conn.exec_driver_sql(
            f"CREATE OR REPLACE FUNCTION {OLD_WRITERS_GUARD}() RETURNS trigger LANGUAGE plpgsql "
            f"AS $$ BEGIN RAISE EXCEPTION '{message}' USING ERRCODE = 'object_not_in_prerequisite_state'; END $$"
        )
        conn.exec_driver_sql(
            f"CREATE TRIGGER {OLD_WRITERS_GUARD} BEFORE DELETE ON current_answers FOR EACH ROW "
            f"EXECUTE FUNCTION {OLD_WRITERS_GUARD}()"
        )


def _legacy_revision(conn: sa.Connection) -> str | None:
    tables = set(sa.inspect(conn).get_table_names())
    return next((revision for table, revision in LEGACY if table in tables), None)


@contextmanager
def _migrating(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A transaction that holds the database's migration lock until it ends."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(LOCK_KEY)))
            yield conn
        return
    if sqlite_file(engine.url) is None:  # in-memory: one process, nothing to race
        with writer(engine).begin() as conn:
            yield conn
        return
    # A write transaction (BEGIN IMMEDIATE) holds SQLite's write lock; others wait, patiently, for it.
    locking = open_engine(engine.url, busy_timeout_ms=MIGRATION_BUSY_TIMEOUT_MS, poolclass=sa.NullPool)
    try:
        with writer(locking).begin() as conn:
            yield conn
    finally:
        locking.dispose()


def _upgrade(conn: sa.Connection, found: str | None) -> None:
    from alembic import command

    config = alembic_config(conn)
    if sa.inspect(conn).has_table("current_answers"):
        _old_writers_guard(conn, on=False)  # a migration may delete from it
    if found is None:
        legacy = _legacy_revision(conn)
        if legacy is None:  # a new, empty database: today's tables and access rules, stamped
            metadata.create_all(conn)
            access.install(conn)
            command.stamp(config, head())
        else:
            command.stamp(config, legacy)
            command.upgrade(config, "head")
            access.install(conn)
    else:
        command.upgrade(config, "head")
        # The access rules are today's, not history: the revisions are frozen and never import them; after the last
        # one ran, the functions, policies and checks of this release replace whatever an older one installed.
        access.install(conn)
    _old_writers_guard(conn, on=True)
    upsert(
        conn,
        settings,
        ["key"],
        [{"key": WRITTEN_BY, "value": package_version()}, {"key": NEEDS, "value": needed_release()}],
    )


def ensure_current(engine: sa.Engine) -> str:
    """Bring the store to the head revision (see the module text); returns it. Cheap when already there:
    one read of alembic_version."""
    with engine.connect() as conn:
        found = _revision(conn)
        _refuse_if_newer(conn, found)
    if found == head():
        return found
    with _migrating(engine) as conn:
        found = _revision(conn)  # another process may have migrated while this one waited for the lock
        _refuse_if_newer(conn, found)
        if found != head():
            _upgrade(conn, found)
    return head()
