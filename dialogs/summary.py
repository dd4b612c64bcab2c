"""``summary [PERIOD]``: the DCO's compliance summary across services."""

from __future__ import annotations

from botbuilder.core import TurnContext

from dialogs import messages
from dialogs.cards.summary import summary_card
from dialogs.commands import Command
from dialogs.ports import Clock, SummaryStore
from dialogs.turns import card_activity, person_of
from ehcp_rules import Role, RulesError, parse_period


class Summaries:
    """Answers ``summary``: DCOs and administrators only."""

    def __init__(self, store: SummaryStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def on_command(self, context: TurnContext, command: Command, argument: str) -> bool:
        """Answer ``summary``; ``False`` for any other command."""
        if command is not Command.SUMMARY:
            return False
        grants = await self._store.roles_of(person_of(context) or "")
        if not any(g.role in (Role.DCO, Role.ADMIN) for g in grants):
            await context.send_activity(messages.SUMMARY_ROLE)
            return True
        today = self._clock.today()
        try:
            period = parse_period(argument or None, today)
        except RulesError as error:
            await context.send_activity(str(error))
            return True
        summary = await self._store.summary(period, today)
        await context.send_activity(card_activity(summary_card(summary)))
        return True
