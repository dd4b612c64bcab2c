"""The action plan cards, in seed 003's shape: the plan at a glance, and one action to update.

The plan lists every action (one per No and Emerging answer): what will be done, who leads it and
in which workstream, when it will be completed and its progress, since when. Each row opens that
action's own card, whose inputs stay few and small, so that no plan (23 actions at their longest)
makes a message over Teams' size limit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from dialogs import messages
from dialogs.cards.elements import Element, card, runs, short, submit, text, title
from dialogs.cards.limits import pack
from ehcp_rules import (
    MAX_ACTION_LENGTH,
    MAX_OWNER_LENGTH,
    MAX_WORKSTREAM_LENGTH,
    ActionItem,
    ActionProgress,
    PlanProgress,
    QuestionBank,
    is_past_target,
)

PROGRESS_CHOICES = [{"title": p.label, "value": p.value} for p in ActionProgress]
ACTION_SHOWN = 160
"""Characters of an action's text shown in the plan (its own card shows all of it)."""
HISTORY_SHOWN = 6
"""The latest changes of progress shown on an action's card."""


def plan_line(progress: PlanProgress) -> str:
    """``6 actions: 1 completed, 2 on track, ... · 2 past the date set · 1 without a lead``."""
    ratings = ", ".join(
        f"{progress.count(p)} {p.label.split(' (')[0].lower()}" for p in ActionProgress
    )
    total = f"{progress.total} action{'' if progress.total == 1 else 's'}"
    parts = [messages.PLAN_COUNTS.format(total=total, ratings=ratings)]
    if progress.past_target:
        parts.append(messages.PLAN_PAST.format(count=progress.past_target))
    if progress.without_lead:
        parts.append(messages.PLAN_UNLED.format(count=progress.without_lead))
    return " · ".join(parts)


def since(action: ActionItem) -> str:
    """``On track since 03 Dec 2026``, or the rating alone when its history is not known."""
    label = action.progress.label
    if action.history and action.history[-1].progress is action.progress:
        return messages.PLAN_SINCE.format(progress=label, on=action.history[-1].on)
    return label


def _when(action: ActionItem, today: date) -> str:
    if action.target_date is None:
        return messages.PLAN_NO_DATE
    if is_past_target(action, today):
        return messages.PLAN_PAST_DATE.format(on=action.target_date)
    return messages.PLAN_BY.format(on=action.target_date)


def _row(bank: QuestionBank, action: ActionItem, assessment_id: int, today: date) -> Element:
    question = bank.question(action.question)
    what = action.action or ""
    lines: list[Element] = [
        runs(
            "**{rating}** · {question}",
            {"rating": action.rating.label, "question": short(question.text, 90)},
        ),
        (
            runs(messages.PLAN_ACTION, {"action": short(what, ACTION_SHOWN)})
            if what
            else text(messages.PLAN_NO_ACTION, isSubtle=True, spacing="None")
        ),
        runs(
            "{lead}{workstream} · {when} · **{progress}**",
            {
                "lead": messages.PLAN_LEAD.format(lead=action.owner)
                if action.owner
                else messages.PLAN_NO_LEAD,
                "workstream": f" ({action.workstream})" if action.workstream else "",
                "when": _when(action, today),
                "progress": since(action),
            },
        ),
    ]
    row: Element = {
        "type": "ColumnSet",
        "separator": True,
        "columns": [
            {
                "type": "Column",
                "width": "auto",
                "items": [text(f"{action.question}{question.criterion.value}", weight="Bolder")],
            },
            {"type": "Column", "width": "stretch", "items": lines},
        ],
    }
    if assessment_id:
        row["selectAction"] = submit(
            "Update action",
            "edit_action",
            {"assessment": assessment_id, "question": action.question},
        )
    return row


def action_plan_cards(
    bank: QuestionBank,
    actions: list[ActionItem],
    progress: PlanProgress,
    *,
    assessment_id: int,
    service: str,
    submitted_on: date | None,
    today: date,
    editable: bool,
) -> list[Element]:
    """The plan at a glance: its progress counted, then every action, each opening its own card
    where ``editable`` (the service's own people). One card, or as many as keep each within
    Teams' size limit when the actions are many and long."""

    def render(chunk: Sequence[ActionItem], part: int) -> Element:
        if part:
            heading = title(messages.PLAN_TITLE_MORE, {"service": service})
            return card([heading, *(_row(bank, a, shown_id, today) for a in chunk)])
        body = [title(messages.PLAN_TITLE, {"service": service})]
        if submitted_on is not None:
            body.append(text(messages.PLAN_FROM.format(when=submitted_on), isSubtle=True))
        if not actions:
            return card([*body, text(messages.PLAN_NONE)])
        body.append(text(plan_line(progress), weight="Bolder"))
        hint = messages.PLAN_SELECT if editable else messages.PLAN_READ_ONLY
        body.append(text(hint, isSubtle=True, size="Small"))
        return card(body + [_row(bank, a, shown_id, today) for a in chunk])

    shown_id = assessment_id if editable else 0
    return [rendered for _, rendered in pack(actions, render)]


def action_card(
    bank: QuestionBank,
    action: ActionItem,
    *,
    assessment_id: int,
    service: str,
    following: int | None,
    notice: str | None = None,
    typed: Mapping[str, str] | None = None,
) -> Element:
    """One action to update: what will be done, lead, workstream, date and progress. ``typed``
    holds what someone entered that was refused, shown back so that nothing is lost."""
    question = bank.question(action.question)
    kept = dict(typed or {})
    body = [
        title(messages.ACTION_TITLE, {"question": action.question, "service": service}),
        text(
            messages.ACTION_QUESTION.format(
                question=action.question,
                criterion=question.criterion.value,
                criterion_word=question.criterion.label,
                rating=action.rating.label,
            )
        ),
        text(question.text, isSubtle=True),
    ]
    if notice:
        body.append(runs("{notice}", {"notice": notice}) | {"separator": True})
    body += _inputs(action, kept)
    if action.history:
        steps = "; ".join(
            f"{step.progress.label.split(' (')[0]} from {step.on:%d %b %Y}"
            for step in action.history[-HISTORY_SHOWN:]
        )
        body.append(text(messages.ACTION_HISTORY.format(steps=steps), isSubtle=True, size="Small"))
    body.append(text(messages.ACTION_HINT, isSubtle=True, size="Small"))
    ids = {"assessment": assessment_id, "question": action.question}
    buttons = [submit("Save", "save_action", ids, inputs=True)]
    if following is not None:
        buttons.append(
            submit("Save and next", "save_action", ids | {"next": following}, inputs=True)
        )
    buttons.append(
        submit("Back to the plan", "show_plan", {"assessment": assessment_id, "from": "action"})
    )
    return card(body, buttons)


def _inputs(action: ActionItem, kept: dict[str, str]) -> list[Element]:
    def value(key: str, stored: str | None) -> str:
        return kept.get(key, stored or "")

    return [
        {
            "type": "Input.Text",
            "id": "action",
            "label": "What will be done",
            "isMultiline": True,
            "maxLength": MAX_ACTION_LENGTH,
            "value": value("action", action.action),
        },
        {
            "type": "Input.Text",
            "id": "lead",
            "label": "Who leads it",
            "maxLength": MAX_OWNER_LENGTH,
            "value": value("lead", action.owner),
        },
        {
            "type": "Input.Text",
            "id": "workstream",
            "label": "Workstream (optional)",
            "maxLength": MAX_WORKSTREAM_LENGTH,
            "value": value("workstream", action.workstream),
        },
        {
            "type": "Input.Date",
            "id": "target",
            "label": "When it will be completed",
            "value": action.target_date.isoformat() if action.target_date else "",
        },
        {
            "type": "Input.ChoiceSet",
            "id": "progress",
            "label": "Progress",
            "value": kept.get("progress") or action.progress.value,
            "choices": PROGRESS_CHOICES,
        },
    ]
