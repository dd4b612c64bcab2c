"""The action plan as seed 003 keeps one, kept up to date after submission.

Each No and Emerging answer is an action: what will be done, who leads it and in which
workstream, when, and its progress with its history. ``action plan`` reopens it at any time;
saving an action keeps what was sent and valid, leaves alone what was not sent, and names what was
not valid, whose typed value comes back on the card.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.storage.store import Repositories, Store
from ehcp_rules import ActionItem, ActionProgress, Rating, Role, Service
from tests.builders import ALEX, SAM
from tests.cards import card_text
from tests.fakes import FakeClock

from .conftest import Chat, cards_of, texts_of

DCO = "dddddddd-0000-4000-8000-00000000000d"
NHS_NUMBER = "943 476 5919"


def _submitted(store: Store, service: Service) -> int:
    """A submitted assessment with No for questions 4 and 6 and Emerging for 9."""

    def build(r: Repositories) -> int:
        assessment, _ = r.assessments.start_or_resume(
            service.id, edition="east-of-england", actor="t"
        )
        ratings = {4: Rating.NO, 6: Rating.NO, 9: Rating.EMERGING}
        for number in range(1, 24):
            rating = ratings.get(number, Rating.YES)
            r.assessments.record_answer(assessment.id, number, rating, "Audit 2026", actor="t")
        r.assessments.submit(assessment.id, actor="t")
        r.assessments.update_action(
            assessment.id, 9, owner="Team lead", target_date=date(2027, 1, 31),
            progress=ActionProgress.ON_TRACK, actor="t", action="Monthly audit",
        )  # fmt: skip
        return assessment.id

    return store.call(build)


def _plan(store: Store, assessment: int) -> dict[int, ActionItem]:
    return {a.question: a for a in store.call(lambda r: r.assessments.actions(assessment))}


def _save(assessment: int, question: int, **fields: Any) -> dict[str, Any]:
    return {"ehcp": "save_action", "assessment": assessment, "question": question} | fields


async def test_action_plan_reopens_the_plan_with_every_action_at_a_glance(
    store: Store, slt: Service, chat: Chat
) -> None:
    _submitted(store, slt)

    (plan,) = cards_of(await chat.say("action plan"))

    text = card_text(plan)
    assert "Action plan: Children's SLT" in text
    assert "3 actions: 0 completed, 1 on track, 0 not on track, 2 not started" in text
    assert "2 without a lead" in text
    assert "What will be done: Monthly audit" in text
    assert "Lead: Team lead" in text and "by 31 Jan 2027" in text
    assert "On track since 23 Nov 2026" in text
    assert [r["selectAction"]["data"]["question"] for r in plan["body"] if "selectAction" in r] == [
        4,
        6,
        9,
    ]


async def test_an_action_is_updated_from_its_own_card_and_its_progress_history_kept(
    store: Store, slt: Service, chat: Chat, clock: FakeClock
) -> None:
    assessment = _submitted(store, slt)
    await chat.say("action plan")
    (card,) = cards_of(await chat.press("Update action 4E"))
    labels = [e["label"] for e in card["body"] if e["type"].startswith("Input.")]
    assert labels == [
        "What will be done",
        "Who leads it",
        "Workstream (optional)",
        "When it will be completed",
        "Progress",
    ]

    clock.advance(timedelta(days=3))
    replies = await chat.press(
        "Save",
        action="Collect 6-week return data monthly and report it to the DCO.",
        lead="  SPOC,   Children's SLT ",
        workstream="Assessment and Planning",
        target="31/03/2027",  # typed the UK way in the terminal chat
        progress="on_track",
    )

    action = _plan(store, assessment)[4]
    assert action.action == "Collect 6-week return data monthly and report it to the DCO."
    assert (action.owner, action.workstream) == ("SPOC, Children's SLT", "Assessment and Planning")
    assert (action.target_date, action.progress) == (date(2027, 3, 31), ActionProgress.ON_TRACK)
    assert [(h.progress, h.on) for h in action.history] == [
        (ActionProgress.NOT_STARTED, date(2026, 11, 23)),
        (ActionProgress.ON_TRACK, date(2026, 11, 26)),
    ]
    assert texts_of(replies) == ["Saved the action for question 4."]
    (updated,) = cards_of(chat.adapter.updated_activities)
    assert "Not started from 23 Nov 2026; On track from 26 Nov 2026" in card_text(updated)


async def test_a_refused_field_is_named_and_comes_back_as_typed_and_the_rest_is_saved(
    store: Store, slt: Service, chat: Chat
) -> None:
    assessment = _submitted(store, slt)
    typed = f"Ring the family on {NHS_NUMBER}"

    replies = await chat.submit_value(
        _save(
            assessment,
            4,
            action=typed,
            lead="Team lead",
            target="31/13/2027",
            progress="nearly there",
            workstream="x" * 101,
        ),
        reply_to_id="card-1",
    )

    action = _plan(store, assessment)[4]
    assert (action.owner, action.action, action.target_date) == ("Team lead", None, None)
    assert action.progress is ActionProgress.NOT_STARTED
    assert texts_of(replies) == [
        "Not all of it could be saved: the card says what to correct, and keeps what you typed."
    ]
    (card,) = cards_of(chat.adapter.updated_activities)
    said = card_text(card)
    assert "Not saved, and kept on the card for you to correct:" in said
    assert "The action seems to contain an NHS number" in said
    assert "The workstream is 101 characters long; the limit is 100." in said
    assert "'31/13/2027' is not a date (use 31/03/2027 or 2027-03-31)." in said
    assert "Progress: that is not one of the progress ratings." in said
    inputs = {e["id"]: e.get("value") for e in card["body"] if "id" in e}
    assert inputs["action"] == typed and inputs["workstream"] == "x" * 101
    assert inputs["lead"] == "Team lead"


async def test_a_field_that_is_not_text_is_named_and_not_stored(
    store: Store, slt: Service, chat: Chat
) -> None:
    assessment = _submitted(store, slt)
    before = _plan(store, assessment)[4]

    await chat.submit_value(
        _save(assessment, 4, lead=["Mallory"], workstream=5, action={"x": 1}), reply_to_id="c"
    )

    assert _plan(store, assessment)[4] == before  # was stored as "['Mallory']" (review finding)
    said = card_text(cards_of(chat.adapter.updated_activities)[-1])
    for label in ("Action lead", "Workstream", "Action"):
        assert f"{label}: that could not be read as text, so it was not saved." in said


async def test_save_and_next_moves_to_the_next_action_and_a_partial_card_blanks_nothing(
    store: Store, slt: Service, chat: Chat
) -> None:
    assessment = _submitted(store, slt)
    before = _plan(store, assessment)[9]

    replies = await chat.submit_value(_save(assessment, 9, next=None), reply_to_id="c")
    await chat.submit_value(_save(assessment, 4, lead="Ann", next=6), reply_to_id="c")

    assert _plan(store, assessment)[9] == before
    assert texts_of(replies) == ["The action for question 9 is as it was: nothing was changed."]
    assert _plan(store, assessment)[4].owner == "Ann"
    last = cards_of(chat.adapter.updated_activities)[-1]
    assert "Action for question 6: Children's SLT" in card_text(last)


async def test_a_dco_reads_any_plan_without_update_buttons_and_cannot_save(
    store: Store, slt: Service
) -> None:
    assessment = _submitted(store, slt)
    store.call(lambda r: r.people.grant(DCO, Role.DCO, service=None, display_name=None, actor="a"))
    dco = Chat(store, user=DCO)

    (plan,) = cards_of(await dco.say("action plan for slt"))
    refused = await dco.submit_value(_save(assessment, 4, lead="Mallory"))

    assert "Action plan: Children's SLT" in card_text(plan)
    assert not [row for row in plan["body"] if "selectAction" in row]
    assert _plan(store, assessment)[4].owner is None
    assert "practitioners and SPOCs" in texts_of(refused)[0]


async def test_a_service_with_no_submitted_assessment_is_told_how_its_plan_comes(
    store: Store, slt: Service, chat: Chat
) -> None:
    replies = await chat.say("action plan")

    assert texts_of(replies) == [
        "Children's SLT has no submitted self-assessment yet, so it has no action plan. Its "
        "action plan is made when the self-assessment is submitted: one action for each No and "
        "Emerging answer."
    ]


async def test_someone_in_two_services_is_asked_which(store: Store, slt: Service) -> None:
    def arrange(r: Repositories) -> None:
        r.services.add("CAMHS", provider=None, actor="a")
        r.people.grant(ALEX, Role.SPOC, service="CAMHS", display_name=None, actor="a")

    store.call(arrange)
    _submitted(store, slt)
    alex = Chat(store, user=ALEX)

    (which,) = cards_of(await alex.say("action plan"))
    (plan,) = cards_of(await alex.press("Children's SLT"))

    assert [a["title"] for a in which["actions"]] == ["CAMHS", "Children's SLT"]
    assert "Action plan: Children's SLT" in card_text(plan)
    assert SAM != ALEX
