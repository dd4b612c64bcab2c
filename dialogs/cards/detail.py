"""A service's detail: its latest self-assessment, its action plan and its casework, in one card
that always fits Teams' size limit, and every answer in full one click away.

The card shows each answer's comment as far as room allows: in full when the whole card fits,
else cut shorter until it does (23 comments of 2,000 characters would make a message of about
100 KB as Teams counts it). **Every answer in full** sends the answers with their whole comments
over as many cards as they need, each within the limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from dialogs import messages
from dialogs.cards.action_plan import plan_line, since
from dialogs.cards.elements import (
    Element,
    card,
    plain,
    rag_text,
    rating_run,
    runs,
    short,
    submit,
    text,
    title,
)
from dialogs.cards.limits import MAX_CARD_BYTES, fits, pack
from ehcp_rules import (
    ActionItem,
    Assessment,
    PlanProgress,
    Question,
    QuestionBank,
    StoredAnswer,
)

PREVIEWS = (None, 400, 200, 100, 50, 0, -2, -1)
"""How much of each comment and action the detail card shows, tried in turn until the card fits:
all of it, then shorter and shorter; at -2 the answers without comments and the plan as counts
alone; at -1 neither (the counts, with the answers and the plan each a button away)."""
MAX_CASEWORK_LINES = 10
"""Open requests and reviews listed on the card (the lists themselves have every one)."""


@dataclass(frozen=True)
class Detail:
    """What a service's detail card is made of."""

    service: str
    bank: QuestionBank
    assessment: Assessment | None
    submitted_on: date | None
    answers: dict[int, StoredAnswer]
    actions: list[ActionItem]
    plan: PlanProgress
    requests: list[str]
    reviews: list[str]


def service_detail_card(detail: Detail, *, exports: bool) -> Element:
    """The detail, its text as long as fits in one message."""
    built = _card(detail, PREVIEWS[-1], exports=exports)
    for preview in PREVIEWS:
        built = _card(detail, preview, exports=exports)
        if fits(built, MAX_CARD_BYTES):
            break
    return built


def _cut(value: str, preview: int | None) -> str:
    return value if preview is None else short(value, preview) if preview > 0 else ""  # -2: ""


def _card(detail: Detail, preview: int | None, *, exports: bool) -> Element:
    body = [title(messages.DETAIL_TITLE, {"service": detail.service})]
    assessment = detail.assessment
    if assessment is None or assessment.rag is None or detail.submitted_on is None:
        body.append(text(messages.DETAIL_NO_ASSESSMENT, isSubtle=True))
    else:
        body.append(
            rag_text(
                messages.DETAIL_RATING.format(rag=assessment.rag.label, when=detail.submitted_on),
                assessment.rag,
            )
        )
        if preview != -1:
            body.append(text(messages.CRITERIA_KEY, isSubtle=True, size="Small"))
            body += _answers(detail, preview)
    body += _plan(detail, preview)
    body += _casework(detail)
    return card(body, _buttons(detail, preview, exports=exports))


def _answers(detail: Detail, preview: int | None) -> list[Element]:
    rows: list[Element] = []
    for question in detail.bank.questions:
        answer = detail.answers.get(question.number)
        head = {
            "type": "RichTextBlock",
            "separator": True,
            "inlines": [
                {
                    "type": "TextRun",
                    "text": f"{question.number}{question.criterion.value} ",
                    "weight": "Bolder",
                    "size": "Small",
                },
                rating_run(answer.rating if answer else None, size="Small"),
                {"type": "TextRun", "text": f" {short(question.text, 80)}", "size": "Small"},
            ],
        }
        rows.append(head)
        comment = _cut(answer.comment, preview) if answer else ""
        if comment:
            rows.append(plain(comment, size="Small"))
    return rows


def _plan(detail: Detail, preview: int | None) -> list[Element]:
    rows = [text("Action plan", weight="Bolder", separator=True)]
    if not detail.actions:
        rows.append(text("No actions.", isSubtle=True, size="Small"))
        return rows
    rows.append(text(plan_line(detail.plan), size="Small"))
    if preview is not None and preview < 0:
        return rows
    for action in detail.actions:
        what = _cut(action.action or "", preview)
        rows.append(
            small_runs(
                "**{number}** {rating}: {progress}{lead}{when}{what}",
                {
                    "number": action.question,
                    "rating": action.rating.label,
                    "progress": since(action),
                    "lead": f" · {_cut(action.owner, preview or 30)}" if action.owner else "",
                    "when": f" · by {action.target_date:%d %b %Y}" if action.target_date else "",
                    "what": f" · {what}" if what else "",
                },
            )
        )
    return rows


def small_runs(template: str, values: dict[str, object]) -> Element:
    """:func:`runs` in small type, as the rest of the detail."""
    line = runs(template, values)
    for run in line["inlines"]:
        run["size"] = "Small"
    return line


def _casework(detail: Detail) -> list[Element]:
    rows: list[Element] = []
    for heading, lines in (
        ("Open requests", detail.requests),
        ("Reviews needing action", detail.reviews),
    ):
        rows.append(text(f"{heading} ({len(lines)})", weight="Bolder", separator=True))
        rows.extend(plain(line, size="Small") for line in lines[:MAX_CASEWORK_LINES])
        if len(lines) > MAX_CASEWORK_LINES:
            rows.append(
                text(
                    messages.DETAIL_MORE.format(count=len(lines) - MAX_CASEWORK_LINES),
                    isSubtle=True,
                    size="Small",
                )
            )
    return rows


def _buttons(detail: Detail, preview: int | None, *, exports: bool) -> list[Element] | None:
    assessment = detail.assessment
    if assessment is None or assessment.submitted_at is None:
        return None
    ids = {"assessment": assessment.id}
    buttons = []
    if preview is not None and any(a.comment for a in detail.answers.values()):
        buttons.append(submit("Every answer in full", "show_answers", ids))
    if detail.actions:
        buttons.append(submit("Open the action plan", "show_plan", ids))
    if exports:
        buttons.append(submit("Export assessment to Excel", "assessment_export", ids))
    return buttons or None


def answers_cards(
    service: str, bank: QuestionBank, answers: dict[int, StoredAnswer]
) -> list[Element]:
    """Every answer with its whole comment, over as many cards as keep each within the limit."""

    def render(questions: Sequence[Question], part: int) -> Element:
        heading = messages.ANSWERS_TITLE if part == 0 else messages.ANSWERS_TITLE_MORE
        rows = [row for q in questions for row in _full_answer(q, answers.get(q.number))]
        return card([title(heading, {"service": service}), *rows])

    return [built for _, built in pack(bank.questions, render)]


def _full_answer(question: Question, answer: StoredAnswer | None) -> list[Element]:
    rows: list[Element] = [
        {
            "type": "RichTextBlock",
            "separator": True,
            "inlines": [
                {
                    "type": "TextRun",
                    "text": f"{question.number}{question.criterion.value} ",
                    "weight": "Bolder",
                },
                rating_run(answer.rating if answer else None),
            ],
        },
        text(question.text, size="Small"),
    ]
    if answer and answer.comment:
        rows.append(plain(answer.comment))
    return rows
