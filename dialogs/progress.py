"""Where a person is in a self-assessment: kept in the dialog state as plain JSON."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from ehcp_rules import QuestionBank, StoredAnswer


class Mode(StrEnum):
    """What the person is looking at."""

    QUESTION = "question"
    REVIEW = "review"


class AssessmentProgress(BaseModel):
    """The dialog's own state: which assessment, which question, what to say next."""

    assessment_id: int
    service_id: int
    service: str
    edition: str
    question: int = 1
    mode: Mode = Mode.QUESTION
    notice: str | None = None
    quiet: bool = False
    evidence_prompted: bool = False
    shown_at: str | None = None
    typed_rating: str | None = None
    """A rating chosen on a card that was not saved (its comment was refused): shown again."""
    typed_comment: str | None = None
    """A comment typed on a card that was not saved (refused, or sent without a rating): shown
    again, so that nothing typed is lost."""


def next_unanswered(
    bank: QuestionBank, answers: dict[int, StoredAnswer], after: int = 0
) -> int | None:
    """The first unanswered question after ``after``, wrapping round; ``None`` when all are."""
    numbers = [q.number for q in bank.questions]
    ordered = numbers[after:] + numbers[:after]
    return next((n for n in ordered if n not in answers), None)
