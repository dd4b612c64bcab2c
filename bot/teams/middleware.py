"""Turn middleware: logging (what kind of activity, where, how long; never its text) and each
person's limits on how fast they may ask."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from botbuilder.core import Middleware, TurnContext
from botbuilder.schema import ActivityTypes

from bot.rate_limits import RateLimiter
from bot.signals import Signals
from dialogs import messages
from dialogs.cards.elements import ACTION_KEY

log = logging.getLogger("bot.turns")

TURNS_PER_PERSON = ((10.0, 40), (60.0, 120))
"""Messages and clicks one person may send: 40 in 10 seconds, 120 a minute (a person answering
as fast as they can read manages a few a minute; anything faster is a script)."""
EXPORTS_PER_PERSON = ((3600.0, 20),)
"""Exports one person may ask for in an hour (each is a file of case references)."""
EXPORT_ACTIONS = frozenset({"summary_export", "assessment_export"})


_KINDS = frozenset(str(kind.value) for kind in ActivityTypes)
_PLACES = frozenset({"personal", "channel", "groupChat"})


class TurnLogging(Middleware):
    """Logs one line per turn without personal data: the activity's kind and its conversation's,
    each one of the names Bot Framework and Teams use or "other" (never the sender's text); and
    counts it, with how long it took, in ``signals``."""

    def __init__(self, signals: Signals | None = None) -> None:
        self._signals = signals or Signals()

    async def on_turn(self, context: TurnContext, logic: Callable[[], Awaitable[None]]) -> None:
        started = time.perf_counter()
        activity = context.activity
        conversation = getattr(activity.conversation, "conversation_type", None) or "personal"
        conversation = conversation if conversation in _PLACES else "other"
        kind = "card" if activity.value is not None else activity.type
        kind = kind if kind == "card" or kind in _KINDS else "other"
        try:
            await logic()
        finally:
            elapsed = time.perf_counter() - started
            self._signals.turn(kind, conversation, elapsed)
            log.info("%s in %s chat, %.1f ms", kind, conversation, elapsed * 1000)


class TurnLimits(Middleware):
    """Refuses, politely and once, a person's turns beyond :data:`TURNS_PER_PERSON`, and their
    exports beyond :data:`EXPORTS_PER_PERSON`; the turn is not run."""

    def __init__(self, *, now: Callable[[], float] = time.monotonic) -> None:
        self._turns = RateLimiter(TURNS_PER_PERSON, now=now)
        self._exports = RateLimiter(EXPORTS_PER_PERSON, now=now)
        self._told: set[tuple[str, str]] = set()

    async def on_turn(self, context: TurnContext, logic: Callable[[], Awaitable[None]]) -> None:
        activity = context.activity
        sender = activity.from_property
        person = str(getattr(sender, "aad_object_id", None) or getattr(sender, "id", "") or "")
        if activity.type != ActivityTypes.message or not person:
            await logic()
            return
        value = activity.value if isinstance(activity.value, dict) else {}
        kind, limiter = "turns", self._turns
        if value.get(ACTION_KEY) in EXPORT_ACTIONS:
            kind, limiter = "exports", self._exports
        if limiter.delay(person) > 0:
            await self._refuse(context, person, kind)
            return
        self._told.discard((person, kind))
        limiter.record(person)
        await logic()

    async def _refuse(self, context: TurnContext, person: str, kind: str) -> None:
        log.warning("a person went over their %s limit", kind)
        if (person, kind) in self._told:
            return  # said once already: a flood gets one answer, not one each
        self._told.add((person, kind))
        await context.send_activity(
            messages.TOO_FAST if kind == "turns" else messages.TOO_MANY_EXPORTS
        )
