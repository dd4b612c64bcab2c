"""``summary [PERIOD]`` and ``summary for SERVICE``: the DCO's compliance summary, a service's
detail, and their exports as files.

Who may see what, and where, is the policy's (``dialogs.policy``): it is asked on every turn, every
card button included (a card can be forwarded or outlive a role), and it finds the service a button
names from the store. Summaries, details and files are shown only in a personal chat.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeGuard

from botbuilder.core import TurnContext

from dialogs import messages
from dialogs.cards.detail import Detail, answers_cards, service_detail_card
from dialogs.cards.elements import ACTION_KEY
from dialogs.cards.summary import download_card, summary_card
from dialogs.casework_views import review_needs, status_line
from dialogs.commands import Command, normalise, services_named
from dialogs.messages import inert, said
from dialogs.policy import decision_of
from dialogs.ports import Clock, FileLink, NotFoundError, Reports, SummaryStore
from dialogs.turns import card_activity, is_personal, person_of
from ehcp_rules import (
    Period,
    RulesError,
    Service,
    advice_status,
    load_question_bank,
    parse_period,
    plan_progress,
)

CARD_ACTIONS = frozenset({"summary_detail", "summary_export", "assessment_export", "show_answers"})
EXPORT_FORMATS = ("xlsx", "csv", "json")
MAX_NAMES = 12
"""Services named when ``summary for`` names none (a DCO's area may have hundreds)."""


class Summaries:
    """Answers ``summary``, and the summary and detail cards' buttons."""

    def __init__(self, store: SummaryStore, clock: Clock, reports: Reports) -> None:
        self._store = store
        self._clock = clock
        self._reports = reports

    async def on_command(self, context: TurnContext, command: Command, argument: str) -> bool:
        """Answer ``summary``; ``False`` for any other command."""
        if command is not Command.SUMMARY:
            return False
        today = self._clock.today()
        try:
            period = parse_period(argument or None, today)
        except RulesError as error:
            service = await self._named(argument)
            if service is None and _names_a_service(context):
                names = [s.name for s in await self._store.all_services()]
                await context.send_activity(
                    messages.NO_SERVICE_NAMED.format(
                        name=said(argument),
                        names=", ".join(inert(n) for n in names[:MAX_NAMES]),
                        more="…" if len(names) > MAX_NAMES else "",
                    )
                )
            elif service is None:
                await context.send_activity(messages.SUMMARY_WHAT.format(error=inert(error)))
            else:  # the policy has checked that this person may see it
                await self._detail(context, service)
            return True
        summary = await self._store.summary(period, today)
        chart = await self._reports.chart(summary, owner=person_of(context) or "")
        card = summary_card(summary, chart=chart, exports=is_personal(context))
        await context.send_activity(card_activity(card))
        return True

    async def _named(self, argument: str) -> Service | None:
        """The service ``argument`` names, whole or by a part of its name, as the policy found
        it (and checked this person may see it); ``None`` when it names none, or several."""
        if not argument:
            return None
        found = await self._store.find_service(argument)
        if found is not None:
            return found
        every = await self._store.all_services()
        meant = services_named(argument, [s.name for s in every])
        return next(s for s in every if s.name == meant[0]) if len(meant) == 1 else None

    async def on_card(self, context: TurnContext, value: dict[str, Any]) -> bool:
        """Answer a summary or detail card's button; ``False`` for any other card."""
        action = value.get(ACTION_KEY)
        if action not in CARD_ACTIONS:
            return False
        if action == "summary_detail":
            (service,) = decision_of(context).services  # the stored service the card names
            await self._detail(context, service)
            return True
        if action == "show_answers":
            await self._every_answer(context, value)
        elif action == "summary_export":
            await self._export_summary(context, value)
        else:
            await self._export_assessment(context, value)
        return True

    async def _export_summary(self, context: TurnContext, value: dict[str, Any]) -> None:
        today = self._clock.today()
        file_format, period = value.get("format"), _period(value.get("period"), today)
        if file_format not in EXPORT_FORMATS or period is None:
            await context.send_activity(messages.STALE_CARD)
            return
        summary = await self._store.summary(period, today)
        link = await self._reports.summary_export(
            summary, file_format, owner=person_of(context) or ""
        )
        await self._hand_over(context, link)

    async def _export_assessment(self, context: TurnContext, value: dict[str, Any]) -> None:
        identifier = value.get("assessment")
        try:
            assessment = await self._store.assessment(identifier) if _id(identifier) else None
        except NotFoundError:
            assessment = None
        if assessment is None or assessment.status != "submitted":
            await context.send_activity(messages.STALE_CARD)
            return
        (service,) = decision_of(context).services  # the assessment's own service, as stored
        answers = await self._store.answers(assessment.id)
        actions = await self._store.actions(assessment.id)
        link = await self._reports.assessment_export(
            service, assessment, answers, actions, owner=person_of(context) or ""
        )
        await self._hand_over(context, link)

    async def _hand_over(self, context: TurnContext, link: FileLink) -> None:
        await context.send_activity(card_activity(download_card(link)))

    async def _detail(self, context: TurnContext, service: Service) -> None:
        today = self._clock.today()
        assessment = await self._store.last_submitted(service.id)
        answers = await self._store.answers(assessment.id) if assessment else {}
        actions = await self._store.actions(assessment.id) if assessment else []
        requests = [
            f"{r.case_ref}: {status_line(r, advice_status(r.as_rule(), today), today)}"
            for r in await self._store.open_requests([service.id])
        ]
        reviews = [
            f"{case}: {'; '.join(needs)}"
            for case, _, needs in review_needs(
                await self._store.reviews([service.id]), {service.id: service.name}, today
            )
        ]
        detail = Detail(
            service=service.name,
            bank=load_question_bank(assessment.edition if assessment else None),
            assessment=assessment,
            submitted_on=(
                assessment.submitted_at.astimezone(self._clock.zone).date()
                if assessment and assessment.submitted_at
                else None
            ),
            answers=answers,
            actions=actions,
            plan=plan_progress(actions, today),
            requests=requests,
            reviews=reviews,
        )
        card = service_detail_card(detail, exports=is_personal(context))
        await context.send_activity(card_activity(card))

    async def _every_answer(self, context: TurnContext, value: dict[str, Any]) -> None:
        """A submitted assessment's answers with their whole comments, over as many cards as
        Teams' size limit needs."""
        assessment = await self._store.assessment(value["assessment"])  # the policy found it
        (service,) = decision_of(context).services
        answers = await self._store.answers(assessment.id)
        bank = load_question_bank(assessment.edition)
        for each in answers_cards(service.name, bank, answers):
            await context.send_activity(card_activity(each))


def _names_a_service(context: TurnContext) -> bool:
    """Whether the person typed ``summary for ...`` (a service, never a period)."""
    value = context.activity.value if isinstance(context.activity.value, dict) else {}
    typed = value.get("text") or context.activity.text or ""
    return normalise(str(typed)).startswith("summary for ")


def _id(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _period(value: object, today: date) -> Period | None:
    """The period a card was made for, written ``YYYY-MM-DD to YYYY-MM-DD``."""
    if not isinstance(value, str) or " to " not in value:
        return None
    try:
        return parse_period(value, today)
    except RulesError:
        return None
