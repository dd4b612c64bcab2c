"""The SQLite database: one file, one owning thread, WAL, foreign keys and a busy timeout.

Every query runs on the database's own thread: ``call`` from synchronous code (the command line)
and ``run`` from the event loop, which never blocks on SQLite.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import sqlite_utils

from bot.private_files import create_private, private_folder
from bot.storage.migrations import apply_migrations

T = TypeVar("T")

DEFAULT_PATH = Path("data") / "ehcp.db"
BUSY_TIMEOUT_MS = 5000


def database_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--db`` if given, else ``EHCP_DB``, else ``data/ehcp.db`` under the working directory."""
    chosen = explicit or os.environ.get("EHCP_DB") or DEFAULT_PATH
    return Path(chosen).expanduser().absolute()


class Database:
    """An open SQLite file, migrated to the current schema, with its owning thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
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
