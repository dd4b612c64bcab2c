"""Saving the action plan card: an owner, a target date and progress for each action.

A card submission is whatever the client sent: a field that is absent keeps its stored value (a
forged or partial submission blanks nothing), a field that is present and valid is saved, and a
field that is present and not valid is named and left as it was. The policy has already checked
that the person works for the assessment's service (``dialogs.policy``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from botbuilder.core import TurnContext

from dialogs import messages
from dialogs.cards.assessment import action_plan_card
from dialogs.messages import said
from dialogs.ports import AssessmentStore
from dialogs.turns import update_card
from ehcp_rules import (
    MAX_OWNER_LENGTH,
    ActionItem,
    ActionProgress,
    PrivacyError,
    RulesError,
    load_question_bank,
    parse_day,
    screen_text,
)


@dataclass
class _Change:
    """One action as the submission leaves it, and what was wrong with it."""

    owner: str | None
    target: date | None
    progress: ActionProgress
    problems: list[str]


async def save_action_plan(
    context: TurnContext, store: AssessmentStore, value: dict[str, Any], actor: str
) -> None:
    """Save what was sent and valid, name what was not, update the card in place."""
    assessment_id = value["assessment"]  # the policy found this stored assessment
    saved, problems = 0, []
    for action in await store.actions(assessment_id):
        change = _read(action, value)
        problems += change.problems
        if (change.owner, change.target, change.progress) == (
            action.owner,
            action.target_date,
            action.progress,
        ):
            continue
        try:
            await store.update_action(
                assessment_id,
                action.question,
                owner=change.owner,
                target_date=change.target,
                progress=change.progress,
                actor=actor,
            )
            saved += 1
        except PrivacyError as refused:
            problems.append(messages.ACTION_REFUSED.format(question=action.question, why=refused))
    await context.send_activity(_reply(saved, problems))
    await _refresh_card(context, store, assessment_id)


def _read(action: ActionItem, value: dict[str, Any]) -> _Change:
    """The action with whichever of its fields the submission carries, each checked."""
    number = action.question
    change = _Change(action.owner, action.target_date, action.progress, [])
    sent_owner = value.get(f"owner_{number}")
    if sent_owner is not None and not isinstance(sent_owner, str):  # a list or a number
        change.problems.append(messages.ACTION_OWNER_NOT_TEXT.format(question=number))
    elif f"owner_{number}" in value:
        owner = " ".join((sent_owner or "").split())
        try:
            change.owner = (
                screen_text(owner, field="action owner", max_length=MAX_OWNER_LENGTH) or None
            )
        except PrivacyError as refused:
            change.problems.append(messages.ACTION_REFUSED.format(question=number, why=refused))
    if f"target_{number}" in value:
        raw = str(value[f"target_{number}"] or "").strip()
        try:
            change.target = parse_day(raw) if raw else None
        except RulesError:
            change.problems.append(
                messages.ACTIONS_BAD_DATE.format(question=number, value=said(raw))
            )
    if f"progress_{number}" in value:
        try:
            change.progress = ActionProgress(str(value[f"progress_{number}"]))
        except ValueError:
            change.problems.append(messages.ACTION_BAD_PROGRESS.format(question=number))
    return change


def _reply(saved: int, problems: list[str]) -> str:
    done = messages.ACTIONS_SAVED.format(count=saved) if saved else messages.ACTIONS_UNCHANGED
    if not problems:
        return done
    return f"{done} {messages.ACTIONS_NOT_SAVED} " + " ".join(problems)


async def _refresh_card(context: TurnContext, store: AssessmentStore, assessment_id: int) -> None:
    assessment = await store.assessment(assessment_id)
    service = await store.service(assessment.service_id)
    card = action_plan_card(
        load_question_bank(assessment.edition),
        await store.actions(assessment_id),
        assessment_id=assessment_id,
        service=service.name,
    )
    await update_card(context, card)
