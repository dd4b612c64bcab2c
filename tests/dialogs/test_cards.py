"""Every card builder's output is a valid Adaptive Card 1.5 (the official schema)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from dialogs.cards.action_plan import action_card, action_plan_cards
from dialogs.cards.assessment import (
    answered_card,
    question_card,
    result_card,
    review_card,
)
from dialogs.cards.general import choose_service_card, help_card, status_card, welcome_card
from ehcp_rules import (
    ActionItem,
    ActionProgress,
    ProgressChange,
    Rating,
    Service,
    StoredAnswer,
    load_question_bank,
    plan_progress,
    rate,
)
from tests.cards import assert_valid_card

BANK = load_question_bank()
WHEN = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _answer(number: int, rating: Rating = Rating.YES, comment: str = "evidence") -> StoredAnswer:
    return StoredAnswer(
        question=number, rating=rating, comment=comment, answered_by="x", answered_at=WHEN
    )


ALL = {n: _answer(n, Rating.NO if n == 4 else Rating.YES) for n in range(1, 24)}
SOME = {n: ALL[n] for n in (1, 2, 3)}
ACTION = ActionItem(
    question=4,
    rating=Rating.NO,
    owner="Lead",
    target_date=date(2027, 3, 31),
    progress=ActionProgress.ON_TRACK,
    action="Collect the 6-week return data monthly.",
    workstream="Assessment and Planning",
    history=(
        ProgressChange(progress=ActionProgress.NOT_STARTED, on=date(2026, 11, 23)),
        ProgressChange(progress=ActionProgress.ON_TRACK, on=date(2026, 12, 3)),
    ),
)


@pytest.mark.parametrize("number", range(1, 24))
def test_every_question_card_is_valid(number: int) -> None:
    card = question_card(
        BANK, number, assessment_id=7, answers=SOME, service="SLT", notice="A notice"
    )
    assert_valid_card(card)


@pytest.mark.parametrize(
    "card",
    [
        welcome_card(),
        help_card(),
        help_card("No assessment is open."),
        choose_service_card([Service(id=1, name="SLT"), Service(id=2, name="CAMHS")]),
        status_card(
            [
                ("SLT", 3, 23, rate(BANK, {1: "yes"}), "23 Nov 2026, rated Red"),
                ("CAMHS", 0, 0, None, None),
            ]
        ),
        answered_card(BANK, _answer(5, Rating.EMERGING, "<b>not bold</b>"), answered=5),
        answered_card(BANK, _answer(6, Rating.NO, ""), answered=6),
        review_card(
            BANK,
            SOME,
            rate(BANK, {n: a.rating for n, a in SOME.items()}),
            assessment_id=7,
            service="SLT",
        ),
        review_card(
            BANK,
            ALL,
            rate(BANK, {n: a.rating for n, a in ALL.items()}),
            assessment_id=7,
            service="SLT",
        ),
        result_card(rate(BANK, {n: a.rating for n, a in ALL.items()}, {4: ""}), service="SLT"),
        *action_plan_cards(
            BANK,
            [ACTION],
            plan_progress([ACTION], date(2027, 4, 1)),
            assessment_id=7,
            service="SLT",
            submitted_on=date(2026, 11, 23),
            today=date(2027, 4, 1),
            editable=True,
        ),
        *action_plan_cards(
            BANK,
            [],
            plan_progress([], date(2027, 4, 1)),
            assessment_id=7,
            service="SLT",
            submitted_on=None,
            today=date(2027, 4, 1),
            editable=False,
        ),
        action_card(
            BANK,
            ACTION,
            assessment_id=7,
            service="SLT",
            following=6,
            notice="Not saved: the lead seems to contain an NHS number.",
            typed={"lead": "943 476 5919"},
        ),
    ],
)
def test_every_other_card_is_valid(card: dict[str, Any]) -> None:
    assert_valid_card(card)


def test_the_validator_rejects_a_broken_card() -> None:
    missing_text = welcome_card()
    del missing_text["body"][0]["text"]
    wrong_version = welcome_card() | {"version": "1.6"}
    no_choices = question_card(BANK, 1, assessment_id=7, answers={}, service="SLT")
    next(e for e in no_choices["body"] if e.get("id") == "rating")["choices"] = []

    for broken, message in (
        (missing_text, "TextBlock invalid: 'text' is a required property"),
        (wrong_version, "version '1.6', not 1.5"),
        (no_choices, "a choice set needs choices"),
    ):
        with pytest.raises(AssertionError, match=message):
            assert_valid_card(broken)


def test_the_schema_kept_here_is_the_official_one(shared_dir: Path) -> None:
    from tests.cards import COPY

    official = shared_dir / "schemas" / "adaptive-card-1.5.schema.json"
    assert COPY.read_bytes() == official.read_bytes()


def test_the_status_button_says_what_it_will_do() -> None:
    started = status_card([("SLT", 3, 23, rate(BANK, {1: "yes"}), None)])
    none = status_card([("SLT", 0, 0, None, "23 Nov 2026, rated Red")])

    assert started["actions"][0]["title"] == "Resume"
    assert none["actions"][0]["title"] == "Start assessment"
