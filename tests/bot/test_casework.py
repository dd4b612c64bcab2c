"""Advice requests and annual reviews in Teams, through TestAdapter, on a fixed day."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from botbuilder.schema import Activity

from bot.storage.store import Store
from ehcp_rules import AdviceRequestRecord, ExceptionReason, Role, Service
from tests.builders import ALEX, SAM
from tests.cards import shown
from tests.fakes import FakeClock

from .conftest import Chat, cards_of, texts_of

TODAY = date(2026, 12, 29)  # the Tuesday after Christmas: 28 December is a bank holiday
DCO = "5d5d5d5d-1111-4222-8333-444444444444"


def _text(card: dict[str, Any]) -> str:
    parts: list[str] = []

    def walk(element: dict[str, Any]) -> None:
        if element.get("type") == "TextBlock":
            parts.append(element["text"])
        if element.get("type") == "RichTextBlock":
            parts.extend(run["text"] for run in element["inlines"])
        if element.get("type") == "FactSet":
            parts.extend(f"{f['title']}: {f['value']}" for f in element["facts"])
        for child in element.get("items", []) + element.get("columns", []):
            walk(child)

    for element in card["body"]:
        walk(element)
    return "\n".join(parts)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(TODAY)


@pytest.fixture
def chat(store: Store, slt: Service, clock: FakeClock) -> Chat:
    return Chat(store)


def _log(
    store: Store, service: Service, ref: str, received: date, **extra: object
) -> AdviceRequestRecord:
    record = AdviceRequestRecord.model_validate(
        {"case_ref": ref, "service_id": service.id, "received_on": received, **extra}
    )
    return store.call(lambda r: r.requests.add(record, actor="test"))


async def _log_request(chat: Chat, slt: Service, **inputs: str) -> list[Activity]:
    await chat.say("new request")
    values = {
        "case_ref": "LA-2026-0142",
        "services": str(slt.id),
        "received_on": "2026-12-01",
        "la_deadline": "",
        "assessment_requested_on": "",
        "known_to_service": "yes",
    } | inputs
    return await chat.press("Log request", **values)


async def test_logging_a_request_shows_its_due_date_and_days_left(
    chat: Chat, store: Store, slt: Service
) -> None:
    replies = await _log_request(chat, slt, assessment_requested_on="2026-11-16")

    (card,) = cards_of(replies)
    text = _text(card)
    assert "Logged: LA-2026-0142 — Children's SLT" in text
    assert "Advice due: 12 Jan 2027" in text
    assert "14 days left" in text
    assert "EHC needs assessment: week 7 of 20" in text
    (saved,) = store.call(lambda r: r.requests.find("LA-2026-0142"))
    assert saved.known_to_service is True
    assert store.call(lambda r: r.audit.entries(entity="advice_request"))[0].actor == SAM


@pytest.mark.parametrize(
    ("inputs", "reason"),
    [
        ({"case_ref": "Jane Smith"}, "never a child's name"),
        ({"case_ref": "943 476 5919"}, "looks like an NHS number"),
        ({"received_on": "2027-01-04"}, "Date received (04 Jan 2027) is in the future."),
        ({"received_on": "31/13/2026"}, "Date received: '31/13/2026' is not a date"),
        ({"services": "999"}, "Please choose from your own services."),
        ({"assessment_requested_on": "2026-12-10"}, "after the date health received"),
    ],
)
async def test_a_bad_request_is_refused_with_the_reason_and_nothing_logged(
    chat: Chat, store: Store, slt: Service, inputs: dict[str, str], reason: str
) -> None:
    replies = await _log_request(chat, slt, **inputs)

    (message,) = texts_of(replies)
    assert reason in message and message.endswith("Nothing was logged.")
    assert store.call(lambda r: r.requests.count()) == 0


async def test_a_double_clicked_log_card_logs_once(chat: Chat, store: Store, slt: Service) -> None:
    await _log_request(chat, slt)
    form = next(card_id for card_id, card in chat.cards.items() if "Log a request" in _text(card))

    replies = await chat.press(
        "Log request", form, case_ref="LA-2026-0142", services=str(slt.id), received_on="2026-12-01"
    )

    assert "LA-2026-0142 is already logged for Children's SLT." in texts_of(replies)[0]
    assert store.call(lambda r: r.requests.count()) == 1


async def test_return_records_the_advice_returned(chat: Chat, store: Store, slt: Service) -> None:
    _log(store, slt, "LA-2026-0142", date(2026, 11, 2))

    shown = await chat.say("return la-2026-0142")
    saved = await chat.press("Save outcome", outcome="returned", on="2026-12-23")
    again = await chat.press(
        "Save outcome", list(chat.cards)[-1], outcome="returned", on="2026-12-24"
    )

    # escalation 1 fell on the Boxing Day substitute (28 Dec): taken on the 29th, so its 3
    # working days run 30, 31 December and 4 January
    assert "Now: due 14 Dec 2026 · 15 days overdue · Escalation 1, reply by 04 Jan 2027" in _text(
        cards_of(shown)[0]
    )
    assert texts_of(saved) == [
        "Saved for LA-2026-0142 (Children's SLT): Advice returned. Closed: "
        "advice returned on 23 Dec 2026, 9 days late."
    ]
    assert texts_of(again) == [
        "LA-2026-0142 was already returned on 23 Dec 2026, so nothing was changed. To correct "
        "it, type **return LA-2026-0142** and save the card shown."
    ]
    (record,) = store.call(lambda r: r.requests.find("LA-2026-0142"))
    assert record.returned_on == date(2026, 12, 23)


@pytest.mark.parametrize(
    ("inputs", "reason"),
    [
        ({"outcome": "returned", "on": "2026-10-01"}, "is before the request was received"),
        ({"outcome": "returned", "on": "2027-01-05"}, "is in the future"),
        (
            {"outcome": "exception", "exception_reason": "waiting_list", "narrative": "long wait"},
            "one of the three reasons of reg 8(2)",
        ),
        (
            {"outcome": "exception", "exception_reason": "absent_from_area", "narrative": ""},
            "a narrative saying why",
        ),
        ({"outcome": "clinical_delay", "expected_on": "2027-02-01"}, "whether they were told"),
        (
            {
                "outcome": "exception",
                "exception_reason": "exceptional_circumstances",
                "narrative": "see 943 476 5919",
            },
            "The exception narrative seems to contain an NHS number",
        ),
        (
            {
                "outcome": "clinical_delay",
                "expected_on": "2027-02-01",
                "team_told": "yes",
                "delay_reason": "x" * 501,
            },
            "The delay reason is 501 characters long; the limit is 500.",
        ),
    ],
)
async def test_a_bad_outcome_is_refused_and_nothing_changes(
    chat: Chat, store: Store, slt: Service, inputs: dict[str, str], reason: str
) -> None:
    _log(store, slt, "LA-7", date(2026, 11, 2))
    await chat.say("return LA-7")

    replies = await chat.press("Save outcome", **inputs)

    (message,) = texts_of(replies)
    assert reason in message and message.endswith("Nothing was changed.")
    (record,) = store.call(lambda r: r.requests.find("LA-7"))
    assert (record.returned_on, record.exception_reason, record.outcome) == (None, None, None)


async def test_an_exception_is_recorded_and_stops_the_escalation(
    chat: Chat, store: Store, slt: Service
) -> None:
    _log(store, slt, "LA-7", date(2026, 11, 2))
    await chat.say("return LA-7")

    replies = await chat.press(
        "Save outcome",
        outcome="exception",
        exception_reason="absent_from_area",
        narrative="Family abroad for six weeks.",
        exception_arose_on="2026-11-16",  # 4 weeks left of the 6 (due 14 Dec): reg 8(2)(b)
        agreed_return_on="2027-01-20",
    )

    assert "Advice still owed: exception under reg 8(2)(b)" in texts_of(replies)[0]
    assert "Return it by the agreed date, 20 Jan 2027." in texts_of(replies)[0]
    (record,) = store.call(lambda r: r.requests.find("LA-7"))
    assert record.exception_reason is ExceptionReason.ABSENT_FROM_AREA


async def test_not_known_to_the_service_records_the_referral_and_advice_still_to_follow(
    chat: Chat, store: Store, slt: Service
) -> None:
    _log(store, slt, "LA-8", date(2026, 12, 1))
    await chat.say("return LA-8")

    await chat.press("Save outcome", outcome="not_known_referred", on="2026-12-03")

    (record,) = store.call(lambda r: r.requests.find("LA-8"))
    assert (record.referral_on, record.returned_on, record.known_to_service) == (
        date(2026, 12, 3),
        None,
        False,
    )


async def test_return_without_a_reference_or_with_an_unknown_one_says_so(chat: Chat) -> None:
    assert texts_of(await chat.say("return"))[0].startswith("Which case?")
    assert texts_of(await chat.say("return LA-404")) == [
        "There is no request LA-404 in your services."
    ]


async def test_overdue_lists_the_greatest_risk_first_with_reply_dates_over_the_holiday(
    chat: Chat, store: Store, slt: Service
) -> None:
    _log(store, slt, "LA-CHASE", date(2026, 11, 16))  # due 28 Dec: chased today
    # escalation 1 on 28 Dec, a bank holiday: taken on the 29th, reply by 4 Jan
    _log(store, slt, "LA-ESC1", date(2026, 11, 2))
    # escalation 2 on 28 Dec: taken on the 29th, 10 working days to 13 Jan
    _log(store, slt, "LA-ESC2", date(2026, 10, 19))
    _log(store, slt, "LA-OK", date(2026, 12, 1))

    (card,) = cards_of(await chat.say("overdue"))

    rows = [e for e in card["body"] if e["type"] == "ColumnSet"]
    refs = [shown(row["columns"][0]["items"][0]).split("**")[1] for row in rows]
    assert refs == ["LA-ESC2", "LA-ESC1", "LA-CHASE"]
    text = _text(card)
    assert "Escalation 2, reply by 13 Jan 2027" in text
    assert "due 28 Dec 2026 · 1 day overdue · Chase" in text
    assert "Escalation 1, reply by 04 Jan 2027" in text


async def test_a_long_list_is_paged(chat: Chat, store: Store, slt: Service) -> None:
    for number in range(12):
        _log(store, slt, f"LA-{number:03d}", date(2026, 10, 1 + number))

    first = cards_of(await chat.say("overdue"))[0]
    second = cards_of(await chat.press("Next"))[0]

    assert "12 requests · page 1 of 2" in _text(first)
    assert len([e for e in second["body"] if e["type"] == "ColumnSet"]) == 2
    assert [a["title"] for a in second["actions"]] == ["Previous"]


async def test_due_this_week_and_a_named_service(chat: Chat, store: Store, slt: Service) -> None:
    _log(store, slt, "LA-SOON", date(2026, 11, 20))  # due 1 Jan
    _log(store, slt, "LA-LATER", date(2026, 12, 20))  # due 31 Jan

    week = _text(cards_of(await chat.say("due this week"))[0])
    unknown = texts_of(await chat.say("requests Orthoptics"))

    assert "LA-SOON" in week and "LA-LATER" not in week
    assert unknown == ["None of your services is called 'Orthoptics'. Yours: Children's SLT."]


async def test_each_person_sees_only_their_services_and_a_dco_sees_all(
    store: Store, slt: Service, clock: FakeClock
) -> None:
    camhs = store.call(lambda r: r.services.add("CAMHS", provider=None, actor="admin"))
    store.call(lambda r: r.people.grant(DCO, Role.DCO, service=None, display_name=None, actor="a"))
    _log(store, slt, "LA-SLT", date(2026, 10, 1))
    _log(store, camhs, "LA-CAMHS", date(2026, 10, 1))

    mine = _text(cards_of(await Chat(store, user=ALEX).say("overdue"))[0])
    everyone = _text(cards_of(await Chat(store, user=DCO).say("overdue"))[0])

    assert "LA-SLT" in mine and "LA-CAMHS" not in mine
    assert "LA-SLT" in everyone and "LA-CAMHS" in everyone


async def test_someone_without_a_role_is_told_how_to_get_one(
    store: Store, clock: FakeClock
) -> None:
    replies = await Chat(store).say("overdue")

    assert texts_of(replies)[0].startswith("You don't have a role for a service yet")


async def test_logging_a_review_updating_it_and_listing_those_needing_action(
    chat: Chat, store: Store, slt: Service
) -> None:
    await chat.say("new review")
    logged = await chat.press(
        "Log review",
        case_ref="EHCP-5001",
        services=str(slt.id),
        plan_issued_on="2026-02-01",
        meeting_on="2027-01-20",
        last_review_on="",
        health_notified_on="",
        contribution_in_on="",
    )
    (before,) = cards_of(await chat.say("reviews"))
    await chat.say("new review")
    updated = await chat.press(
        "Log review",
        case_ref="ehcp-5001",
        services=str(slt.id),
        health_notified_on="2026-12-22",
        plan_issued_on="",
    )
    after = await chat.say("reviews")

    assert texts_of(logged) == [
        "Logged the annual review for EHCP-5001: hold it by 31 Jan 2027.\n\nNeeds action now:"
        "\n\n- Health not yet told of the meeting on 20 Jan 2027 (6 weeks' notice was due by "
        "09 Dec 2026): tell them at once"
    ]
    assert "Health not yet told of the meeting on 20 Jan 2027" in _text(before)
    # told on 22 December of a meeting on 20 January: 29 days, under seed 002's 6 weeks
    late = (
        "Health was told of the meeting on 20 Jan 2027 on 22 Dec 2026: under the 6 weeks' "
        "notice health needs (seed 002)"
    )
    assert texts_of(updated) == [
        "Updated the annual review for EHCP-5001: hold it by 31 Jan 2027.\n\nNeeds action now:"
        f"\n\n- {late}"
    ]
    assert late in _text(cards_of(after)[0])
    (saved,) = store.call(lambda r: r.reviews.for_services(None))
    assert (saved.plan_issued_on, saved.health_notified_on) == (
        date(2026, 2, 1),
        date(2026, 12, 22),
    )


async def test_a_case_another_service_holds_is_logged_apart_and_nothing_of_theirs_is_told(
    chat: Chat, store: Store, slt: Service
) -> None:
    camhs = store.call(lambda r: r.services.add("CAMHS", provider=None, actor="admin"))
    from ehcp_rules import AnnualReviewRecord

    store.call(
        lambda r: r.reviews.save(
            AnnualReviewRecord(
                case_ref="EHCP-7", service_ids=(camhs.id,), plan_issued_on=date(2026, 3, 1)
            ),
            actor="x",
        )
    )
    await chat.say("new review")

    held = await chat.press(
        "Log review", case_ref="EHCP-7", services=str(slt.id), plan_issued_on="2026-01-01"
    )
    await chat.say("new review")
    unknown = await chat.press(
        "Log review", case_ref="EHCP-8", services=str(slt.id), plan_issued_on="2026-01-01"
    )

    # the same answer as for a case nobody holds: nothing says another service has it
    assert texts_of(held)[0].startswith(
        "Logged the annual review for EHCP-7: hold it by 31 Dec 2026."
    )
    assert texts_of(unknown) == [texts_of(held)[0].replace("EHCP-7", "EHCP-8")]
    theirs = store.call(lambda r: r.reviews.for_services([camhs.id]))
    assert [(r.case_ref, r.plan_issued_on) for r in theirs] == [("EHCP-7", date(2026, 3, 1))]


async def test_a_new_review_needs_the_plan_date(chat: Chat, slt: Service) -> None:
    await chat.say("new review")

    replies = await chat.press(
        "Log review", case_ref="EHCP-9", services=str(slt.id), plan_issued_on=""
    )

    assert texts_of(replies) == [
        "The date the plan was first issued is needed for a new review. Nothing was logged."
    ]


async def test_casework_mid_assessment_is_answered_and_the_assessment_carries_on(
    chat: Chat, store: Store, slt: Service
) -> None:
    await chat.say("start assessment")
    question_card = chat.last_card_id
    _log(store, slt, "LA-1", date(2026, 10, 1))

    listed = await chat.say("overdue")
    carried_on = await chat.press("Save answer", question_card, rating="yes", comment="ok")

    assert "Overdue requests" in _text(cards_of(listed)[0])
    assert "Question 2 of 23" in _text(cards_of(carried_on)[0])


async def _log_review(chat: Chat, slt: Service, **fields: str) -> list[str]:
    await chat.say("new review")
    return texts_of(await chat.press("Log review", services=str(slt.id), **fields))


async def test_a_meeting_booked_after_the_12_month_limit_is_warned_at_entry(
    chat: Chat, slt: Service
) -> None:
    replies = await _log_review(
        chat, slt, case_ref="EHCP-1L", plan_issued_on="2026-03-01", meeting_on="2027-03-10"
    )

    assert replies == [
        "Logged the annual review for EHCP-1L: hold it by 28 Feb 2027.\n\nNeeds action now:\n\n"
        "- The meeting on 10 Mar 2027 is after the 12-month limit (28 Feb 2027): bring it forward"
    ]


async def test_a_past_meeting_counts_only_once_recorded_as_held_and_the_12_months_run_from_it(
    chat: Chat, store: Store, slt: Service
) -> None:
    logged = await _log_review(
        chat,
        slt,
        case_ref="EHCP-1H",
        plan_issued_on="2025-12-01",
        meeting_on="2026-12-10",
        health_notified_on="2026-10-01",
        contribution_in_on="2026-11-20",
    )
    held = await _log_review(chat, slt, case_ref="EHCP-1H", held_on="10/12/2026")

    # on 29 December the 12 months from 1 December 2025 have passed: the meeting on 10 December
    # is not a review until recorded as held
    assert "Past its 12-month limit (30 Nov 2026)" in logged[0]
    assert "The meeting on 10 Dec 2026 has passed but is not recorded as held" in logged[0]
    assert held == [
        "Recorded the review of EHCP-1H as held on 10 Dec 2026.\n\n"
        "Updated the annual review for EHCP-1H: hold it by 09 Dec 2027."
    ]
    (saved,) = store.call(lambda r: r.reviews.for_services([slt.id]))
    assert (saved.last_review_on, saved.meeting_on, saved.health_notified_on) == (
        date(2026, 12, 10),
        None,
        None,
    )
    kept = store.call(
        lambda r: r.db.execute(
            "SELECT period_start, review_by, held_on, recorded_by FROM reviews_held"
        ).fetchall()
    )
    assert kept == [("2025-12-01", "2026-11-30", "2026-12-10", SAM)]
    audited = store.call(
        lambda r: r.db.execute(
            "SELECT actor, details FROM audit WHERE action = 'review held'"
        ).fetchall()
    )
    assert audited == [(SAM, '{"held_on": "2026-12-10"}')]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"held_on": "2027-01-05"}, "Date the review meeting was held"),  # in the future
        ({"held_on": "2025-11-30"}, "on or before the last one recorded (01 Dec 2025)"),
        ({"held_on": "2026-12-10", "last_review_on": "2026-12-10"}, "not both"),
    ],
)
async def test_a_review_held_is_refused_when_it_cannot_be(
    chat: Chat, store: Store, slt: Service, fields: dict[str, str], reason: str
) -> None:
    await _log_review(chat, slt, case_ref="EHCP-1R", plan_issued_on="2025-12-01")

    replies = await _log_review(chat, slt, case_ref="EHCP-1R", **fields)

    assert reason in replies[0] and "Nothing was logged" in replies[0]
    assert store.call(lambda r: r.db.execute("SELECT count(*) FROM reviews_held").fetchone()) == (
        0,
    )


@pytest.mark.parametrize(
    ("year", "reply"),
    [
        ("26", "four digits (2027 for a move in September 2027)"),
        (
            "2026",
            "A transfer in September 2026 has already taken place: the transfer year is the "
            "calendar year of the move (for a move in September 2027, give 2027). Nothing was "
            "logged.",
        ),
        (
            "2027",
            "Phase transfer: amended plan by 14 Feb 2027; to leave the 12 weeks the regulations "
            "allow for amending, the review was to be held by 22 Nov 2026",
        ),
    ],
)
async def test_the_transfer_year_is_the_calendar_year_of_the_move(
    chat: Chat, slt: Service, year: str, reply: str
) -> None:
    replies = await _log_review(
        chat,
        slt,
        case_ref="EHCP-1T",
        plan_issued_on="2026-06-01",
        phase_transfer="school",
        transfer_year=year,
    )

    assert reply in replies[0]
