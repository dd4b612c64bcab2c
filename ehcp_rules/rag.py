"""The overall RAG rating of a self-assessment (seed 000), with its reasons in plain words.

Reading taken (DESIGN.md §3): an essential criterion is *met* when rated Yes or Emerging and *not
met* when rated No.

1. RED if any essential criterion is not met, or No is the most common rating (a tie for most
   common counts: the cautious choice).
2. GREEN if all essential criteria are met and more than half of the ratings are Yes.
3. AMBER otherwise — the seed's "majority Emerging", and the case it does not name, where neither
   Yes nor Emerging is a majority.

While questions are unanswered the rating is provisional: it is worked out over the answers given.
With nothing answered there is no rating, provisional or not, and the one reason says so.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

from ehcp_rules.errors import InvalidAnswerError
from ehcp_rules.privacy import quoted
from ehcp_rules.question_bank import QuestionBank
from ehcp_rules.ratings import Rag, Rating
from ehcp_rules.wording import part_of

RAG_RULES: tuple[str, ...] = (
    "An essential criterion is met when rated Yes or Emerging, and not met when rated No.",
    "RED if any essential criterion is not met, or No is the most common rating.",
    "GREEN if all essential criteria are met and more than half of the ratings are Yes.",
    "AMBER otherwise: all essential criteria are met and Yes is not a majority "
    "(a majority rated Emerging, or no majority at all).",
    "While any question is unanswered the rating is provisional.",
)
"""The rule as this product applies it, in plain words (the tool's own wording is ambiguous;
each edition also carries it as printed, in ``QuestionBank.printed_rag_rules``)."""


class RagResult(BaseModel):
    """The outcome of :func:`rate`."""

    model_config = ConfigDict(frozen=True)

    rag: Rag | None
    """The rating; ``None`` while nothing is answered (no rating, provisional or not)."""
    provisional: bool
    """A rating is given over the answers so far, with questions still unanswered; ``False``
    when all are answered, and when none are (there is then no rating). Whether the assessment
    can be submitted is ``not unanswered``."""
    counts: dict[Rating, int]
    answered: int
    total_questions: int
    unanswered: tuple[int, ...]
    essential_not_met: tuple[int, ...]
    no_evidence: tuple[int, ...] | None
    reasons: tuple[str, ...]


def normalise_answers(bank: QuestionBank, answers: Mapping[int, Rating | str]) -> dict[int, Rating]:
    """Check every question number and rating; ``InvalidAnswerError`` names the first bad one."""
    checked: dict[int, Rating] = {}
    for number, value in answers.items():
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= len(bank):
            shown = number if isinstance(number, int) else quoted(number)
            raise InvalidAnswerError(f"no question {shown}: questions are 1 to {len(bank)}")
        checked[number] = _parse_rating(number, value)
    return checked


def _parse_rating(number: int, value: Rating | str) -> Rating:
    if isinstance(value, Rating):
        return value
    try:
        return Rating(str(value).strip().lower())
    except ValueError:
        raise InvalidAnswerError(
            f"question {number}: {quoted(value)} is not a rating (Yes, Emerging or No)"
        ) from None


def rate(
    bank: QuestionBank,
    answers: Mapping[int, Rating | str],
    comments: Mapping[int, str | None] | None = None,
) -> RagResult:
    """Rate a set of answers against ``bank``; see the module docstring for the rule.

    ``comments`` (question number → comment), when given, fills ``no_evidence``: the answered
    questions whose comment is missing or blank. Without it ``no_evidence`` is ``None``.
    """
    ratings = normalise_answers(bank, answers)
    counts = Counter(ratings.values())
    full_counts = {rating: counts.get(rating, 0) for rating in Rating}
    not_met = tuple(n for n in bank.essential_numbers if ratings.get(n) is Rating.NO)
    unanswered = tuple(q.number for q in bank.questions if q.number not in ratings)
    no_evidence = None if comments is None else _without_evidence(ratings, comments)
    essentials_open = sum(1 for n in bank.essential_numbers if n not in ratings)
    rag, reason = _overall(full_counts, not_met, len(bank.essential_numbers), essentials_open)
    notes = _notes(unanswered, len(bank), no_evidence) if ratings else []
    return RagResult(
        rag=rag,
        provisional=bool(unanswered) and rag is not None,
        counts=full_counts,
        answered=len(ratings),
        total_questions=len(bank),
        unanswered=unanswered,
        essential_not_met=not_met,
        no_evidence=no_evidence,
        reasons=(reason, *notes),
    )


def _without_evidence(
    ratings: Mapping[int, Rating], comments: Mapping[int, str | None]
) -> tuple[int, ...]:
    return tuple(sorted(n for n in ratings if not (comments.get(n) or "").strip()))


def _overall(
    counts: Mapping[Rating, int], not_met: tuple[int, ...], essentials: int, essentials_open: int
) -> tuple[Rag | None, str]:
    answered = sum(counts.values())
    yes, emerging, no = counts[Rating.YES], counts[Rating.EMERGING], counts[Rating.NO]
    if not_met:
        verb = "is" if len(not_met) == 1 else "are"
        noun = "criterion" if len(not_met) == 1 else "criteria"
        return Rag.RED, f"Red: essential {noun} {join_numbers(not_met)} {verb} rated No."
    if answered == 0:
        return None, "No questions are answered yet, so no rating can be given."
    if no and no >= max(yes, emerging):
        joint = " (joint most common)" if no in (yes, emerging) else ""
        return Rag.RED, f"Red: No is the most common rating{joint}, {no} of {answered}."
    met = f"all {essentials} essential criteria are met (rated Yes or Emerging)"
    if essentials == 1:
        met = "the essential criterion is met (rated Yes or Emerging)"
    if essentials_open:
        met = "no essential criterion answered so far is rated No"
    majority = ", a majority." if answered > 1 else "."
    if yes * 2 > answered:
        return Rag.GREEN, f"Green: {met}, and {part_of(yes, answered, 'rating')} Yes{majority}"
    if emerging * 2 > answered:
        share = part_of(emerging, answered, "rating")
        return Rag.AMBER, f"Amber: {met}, and {share} Emerging{majority}"
    return Rag.AMBER, (
        f"Amber: {met}, but neither Yes ({yes}) nor Emerging ({emerging}) is a majority of the "
        f"{answered} ratings. The tool does not name this case, so the cautious rating is given."
    )


def _notes(
    unanswered: tuple[int, ...], total: int, no_evidence: tuple[int, ...] | None
) -> list[str]:
    notes = []
    if unanswered:
        notes.append(
            f"Provisional: {part_of(len(unanswered), total, 'question')} not answered yet "
            f"({join_numbers(unanswered)})."
        )
    if no_evidence:
        word = "question" if len(no_evidence) == 1 else "questions"
        notes.append(f"No supporting evidence is given for {word} {join_numbers(no_evidence)}.")
    return notes


def join_numbers(numbers: tuple[int, ...] | list[int]) -> str:
    """``1``, ``1 and 2``, ``1, 2 and 3``."""
    words = [str(n) for n in numbers]
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"
