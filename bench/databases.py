"""Fresh copies of a migrated database and of a loaded snapshot, on SQLite and PostgreSQL.

SQLite copies the database file (after a checkpoint, so the WAL is empty); PostgreSQL creates
each database from a template database with CREATE DATABASE ... TEMPLATE.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Protocol

PG_ADMIN_URL = "postgres://elo:elo@127.0.0.1:5432/postgres"
PG_PREFIX = "elo_bench_"


class Database(Protocol):
    kind: str

    def url(self, name: str) -> str: ...
    def create(self, name: str) -> None: ...
    def drop(self, name: str) -> None: ...
    def copy(self, source: str, target: str) -> None: ...
    def settle(self, name: str) -> None: ...
    def version(self) -> str: ...


class SqliteDatabase:
    """Databases are files `<name>.sqlite3` in one folder."""

    kind = "sqlite"

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        self.folder.mkdir(parents=True, exist_ok=True)

    def path(self, name: str) -> Path:
        return self.folder / f"{name}.sqlite3"

    def url(self, name: str) -> str:
        return f"sqlite:///{self.path(name)}"

    def drop(self, name: str) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path(name)}{suffix}").unlink(missing_ok=True)

    def create(self, name: str) -> None:
        """An empty database; `migrate` creates the file."""
        self.drop(name)

    def settle(self, name: str) -> None:
        """Moves everything from the WAL into the main file, so the file alone is the database."""
        with sqlite3.connect(self.path(name)) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()

    def copy(self, source: str, target: str) -> None:
        self.settle(source)
        self.drop(target)
        shutil.copyfile(self.path(source), self.path(target))

    def version(self) -> str:
        return f"SQLite {sqlite3.sqlite_version} (Python's sqlite3 module)"


class PostgresDatabase:
    """Databases on the local PostgreSQL, reached over TCP as the role elo."""

    kind = "postgres"

    def __init__(self, admin_url: str = PG_ADMIN_URL) -> None:
        self.admin_url = admin_url
        self.base = admin_url.rsplit("/", 1)[0]

    def _execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(sql.encode())

    def url(self, name: str) -> str:
        return f"{self.base}/{PG_PREFIX}{name}"

    def drop(self, name: str) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{PG_PREFIX}{name}" WITH (FORCE)')

    def create(self, name: str) -> None:
        self.drop(name)
        self._execute(f'CREATE DATABASE "{PG_PREFIX}{name}"')

    def settle(self, name: str) -> None:
        return None

    def copy(self, source: str, target: str) -> None:
        self.drop(target)
        self._execute(f'CREATE DATABASE "{PG_PREFIX}{target}" TEMPLATE "{PG_PREFIX}{source}"')

    def version(self) -> str:
        import psycopg

        with psycopg.connect(self.admin_url) as connection:
            row = connection.execute("SELECT version()").fetchone()
            buffers = connection.execute("SHOW shared_buffers").fetchone()
            limit = connection.execute("SHOW max_connections").fetchone()
        version = row[0].split(" on ")[0] if row else "PostgreSQL ?"
        return (
            f"{version} (shared_buffers={buffers[0] if buffers else '?'}, "
            f"max_connections={limit[0] if limit else '?'}), TCP 127.0.0.1, role elo"
        )


def database(kind: str, folder: Path) -> Database:
    if kind == "sqlite":
        return SqliteDatabase(folder / "sqlite")
    return PostgresDatabase()
