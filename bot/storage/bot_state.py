"""The bot framework's state (dialog stacks, conversation and user state) in the same database.

Implements botbuilder's ``Storage`` with ``e_tag`` optimistic concurrency, as the framework's own
``MemoryStorage`` does in what they share: a write whose e_tag is neither ``*`` nor the stored one
raises ``KeyError``; ``*`` always overwrites; an empty e_tag raises. Unlike ``MemoryStorage``, a
batch of changes is written in one transaction: all or nothing. On PostgreSQL each stored row is
locked as its e_tag is checked, so a second writer of the same key waits, then checks against
what the first wrote (SQLite has one writer at a time).

Where it differs from ``MemoryStorage``, so that two turns of one conversation taken at the same
moment on two instances cannot both be kept (issue 19): one wins, the other raises
:class:`StateConflict` (a ``KeyError``, as the framework expects) and its person is told.

- Every write issues a new e_tag, as the framework's Cosmos DB and Blob storages do (their
  services stamp each write). ``MemoryStorage`` issues one only once the stored item has one,
  so ``ConversationState``, which writes back what it read, would never carry one and a turn
  would silently overwrite a turn taken meanwhile.
- A write without an e_tag (``None``) means "I found nothing": it inserts only if the key is
  still absent, and raises if another writer stored it meanwhile (``MemoryStorage``, and the
  Cosmos DB storage, overwrite: last writer wins). A row stored before this release, without an
  e_tag, is still overwritten (and gets one). A writer that means to overwrite writes ``*``.
Values are written as plain JSON where they are plain (``state_codec``), else with jsonpickle as
botbuilder's own Cosmos DB storage does, so framework objects (``DialogState``) come back as
themselves either way.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from typing import Any

import sqlite_utils
from botbuilder.core import Storage

from bot.storage.audit import stamp
from bot.storage.database import OpenDatabase
from bot.storage.dialect import SQLITE, Dialect
from bot.storage.state_codec import decode, encode
from dialogs.ports import Clock


class StateConflict(KeyError):
    """A write lost to another writer of the same key (its e_tag, or its absence, is stale)."""

    def __init__(self, offered: str | None, stored: str | None) -> None:
        super().__init__(f"Etag conflict.\nOriginal: {offered}\r\nCurrent: {stored}")


class SqliteStorage(Storage):
    """botbuilder ``Storage`` over the ``bot_state`` table (SQLite or PostgreSQL)."""

    def __init__(self, database: OpenDatabase, *, clock: Clock) -> None:
        super().__init__()
        self._database = database
        self._clock = clock

    async def read(self, keys: list[str]) -> dict[str, Any]:
        if not keys:
            return {}
        wanted = list(keys)
        rows = await self._database.run(lambda db: _read_rows(db, wanted))
        return {key: decode(document) for key, document in rows.items()}

    async def write(self, changes: Mapping[str, Any] | None) -> None:
        if changes is None:
            raise Exception("Changes are required when writing")  # as MemoryStorage
        if not changes:
            return
        # A shallow copy is enough: only its e_tag is changed, and it is written (encoded) while
        # this turn waits, so nothing inside it changes meanwhile; the caller's object is left as
        # it was, as MemoryStorage leaves it.
        prepared = {key: copy.copy(value) for key, value in changes.items()}
        for value in prepared.values():
            if _e_tag_of(value) == "":
                raise Exception("SqliteStorage.write(): etag missing")  # as MemoryStorage
        now = stamp(self._clock)
        dialect = self._database.dialect
        await self._database.run(lambda db: _write_rows(db, prepared, now, dialect))

    async def delete(self, keys: list[str]) -> None:
        doomed = list(keys)
        await self._database.run(lambda db: _delete_rows(db, doomed))


def _read_rows(db: sqlite_utils.Database, keys: list[str]) -> dict[str, str]:
    marks = ",".join("?" for _ in keys)
    cursor = db.execute(f"SELECT key, document FROM bot_state WHERE key IN ({marks})", keys)
    return {key: document for key, document in cursor.fetchall()}


def _write_rows(
    db: sqlite_utils.Database, changes: dict[str, Any], now: str, dialect: Dialect
) -> None:
    with db.atomic():
        if dialect == SQLITE:
            # Take SQLite's write lock first (waiting for another connection's, up to the busy
            # timeout), so the e_tags below are read as they are now: a transaction that read
            # first, then found another connection had written since, would fail to write
            # ("database is locked") instead of raising its conflict.
            db.execute("UPDATE bot_state SET e_tag = e_tag WHERE key = ?", [next(iter(changes))])
        for key, value in changes.items():
            row = db.execute(
                f"SELECT e_tag FROM bot_state WHERE key = ?{dialect.row_lock}", [key]
            ).fetchone()
            stored = row[0] if row else None
            offered = _e_tag_of(value)
            if row is not None and offered != "*" and stored is not None and offered != stored:
                raise StateConflict(offered, stored)
            _set_e_tag(value, uuid.uuid4().hex)
            values = [key, _e_tag_of(value), encode(value), now]
            if row is None and offered != "*":
                # absent when looked for: stored by another writer since, it is theirs
                inserted = db.execute(
                    "INSERT INTO bot_state (key, e_tag, document, updated_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
                    values,
                ).rowcount
                if not inserted:
                    raise StateConflict(offered, "(stored by another writer meanwhile)")
                continue
            db.execute(
                "INSERT INTO bot_state (key, e_tag, document, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET e_tag = excluded.e_tag, "
                "document = excluded.document, updated_at = excluded.updated_at",
                values,
            )


def _delete_rows(db: sqlite_utils.Database, keys: list[str]) -> None:
    with db.atomic():
        for key in keys:
            db.execute("DELETE FROM bot_state WHERE key = ?", [key])


def _e_tag_of(value: Any) -> str | None:
    found = value.get("e_tag") if isinstance(value, dict) else getattr(value, "e_tag", None)
    return None if found is None else str(found)


def _set_e_tag(value: Any, e_tag: str) -> None:
    if isinstance(value, dict):
        value["e_tag"] = e_tag
    else:
        value.e_tag = e_tag
