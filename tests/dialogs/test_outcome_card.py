"""The outcome card offers what can be chosen: "advice will not be provided" only once the
request has reached escalation 2 (seed 002), labels that say an input is needed for its outcome
only, and, in `ehcp-bot chat`, each heading said with the inputs under it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.cli.card_text import render_card
from dialogs.cards.casework import outcome_card
from ehcp_rules import AdviceOutcome, AdviceRequestRecord
from tests.cards import assert_valid_card


def _card(received: date, today: date, **fields: Any) -> dict[str, Any]:
    record = AdviceRequestRecord(
        id=5, case_ref="LA-1", service_id=7, service_name="SLT", received_on=received, **fields
    )
    card = outcome_card(record, [], today)
    assert_valid_card(card)
    return card


def _offered(card: dict[str, Any]) -> list[str]:
    (choice,) = [e for e in card["body"] if e.get("id") == "outcome"]
    return [c["value"] for c in choice["choices"]]


def _ids(card: dict[str, Any]) -> set[str]:
    return {e["id"] for e in card["body"] if "id" in e}


@pytest.mark.parametrize(
    ("received", "today", "offered"),
    [
        # Worked by hand from seed 002's ladder. Received Monday 19 Oct 2026: due 30 Nov;
        # escalation 2 falls on Monday 28 Dec, a bank holiday, so it is taken on Tuesday 29 Dec.
        (date(2026, 10, 19), date(2026, 12, 1), False),  # the chase
        (date(2026, 10, 19), date(2026, 12, 28), False),
        (date(2026, 10, 19), date(2026, 12, 29), True),
        (date(2026, 10, 19), date(2027, 2, 1), True),
        # Received Monday 2 Nov 2026: escalation 2 on Monday 11 Jan 2027.
        (date(2026, 11, 2), date(2027, 1, 8), False),
        (date(2026, 11, 2), date(2027, 1, 11), True),
    ],
)
def test_advice_will_not_be_provided_is_offered_only_from_escalation_2(
    received: date, today: date, offered: bool
) -> None:
    card = _card(received, today)

    assert ("not_provided" in _offered(card)) is offered
    assert ("not_provided_reason" in _ids(card)) is offered
    assert _offered(card)[:4] == ["returned", "not_known_referred", "clinical_delay", "exception"]


def test_a_request_closed_as_not_provided_can_still_be_corrected_to_it() -> None:
    card = _card(
        date(2026, 10, 19),
        date(2026, 12, 29),
        returned_on=date(2026, 12, 29),
        outcome=AdviceOutcome.NOT_PROVIDED,
        not_provided_reason="Not our service.",
    )

    assert "not_provided" in _offered(card)


def test_inputs_needed_for_one_outcome_say_so() -> None:
    card = _card(date(2026, 10, 19), date(2026, 12, 29))

    labels = [e["label"] for e in card["body"] if "label" in e]

    assert not [label for label in labels if label.endswith("(needed)")]
    assert sum("needed for this outcome" in label for label in labels) == 4


def test_the_chat_says_each_heading_with_the_inputs_under_it_not_before() -> None:
    card = _card(date(2026, 10, 19), date(2026, 12, 29))

    lines, form = render_card(card)

    shown = "\n".join(lines)
    assert "If it will take longer for clinical reasons:" not in shown
    assert "If an exception under reg 8(2) applies:" not in shown
    assert form.sections["expected_on"] == "If it will take longer for clinical reasons:"
    assert form.sections["exception_reason"].startswith(
        "If an exception under reg 8(2) applies:\n  Reg 8(2) lifts the 6 weeks"
    )
    assert form.sections["not_provided_reason"].startswith(
        "If, at escalation 2, the advice will not be provided:\n  Seed 002's answer"
    )
