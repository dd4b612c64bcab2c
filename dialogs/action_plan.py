"""Saving the action plan card: an owner, a target date and progress for each action."""

from __future__ import annotations

from datetime import date
from typing import Any

from botbuilder.core import TurnContext

from dialogs import messages
from dialogs.cards.assessment import action_plan_card
from dialogs.ports import AssessmentStore
from dialogs.turns import update_card
from ehcp_rules import ActionItem, ActionProgress, load_question_bank

_MAX_OWNER = 100


async def save_action_plan(
    context: TurnContext, store: AssessmentStore, value: dict[str, Any], actor: str
) -> None:
    """Validate every field first; save all or nothing; update the card in place."""
    assessment_id = value.get("assessment")
    if not isinstance(assessment_id, int):
        await context.send_activity(messages.STALE_CARD)
        return
    actions = await store.actions(assessment_id)
    changes = []
    for action in actions:
        parsed = _parse(action, value)
        if isinstance(parsed, str):
            await context.send_activity(parsed)
            return
        changes.append(parsed)
    for question, owner, target, progress in changes:
        await store.update_action(
            assessment_id, question, owner=owner, target_date=target, progress=progress, actor=actor
        )
    owned = sum(1 for _, owner, _, _ in changes if owner)
    await context.send_activity(messages.ACTIONS_SAVED.format(count=len(changes), owned=owned))
    await _refresh_card(context, store, assessment_id)


def _parse(
    action: ActionItem, value: dict[str, Any]
) -> tuple[int, str | None, date | None, ActionProgress] | str:
    number = action.question
    owner = " ".join(str(value.get(f"owner_{number}", "") or "").split())[:_MAX_OWNER] or None
    raw_target = str(value.get(f"target_{number}", "") or "").strip()
    try:
        target = date.fromisoformat(raw_target) if raw_target else None
    except ValueError:
        return messages.ACTIONS_BAD_DATE.format(question=number, value=raw_target)
    try:
        progress = ActionProgress(str(value.get(f"progress_{number}") or action.progress.value))
    except ValueError:
        progress = action.progress
    return number, owner, target, progress


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
