"""Where the bot can post: conversation references kept as the bot learns them (DESIGN.md §4)."""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ActivityTypes

from bot.storage.store import Store

log = logging.getLogger(__name__)


def _channel_data(activity: Activity) -> dict[str, Any]:
    data = activity.channel_data
    return data if isinstance(data, dict) else {}


class ChannelDirectory:
    """Remembers each conversation's reference, and forgets a team the bot is removed from."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._known: dict[str, tuple[str | None, ...]] = {}

    async def note(self, context: TurnContext) -> None:
        """Keep how to reach this conversation; forget a team when the bot leaves it."""
        activity = context.activity
        if activity.conversation is None or activity.service_url is None:
            return
        team_id = (_channel_data(activity).get("team") or {}).get("id")
        if team_id and _bot_removed(activity):
            self._known.clear()
            removed = await self._store.run(
                lambda r: r.channels.forget_team(team_id, actor="teams")
            )
            log.info("removed from a team: forgot %d channel(s)", removed)
            return
        await self._remember(activity, team_id)

    async def _remember(self, activity: Activity, team_id: str | None) -> None:
        kind = activity.conversation.conversation_type or "personal"
        if kind not in ("personal", "channel", "groupChat"):
            return
        key = str(activity.conversation.id).split(";")[0]
        name = (_channel_data(activity).get("channel") or {}).get("name")
        bot = activity.recipient.id if activity.recipient else None
        fingerprint = (kind, team_id, name, activity.service_url, bot, activity.channel_id)
        if self._known.get(key) == fingerprint:
            return  # already kept, unchanged: most turns
        reference = TurnContext.get_conversation_reference(activity)
        reference.conversation.id = key
        reference.activity_id = None
        serialised = reference.serialize()
        await self._store.run(
            lambda r: r.channels.remember(
                key, kind=kind, team_id=team_id, name=name, reference=serialised
            )
        )
        self._known[key] = fingerprint


def _bot_removed(activity: Activity) -> bool:
    if activity.type == ActivityTypes.installation_update:
        return str(activity.action or "").startswith("remove")
    if activity.type == ActivityTypes.conversation_update:
        event = _channel_data(activity).get("eventType")
        bot = activity.recipient.id if activity.recipient else None
        gone = any(member.id == bot for member in activity.members_removed or [])
        return event == "teamDeleted" or gone
    return False
