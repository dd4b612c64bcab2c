"""``subscribe``, ``unsubscribe`` and ``subscriptions`` in a team channel (with the bot @mentioned),
and the channel's nudge settings (``nudges weekly on Monday``, ``pause nudges until …``,
``resume nudges``).

Who may (the policy's, ``dialogs.policy``): a SPOC may bind a channel to their own service and
change the nudges of a channel following it; a DCO or an administrator may bind any service, or
every service (``subscribe all``). Subscriptions belong to the channel and the service, not to the
person who made them, so they survive staff changes.
"""

from __future__ import annotations

from datetime import date

from botbuilder.core import TurnContext

from dialogs import messages
from dialogs.commands import Command
from dialogs.messages import inert
from dialogs.policy import decision_of
from dialogs.ports import Clock, SubscriptionStore
from dialogs.turns import conversation_key, person_of
from ehcp_rules import ADVICE_PERIOD, RulesError, parse_day

_ALL = {"all", "all services", "every service", "everything"}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
_CHANNEL_SETTINGS = (Command.CADENCE, Command.PAUSE_NUDGES, Command.RESUME_NUDGES)
LONGEST_PAUSE = ADVICE_PERIOD
"""A channel's nudges may be paused for at most 6 weeks, the time health has to return advice
(reg 8(1)): a longer pause would let a whole request go by unseen."""


class Subscriptions:
    """Handles the channel subscription commands."""

    def __init__(self, store: SubscriptionStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def on_command(self, context: TurnContext, command: Command, argument: str) -> bool:
        """Answer a subscription command; ``False`` when ``command`` is not one."""
        if command in _CHANNEL_SETTINGS:
            await self._settings(context, command, argument)
            return True
        if command not in (Command.SUBSCRIBE, Command.UNSUBSCRIBE, Command.SUBSCRIPTIONS):
            return False
        channel = conversation_key(context)
        if command is Command.SUBSCRIPTIONS:
            await self._list(context, channel)
            return True
        await self._change(
            context, channel, argument.strip(), subscribe=command is Command.SUBSCRIBE
        )
        return True

    async def _settings(self, context: TurnContext, command: Command, argument: str) -> None:
        """A channel's nudge settings (the policy has checked the person may change them)."""
        channel = conversation_key(context)
        actor = person_of(context) or ""
        if command is Command.CADENCE:
            await self._cadence(context, channel, argument, actor)
        elif command is Command.PAUSE_NUDGES:
            await self._pause(context, channel, argument, actor)
        else:
            await self._store.pause_until(channel, None, actor=actor)
            await context.send_activity(messages.NUDGES_RESUMED)

    async def _cadence(self, context: TurnContext, channel: str, argument: str, actor: str) -> None:
        words = argument.lower().replace(" on ", " ").split()
        if words == ["daily"]:
            await self._store.set_cadence(channel, weekday=None, actor=actor)
            await context.send_activity(messages.CADENCE_SET.format(cadence="every working day"))
            return
        day = next(
            (
                d
                for d in _WEEKDAYS
                if len(words) == 2 and words[0] == "weekly" and d.startswith(words[1][:3])
            ),
            None,
        )
        if day is None:
            await context.send_activity(messages.CADENCE_HOW)
            return
        await self._store.set_cadence(channel, weekday=_WEEKDAYS.index(day), actor=actor)
        await context.send_activity(
            messages.CADENCE_SET.format(cadence=f"weekly, on {day.title()}s")
        )

    async def _pause(self, context: TurnContext, channel: str, argument: str, actor: str) -> None:
        """Pause until a day after today and no further than :data:`LONGEST_PAUSE` ahead."""
        today = self._clock.today()
        try:
            until: date | None = parse_day(argument.strip().removeprefix("until").strip())
        except RulesError:
            until = None
        if until is None or not today < until <= today + LONGEST_PAUSE:
            await context.send_activity(messages.PAUSE_HOW.format(days=LONGEST_PAUSE.days))
            return
        await self._store.pause_until(channel, until, actor=actor)
        await context.send_activity(messages.PAUSED_UNTIL.format(until=until))

    async def _list(self, context: TurnContext, channel: str) -> None:
        names = await self._store.subscribed_services(channel)
        if not names:
            await context.send_activity(messages.SUBSCRIPTIONS_NONE)
            return
        shown = ", ".join(name or messages.EVERY_SERVICE for name in names)
        await context.send_activity(messages.SUBSCRIPTIONS_LIST.format(services=inert(shown)))

    async def _change(
        self, context: TurnContext, channel: str, name: str, *, subscribe: bool
    ) -> None:
        if not name:
            await context.send_activity(messages.SUBSCRIBE_WHICH)
            return
        # the policy found the service named, from the store, and checked the person may
        service = None if name.lower() in _ALL else decision_of(context).services[0]
        label = service.name if service else messages.EVERY_SERVICE
        actor = person_of(context) or ""
        service_id = service.id if service else None
        if subscribe:
            done = await self._store.subscribe(channel, service_id, actor=actor)
            reply = messages.SUBSCRIBED if done else messages.ALREADY_SUBSCRIBED
        else:
            done = await self._store.unsubscribe(channel, service_id, actor=actor)
            reply = messages.UNSUBSCRIBED if done else messages.NOT_SUBSCRIBED
        await context.send_activity(reply.format(service=inert(label)))
