"""Turn logging as botbuilder middleware: what kind of activity, where, how long. Never its text."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from botbuilder.core import Middleware, TurnContext

log = logging.getLogger("bot.turns")


class TurnLogging(Middleware):
    """Logs one line per turn without personal data."""

    async def on_turn(self, context: TurnContext, logic: Callable[[], Awaitable[None]]) -> None:
        started = time.perf_counter()
        activity = context.activity
        conversation = getattr(activity.conversation, "conversation_type", None) or "personal"
        kind = "card" if activity.value is not None else activity.type
        try:
            await logic()
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            log.info("%s in %s chat, %.1f ms", kind, conversation, elapsed)
