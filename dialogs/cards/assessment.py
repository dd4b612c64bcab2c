"""The self-assessment cards: a question, an answered question, the review and the result."""

from __future__ import annotations

from collections.abc import Mapping

from dialogs.cards.elements import (
    RAG_COLOURS,
    RATING_STYLES,
    Element,
    card,
    facts,
    plain,
    progress_bar,
    short,
    submit,
    text,
    title,
)
from dialogs.messages import CRITERIA_KEY
from ehcp_rules import (
    MAX_COMMENT_LENGTH,
    Question,
    QuestionBank,
    RagResult,
    Rating,
    StoredAnswer,
    join_numbers,
)

RATING_CHOICES = [{"title": rating.label, "value": rating.value} for rating in Rating]


def _question_header(bank: QuestionBank, question: Question, answered: int) -> list[Element]:
    theme = bank.theme(question.theme).title
    return [
        {
            "type": "ColumnSet",
            "columns": [
                {
                    "type": "Column",
                    "width": "stretch",
                    "items": [text(f"Question {question.number} of {len(bank)}", weight="Bolder")],
                },
                {
                    "type": "Column",
                    "width": "auto",
                    "items": [
                        text(
                            question.criterion.label,
                            weight="Bolder",
                            color="Attention" if question.essential else "Accent",
                        )
                    ],
                },
            ],
        },
        progress_bar(answered, len(bank)),
        text(f"{theme} · {answered} of {len(bank)} answered", isSubtle=True, size="Small"),
        text(question.text, size="Medium"),
    ]


def question_card(
    bank: QuestionBank,
    number: int,
    *,
    assessment_id: int,
    answers: Mapping[int, StoredAnswer],
    service: str,
    notice: str | None = None,
    typed: tuple[str | None, str | None] = (None, None),
) -> Element:
    """One question with Yes / Emerging / No, a comment box, and Back / Skip / Pause. ``typed``
    is a rating and a comment sent on this card and not saved (the notice says why), shown in
    place of the saved answer so that nothing typed is lost."""
    question = bank.question(number)
    current = answers.get(number)
    body = [
        text(service, isSubtle=True, size="Small"),
        *_question_header(bank, question, len(answers)),
    ]
    if notice:
        body.append(text(notice, color="Attention"))
    rating: Element = {
        "type": "Input.ChoiceSet",
        "id": "rating",
        "style": "expanded",
        "label": "Your rating",
        "choices": RATING_CHOICES,
        "isRequired": True,
        "errorMessage": "Choose Yes, Emerging or No.",
    }
    comment: Element = {
        "type": "Input.Text",
        "id": "comment",
        "isMultiline": True,
        "maxLength": MAX_COMMENT_LENGTH,
        "label": "Comments and supporting information",
        "placeholder": "What evidence supports this rating? (no names or NHS numbers)",
    }
    if current is not None:
        rating["value"] = current.rating.value
        comment["value"] = current.comment
    typed_rating, typed_comment = typed
    if typed_rating:
        rating["value"] = typed_rating
    if typed_comment:
        comment["value"] = typed_comment
    body += [rating, comment]
    ids = {"assessment": assessment_id, "question": number}
    actions = [submit("Save answer", "answer", ids, inputs=True)]
    if number > 1:
        actions.append(submit("Back", "back", ids))
    actions += [submit("Skip for now", "skip", ids), submit("Pause", "pause", ids)]
    return card(body, actions)


def answered_card(bank: QuestionBank, answer: StoredAnswer, *, answered: int) -> Element:
    """What replaces a question card once answered: the answer recorded, and no buttons."""
    question = bank.question(answer.question)
    body = [
        *_question_header(bank, question, answered),
        text(f"Recorded: **{answer.rating.label}**"),
    ]
    if answer.comment:
        body.append(plain(answer.comment))
    else:
        body.append(text("No comment given.", isSubtle=True))
    return card(body)


def review_card(
    bank: QuestionBank,
    answers: Mapping[int, StoredAnswer],
    result: RagResult,
    *,
    assessment_id: int,
    service: str,
) -> Element:
    """Every answer in a compact table, each row opening its question; then submit."""
    body = [
        title("Review: {service}", {"service": service}),
        _rating_line(result),
        text(CRITERIA_KEY, isSubtle=True, size="Small"),
    ]
    for question in bank.questions:
        answer = answers.get(question.number)
        body.append(
            {
                "type": "ColumnSet",
                "spacing": "Small",
                "selectAction": submit(
                    "Change" if answer else "Answer",
                    "change",
                    {"assessment": assessment_id, "question": question.number},
                ),
                "columns": [
                    {
                        "type": "Column",
                        "width": "auto",
                        "items": [
                            text(f"{question.number}{question.criterion.value}", weight="Bolder")
                        ],
                    },
                    {
                        "type": "Column",
                        "width": "stretch",
                        "items": [text(short(question.text, 70))],
                    },
                    _rating_cell(answer.rating if answer else None),
                ],
            }
        )
    body.append(text("Select a row to change its answer.", isSubtle=True, size="Small"))
    ids = {"assessment": assessment_id}
    actions = []
    if not result.unanswered:
        actions.append(submit("Submit assessment", "submit", ids))
    else:
        actions.append(submit("Answer the rest", "continue", ids))
    actions.append(submit("Pause", "pause", ids))
    return card(body, actions)


def _rating_cell(rating: Rating | None) -> Element:
    """A rating in words, bold and dark on a pale tint of its colour (readable at WCAG AA on
    Teams' themes, and never by colour alone); "Not answered" plain."""
    if rating is None:
        return {"type": "Column", "width": "auto", "items": [text("Not answered", isSubtle=True)]}
    return {
        "type": "Column",
        "width": "auto",
        "style": RATING_STYLES[rating.value],
        "items": [text(rating.label, weight="Bolder")],  # dark on the tint: 12:1 and more
    }


def _rating_line(result: RagResult) -> Element:
    if result.rag is None:
        return text("No rating yet: nothing is answered.")
    word = "Provisional rating" if result.provisional else "Overall rating"
    return text(f"{word}: **{result.rag.label}**", color=RAG_COLOURS[result.rag.value])


def result_card(result: RagResult, *, service: str) -> Element:
    """After submission: totals, the overall RAG and why, essentials not met, missing evidence."""
    counts = result.counts
    assert result.rag is not None  # a submitted assessment has every question answered
    not_met = join_numbers(result.essential_not_met) if result.essential_not_met else "None"
    no_evidence = join_numbers(result.no_evidence) if result.no_evidence else "None"
    return card(
        [
            title("Self-assessment submitted: {service}", {"service": service}),
            text(
                f"Overall RAG rating: **{result.rag.label}**",
                size="Large",
                color=RAG_COLOURS[result.rag.value],
            ),
            facts(
                [(rating.label, str(counts[rating])) for rating in Rating]
                + [("Total", str(sum(counts.values())))]
            ),
            text(result.reasons[0]),
            facts(
                [
                    ("Essential criteria not met", not_met),
                    ("Answers without supporting evidence", no_evidence),
                ]
            ),
        ]
    )
