"""An outcome card is taken only while it shows the request as it is: a correction clicked twice,
or an old correction card after a colleague's newer one, changes nothing and says why; a first
outcome card clicked twice is refused once the request is closed."""

from __future__ import annotations

from datetime import date

import pytest

from bot.storage.store import Store
from ehcp_rules import Service
from tests.builders import ALEX
from tests.fakes import FakeClock

from .conftest import Chat, cards_of, find_request, log_request, texts_of

TODAY = date(2026, 12, 29)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(TODAY)


@pytest.fixture
def chat(store: Store, slt: Service, clock: FakeClock) -> Chat:
    return Chat(store)


def _audited(store: Store, action: str) -> int:
    return sum(1 for e in store.call(lambda r: r.audit.entries()) if e.action == action)


async def test_a_correction_clicked_twice_corrects_once(
    chat: Chat, store: Store, slt: Service
) -> None:
    log_request(
        store, slt, "LA-1", date(2026, 11, 20), returned_on=date(2026, 12, 28), outcome="returned"
    )
    cards_of(await chat.say("return LA-1"))
    card = chat.last_card_id

    first = await chat.press("Save outcome", card, outcome="returned", on="2026-12-21")
    second = await chat.press("Save outcome", card, outcome="returned", on="2026-12-22")

    assert texts_of(first)[0].startswith("Corrected for LA-1")
    assert texts_of(second) == [
        "That card is no longer current: LA-1 has changed since it was shown (now: returned 21 "
        "Dec 2026, in time (due 01 Jan 2027)), so nothing was changed. Type **return LA-1** for a "
        "card as it stands."
    ]
    assert find_request(store, "LA-1").returned_on == date(2026, 12, 21)
    assert _audited(store, "request outcome corrected") == 1


async def test_an_old_correction_card_does_not_overwrite_a_colleagues_newer_one(
    store: Store, slt: Service
) -> None:
    log_request(
        store, slt, "LA-1", date(2026, 11, 20), returned_on=date(2026, 12, 28), outcome="returned"
    )
    mine, theirs = Chat(store), Chat(store, user=ALEX)
    await mine.say("return LA-1")
    await theirs.say("return LA-1")
    await theirs.press("Save outcome", outcome="returned", on="2026-12-21")

    replies = await mine.press("Save outcome", outcome="returned", on="2026-12-24")

    assert "That card is no longer current: LA-1 has changed" in texts_of(replies)[0]
    assert find_request(store, "LA-1").returned_on == date(2026, 12, 21)
    # a positive control: the card shown now, as it stands, is taken
    await mine.say("return LA-1")
    fresh = await mine.press("Save outcome", outcome="returned", on="2026-12-24")
    assert texts_of(fresh)[0].startswith("Corrected for LA-1")
    assert find_request(store, "LA-1").returned_on == date(2026, 12, 24)


async def test_a_correction_card_that_says_nothing_of_what_it_showed_is_refused(
    chat: Chat, store: Store, slt: Service
) -> None:
    log_request(
        store, slt, "LA-1", date(2026, 11, 20), returned_on=date(2026, 12, 28), outcome="returned"
    )
    record = find_request(store, "LA-1")

    replies = await chat.submit_value(
        {"ehcp": "record_outcome", "request": record.id, "correct": True, "outcome": "returned"}
    )

    assert "That card is no longer current" in texts_of(replies)[0]
    assert find_request(store, "LA-1").returned_on == date(2026, 12, 28)


async def test_a_first_outcome_card_clicked_twice_is_refused_once_the_request_is_closed(
    chat: Chat, store: Store, slt: Service
) -> None:
    log_request(store, slt, "LA-1", date(2026, 11, 20))
    await chat.say("return LA-1")
    card = chat.last_card_id

    await chat.press("Save outcome", card, outcome="returned", on="2026-12-28")
    second = await chat.press("Save outcome", card, outcome="returned", on="2026-12-21")

    assert texts_of(second)[0].startswith("LA-1 was already returned on 28 Dec 2026")
    assert find_request(store, "LA-1").returned_on == date(2026, 12, 28)


async def test_a_first_outcome_card_is_refused_after_a_colleague_recorded_another_outcome(
    store: Store, slt: Service
) -> None:
    # a clinical delay leaves the request open, so only what the card showed tells them apart
    log_request(store, slt, "LA-1", date(2026, 11, 20))
    mine, theirs = Chat(store), Chat(store, user=ALEX)
    await mine.say("return LA-1")
    await theirs.say("return LA-1")
    await theirs.press(
        "Save outcome", outcome="clinical_delay", expected_on="2027-01-20", team_told="yes"
    )

    replies = await mine.press(
        "Save outcome", outcome="clinical_delay", expected_on="2027-02-20", team_told="no"
    )

    assert "That card is no longer current: LA-1 has changed" in texts_of(replies)[0]
    assert find_request(store, "LA-1").expected_on == date(2027, 1, 20)


@pytest.mark.parametrize(
    "value",
    [
        {"ehcp": "list_page", "list": "nonsense", "page": 1, "service": ""},
        {"ehcp": "list_page", "list": "all", "page": 0, "service": ""},
        {"ehcp": "list_page", "list": "all", "page": "2", "service": ""},
        {
            "ehcp": "log_review",
            "case_ref": "LA-R1",
            "services": "1",
            "plan_issued_on": "2026-06-01",
            "phase_transfer": "to_the_moon",
            "transfer_year": "2027",
        },
    ],
)
async def test_a_card_no_longer_current_says_so_once(
    chat: Chat, store: Store, slt: Service, value: dict[str, object]
) -> None:
    log_request(store, slt, "LA-1", date(2026, 11, 20))

    replies = await chat.submit_value(value)

    assert texts_of(replies) == ["That card is no longer current, so nothing was changed."]
    assert store.call(lambda r: r.reviews.for_services(None)) == []


async def test_an_outcome_card_for_a_request_gone_from_view_says_so_once(
    chat: Chat, store: Store, slt: Service
) -> None:
    log_request(store, slt, "LA-1", date(2026, 11, 20))
    record = find_request(store, "LA-1")

    replies = await chat.submit_value(
        {"ehcp": "record_outcome", "request": str(record.id), "outcome": "returned"}
    )

    assert texts_of(replies) == ["That card is no longer current, so nothing was changed."]
    assert find_request(store, "LA-1").returned_on is None


EXCEPTED = {
    "exception_reason": "missed_appointment",
    "exception_narrative": "Recorded on the wrong case.",
    "exception_arose_on": date(2026, 11, 25),
    "agreed_return_on": date(2027, 1, 20),
}


def _offered(card: dict[str, object]) -> list[str]:
    body = card["body"]
    assert isinstance(body, list)
    (choice,) = [e for e in body if e.get("id") == "outcome"]
    return [c["value"] for c in choice["choices"]]


async def test_a_correction_replaces_the_outcome_wholly_and_the_audit_says_what_it_replaced(
    chat: Chat, store: Store, slt: Service
) -> None:
    # referred, then delayed for clinical reasons, then returned: all recorded
    log_request(
        store,
        slt,
        "LA-1",
        date(2026, 11, 20),
        referral_on=date(2026, 11, 23),
        expected_on=date(2027, 1, 20),
        team_told=True,
        delay_reason="Needs a clinic appointment.",
        returned_on=date(2026, 12, 28),
        outcome="returned",
    )
    await chat.say("return LA-1")

    await chat.press("Save outcome", outcome="returned", on="2026-12-21")

    record = find_request(store, "LA-1")
    assert (record.returned_on, record.outcome) == (date(2026, 12, 21), "returned")
    assert (record.referral_on, record.expected_on, record.team_told, record.delay_reason) == (
        None,
        None,
        None,
        None,
    )
    (entry,) = [
        e
        for e in store.call(lambda r: r.audit.entries())
        if e.action == "request outcome corrected"
    ]
    assert entry.details["was_expected_on"] == "2027-01-20"
    assert entry.details["was_referral_on"] == "2026-11-23"
    assert entry.details["was_returned_on"] == "2026-12-28"


async def test_an_exception_recorded_by_mistake_can_be_taken_off(
    chat: Chat, store: Store, slt: Service
) -> None:
    log_request(store, slt, "LA-1", date(2026, 11, 20), **EXCEPTED)
    log_request(
        store, slt, "LA-2", date(2026, 11, 20)
    )  # a control: no exception, nothing to take off

    (plain,) = cards_of(await chat.say("return LA-2"))
    (card,) = cards_of(await chat.say("return LA-1"))
    replies = await chat.press("Save outcome", outcome="no_exception")

    assert "no_exception" not in _offered(plain)
    assert "no_exception" in _offered(card)
    assert texts_of(replies) == [
        "Took off the exception (reg 8(2)(c)) recorded for LA-1 (Children's SLT); the change is "
        "kept in the audit trail. Now: due 01 Jan 2027 · 3 days left."
    ]
    record = find_request(store, "LA-1")
    assert (
        record.exception_reason,
        record.exception_narrative,
        record.exception_arose_on,
        record.agreed_return_on,
    ) == (None, None, None, None)
    (entry,) = [e for e in store.call(lambda r: r.audit.entries()) if e.action == "request updated"]
    assert entry.details["was_exception_reason"] == "missed_appointment"
    assert entry.details["was_agreed_return_on"] == "2027-01-20"


async def test_taking_off_an_exception_leaves_a_closed_request_closed(
    chat: Chat, store: Store, slt: Service
) -> None:
    log_request(
        store,
        slt,
        "LA-1",
        date(2026, 11, 20),
        returned_on=date(2026, 12, 28),
        outcome="returned",
        **EXCEPTED,
    )
    await chat.say("return LA-1")

    replies = await chat.press("Save outcome", outcome="no_exception")

    assert texts_of(replies)[0].endswith("Now: returned 28 Dec 2026, in time (due 01 Jan 2027).")
    record = find_request(store, "LA-1")
    assert (record.returned_on, record.exception_reason) == (date(2026, 12, 28), None)


async def test_no_exception_on_a_request_without_one_is_refused(
    chat: Chat, store: Store, slt: Service
) -> None:
    log_request(store, slt, "LA-1", date(2026, 11, 20))
    await chat.say("return LA-1")

    replies = await chat.press("Save outcome", outcome="no_exception")

    assert texts_of(replies) == ["Choose what happened. Nothing was changed."]
