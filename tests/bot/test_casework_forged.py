"""Forged or odd card submissions for the casework of issue 17, refused politely on the server
with nothing changed (a review's transfer year that is not a whole number, free text that is not
text), and the outcome card's advice about a due date on a non-working day only while it is to
come."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import pytest

from bot.storage.store import Store
from dialogs.casework_views import shown_version
from ehcp_rules import AdviceRequestRecord, Service
from tests.fakes import FakeClock

from .conftest import Chat, cards_of, texts_of

TODAY = date(2026, 12, 29)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(TODAY)


def _log(store: Store, service: Service, ref: str, received: date) -> AdviceRequestRecord:
    record = AdviceRequestRecord.model_validate(
        {"case_ref": ref, "service_id": service.id, "received_on": received}
    )
    store.call(lambda r: r.requests.add(record, actor="test"))
    (stored,) = store.call(lambda r: r.requests.find(ref))
    return stored


@pytest.mark.parametrize("year", ["1e999", "inf", "-inf", "nan", "2027.5"])
async def test_a_transfer_year_that_is_not_a_whole_number_is_refused_politely(
    chat: Chat, store: Store, slt: Service, year: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    value = {
        "ehcp": "log_review",
        "case_ref": "LA-R9",
        "services": str(slt.id),
        "plan_issued_on": "2026-06-01",
        "phase_transfer": "school_phase",
        "transfer_year": year,
    }

    replies = await chat.submit_value(value)

    assert texts_of(replies) == [
        "Give the calendar year of the move in four digits, e.g. 2027. Nothing was logged."
    ]
    assert store.call(lambda r: r.reviews.for_services(None)) == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


_NOT_TEXT = [["2026-12-01"], {"a": 1}, 10**30, 1e308, True, 12.5]


@pytest.mark.parametrize("typed", _NOT_TEXT)
@pytest.mark.parametrize(
    "outcome",
    [
        {"outcome": "not_provided", "not_provided_reason": None},
        {
            "outcome": "exception",
            "exception_reason": "missed_appointment",
            "narrative": None,
            "exception_arose_on": "2026-11-20",
            "agreed_return_on": "2027-01-10",
        },
        {
            "outcome": "clinical_delay",
            "expected_on": "2027-01-20",
            "team_told": "yes",
            "delay_reason": None,
        },
    ],
)
async def test_free_text_that_is_not_text_is_refused_not_stored_as_its_python_spelling(
    chat: Chat, store: Store, slt: Service, typed: Any, outcome: dict[str, Any]
) -> None:
    record = _log(store, slt, "LA-1", date(2026, 10, 19))  # escalation 2 taken on 29 December
    field = next(key for key, value in outcome.items() if value is None)
    shown = shown_version(record)  # the card as it showed the request: only the text is forged
    value = {
        "ehcp": "record_outcome",
        "request": record.id,
        "shown": shown,
        **outcome,
        field: typed,
    }

    replies = await chat.submit_value(value)

    assert texts_of(replies) == [
        "That card sent something other than text where text is typed: not a card I sent. "
        "Nothing was changed."
    ]
    (after,) = store.call(lambda r: r.requests.find("LA-1"))
    assert after == record


def _facts(card: dict[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for element in card["body"]:
        for fact in element.get("facts", []):
            found[fact["title"]] = fact["value"]
    return found


@pytest.mark.parametrize(
    ("received", "note"),
    [
        # due Sat 16 Jan 2027, to come: return it by the working day before
        (date(2026, 12, 5), True),
        # due Sat 28 Nov 2026, a month past: advice for that day no longer helps
        (date(2026, 10, 17), False),
    ],
)
async def test_a_due_date_on_a_weekend_is_noted_only_while_it_is_to_come(
    chat: Chat, store: Store, slt: Service, received: date, note: bool
) -> None:
    _log(store, slt, "LA-1", received)

    (card,) = cards_of(await chat.say("return LA-1"))

    assert ("Note" in _facts(card)) is note
