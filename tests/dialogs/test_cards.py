"""Every card builder's output is a valid Adaptive Card 1.5 (the official schema)."""

from __future__ import annotations

import json
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


MIXED = {n: _answer(n, [Rating.YES, Rating.EMERGING, Rating.NO][n % 3]) for n in range(1, 20)}


def _colours(element: object) -> set[str]:
    """Every text colour a card uses."""
    if isinstance(element, dict):
        found = {element["color"]} if "color" in element else set()
        return found.union(*(_colours(v) for v in element.values()))
    if isinstance(element, list):
        return set().union(*(_colours(v) for v in element))
    return set()


def test_no_rating_is_written_in_a_colour_too_light_to_read() -> None:
    """Teams draws Good and Warning text at 2.1:1 and 1.5:1 on white (WCAG AA asks 4.5:1)."""
    result = rate(BANK, {n: a.rating for n, a in MIXED.items()})
    cards = [
        review_card(BANK, MIXED, result, assessment_id=7, service="SLT"),
        result_card(rate(BANK, {n: "yes" for n in range(1, 24)}), service="SLT"),
        status_card([("SLT", 19, 23, result, "23 Nov 2026, rated Amber")]),
    ]

    used = set().union(*(_colours(card) for card in cards))
    assert used and not used & {"Good", "Warning"}, used
    review = cards[0]
    styles = {c.get("style") for row in review["body"] if row["type"] == "ColumnSet"
              for c in row["columns"]}  # fmt: skip
    assert {"good", "warning", "attention"} <= styles  # the colour as a pale tint behind


def test_the_review_says_what_e_and_d_mean_and_offers_to_answer_what_is_not_answered() -> None:
    card = review_card(BANK, SOME, rate(BANK, {1: "yes"}), assessment_id=7, service="SLT")

    rows = [row for row in card["body"] if row["type"] == "ColumnSet"]
    assert "E: essential criterion · D: desirable criterion" in str(card["body"][2])
    assert [r["selectAction"]["title"] for r in rows[:5]] == [
        "Change",
        "Change",
        "Change",
        "Answer",
        "Answer",
    ]


def test_a_service_that_never_assessed_is_not_told_to_refresh() -> None:
    from dialogs.cards.digest import digest_line
    from ehcp_rules import Nudge, NudgeStep

    def stale(last: str) -> Nudge:
        return Nudge(
            item_key=f"assessment:3:{last}",
            step=NudgeStep.ASSESSMENT_STALE,
            service_id=3,
            reference="self-assessment",
            on=date(2026, 11, 23),
        )

    assert digest_line(stale("None"), "CAMHS", date(2026, 11, 23)) == (
        "CAMHS · no self-assessment yet: time to start one"
    )
    assert digest_line(stale("2025-10-01"), "CAMHS", date(2026, 11, 23)) == (
        "CAMHS · the self-assessment is due for a refresh"
    )


@pytest.mark.parametrize(
    ("step", "day", "line"),
    [
        # DEMO-R004: a move in September 2027, amended plan by 14 Feb, review by 22 Nov 2026
        (
            "phase_transfer",
            date(2026, 11, 22),
            "R4 · CAMHS · hold the review by 22 Nov 2026, amended plan by 14 Feb 2027",
        ),
        (
            "phase_transfer",
            date(2026, 12, 1),  # a weekly channel's digest, or a catch-up: the day has gone
            "R4 · CAMHS · amended plan by 14 Feb 2027; the review was to be held by 22 Nov 2026: "
            "hold it as soon as you can",
        ),
        (
            "no_meeting_date",
            date(2026, 11, 22),
            "R4 · CAMHS · due by 14 Feb 2027: set a date and tell health by 22 Nov",
        ),
        (
            "no_meeting_date",
            date(2026, 11, 23),
            "R4 · CAMHS · due by 14 Feb 2027: set a date and tell health now (6 weeks' notice was "
            "due by 22 Nov)",
        ),
    ],
)
def test_a_date_to_act_by_that_has_passed_is_not_asked_for(step: str, day: date, line: str) -> None:
    from dialogs.cards.digest import digest_card, digest_line
    from ehcp_rules import Nudge, NudgeStep

    nudge = Nudge(
        item_key="review:4",
        step=NudgeStep(step),
        service_id=3,
        reference="R4",
        on=date(2027, 2, 14),
        reply_by=date(2026, 11, 22),
    )

    assert digest_line(nudge, "CAMHS", day) == line
    shown = json.dumps(digest_card([nudge], {3: "CAMHS"}, day=day, catch_up=False))
    assert line.rsplit(" · ", maxsplit=1)[-1].split(":", maxsplit=1)[0] in shown
