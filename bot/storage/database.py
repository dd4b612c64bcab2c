"""The database: a SQLite file by default, or a PostgreSQL database named by a URL.

``EHCP_DB`` (or ``--db``) is a path, or nothing, for SQLite (one file, one owning thread, WAL,
foreign keys and a busy timeout), or a ``postgresql://`` URL for PostgreSQL
(``bot.storage.postgres``). Either way callers see the same surface: ``call`` from synchronous
code (the command line) and ``run`` from the event loop, which never blocks on the database;
the work is handed a connection with ``execute(sql, params)`` and ``atomic()``, and the
database says which ``dialect`` it speaks (``bot.storage.dialect``).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import sqlite_utils

from bot.private_files import create_private, private_folder
from bot.storage.dialect import SQLITE, Dialect
from bot.storage.migrations import apply_migrations
from bot.storage.url import PostgresUrl, is_postgres_url

if TYPE_CHECKING:
    from bot.storage.postgres import PostgresDatabase

T = TypeVar("T")

DEFAULT_PATH = Path("data") / "ehcp.db"
BUSY_TIMEOUT_MS = 5000


def database_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--db`` if given, else ``EHCP_DB``, else ``data/ehcp.db`` under the working directory."""
    chosen = explicit or os.environ.get("EHCP_DB") or DEFAULT_PATH
    return Path(chosen).expanduser().absolute()


DatabaseTarget = Path | PostgresUrl


def database_target(explicit: str | os.PathLike[str] | PostgresUrl | None = None) -> DatabaseTarget:
    """As :func:`database_path`, but a ``postgresql://`` URL names a PostgreSQL database."""
    if isinstance(explicit, PostgresUrl):
        return explicit
    chosen = explicit or os.environ.get("EHCP_DB") or DEFAULT_PATH
    if isinstance(chosen, str) and is_postgres_url(chosen):
        return PostgresUrl(chosen)
    return database_path(chosen)


class OpenDatabase(Protocol):
    """What the store and the bot framework's storage need of either database."""

    @property
    def dialect(self) -> Dialect: ...

    @property
    def label(self) -> str:
        """A short name, nothing secret: the file's name, or the PostgreSQL database's."""

    @property
    def where(self) -> str:
        """Where it is, for a person: the file's path, or the URL with its password masked."""

    @property
    def errors(self) -> tuple[type[BaseException], ...]: ...

    def call(self, work: Callable[[Any], T]) -> T: ...

    async def run(self, work: Callable[[Any], T]) -> T: ...

    def close(self) -> None: ...


def open_database(target: DatabaseTarget) -> Database | PostgresDatabase:
    """The SQLite file at a path, or the PostgreSQL database at a URL; opened and migrated."""
    if isinstance(target, PostgresUrl):
        from bot.storage.postgres import PostgresDatabase  # noqa: PLC0415 (psycopg only for it)

        return PostgresDatabase(target)
    return Database(target)


class Database:
    """An open SQLite file, migrated to the current schema, with its owning thread."""

    dialect = SQLITE
    errors: tuple[type[BaseException], ...] = (sqlite3.Error,)

    def __init__(self, path: Path) -> None:
        self.path = path
        self.label = path.name
        self.where = str(path)
        self._closed = False
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")
        self._thread_id = self._executor.submit(threading.get_ident).result()
        try:
            self._db = self._executor.submit(_open, path).result()
        except BaseException:
            self._executor.shutdown(wait=False)
            raise

    def call(self, work: Callable[[sqlite_utils.Database], T]) -> T:
        """Run ``work`` on the owning thread and wait for its result (synchronous callers)."""
        if threading.get_ident() == self._thread_id:
            return work(self._db)
        return self._executor.submit(work, self._db).result()

    async def run(self, work: Callable[[sqlite_utils.Database], T]) -> T:
        """Run ``work`` on the owning thread without blocking the event loop."""
        return await asyncio.wrap_future(self._executor.submit(work, self._db))

    def close(self) -> None:
        """Close the connection and stop the owning thread (a second call does nothing)."""
        if self._closed:
            return
        self._closed = True
        self._executor.submit(self._db.close).result()
        self._executor.shutdown(wait=True)

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _open(path: Path) -> sqlite_utils.Database:
    private_folder(path.parent)
    create_private(path)  # its -wal and -shm files take the same mode from SQLite
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    db = sqlite_utils.Database(conn)
    try:
        with db.ensure_autocommit_on():
            db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA synchronous=NORMAL")
        apply_migrations(db, source=str(path))
    except BaseException:
        conn.close()
        raise
    return db
