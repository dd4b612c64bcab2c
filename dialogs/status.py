"""``status``: each of the person's services, how far its assessment has got, its rating so far."""

from __future__ import annotations

from botbuilder.core import TurnContext

from dialogs import messages
from dialogs.cards.general import status_card
from dialogs.ports import AssessmentStore, Clock
from dialogs.turns import card_activity
from ehcp_rules import RagResult, load_question_bank, rate


async def send_status(
    context: TurnContext, store: AssessmentStore, object_id: str, *, clock: Clock
) -> None:
    """Reply with the status card, or a sentence when there is nothing to show."""
    grants = await store.roles_of(object_id)
    service_ids = sorted({g.service_id for g in grants if g.service_id is not None})
    if not service_ids:
        await context.send_activity(messages.NO_ROLE.format(object_id=object_id))
        return
    rows = [await _row(store, service_id, clock) for service_id in service_ids]
    if all(row[3] is None and row[4] is None for row in rows):
        await context.send_activity(messages.STATUS_NONE)
        return
    await context.send_activity(card_activity(status_card(rows)))


async def _row(
    store: AssessmentStore, service_id: int, clock: Clock
) -> tuple[str, int, int, RagResult | None, str | None]:
    service = await store.service(service_id)
    current = await store.assessment_in_progress(service_id)
    last = await store.last_submitted(service_id)
    last_text = None
    if last is not None and last.submitted_at is not None and last.rag is not None:
        when = last.submitted_at.astimezone(clock.zone)
        last_text = f"{when:%d %b %Y}, rated {last.rag.label}"
    if current is None:
        return service.name, 0, 0, None, last_text
    bank = load_question_bank(current.edition)
    answers = await store.answers(current.id)
    result = rate(bank, {n: a.rating for n, a in answers.items()})
    return service.name, len(answers), len(bank), result, last_text
