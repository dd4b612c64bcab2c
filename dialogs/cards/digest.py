"""The daily digest card a channel gets: items grouped and ordered by urgency, each actionable."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from dialogs import messages
from dialogs.cards.elements import Element, card, heading, runs, submit, text
from dialogs.cards.limits import pack
from ehcp_rules import Nudge, NudgeStep, load_escalation_ladder, working_days_since


def digest_group(step: NudgeStep) -> str:
    """A group's heading; an escalation step's says who does what, from the ladder file."""
    rung = next((r for r in load_escalation_ladder().steps if r.stage.value == step.value), None)
    if rung is None:
        return messages.DIGEST_GROUPS[step.value]
    reply = (
        f" (reply within {rung.reply_working_days} working days)" if rung.reply_working_days else ""
    )
    return f"{rung.title}: {rung.action}{reply}"


def reply_words(reply_by: date, day: date) -> str:
    """ "reply by 11 Dec", or once that day has passed "reply was due 11 Dec, 9 working days
    ago"."""
    if day <= reply_by:
        return f"reply by {reply_by:%d %b}"
    ago = working_days_since(reply_by, day)
    return f"reply was due {reply_by:%d %b}, {ago} working day{'s' if ago != 1 else ''} ago"


def digest_values(nudge: Nudge, service: str, day: date) -> dict[str, object]:
    """What an item's line is made of (the reference and the service as stored) on ``day``."""
    due = nudge.on - timedelta(days=1) if nudge.step is NudgeStep.OVERDUE else nudge.on
    never = nudge.step is NudgeStep.ASSESSMENT_STALE and nudge.item_key.endswith(":None")
    reply_by = nudge.reply_by or nudge.on
    return {
        "ref": nudge.reference,
        "service": service,
        "on": nudge.on,
        "due": due,
        "reply_by": reply_by,
        "reply": reply_words(reply_by, day),
        "stale": messages.NEVER_ASSESSED if never else messages.STALE_ASSESSMENT,
    }


def item_template(nudge: Nudge, day: date) -> str:
    """An item's line: for a step that asks for something by a date, once that date has passed
    (a weekly channel, a catch-up after a pause), the line says it was due rather than asking
    for it by a day gone."""
    passed = messages.DIGEST_ITEM_PASSED.get(nudge.step.value)
    if passed is not None and nudge.reply_by is not None and nudge.reply_by < day:
        return passed
    return messages.DIGEST_ITEM[nudge.step.value]


def digest_line(nudge: Nudge, service: str, day: date) -> str:
    """One item as plain text (the command line's dry run)."""
    template = item_template(nudge, day).replace("**", "")
    return template.format(**digest_values(nudge, service, day))


def digest_cards(
    nudges: list[Nudge], services: dict[int, str], *, day: date, catch_up: bool
) -> list[tuple[list[Nudge], Element]]:
    """A channel's digest for the day as one card, or over as many as keep each within Teams'
    size limit (a digest of hundreds of items): each card with the nudges it carries."""

    def render(part: Sequence[Nudge], number: int) -> Element:
        return digest_card(list(part), services, day=day, catch_up=catch_up, part=number)

    return [(list(part), built) for part, built in pack(nudges, render)]


def digest_card(
    nudges: list[Nudge],
    services: dict[int, str],
    *,
    day: date,
    catch_up: bool,
    part: int = 0,
) -> Element:
    """One card for one channel and day; ``nudges`` already in urgency order. ``part`` counts
    the cards of a digest split for size: the second and later say they continue it."""
    title = messages.DIGEST_TITLE.format(day=day)
    body = [heading(title + (messages.DIGEST_CONTINUED if part else ""))]
    if catch_up:
        body.append(text(messages.DIGEST_CATCH_UP, isSubtle=True, size="Small"))
    current: NudgeStep | None = None
    for nudge in nudges:
        if nudge.step is not current:
            current = nudge.step
            body.append(text(digest_group(current), weight="Bolder", separator=True))
        acknowledge = submit(
            "Acknowledge",
            "acknowledge",
            {"item": nudge.item_key, "step": nudge.step.value},
        )
        line = runs(
            item_template(nudge, day),
            digest_values(nudge, services.get(nudge.service_id, "a service"), day),
        )
        row: Element = {
            "type": "ColumnSet",
            "spacing": "Small",
            "columns": [
                {"type": "Column", "width": "stretch", "items": [line]},
                {
                    "type": "Column",
                    "width": "auto",
                    "items": [{"type": "ActionSet", "actions": [acknowledge]}],
                },
            ],
        }
        if nudge.request_id is not None:
            row["selectAction"] = submit(
                "Record outcome", "outcome_form", {"request": nudge.request_id}
            )
        body.append(row)
    body.append(text("Select a request to record its outcome.", isSubtle=True, size="Small"))
    return card(body)


def reminder_card(service: str, *, question: int, answered: int, total: int) -> Element:
    """To one person: the assessment they left, where they stopped, and a Resume button."""
    return card(
        [
            runs(
                messages.REMINDER,
                {"service": service, "question": question, "answered": answered, "total": total},
            )
        ],
        [submit("Resume", "command", {"text": "resume"})],
    )
