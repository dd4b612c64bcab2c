"""The action plan, kept up to date after submission: ``action plan [SERVICE]``, and its cards.

The policy (``dialogs.policy``) has already decided who may do what: a service's practitioners
and SPOCs open and update its plan; a DCO or an administrator may open any service's plan to read.
The service is always the stored one: the typed name's, or the stored assessment's a card names.

Saving one action's card keeps every field that was sent and is valid, leaves a field that was not
sent as it is (a forged or partial submission blanks nothing), and names each field that is not
valid — whose typed value comes back on the card, so nothing is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from botbuilder.core import TurnContext

from dialogs import messages
from dialogs.cards.action_plan import action_card, action_plan_cards
from dialogs.cards.elements import ACTION_KEY, Element, card, submit, text
from dialogs.commands import Command
from dialogs.messages import inert, said
from dialogs.policy import MEMBERS, decision_of
from dialogs.ports import AssessmentStore, Clock
from dialogs.turns import card_activity, person_of, update_card
from ehcp_rules import (
    MAX_ACTION_LENGTH,
    MAX_OWNER_LENGTH,
    MAX_WORKSTREAM_LENGTH,
    ActionItem,
    ActionProgress,
    Assessment,
    PrivacyError,
    RulesError,
    Service,
    load_question_bank,
    parse_day,
    plan_progress,
    screen_text,
)

MAX_BUTTONS = 6
"""Services offered as buttons when a plan's service is not named (the rest are typed)."""
CARD_ACTIONS = frozenset({"edit_action", "save_action", "show_plan"})
_TEXT_FIELDS = (
    ("action", "action", "action", MAX_ACTION_LENGTH),
    ("lead", "owner", "action lead", MAX_OWNER_LENGTH),
    ("workstream", "workstream", "workstream", MAX_WORKSTREAM_LENGTH),
)


@dataclass
class _Change:
    """One action as a submission leaves it, what was refused and what was typed there."""

    values: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    typed: dict[str, str] = field(default_factory=dict)


class ActionPlans:
    """Answers ``action plan`` and the action plan cards' buttons."""

    def __init__(self, store: AssessmentStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def on_command(self, context: TurnContext, command: Command, argument: str) -> bool:
        """Show a service's plan; ``False`` for any other command."""
        if command is not Command.ACTION_PLAN:
            return False
        services = decision_of(context).services
        if len(services) != 1:
            await context.send_activity(card_activity(_which(services)))
            return True
        assessment = await self._store.last_submitted(services[0].id)
        if assessment is None:
            await context.send_activity(
                messages.ACTION_PLAN_NONE_YET.format(service=inert(services[0].name))
            )
            return True
        for each in await self.plan_cards(context, assessment):
            await context.send_activity(card_activity(each))
        return True

    async def on_card(self, context: TurnContext, value: dict[str, Any]) -> bool:
        """Open, save or leave one action; ``False`` for any other card."""
        action = value.get(ACTION_KEY)
        if action not in CARD_ACTIONS:
            return False
        assessment = await self._store.assessment(value["assessment"])  # the policy found it
        actions = {a.question: a for a in await self._store.actions(assessment.id)}
        question = value.get("question")
        if action == "show_plan":
            first, *more = await self.plan_cards(context, assessment)
            await (update_card(context, first) if _from_action(value) else _send(context, first))
            for each in more:
                await context.send_activity(card_activity(each))
            return True
        if not isinstance(question, int) or question not in actions:
            await context.send_activity(messages.STALE_CARD)
            return True
        if action == "edit_action":
            card_ = await self._action_card(assessment, actions, question)
            await context.send_activity(card_activity(card_))
            return True
        await self._save(context, assessment, actions[question], value)
        return True

    async def plan_cards(self, context: TurnContext, assessment: Assessment) -> list[Element]:
        """The plan at a glance (one card, or more when it is long), each action opening its
        card for the service's people."""
        service = await self._store.service(assessment.service_id)
        actions = await self._store.actions(assessment.id)
        today = self._clock.today()
        return action_plan_cards(
            load_question_bank(assessment.edition),
            actions,
            plan_progress(actions, today),
            assessment_id=assessment.id,
            service=service.name,
            submitted_on=(
                assessment.submitted_at.astimezone(self._clock.zone).date()
                if assessment.submitted_at
                else None
            ),
            today=today,
            editable=_member_of(context, service),
        )

    async def _action_card(
        self,
        assessment: Assessment,
        actions: dict[int, ActionItem],
        question: int,
        *,
        notice: str | None = None,
        typed: dict[str, str] | None = None,
    ) -> Element:
        service = await self._store.service(assessment.service_id)
        later = [n for n in sorted(actions) if n > question]
        return action_card(
            load_question_bank(assessment.edition),
            actions[question],
            assessment_id=assessment.id,
            service=service.name,
            following=later[0] if later else None,
            notice=notice,
            typed=typed,
        )

    async def _save(
        self,
        context: TurnContext,
        assessment: Assessment,
        action: ActionItem,
        value: dict[str, Any],
    ) -> None:
        change = _read(action, value)
        number = action.question
        changed = change.values != _stored(action)
        if changed:
            await self._store.update_action(
                assessment.id, number, actor=person_of(context) or "", **change.values
            )
        actions = {a.question: a for a in await self._store.actions(assessment.id)}
        notice: str | None = _notice(number, changed, change.problems)
        await context.send_activity(messages.ACTION_SEE_CARD if change.problems else notice)
        following = value.get("next")
        if not change.problems and isinstance(following, int) and following in actions:
            number, notice = following, None
        card_ = await self._action_card(
            assessment, actions, number, notice=notice, typed=change.typed
        )
        await update_card(context, card_)


def _from_action(value: dict[str, Any]) -> bool:
    """Whether a button on an action's own card was pressed (that card turns into the plan)."""
    return value.get("from") == "action"


async def _send(context: TurnContext, content: Element) -> None:
    await context.send_activity(card_activity(content))


def _stored(action: ActionItem) -> dict[str, Any]:
    return {
        "action": action.action,
        "owner": action.owner,
        "workstream": action.workstream,
        "target_date": action.target_date,
        "progress": action.progress,
    }


def _read(action: ActionItem, value: dict[str, Any]) -> _Change:
    """The action with whichever of its fields the submission carries, each checked."""
    change = _Change(_stored(action))
    for key, name, label, limit in _TEXT_FIELDS:
        if key in value:
            sent = value[key]
            if sent is not None and not isinstance(sent, str):  # a list or a number: no card
                change.problems.append(messages.FIELD_NOT_TEXT.format(field=label.capitalize()))
                continue
            typed = sent or ""
            flat = typed if key == "action" else " ".join(typed.split())
            try:
                change.values[name] = screen_text(flat, field=label, max_length=limit) or None
            except PrivacyError as refused:
                change.problems.append(str(refused))
                change.typed[key] = typed
    if "target" in value:
        raw = str(value["target"] or "").strip()
        try:
            change.values["target_date"] = parse_day(raw) if raw else None
        except RulesError:
            change.problems.append(messages.ACTION_BAD_DATE.format(value=said(raw)))
    if "progress" in value:
        try:
            change.values["progress"] = ActionProgress(str(value["progress"]))
        except ValueError:
            change.problems.append(f"Progress: {messages.ACTION_BAD_CHOICE}")
    return change


def _notice(question: int, changed: bool, problems: list[str]) -> str:
    if problems and changed:
        return messages.ACTION_PROBLEMS.format(problems=" ".join(problems))
    if problems:
        return messages.ACTION_PROBLEMS_ONLY.format(problems=" ".join(problems))
    if changed:
        return messages.ACTION_SAVED.format(question=question)
    return messages.ACTION_UNCHANGED.format(question=question)


def _member_of(context: TurnContext, service: Service) -> bool:
    """Whether this person is one of the service's practitioners or SPOCs (who may update)."""
    grants = decision_of(context).grants
    return any(g.role in MEMBERS and g.service_id == service.id for g in grants)


def _which(services: tuple[Service, ...]) -> Element:
    """One button per service, each asking for that service's plan."""
    return card(
        [text(messages.ACTION_PLAN_WHICH)],
        [
            submit(s.name[:40], "command", {"text": f"action plan {s.name}"})
            for s in services[:MAX_BUTTONS]
        ],
    )
