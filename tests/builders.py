"""Teams activities as Teams sends them (the JSON the bot receives on /api/messages)."""

from __future__ import annotations

import itertools
import os
from typing import Any

from bot.config import Settings

SAM = "3f2b1c4e-8a9d-4e7f-9b1a-2c3d4e5f6a7b"
ALEX = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
BOT_ID = "28:11111111-2222-4333-8444-555555555555"
BOT_NAME = "EHCP assistant"
_ids = itertools.count(1)
FIXES = os.environ.get("EHCP_FRAMEWORK_FIXES", "on").strip().lower() != "off"
"""Whether this run of the suite has the framework fixes on (CI runs it both ways)."""


def settings(**overrides: Any) -> Settings:
    """Settings as a test needs them, with the framework fixes as this run has them."""
    return Settings.model_validate({"framework_fixes": FIXES, **overrides})


def _base(service_url: str, conversation: dict[str, Any], user: str) -> dict[str, Any]:
    return {
        "id": f"1:{next(_ids)}",
        "timestamp": "2026-11-23T09:15:00.000Z",
        "localTimestamp": "2026-11-23T09:15:00.000+00:00",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": f"29:1{user[:8]}", "name": "Sam Patel", "aadObjectId": user},
        "conversation": conversation,
        "recipient": {"id": BOT_ID, "name": BOT_NAME},
        "locale": "en-GB",
        "channelData": {"tenant": {"id": TENANT}},
    }


def personal(user: str = SAM) -> dict[str, Any]:
    """A one-to-one conversation with the bot."""
    return {"conversationType": "personal", "tenantId": TENANT, "id": f"a:1personal-{user[:8]}"}


def channel() -> dict[str, Any]:
    """A Teams channel conversation."""
    return {
        "isGroup": True,
        "conversationType": "channel",
        "tenantId": TENANT,
        "id": "19:abc123@thread.tacv2;messageid=1700000000000",
    }


def message(
    text: str, service_url: str, *, user: str = SAM, tenant: str = TENANT
) -> dict[str, Any]:
    """A message typed in a personal chat."""
    activity = _base(service_url, personal(user), user)
    activity["channelData"]["tenant"]["id"] = tenant
    return activity | {
        "type": "message",
        "text": text,
        "textFormat": "plain",
        "entities": [
            {
                "type": "clientInfo",
                "locale": "en-GB",
                "country": "GB",
                "platform": "Web",
                "timezone": "Europe/London",
            }
        ],
    }


def channel_message(text: str, service_url: str, *, mention: bool = True) -> dict[str, Any]:
    """A message in a channel; Teams puts the bot's mention in the text and in entities."""
    activity = _base(service_url, channel(), SAM)
    activity["channelData"] |= {
        "teamsChannelId": "19:abc123@thread.tacv2",
        "teamsTeamId": "19:team@thread.tacv2",
        "channel": {"id": "19:abc123@thread.tacv2"},
        "team": {"id": "19:team@thread.tacv2"},
    }
    at = f"<at>{BOT_NAME}</at>"
    entities = [{"type": "mention", "text": at, "mentioned": {"id": BOT_ID, "name": BOT_NAME}}]
    return activity | {
        "type": "message",
        "textFormat": "plain",
        "text": f"{at} {text}" if mention else text,
        "entities": entities if mention else [],
    }


def submission(
    value: dict[str, Any], reply_to_id: str, service_url: str, *, user: str = SAM
) -> dict[str, Any]:
    """An Action.Submit click: a message with no text, the card's data as value."""
    activity = _base(service_url, personal(user), user)
    return activity | {"type": "message", "value": value, "replyToId": reply_to_id}


def installation(service_url: str, action: str = "add") -> dict[str, Any]:
    """The bot installed in (or removed from) a personal scope."""
    return _base(service_url, personal(), SAM) | {"type": "installationUpdate", "action": action}


def bot_added(service_url: str) -> dict[str, Any]:
    """The conversationUpdate Teams sends when the bot joins a personal chat."""
    activity = _base(service_url, personal(), SAM)
    activity["channelData"]["eventType"] = "teamMemberAdded"
    return activity | {"type": "conversationUpdate", "membersAdded": [{"id": BOT_ID}]}


def team_removal(service_url: str) -> dict[str, Any]:
    """The bot uninstalled from a team (sent in the team's General channel)."""
    activity = channel_message("", service_url)
    for key in ("text", "textFormat", "entities"):
        activity.pop(key, None)
    return activity | {"type": "installationUpdate", "action": "remove"}
