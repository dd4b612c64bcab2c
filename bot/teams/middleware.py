"""Turn middleware: logging (what kind of activity, where, how long; never its text) and each
person's limits on how fast they may ask, counted in the database so that they hold across
instances (``bot.storage.rate_counts``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Literal

from botbuilder.core import Middleware, TurnContext
from botbuilder.schema import ActivityTypes

from bot.signals import Signals
from bot.storage.store import Store
from dialogs import messages
from dialogs.cards.elements import ACTION_KEY

log = logging.getLogger("bot.turns")

TURNS_PER_PERSON = ((10, 40), (60, 120))
"""Messages and clicks one person may send: 40 in 10 seconds, 120 a minute (a person answering
as fast as they can read manages a few a minute; anything faster is a script). Each window is
fixed on the clock (10:00:00 to 10:00:10, ...), the same on every instance."""
EXPORTS_PER_PERSON = ((3600, 20),)
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
    """Refuses a person's turns beyond :data:`TURNS_PER_PERSON`, and their exports beyond
    :data:`EXPORTS_PER_PERSON`; the turn is not run. Every turn is counted, refused or not, in
    the database (so the limits hold whichever instance a turn reaches); the person is told once
    in each window they go over (the turn that takes a count just past its limit), so a flood
    gets one answer, not one each."""

    def __init__(self, store: Store, *, now: Callable[[], float] | None = None) -> None:
        self._store = store
        self._now = now or (lambda: store.clock.now().timestamp())

    async def on_turn(self, context: TurnContext, logic: Callable[[], Awaitable[None]]) -> None:
        activity = context.activity
        sender = activity.from_property
        person = str(getattr(sender, "aad_object_id", None) or getattr(sender, "id", "") or "")
        if activity.type != ActivityTypes.message or not person:
            await logic()
            return
        value = activity.value if isinstance(activity.value, dict) else {}
        windows: tuple[tuple[int, int], ...] = TURNS_PER_PERSON
        kind = "turns"
        if value.get(ACTION_KEY) in EXPORT_ACTIONS:
            kind, windows = "exports", EXPORTS_PER_PERSON
        at = self._now()
        counts = await self._store.run(lambda r: r.rate_counts.count(person, kind, windows, at=at))
        decided = verdict(counts)
        if decided == "run":
            await logic()
            return
        log.warning("a person went over their %s limit", kind)
        if decided == "refuse and tell":
            await context.send_activity(
                messages.TOO_FAST if kind == "turns" else messages.TOO_MANY_EXPORTS
            )


def verdict(counts: list[tuple[int, int]]) -> Literal["run", "refuse and tell", "refuse"]:
    """What to do with a turn, given each window's count (this turn included) and limit: run it
    while every count is within its limit; else refuse it, telling the person only when a count
    has just gone one past its limit (the first refusal in that window)."""
    over = [(count, limit) for count, limit in counts if count > limit]
    if not over:
        return "run"
    return "refuse and tell" if any(count == limit + 1 for count, limit in over) else "refuse"
