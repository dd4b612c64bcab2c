"""The root dialog: reads what the person asked for, asks the policy, and routes it.

Every turn is first put to the policy (``dialogs.policy``): who may do it, where, and on which
service's records, found from the store. A refusal is told and nothing else happens. Typed
commands and the help card's buttons start the self-assessment or answer directly; a card clicked
when no assessment is open (a stale or double-clicked card) changes nothing and says so.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.dialogs import (
    ComponentDialog,
    DialogContext,
    DialogTurnResult,
    DialogTurnStatus,
    WaterfallDialog,
    WaterfallStepContext,
)

from dialogs import messages
from dialogs.action_plan import ActionPlans
from dialogs.cards.elements import ACTION_KEY
from dialogs.casework import Casework
from dialogs.commands import Command, parse
from dialogs.help import send_help
from dialogs.policy import DECISION_KEY, Place, Policy, Turn
from dialogs.ports import (
    AssessmentStore,
    CaseworkStore,
    Clock,
    NotFoundError,
    Reports,
    SubscriptionStore,
    SummaryStore,
)
from dialogs.self_assessment_dialog import SelfAssessmentDialog
from dialogs.status import send_status
from dialogs.subscriptions import Subscriptions
from dialogs.summary import Summaries
from dialogs.turns import conversation_key, is_personal, person_of, submitted_value
from ehcp_rules import RulesError, parse_period

_ASSESSMENT_CARD_ACTIONS = {"answer", "back", "skip", "pause", "change", "continue", "submit"}


class MainDialog(ComponentDialog):
    """Routes each new request; the self-assessment runs as its child."""

    ID = "MainDialog"
    _ROUTE = "MainDialog.route"

    def __init__(
        self,
        *,
        store: AssessmentStore,
        casework: CaseworkStore,
        subscriptions: SubscriptionStore,
        summaries: SummaryStore,
        clock: Clock,
        reports: Reports,
        policy: Policy,
    ) -> None:
        super().__init__(self.ID)
        self._store = store
        self._clock = clock
        self._policy = policy
        self._casework = Casework(casework, clock)
        self._subscriptions = Subscriptions(subscriptions, clock)
        self._summaries = Summaries(summaries, clock, reports)
        self._plans = ActionPlans(store, clock)
        self.add_dialog(SelfAssessmentDialog(store, clock, policy))
        self.add_dialog(WaterfallDialog(self._ROUTE, [self.route_step, self.finish_step]))
        self.initial_dialog_id = self._ROUTE

    async def route_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        """Start the assessment, or answer and finish."""
        context = step.context
        if not await self._allowed(context):
            return await step.end_dialog()
        if await self._casework_turn(context):
            return await step.end_dialog()
        value = submitted_value(context)
        if value is not None and value.get(ACTION_KEY) != "command":
            await self._on_card_outside_assessment(context, value)
            return await step.end_dialog()
        command, _ = parse(_typed(context))
        if command in (Command.START, Command.RESUME, Command.START_NEW):  # personal (policy)
            options = {"new": command is Command.START_NEW}
            return await step.begin_dialog(SelfAssessmentDialog.ID, options)
        if command is Command.STATUS:
            await send_status(context, self._store, person_of(context) or "", clock=self._clock)
            return await step.end_dialog()
        await send_help(context, command)
        return await step.end_dialog()

    async def on_continue_dialog(self, inner_dc: DialogContext) -> DialogTurnResult:
        """During an assessment, casework commands and cards are answered without leaving it."""
        if not await self._allowed(inner_dc.context):
            return DialogTurnResult(DialogTurnStatus.Waiting)
        if await self._casework_turn(inner_dc.context):
            return DialogTurnResult(DialogTurnStatus.Waiting)
        return await super().on_continue_dialog(inner_dc)

    async def _casework_turn(self, context: TurnContext) -> bool:
        """Answer a command or card that is not the self-assessment's; ``False`` if none does."""
        value = submitted_value(context)
        if value is not None and value.get(ACTION_KEY) != "command":
            for on_card in (self._summaries.on_card, self._plans.on_card, self._casework.on_card):
                if await on_card(context, value):
                    return True
            return False
        command, argument = parse(_typed(context))
        for on_command in (
            self._subscriptions.on_command,
            self._summaries.on_command,
            self._plans.on_command,
            self._casework.on_command,
        ):
            if await on_command(context, command, argument):
                return True
        return False

    async def _allowed(self, context: TurnContext) -> bool:
        """Ask the policy about this turn; tell the person when it says no. The decision is
        kept in the turn for the handlers (the services they may touch)."""
        decision = await self._policy.decide(self._turn(context))
        if not decision.allowed:
            await context.send_activity(decision.reason)
            return False
        context.turn_state[DECISION_KEY] = decision
        return True

    def _turn(self, context: TurnContext) -> Turn:
        value = submitted_value(context)
        if value is not None and value.get(ACTION_KEY) != "command":
            action, argument = f"card:{value.get(ACTION_KEY)}", ""
        else:
            command, argument = parse(_typed(context))
            action = f"command:{command.value}"
            if command is Command.SUMMARY and not _is_period(argument, self._clock.today()):
                action = "command:summary for"
        return Turn(
            person=person_of(context) or "",
            place=Place.PERSONAL if is_personal(context) else Place.SHARED,
            conversation=conversation_key(context),
            action=action,
            value=value or {},
            argument=argument,
        )

    async def finish_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        """The child dialog has ended: so does this turn's routing."""
        return await step.end_dialog()

    async def _on_card_outside_assessment(
        self, context: TurnContext, value: dict[str, Any]
    ) -> None:
        action = value.get(ACTION_KEY)
        if action not in _ASSESSMENT_CARD_ACTIONS or not isinstance(value.get("assessment"), int):
            await context.send_activity(messages.STALE_CARD)
            return
        try:
            assessment = await self._store.assessment(value["assessment"])
        except NotFoundError:
            await context.send_activity(messages.STALE_CARD)
            return
        if assessment.status == "submitted":
            finished = messages.ALREADY_SUBMITTED if action == "submit" else messages.FINISHED_CARD
            await context.send_activity(finished)
            return
        await context.send_activity(f"{messages.STALE_CARD} Type **resume** to carry on.")


def _is_period(argument: str, today: date) -> bool:
    """Whether ``summary ARGUMENT`` asks for a period (else it names a service)."""
    try:
        parse_period(argument or None, today)
    except RulesError:
        return False
    return True


def _typed(context: TurnContext) -> str | None:
    """What the person typed, or the command a help-card button stands for."""
    value = submitted_value(context)
    text = value.get("text") if value else context.activity.text
    return text if isinstance(text, str) else None
