"""The audit trail: who changed what, when. Never comment text or names of children."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import sqlite_utils
from pydantic import BaseModel, ConfigDict

from dialogs.ports import Clock


class AuditEntry(BaseModel):
    """One change, as recorded."""

    model_config = ConfigDict(frozen=True)

    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str | None
    details: dict[str, Any]


def stamp(clock: Clock) -> str:
    """The clock's "now" as stored: ISO 8601 in UTC."""
    return clock.now().astimezone(UTC).isoformat(timespec="microseconds")


def local_day(stamped: str, clock: Clock) -> date:
    """The day a stored time fell on where the deadlines are counted (not the day in UTC: an
    answer at 00:30 in London in summer is stamped 23:30 the day before)."""
    return datetime.fromisoformat(stamped).astimezone(clock.zone).date()


class AuditLog:
    """Append-only record of changes; written inside the change's own transaction."""

    def __init__(self, db: sqlite_utils.Database, *, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def record(
        self, actor: str, action: str, entity: str, entity_id: object = None, **details: Any
    ) -> None:
        """Append one entry (the caller's transaction makes it atomic with the change)."""
        self._db.execute(
            "INSERT INTO audit (at, actor, action, entity, entity_id, details) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                stamp(self._clock),
                actor,
                action,
                entity,
                None if entity_id is None else str(entity_id),
                json.dumps(details, default=str, sort_keys=True),
            ],
        )

    def entries(self, *, entity: str | None = None, limit: int = 100) -> list[AuditEntry]:
        """The newest entries first, optionally for one kind of entity."""
        where, params = ("WHERE entity = ?", [entity]) if entity else ("", [])
        rows = self._db.execute(
            f"SELECT at, actor, action, entity, entity_id, details FROM audit {where} "
            "ORDER BY id DESC LIMIT ?",
            [*params, limit],
        ).fetchall()
        return [
            AuditEntry(
                at=row[0],
                actor=row[1],
                action=row[2],
                entity=row[3],
                entity_id=row[4],
                details=json.loads(row[5]),
            )
            for row in rows
        ]
