"""Engines and the SQL both backends share: how a URL becomes an engine (SQLite tuned for many writers,
psycopg 3 for PostgreSQL, every error as the store's own), and one-statement inserts and upserts."""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..core.errors import AccessDenied, StoreFailure
from .schema import dumps

BACKENDS = ("sqlite", "postgresql")
BUSY_TIMEOUT_MS = 10_000
WRITE = "telesales_write"  # execution option: this transaction writes (see writer())
NAP_LONGEST, NAP_SHORTEST = 0.002, 0.0001  # seconds between tries for SQLite's write lock


def sqlite_file(url: sa.engine.URL) -> Path | None:
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def may_exist(raw: str) -> bool:
    """False for a SQLite store whose file is not there (nothing stored yet); True otherwise."""
    try:
        path = sqlite_file(sa.engine.make_url(raw))
    except sa.exc.ArgumentError:
        return True  # opening it says what is wrong
    return path is None or path.exists()


def shown_url(raw: str) -> str:
    """The URL as logs and messages may show it: the password masked, garbage passed through unchanged."""
    try:
        return sa.engine.make_url(raw).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return raw


def normalised_url(raw: str) -> sa.engine.URL:
    """A supported URL with an absolute SQLite path (its folder created) and psycopg 3 for PostgreSQL."""
    try:
        url = sa.engine.make_url(raw)
    except sa.exc.ArgumentError:
        raise StoreFailure(
            f"not a database URL: {raw!r} (a SQLite file is written sqlite:////path/to/file.sqlite3, "
            "a PostgreSQL server postgresql://user@host/database)"
        ) from None
    if url.get_backend_name() not in BACKENDS:
        raise StoreFailure(f"unsupported database {url.get_backend_name()!r}: use sqlite or postgresql")
    path = sqlite_file(url)
    if path is not None:
        path = path.resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        url = url.set(database=str(path))
    if url.get_backend_name() == "postgresql" and url.get_driver_name() in ("", "psycopg2"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def tune_sqlite(busy_timeout_ms: int):
    def tune(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        # WAL + a busy timeout lets many kernels write at once; NORMAL sync is safe under WAL.
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        _use_wal(cursor, busy_timeout_ms / 1000)
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return tune


def _use_wal(cursor, patience: float) -> None:
    """Switch a file to WAL once (the mode is kept in the file). The switch needs the file to itself and
    SQLite answers 'locked' at once, without waiting, while another process is creating the same new file:
    so wait here, a little at a time."""
    deadline = time.monotonic() + patience
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")  # a no-op once the file is in WAL (or in memory)
            return
        except sqlite3.OperationalError as busy:
            if "locked" not in str(busy) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def as_store_error(context: sa.engine.ExceptionContext) -> None:
    """Every database error leaves the store as a StoreFailure (the widgets show 'store failed'); a refusal by
    the access rules (PostgreSQL's insufficient_privilege, SQLSTATE 42501) as AccessDenied."""
    if getattr(context.original_exception, "sqlstate", None) == "42501":
        raise AccessDenied(f"not allowed: {context.original_exception}") from context.sqlalchemy_exception
    raise StoreFailure(
        f"the database refused or could not be reached: {context.original_exception}"
    ) from context.sqlalchemy_exception


def driver_error(problem: Exception) -> StoreFailure:
    """The same translation for an error of the driver used directly (the bulk call import's COPY)."""
    if getattr(problem, "sqlstate", None) == "42501":
        return AccessDenied(f"not allowed: {problem}")
    return StoreFailure(f"the database refused or could not be reached: {problem}")


def open_engine(url: sa.engine.URL, busy_timeout_ms: int = BUSY_TIMEOUT_MS, **options) -> sa.Engine:
    engine = sa.create_engine(url, json_serializer=dumps, **options)
    if url.get_backend_name() == "sqlite":
        sa.event.listen(engine, "connect", tune_sqlite(busy_timeout_ms))
        # pysqlite would open transactions itself (deferred, before the first write): take that over.
        sa.event.listen(engine, "connect", lambda dbapi, _record: setattr(dbapi, "isolation_level", None))
        sa.event.listen(engine, "begin", _begin_sqlite(busy_timeout_ms))
    sa.event.listen(engine, "handle_error", as_store_error)
    return engine


def writer(engine: sa.Engine) -> sa.Engine:
    """The same engine for transactions that write: on SQLite they take the write lock when they begin."""
    return engine.execution_options(**{WRITE: True})


def _begin_sqlite(busy_timeout_ms: int):
    """Reads begin a plain (deferred) transaction. Writes begin with BEGIN IMMEDIATE, so a transaction never
    has to upgrade a read lock (which SQLite refuses at once under contention), and they wait for the lock
    here, in short naps: SQLite's own busy handler naps up to 100 ms at a time, which makes the slowest saves
    of a busy floor ten times slower than they need to be."""

    def begin(conn: sa.Connection) -> None:
        if not conn.get_execution_options().get(WRITE):
            conn.exec_driver_sql("BEGIN")
            return
        dbapi = conn.connection.driver_connection
        started = time.monotonic()
        dbapi.execute("PRAGMA busy_timeout=0")
        try:
            while True:
                try:
                    dbapi.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as busy:
                    if "locked" not in str(busy) and "busy" not in str(busy):
                        raise
                    waited = time.monotonic() - started
                    if waited > busy_timeout_ms / 1000:
                        raise StoreFailure("the database is busy: another process held it too long") from busy
                # The longer a writer has waited, the more often it tries: roughly first come, first served.
                time.sleep(random.uniform(0.5, 1.5) * max(NAP_SHORTEST, NAP_LONGEST - waited / 10))
        finally:
            dbapi.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")

    return begin


def insert_for_dialect(dialect: str, table: sa.Table):
    """INSERT with the dialect's ON CONFLICT clauses (both backends have them)."""
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)


def insert_for(conn: sa.Connection, table: sa.Table):
    return insert_for_dialect(conn.dialect.name, table)


@lru_cache(maxsize=64)
def _upsert_statement(dialect: str, table: sa.Table, keys: tuple[str, ...], given: tuple[str, ...]):
    statement = insert_for_dialect(dialect, table)
    changed = {name: statement.excluded[name] for name in given if name not in keys}
    return statement.on_conflict_do_update(index_elements=list(keys), set_=changed)


def upsert(conn: sa.Connection, table: sa.Table, keys: list[str], rows: list[dict] | dict) -> None:
    """Insert, or replace the non-key columns the rows give of the row with the same `keys` (columns the rows
    do not name keep their value): one statement (built once)."""
    first = rows if isinstance(rows, dict) else rows[0]
    conn.execute(_upsert_statement(conn.dialect.name, table, tuple(keys), tuple(first)), rows)


def local_bucket(column, bounds: Sequence[datetime], before: int | None = None):
    """The index n of the interval bounds[n] <= column < bounds[n + 1] an instant falls in (`before` when it is
    earlier than bounds[0], NULL when it is not earlier than the last bound). The bounds are local midnights
    (clock.at_local) as instants: SQL's date() would give the day in UTC or in the server's zone instead."""
    earlier = sa.null() if before is None else before
    return sa.case(
        (column < bounds[0], earlier), *[(column < bound, n) for n, bound in enumerate(bounds[1:])], else_=sa.null()
    )
