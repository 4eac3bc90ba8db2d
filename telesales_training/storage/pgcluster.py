"""A throwaway PostgreSQL cluster (`telesales hub-demo`, the tests, bench/): Debian's `initdb` + `pg_ctl` into a
temporary folder, listening only on a Unix socket inside it (no TCP port at all). As root the server runs as
the `postgres` user (initdb refuses root).

Without a password every local connection is trusted (the tests of one process). With `password`, every
role — the superuser included — logs in with a SCRAM password, and the socket folder is open to other OS
users: the team demo, where each trainee's server runs as its own OS user and holds only its own password."""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa

ADMIN_DB = "postgres"
CLUSTER_DATABASES = ("postgres", "template1")  # what initdb makes that anyone may connect to (template0 may not)


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def server_binaries() -> Path:
    """The folder holding initdb and pg_ctl (Debian keeps them in /usr/lib/postgresql/VERSION/bin)."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    if versions:
        return Path(versions[-1]).parent
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql "
        "(.ci/system-deps does this when run as root)"
    )


class Cluster:
    """`with Cluster() as pg:` starts a server; `pg.url(name)` is a SQLAlchemy URL for one database."""

    def __init__(self, password: str | None = None, durable: bool = False):
        self.bin = server_binaries()
        self.password = password
        self.durable = durable  # fsync and synchronous commits on (bench figures), off for the tests
        self.folder = Path(tempfile.mkdtemp(prefix="telesales-pg-"))
        self.data = self.folder / "data"
        self.port = 5432  # only names the socket file: nothing listens on TCP
        self._as_postgres = os.geteuid() == 0
        self._admin: sa.Engine | None = None

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self._as_postgres else []
        done = subprocess.run([*prefix, *command], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")

    def start(self) -> Cluster:
        if self._as_postgres:
            shutil.chown(self.folder, "postgres", "postgres")
        auth = ["--auth=trust"]
        if self.password is not None:
            self.folder.chmod(0o755)  # others reach the socket; the data folder inside stays the server's alone
            secret = self.folder / f"pw-{secrets.token_hex(4)}"
            secret.write_text(self.password + "\n")
            if self._as_postgres:
                shutil.chown(secret, "postgres", "postgres")
            auth = ["--auth=scram-sha-256", f"--pwfile={secret}"]
        try:
            self._run(
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                *auth,
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            )
        finally:
            if self.password is not None:
                secret.unlink()
        # Durability is not what the tests are about: no fsync makes CREATE DATABASE and commits cheap.
        options = (
            f"-c listen_addresses='' -c unix_socket_directories='{self.folder}' -c port={self.port} "
            "-c max_connections=300"
        )
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.folder / "server.log"),
            "-w",
            "start",
        )
        self._admin = sa.create_engine(self.url(ADMIN_DB), isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
        if self.password is not None:
            # A shared server's rule (README, team mode): the cluster's own databases are the superuser's, and
            # every store grants CONNECT to its own roles only (access.py), so no store's role reaches another.
            with self._admin.connect() as conn:
                conn.exec_driver_sql(f"REVOKE ALL ON DATABASE {', '.join(CLUSTER_DATABASES)} FROM PUBLIC")
        return self

    def url(self, database: str, role: str = "postgres", password: str | None = None) -> str:
        """A SQLAlchemy URL for `database` as `role` (the superuser, with the cluster's password, by default)."""
        password = self.password if password is None and role == "postgres" else password
        credentials = role + (f":{quote(password, safe='')}" if password else "")
        return f"postgresql+psycopg://{credentials}@/{database}?host={self.folder}&port={self.port}"

    def create_database(self, name: str, template: str | None = None) -> str:
        with self._admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
            if self.password is not None:
                conn.exec_driver_sql(f'REVOKE ALL ON DATABASE "{name}" FROM PUBLIC')
        return self.url(name)

    def empty(self, database: str, tables: list[str]) -> None:
        """Every row of `tables` gone and their id sequences back at 1; the schema stays."""
        engine = sa.create_engine(self.url(database), poolclass=sa.NullPool)
        with engine.begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        engine.dispose()

    def drop_database(self, name: str) -> None:
        with self._admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self._admin is not None:
            self._admin.dispose()
        if (self.data / "postmaster.pid").exists():
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
