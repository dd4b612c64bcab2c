"""Conversations the bot can post into, and which services' nudges each channel subscribes to."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils
from pydantic import BaseModel, ConfigDict

from bot.storage.audit import AuditLog, stamp
from bot.storage.dialect import dialect_of
from dialogs.ports import Clock


class Subscription(BaseModel):
    """A channel bound to one service's nudges (``service_id`` ``None``: every service)."""

    model_config = ConfigDict(frozen=True)

    id: int
    conversation_id: str
    channel_name: str | None
    service_id: int | None
    service_name: str | None
    reference: dict[str, Any]
    paused_until: str | None
    weekday: int | None = None
    paused_reason: str | None = None


class ChannelRepository:
    """Conversation references as the bot learns them, and the subscriptions on them."""

    def __init__(self, db: sqlite_utils.Database, audit: AuditLog, *, clock: Clock) -> None:
        self._db = db
        self._dialect = dialect_of(db)
        self._audit = audit
        self._clock = clock

    def remember(
        self,
        conversation_id: str,
        *,
        kind: str,
        team_id: str | None,
        name: str | None,
        reference: dict[str, Any],
    ) -> None:
        """Keep (or refresh) how to reach a conversation."""
        self._db.execute(
            "INSERT INTO conversations (id, kind, team_id, name, reference, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, "
            "team_id = coalesce(excluded.team_id, conversations.team_id), "
            "name = coalesce(excluded.name, conversations.name), "
            "reference = excluded.reference, updated_at = excluded.updated_at",
            [conversation_id, kind, team_id, name, json.dumps(reference), stamp(self._clock)],
        )

    def forget_team(self, team_id: str, *, actor: str) -> int:
        """The bot was removed from a team: its channels and their subscriptions go."""
        with self._db.atomic():
            removed = self._db.execute(
                "DELETE FROM conversations WHERE team_id = ?", [team_id]
            ).rowcount
            if removed:
                self._audit.record(
                    actor, "bot removed from team", "team", team_id, channels=removed
                )
        return int(removed)

    def subscribe(self, conversation_id: str, service_id: int | None, *, actor: str) -> bool:
        """Bind the channel to a service (``None``: all); ``False`` when it already was."""
        with self._db.atomic():
            added = self._db.execute(
                "INSERT INTO subscriptions (conversation_id, service_id, created_by, "
                "created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [conversation_id, service_id, actor, stamp(self._clock)],
            ).rowcount
            if added:
                self._audit.record(
                    actor, "subscribed", "conversation", conversation_id, service_id=service_id
                )
        return bool(added)

    def unsubscribe(self, conversation_id: str, service_id: int | None, *, actor: str) -> bool:
        """Unbind; ``False`` when the channel was not subscribed to it."""
        with self._db.atomic():
            removed = self._db.execute(
                "DELETE FROM subscriptions "
                "WHERE conversation_id = ? AND coalesce(service_id, 0) = ?",
                [conversation_id, service_id or 0],
            ).rowcount
            if removed:
                self._audit.record(
                    actor, "unsubscribed", "conversation", conversation_id, service_id=service_id
                )
        return bool(removed)

    def personal_reference(self, object_id: str) -> dict[str, Any] | None:
        """The reference of this person's personal chat with the bot, if they have used it."""
        row = self._db.execute(
            "SELECT reference FROM conversations WHERE kind = 'personal' AND "
            f"lower({self._dialect.json_text('reference', 'user', 'aadObjectId')}) = ? "
            "ORDER BY updated_at DESC LIMIT 1",
            [object_id.lower()],
        ).fetchone()
        return json.loads(row[0]) if row else None

    def set_cadence(self, conversation_id: str, *, weekday: int | None, actor: str) -> None:
        """Daily nudges (``weekday`` ``None``), or weekly on ``weekday`` (0 Monday .. 4 Friday)."""
        with self._db.atomic():
            self._db.execute(
                "UPDATE subscriptions SET cadence = ?, weekday = ? WHERE conversation_id = ?",
                ["daily" if weekday is None else "weekly", weekday, conversation_id],
            )
            self._audit.record(
                actor, "cadence set", "conversation", conversation_id, weekday=weekday
            )

    def pause_until(
        self,
        conversation_id: str,
        until: str | None,
        *,
        actor: str,
        reason: str = "paused by the channel",
    ) -> None:
        """Pause until a day (ISO date), or resume (``None``)."""
        with self._db.atomic():
            self._db.execute(
                "UPDATE subscriptions SET paused_until = ?, paused_reason = ? "
                "WHERE conversation_id = ?",
                [until, reason if until else None, conversation_id],
            )
            self._audit.record(
                actor,
                "paused" if until else "resumed",
                "conversation",
                conversation_id,
                until=until,
            )

    def subscriptions(self, conversation_id: str | None = None) -> list[Subscription]:
        """Every subscription, or one channel's."""
        where, params = (
            ("WHERE s.conversation_id = ?", [conversation_id]) if conversation_id else ("", [])
        )
        rows = self._db.execute(
            "SELECT s.id, s.conversation_id, c.name, s.service_id, v.name, c.reference, "
            "s.paused_until, s.weekday, s.paused_reason FROM subscriptions s "
            "JOIN conversations c ON c.id = s.conversation_id "
            f"LEFT JOIN services v ON v.id = s.service_id {where} "
            f"ORDER BY c.name NULLS FIRST, {self._dialect.nocase('v.name')} NULLS FIRST",
            params,
        ).fetchall()
        return [
            Subscription(
                id=r[0],
                conversation_id=r[1],
                channel_name=r[2],
                service_id=r[3],
                service_name=r[4],
                reference=json.loads(r[5]),
                paused_until=r[6],
                weekday=r[7],
                paused_reason=r[8],
            )
            for r in rows
        ]
