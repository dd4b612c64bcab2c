"""The overall RAG rule (seed 000, with the reading in DESIGN.md §3) as a decision table."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ehcp_rules import InvalidAnswerError, Rag, Rating, load_question_bank, rate

BANK = load_question_bank()
ESSENTIAL = list(BANK.essential_numbers)
DESIRABLE = [q.number for q in BANK.questions if not q.essential]
Y, E, N = Rating.YES, Rating.EMERGING, Rating.NO


def _answers(yes: list[int], emerging: list[int], no: list[int]) -> dict[int, Rating]:
    answers = {n: Y for n in yes} | {n: E for n in emerging} | {n: N for n in no}
    assert len(answers) == len(yes) + len(emerging) + len(no), "a question given twice"
    return answers


def test_all_yes_is_green() -> None:
    result = rate(BANK, {n: Y for n in range(1, 24)})

    assert result.rag is Rag.GREEN
    assert not result.provisional
    assert result.counts == {Y: 23, E: 0, N: 0}
    assert result.reasons[0].startswith("Green: all 16 essential criteria are met")


def test_an_essential_rated_no_is_red_and_named() -> None:
    answers = {n: Y for n in range(1, 24)} | {4: N, 6: N}

    result = rate(BANK, answers)

    assert result.rag is Rag.RED
    assert result.essential_not_met == (4, 6)
    assert result.reasons[0] == "Red: essential criteria 4 and 6 are rated No."


def test_one_essential_rated_no_is_named_in_the_singular() -> None:
    result = rate(BANK, {n: Y for n in range(1, 24)} | {19: N})

    assert result.reasons[0] == "Red: essential criterion 19 is rated No."


def test_desirables_rated_no_do_not_make_it_red_while_no_is_not_most_common() -> None:
    answers = _answers(ESSENTIAL, [], DESIRABLE)  # 16 Yes, 7 No

    result = rate(BANK, answers)

    assert result.rag is Rag.GREEN
    assert result.essential_not_met == ()


def test_twelve_yes_of_23_is_a_majority_and_green() -> None:
    answers = _answers(ESSENTIAL[:12], ESSENTIAL[12:] + DESIRABLE, [])

    assert rate(BANK, answers).rag is Rag.GREEN


def test_majority_emerging_with_essentials_met_is_amber() -> None:
    answers = _answers(DESIRABLE + ESSENTIAL[:4], ESSENTIAL[4:], [])  # 11 Yes, 12 Emerging

    result = rate(BANK, answers)

    assert result.rag is Rag.AMBER
    assert "12 of 23 ratings are Emerging, a majority" in result.reasons[0]


def test_no_majority_at_all_is_amber_and_the_reason_says_why() -> None:
    answers = _answers(ESSENTIAL[:10], ESSENTIAL[10:] + DESIRABLE[:4], DESIRABLE[4:])  # 10/10/3

    result = rate(BANK, answers)

    assert result.rag is Rag.AMBER
    assert "neither Yes (10) nor Emerging (10) is a majority" in result.reasons[0]
    assert "cautious" in result.reasons[0]


def test_no_as_the_most_common_rating_is_red_even_with_no_essential_answered() -> None:
    result = rate(BANK, _answers([], [1], [3, 10, 11]))

    assert result.rag is Rag.RED
    assert result.provisional
    assert result.reasons[0] == "Red: No is the most common rating, 3 of 4."


def test_no_joint_most_common_counts_as_most_common() -> None:
    result = rate(BANK, _answers([1], [3], [10]))

    assert result.rag is Rag.RED
    assert "joint most common" in result.reasons[0]


def test_a_partial_assessment_is_provisional_and_lists_what_is_missing() -> None:
    result = rate(BANK, {1: Y, 2: Y, 3: E})

    assert result.provisional
    assert result.unanswered == tuple(range(4, 24))
    assert result.rag is Rag.GREEN
    assert "no essential criterion answered so far is rated No" in result.reasons[0]
    assert result.reasons[1].startswith("Provisional: 20 of 23 questions are not answered yet")


def test_nothing_answered_gives_no_rating_and_says_so() -> None:
    result = rate(BANK, {}, {})

    assert result.rag is None  # DESIGN.md §3: no rating, provisional or not
    assert not result.provisional
    assert result.reasons == ("No questions are answered yet, so no rating can be given.",)
    assert result.unanswered == tuple(range(1, 24))


@pytest.mark.parametrize(
    ("answers", "rag", "provisional"),
    [
        # Worked by hand from DESIGN.md §3: a rating is provisional while questions are
        # unanswered; with nothing answered there is no rating, provisional or not.
        ({}, None, False),
        ({1: Y}, Rag.GREEN, True),  # 1 of 1 Yes, no essential rated No
        ({4: N}, Rag.RED, True),  # essential 4 not met
        ({n: E for n in range(1, 23)}, Rag.AMBER, True),  # 22 answered, 23 open
        ({n: Y for n in range(1, 24)}, Rag.GREEN, False),
    ],
)
def test_provisional_means_a_rating_over_some_of_the_questions(
    answers: dict[int, Rating], rag: Rag | None, provisional: bool
) -> None:
    result = rate(BANK, answers)

    assert (result.rag, result.provisional) == (rag, provisional)
    assert any(r.startswith("Provisional:") for r in result.reasons) is provisional


@pytest.mark.parametrize(
    ("answers", "reason", "note"),
    [
        # Worked by hand: the count's noun and verb agree with its numbers.
        (
            {1: Y},
            "Green: no essential criterion answered so far is rated No, and the only rating is "
            "Yes.",
            "Provisional: 22 of 23 questions are not answered yet",
        ),
        (
            {1: E},
            "Amber: no essential criterion answered so far is rated No, and the only rating is "
            "Emerging.",
            "Provisional: 22 of 23 questions are not answered yet",
        ),
        (
            {1: Y, 2: Y, 3: E},
            "Green: no essential criterion answered so far is rated No, and 2 of 3 ratings are "
            "Yes, a majority.",
            "Provisional: 20 of 23 questions are not answered yet",
        ),
        (
            {n: Y for n in range(1, 23)},
            "Green: no essential criterion answered so far is rated No, and 22 of 22 ratings "
            "are Yes, a majority.",
            "Provisional: 1 of 23 questions is not answered yet (23).",
        ),
    ],
)
def test_counts_in_the_reasons_are_singular_or_plural_as_their_numbers_need(
    answers: dict[int, Rating], reason: str, note: str
) -> None:
    result = rate(BANK, answers)

    assert result.reasons[0] == reason
    assert result.reasons[1].startswith(note)


def test_answers_without_comments_are_listed_as_no_evidence_when_comments_are_given() -> None:
    answers = {n: Y for n in range(1, 24)}
    comments: dict[int, str | None] = {n: "Audit report March 2026" for n in range(1, 24)}
    comments |= {2: "", 9: "   ", 17: None}

    with_comments = rate(BANK, answers, comments)
    without = rate(BANK, answers)

    assert with_comments.no_evidence == (2, 9, 17)
    assert "No supporting evidence is given for questions 2, 9 and 17." in with_comments.reasons
    assert without.no_evidence is None


def test_string_ratings_are_accepted_in_any_case() -> None:
    result = rate(BANK, {1: "yes", 2: "Emerging", 3: " NO "})

    assert result.counts == {Y: 1, E: 1, N: 1}


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({24: "yes"}, "no question 24: questions are 1 to 23"),
        ({0: "yes"}, "no question 0"),
        ({5: "maybe"}, "question 5: 'maybe' is not a rating"),
        ({5: "green"}, "question 5: 'green' is not a rating"),
    ],
)
def test_unknown_questions_and_ratings_raise_a_clear_value_error(
    answers: dict[int, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        rate(BANK, answers)
    with pytest.raises(InvalidAnswerError):
        rate(BANK, answers)


_ORDER: dict[Rag | None, int] = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2}
complete_answers = st.fixed_dictionaries({n: st.sampled_from(list(Rating)) for n in range(1, 24)})
partial_answers = st.dictionaries(st.integers(1, 23), st.sampled_from(list(Rating)))


@given(partial_answers, st.integers(1, 23))
def test_turning_a_no_into_a_yes_never_makes_the_rating_worse(
    answers: dict[int, Rating], number: int
) -> None:
    before = rate(BANK, answers | {number: N})
    after = rate(BANK, answers | {number: Y})

    assert _ORDER[after.rag] >= _ORDER[before.rag]


@given(complete_answers)
def test_a_complete_assessment_is_red_exactly_when_an_essential_is_rated_no(
    answers: dict[int, Rating],
) -> None:
    result = rate(BANK, answers)

    assert not result.provisional
    assert sum(result.counts.values()) == 23
    # With 16 essentials met, No can never be the most common of 23 ratings.
    assert (result.rag is Rag.RED) == any(answers[n] is N for n in ESSENTIAL)


@given(complete_answers)
def test_green_exactly_when_no_essential_is_no_and_yes_is_a_majority(
    answers: dict[int, Rating],
) -> None:
    result = rate(BANK, answers)
    yes = sum(1 for r in answers.values() if r is Y)

    assert (result.rag is Rag.GREEN) == (not result.essential_not_met and yes >= 12)
