"""``summary [PERIOD]``: the DCO's compliance summary across services."""

from __future__ import annotations

from botbuilder.core import TurnContext

from dialogs import messages
from dialogs.cards.summary import service_detail_card, summary_card
from dialogs.casework_views import review_needs, status_line
from dialogs.commands import Command
from dialogs.ports import Clock, SummaryStore
from dialogs.turns import card_activity, person_of
from ehcp_rules import (
    Role,
    RoleGrant,
    RulesError,
    Service,
    advice_status,
    load_question_bank,
    parse_period,
)


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
        today = self._clock.today()
        try:
            period = parse_period(argument or None, today)
        except RulesError as error:
            service = await self._store.find_service(argument) if argument else None
            if service is None:
                await context.send_activity(messages.SUMMARY_WHAT.format(error=str(error)))
            else:
                await self._detail(context, service, grants)
            return True
        if not any(g.role in (Role.DCO, Role.ADMIN) for g in grants):
            await context.send_activity(messages.SUMMARY_ROLE)
            return True
        summary = await self._store.summary(period, today)
        await context.send_activity(card_activity(summary_card(summary)))
        return True

    async def _detail(
        self, context: TurnContext, service: Service, grants: list[RoleGrant]
    ) -> None:
        allowed = any(
            g.role in (Role.DCO, Role.ADMIN) or g.service_id == service.id for g in grants
        )
        if not allowed:
            await context.send_activity(messages.DETAIL_ROLE.format(service=service.name))
            return
        today = self._clock.today()
        assessment = await self._store.last_submitted(service.id)
        answers = await self._store.answers(assessment.id) if assessment else {}
        actions = await self._store.actions(assessment.id) if assessment else []
        requests = [
            f"{r.case_ref}: {status_line(r, advice_status(r.as_rule(), today))}"
            for r in await self._store.open_requests([service.id])
        ]
        reviews = [
            f"{case}: {'; '.join(needs)}"
            for case, _, needs in review_needs(
                await self._store.reviews([service.id]), {service.id: service.name}, today
            )
        ]
        bank = load_question_bank(assessment.edition if assessment else None)
        card = service_detail_card(
            service.name,
            bank,
            assessment=assessment,
            answers=answers,
            actions=actions,
            requests=requests,
            reviews=reviews,
        )
        await context.send_activity(card_activity(card))
