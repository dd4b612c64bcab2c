"""Advice requests at the edges, through the chat as a SPOC uses it: exceptions as reg 8(2)
words them, "advice will not be provided", a correction, the date defaulting to today, a due
date on a bank holiday, a reply date that has passed, and a clinical delay's expected date."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.storage.store import Store
from ehcp_rules import AdviceOutcome, ExceptionReason, Service
from tests.fakes import FakeClock

from .conftest import Chat, cards_of, find_request, log_request, texts_of

TODAY = date(2026, 12, 29)  # the Tuesday after Christmas: 28 December is a bank holiday


def _text(card: dict[str, Any]) -> str:
    found: list[str] = []

    def walk(element: Any) -> None:
        if isinstance(element, dict):
            for key in ("text", "title", "value", "label"):
                if isinstance(element.get(key), str):
                    found.append(element[key])
            for value in element.values():
                walk(value)
        elif isinstance(element, list):
            for value in element:
                walk(value)

    walk(card)
    return "\n".join(found)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(TODAY)


@pytest.fixture
def chat(store: Store, slt: Service, clock: FakeClock) -> Chat:
    return Chat(store)


EXCEPTION = {
    "outcome": "exception",
    "exception_reason": "missed_appointment",
    "narrative": "Two hearing-test appointments were not kept.",
}


@pytest.mark.parametrize(
    ("dates", "reason"),
    [
        ({}, "An exception needs the date its circumstance arose."),
        (
            {"exception_arose_on": "2026-12-20", "agreed_return_on": "2027-01-20"},
            "after the advice was due (14 Dec 2026): reg 8(2) covers only what happens during "
            "the 6 weeks, so the request is late, not excepted.",
        ),
        (
            {"exception_arose_on": "2026-10-30", "agreed_return_on": "2027-01-20"},
            "before the request was received",
        ),
        ({"exception_arose_on": "2026-11-20"}, "the return date agreed with the requesting team"),
    ],
)
async def test_an_exception_outside_reg_8_2_or_without_its_dates_is_refused(
    chat: Chat, store: Store, slt: Service, dates: dict[str, str], reason: str
) -> None:
    log_request(store, slt, "LA-1", date(2026, 11, 2))  # due 14 December
    await chat.say("return LA-1")

    replies = await chat.press("Save outcome", **EXCEPTION, **dates)

    assert reason in texts_of(replies)[0]
    assert "Nothing was changed." in texts_of(replies)[0]
    assert find_request(store, "LA-1").exception_reason is None


async def test_the_outcome_card_quotes_the_three_heads_and_asks_for_both_dates(
    chat: Chat, store: Store, slt: Service
) -> None:
    log_request(store, slt, "LA-1", date(2026, 11, 2))

    (card,) = cards_of(await chat.say("return LA-1"))

    text = _text(card)
    assert "fails to keep an appointment for an examination or a test made by the body" in text
    assert "during that 6 week period" in text
    assert "Date the circumstance arose (within the 6 weeks; needed for this outcome)" in text
    assert "Return date agreed with the requesting team (needed for this outcome)" in text
    on = next(e for e in card["body"] if e.get("id") == "on")
    assert on["value"] == "2026-12-29"  # the return date defaults to today


async def test_an_excepted_request_is_listed_as_excepted_with_its_agreed_date(
    chat: Chat, store: Store, slt: Service
) -> None:
    log_request(store, slt, "LA-1", date(2026, 11, 2))
    await chat.say("return LA-1")
    await chat.press(
        "Save outcome",
        **EXCEPTION,
        exception_arose_on="2026-11-20",
        agreed_return_on="2027-01-20",
    )

    (card,) = cards_of(await chat.say("requests"))

    assert "excepted (reg 8(2)(c)) · agreed return 20 Jan 2027, 22 days left" in _text(card)
    record = find_request(store, "LA-1")
    assert (record.exception_arose_on, record.agreed_return_on) == (
        date(2026, 11, 20),
        date(2027, 1, 20),
    )


async def test_the_overdue_list_keeps_an_excepted_request_but_never_calls_it_overdue(
    chat: Chat, store: Store, slt: Service
) -> None:
    # Received 2 Nov, so the 6 weeks ended 14 Dec; the appointment was missed on 20 Nov
    # (reg 8(2)(c)) and the team agreed 20 January. On 29 December it is past the 6 weeks
    # (listed: the summary counts it under "Overdue now") but owed on 20 January, not overdue.
    log_request(
        store,
        slt,
        "LA-1",
        date(2026, 11, 2),
        exception_reason=ExceptionReason.MISSED_APPOINTMENT,
        exception_narrative="Hearing test not kept.",
        exception_arose_on=date(2026, 11, 20),
        agreed_return_on=date(2027, 1, 20),
    )
    log_request(store, slt, "LA-2", date(2026, 11, 16))  # due 28 Dec: 1 day overdue, a control

    (card,) = cards_of(await chat.say("overdue"))

    text = _text(card)
    assert "LA-2" in text and "1 day overdue" in text
    (line,) = [row for row in text.splitlines() if "excepted" in row]
    assert line == (
        "6 weeks ended 14 Dec 2026 · excepted (reg 8(2)(c)) · agreed return 20 Jan 2027, "
        "22 days left"
    )
    assert "not overdue until their agreed return date passes" in text


async def test_a_return_with_no_date_is_taken_as_today(
    chat: Chat, store: Store, slt: Service
) -> None:
    log_request(store, slt, "LA-1", date(2026, 11, 20))
    await chat.say("return LA-1")

    await chat.press("Save outcome", outcome="returned", on="")

    assert find_request(store, "LA-1").returned_on == TODAY


async def test_a_recorded_return_can_be_corrected_and_the_correction_is_audited(
    chat: Chat, store: Store, slt: Service
) -> None:
    log_request(store, slt, "LA-1", date(2026, 11, 20))
    await chat.say("return LA-1")
    await chat.press("Save outcome", outcome="returned", on="2026-12-28")

    (card,) = cards_of(await chat.say("return LA-1"))
    replies = await chat.press(
        "Save outcome", list(chat.cards)[-1], outcome="returned", on="2026-12-21"
    )

    assert "Saving this card corrects it" in _text(card)
    assert texts_of(replies)[0].startswith(
        "Corrected for LA-1 (Children's SLT): Advice returned, in place of Advice returned on "
        "28 Dec 2026."
    )
    assert find_request(store, "LA-1").returned_on == date(2026, 12, 21)
    audit = store.call(lambda r: r.audit.entries())
    corrected = [e for e in audit if e.action == "request outcome corrected"]
    assert len(corrected) == 1
    assert corrected[0].details["was_returned_on"] == "2026-12-28"
    assert corrected[0].details["returned_on"] == "2026-12-21"


async def test_advice_will_not_be_provided_at_escalation_2_closes_the_request(
    chat: Chat, store: Store, slt: Service
) -> None:
    log_request(store, slt, "LA-1001", date(2026, 11, 2))  # escalation 2 on 11 January 2027
    log_request(store, slt, "LA-1002", date(2026, 10, 19))  # escalation 2 taken on 29 December
    await chat.say("return LA-1001")
    early = await chat.press("Save outcome", outcome="not_provided", not_provided_reason="x")
    await chat.say("return LA-1002")
    no_reason = await chat.press("Save outcome", outcome="not_provided", not_provided_reason="")
    saved = await chat.press(
        "Save outcome", outcome="not_provided", not_provided_reason="Advice not required."
    )

    assert "is health's answer at escalation 2 (11 Jan 2027 for this request)" in texts_of(early)[0]
    assert texts_of(no_reason) == ["Say why the advice will not be provided. Nothing was changed."]
    assert "Closed on 29 Dec 2026: the advice will not be provided." in texts_of(saved)[0]
    assert "None:" not in texts_of(saved)[0]
    record = find_request(store, "LA-1002")
    assert record.outcome is AdviceOutcome.NOT_PROVIDED
    assert record.not_provided_reason == "Advice not required."
    assert find_request(store, "LA-1001").outcome is None
    assert "LA-1002" not in _text(cards_of(await chat.say("requests"))[0])


async def test_a_reply_date_that_has_passed_says_so_in_the_list_and_card(
    store: Store, slt: Service, clock: FakeClock
) -> None:
    log_request(
        store, slt, "LA-1", date(2026, 10, 19)
    )  # escalation 2 taken 29 Dec, reply by 13 Jan
    clock.move_to(date(2027, 1, 26))
    chat = Chat(store)

    (listed,) = cards_of(await chat.say("overdue"))
    (card,) = cards_of(await chat.say("return LA-1"))

    # working days after Wednesday 13 January up to Tuesday 26 January: 9
    assert "Escalation 2, reply was due 13 Jan, 9 working days ago" in _text(listed)
    assert "reply by 13 Jan" not in _text(listed)
    text = _text(card)
    assert "Escalation inside health: the head of service gives a return date" in text


async def test_a_clinical_delay_shows_the_date_the_team_was_given(
    chat: Chat, store: Store, slt: Service
) -> None:
    log_request(store, slt, "LA-1", date(2026, 11, 20))  # due 1 January 2027
    await chat.say("return LA-1")

    saved = await chat.press(
        "Save outcome", outcome="clinical_delay", expected_on="2027-01-20", team_told="yes"
    )
    (listed,) = cards_of(await chat.say("requests"))

    assert "Return the advice by 01 Jan 2027" not in texts_of(saved)[0]
    assert "return the advice by the expected date, 20 Jan 2027" in texts_of(saved)[0]
    assert "clinical delay, expected 20 Jan 2027" in _text(listed)


async def test_a_request_logged_with_impossible_dates_is_refused_with_the_reason(
    chat: Chat, store: Store, slt: Service
) -> None:
    await chat.say("new request")
    old = await chat.press(
        "Log request", case_ref="LA-1003", services=str(slt.id), received_on="2019-03-04"
    )
    await chat.say("new request")
    deadline = await chat.press(
        "Log request",
        case_ref="LA-1004",
        services=str(slt.id),
        received_on="2026-12-01",
        la_deadline="2026-11-20",
    )

    assert "is more than a year ago, so the advice would already be" in texts_of(old)[0]
    assert "deadline (20 Nov 2026) is before the request was received" in texts_of(deadline)[0]
    assert store.call(lambda r: r.requests.count()) == 0


async def test_a_due_date_on_a_bank_holiday_says_so(chat: Chat, store: Store, slt: Service) -> None:
    await chat.say("new request")
    replies = await chat.press(
        "Log request", case_ref="LA-1005", services=str(slt.id), received_on="2026-11-20"
    )  # due Friday 1 January 2027, still to come

    text = _text(cards_of(replies)[0])
    assert "01 Jan 2027 is a bank holiday" in text
    assert ExceptionReason.ABSENT_FROM_AREA.value not in text
