"""Helpers every dialog uses to read a turn and to reply with a card."""

from __future__ import annotations

import copy
from typing import Any

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.schema import Activity, Attachment

from dialogs.cards.elements import ACTION_KEY, ADAPTIVE_CARD, Element


class CardAttachment(Attachment):
    """An Adaptive Card attachment. Each card is built for one message and not changed after,
    so the copies the framework makes of every activity it sends share the card instead of
    copying it node by node."""

    def __deepcopy__(self, memo: dict[int, Any]) -> CardAttachment:
        return copy.copy(self)


def card_activity(content: Element) -> Activity:
    """A message carrying one Adaptive Card."""
    return MessageFactory.attachment(CardAttachment(content_type=ADAPTIVE_CARD, content=content))


async def update_card(context: TurnContext, content: Element) -> None:
    """Replace the card that this submission came from, when the channel says which it was."""
    if context.activity.reply_to_id:
        updated = card_activity(content)
        updated.id = context.activity.reply_to_id
        await context.update_activity(updated)


def person_of(context: TurnContext) -> str | None:
    """The Entra ID object id of whoever sent this activity."""
    sender = context.activity.from_property
    object_id = getattr(sender, "aad_object_id", None) if sender else None
    return object_id.lower() if object_id else None


def submitted_value(context: TurnContext) -> dict[str, Any] | None:
    """A card submission's data, or ``None`` for a typed message."""
    value = context.activity.value
    return value if isinstance(value, dict) and ACTION_KEY in value else None


def is_personal(context: TurnContext) -> bool:
    """True in a one-to-one chat with the bot."""
    conversation = context.activity.conversation
    kind = getattr(conversation, "conversation_type", None) if conversation else None
    return kind in (None, "personal")


def conversation_key(context: TurnContext) -> str:
    """The conversation as subscriptions know it: a channel without its thread's message id."""
    conversation = context.activity.conversation
    return str(conversation.id).split(";")[0] if conversation is not None else ""
