"""The self-assessment conversation, through botbuilder's TestAdapter on a real database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.storage.store import Store
from ehcp_rules import ActionProgress, Rating, Role, Service, StoredAnswer, load_question_bank
from tests.builders import ALEX, SAM
from tests.cards import card_text
from tests.fakes import FakeClock, sqlite_file

from .conftest import Chat, cards_of, make_chat, texts_of

BANK = load_question_bank()


def _body_text(card: dict[str, Any] | None) -> str:
    assert card is not None, "no card"
    parts = []

    def walk(element: dict[str, Any]) -> None:
        if element.get("type") == "TextBlock":
            parts.append(element["text"])
        if element.get("type") == "RichTextBlock":
            parts.extend(run["text"] for run in element["inlines"])
        for child in element.get("items", []) + element.get("columns", []):
            walk(child)

    for element in card["body"]:
        walk(element)
    return "\n".join(parts)


def _buttons(card: dict[str, Any] | None) -> list[str]:
    assert card is not None, "no card"
    return [a["title"] for a in card.get("actions", [])]


def _answers(store: Store, service: Service) -> dict[int, StoredAnswer]:
    assessment = store.call(lambda r: r.assessments.in_progress(service.id))
    assert assessment is not None
    return store.call(lambda r: r.assessments.answers(assessment.id))


async def _answer_all(chat: Chat, ratings: dict[int, str] | None = None) -> None:
    for number in range(1, 24):
        rating = (ratings or {}).get(number, "yes")
        await chat.press("Save answer", rating=rating, comment=f"Evidence for {number}")


async def test_unknown_text_gets_the_help_card(chat: Chat) -> None:
    replies = await chat.say("what's the weather")

    (card,) = cards_of(replies)
    assert "didn't recognise that" in _body_text(card)
    assert _buttons(card) == ["Start assessment", "Resume", "Status"]


@pytest.mark.parametrize(
    "typed", ["start assessment", "Start-Assessment!", "please begin", "START"]
)
async def test_start_is_matched_forgivingly_and_shows_question_1(chat: Chat, typed: str) -> None:
    replies = await chat.say(typed)

    assert texts_of(replies)[0].startswith("Starting a new self-assessment for **Children's SLT**")
    (card,) = cards_of(replies)
    text = _body_text(card)
    assert "Question 1 of 23" in text
    assert "Desirable" in text
    assert BANK.question(1).text in text
    assert "Early warning and referral routes" in text
    rating = next(e for e in card["body"] if e.get("id") == "rating")
    assert [c["title"] for c in rating["choices"]] == ["Yes", "Emerging", "No"]
    comment = next(e for e in card["body"] if e.get("id") == "comment")
    assert comment["isMultiline"] and comment["label"] == "Comments and supporting information"
    assert _buttons(card) == ["Save answer", "Skip for now", "Pause"]


async def test_an_answer_is_saved_at_once_and_its_card_updated_in_place(
    chat: Chat, store: Store, slt: Service
) -> None:
    await chat.say("start assessment")
    question_card_id = chat.last_card_id

    replies = await chat.press("Save answer", rating="emerging", comment="Weekly list from the LA")

    saved = _answers(store, slt)[1]
    assert (saved.rating, saved.comment, saved.answered_by) == (
        Rating.EMERGING,
        "Weekly list from the LA",
        SAM,
    )
    (updated,) = chat.adapter.updated_activities
    assert updated.id == question_card_id
    (answered,) = cards_of([updated])
    assert "Recorded: **Emerging**" in _body_text(answered)
    assert "actions" not in answered
    (next_card,) = cards_of(replies)
    assert "Question 2 of 23" in _body_text(next_card)
    assert _buttons(next_card) == ["Save answer", "Back", "Skip for now", "Pause"]


async def test_an_answer_without_a_comment_is_accepted_with_one_gentle_prompt(
    chat: Chat, store: Store, slt: Service
) -> None:
    await chat.say("start assessment")

    first = await chat.press("Save answer", rating="yes", comment="")
    second = await chat.press("Save answer", rating="yes", comment="")

    assert set(_answers(store, slt)) == {1, 2}
    assert "Saved without a comment" in _body_text(cards_of(first)[0])
    assert "Saved without a comment" not in _body_text(cards_of(second)[0])


@pytest.mark.parametrize(
    ("comment", "reason"),
    [
        ("x" * 2001, "2,001 characters long; the limit is 2,000"),
        ("Child 943 476 5919 seen", "seems to contain an NHS number"),
    ],
)
async def test_a_refused_comment_shows_the_card_again_with_the_reason(
    chat: Chat, store: Store, slt: Service, comment: str, reason: str
) -> None:
    await chat.say("start assessment")

    replies = await chat.press("Save answer", rating="no", comment=comment)

    (card,) = cards_of(replies)
    assert "Question 1 of 23" in _body_text(card)
    assert reason in _body_text(card)
    assert _answers(store, slt) == {}
    inputs = {e["id"]: e.get("value") for e in card["body"] if "id" in e}
    assert inputs == {"rating": "no", "comment": comment}  # what was typed and chosen, kept


async def test_a_card_without_a_rating_keeps_the_comment_and_a_later_question_starts_clean(
    chat: Chat, store: Store, slt: Service
) -> None:
    await chat.say("start assessment")

    again = await chat.press("Save answer", comment="Single route agreed in 2026")
    skipped = await chat.press("Skip for now")

    (card,) = cards_of(again)
    inputs = {e["id"]: e.get("value") for e in card["body"] if "id" in e}
    assert inputs == {"rating": None, "comment": "Single route agreed in 2026"}
    (next_card,) = cards_of(skipped)
    assert "Question 2 of 23" in _body_text(next_card)
    assert not [e for e in next_card["body"] if e.get("value")]


async def test_an_answer_sent_again_without_its_comment_keeps_the_comment(
    chat: Chat, store: Store, slt: Service
) -> None:
    await chat.say("start assessment")
    await chat.press("Save answer", rating="yes", comment="Evidence in the shared drive")
    assessment = store.call(lambda r: r.assessments.in_progress(slt.id))
    assert assessment is not None
    await chat.submit_value({"ehcp": "change", "assessment": assessment.id, "question": 1})
    answer = {"ehcp": "answer", "assessment": assessment.id, "question": 1}

    # each was stored as '' with nothing said (found in review)
    change = {"ehcp": "change", "assessment": assessment.id, "question": 1}
    await chat.submit_value(answer | {"rating": "emerging"})
    kept = _answers(store, slt)[1]
    odd = []
    for comment in (["a"], 5):
        await chat.submit_value(change)
        odd.append(await chat.submit_value(answer | {"rating": "no", "comment": comment}))

    assert (kept.rating, kept.comment) == (Rating.EMERGING, "Evidence in the shared drive")
    after = _answers(store, slt)[1]
    assert (after.rating, after.comment) == (Rating.EMERGING, "Evidence in the shared drive")
    for replies in odd:
        assert "could not be read as text" in _body_text(cards_of(replies)[0])


async def test_a_rating_outside_yes_emerging_no_is_asked_again(
    chat: Chat, store: Store, slt: Service
) -> None:
    await chat.say("start assessment")

    replies = await chat.press("Save answer", rating="maybe", comment="")

    assert "Please choose **Yes**, **Emerging** or **No**" in _body_text(cards_of(replies)[0])
    assert _answers(store, slt) == {}


async def test_comment_text_is_shown_back_as_plain_text_never_markup(chat: Chat) -> None:
    await chat.say("start assessment")
    typed = "<b>Policy</b> **agreed** [link](http://x) _v2_"

    await chat.press("Save answer", rating="yes", comment=typed)

    (answered,) = cards_of(chat.adapter.updated_activities)
    runs = [e for e in answered["body"] if e["type"] == "RichTextBlock"]
    assert runs[0]["inlines"][0]["text"] == typed


async def test_a_double_clicked_card_changes_nothing_and_says_so(
    chat: Chat, store: Store, slt: Service
) -> None:
    await chat.say("start assessment")
    first_card = chat.last_card_id
    await chat.press("Save answer", first_card, rating="yes", comment="a")

    replies = await chat.press("Save answer", first_card, rating="no", comment="b")

    assert texts_of(replies) == [
        "That card is for an earlier question, so nothing was changed. Here is the current one."
    ]
    assessment = store.call(lambda r: r.assessments.in_progress(slt.id))
    assert assessment is not None
    assert len(store.call(lambda r: r.assessments.history(assessment.id, 1))) == 1


async def test_back_shows_the_previous_answer_to_change(
    chat: Chat, store: Store, slt: Service
) -> None:
    await chat.say("start assessment")
    await chat.press("Save answer", rating="no", comment="Not yet")

    replies = await chat.press("Back")
    await chat.press("Save answer", rating="emerging", comment="Started")

    card = cards_of(replies)[0]
    rating = next(e for e in card["body"] if e.get("id") == "rating")
    assert rating["value"] == "no"
    assert _answers(store, slt)[1].rating is Rating.EMERGING


async def test_pause_then_resume_carries_on_at_the_first_unanswered_question(chat: Chat) -> None:
    await chat.say("start assessment")
    await chat.press("Skip for now")
    await chat.press("Save answer", rating="yes", comment="x")

    paused = await chat.press("Pause")
    resumed = await chat.say("resume")

    assert texts_of(paused) == [
        "Paused at question 3. Everything you've answered is saved; type **resume** when "
        "you're ready to carry on."
    ]
    assert "1 of 23 answered. Here is question 1." in texts_of(resumed)[0]
    assert "Question 1 of 23" in _body_text(cards_of(resumed)[0])


async def test_resume_typed_in_the_review_goes_to_the_first_unanswered_question(chat: Chat) -> None:
    await chat.say("start assessment")
    await chat.press("Save answer", rating="yes", comment="x")
    await chat.say("review")

    replies = await chat.say("resume")

    assert "Question 2 of 23" in _body_text(cards_of(replies)[0])


async def test_after_a_restart_the_person_carries_on_where_they_were(
    tmp_path: Path, slt: Service, store: Store
) -> None:
    chat = make_chat(store)
    await chat.say("start assessment")
    await chat.press("Save answer", rating="yes", comment="one")
    card_before_restart = chat.last_card_id
    path = sqlite_file(store)
    store.close()

    with Store.open(path, clock=FakeClock()) as reopened:
        after = make_chat(reopened)
        after._cards = dict(chat.cards)
        replies = await after.press("Save answer", card_before_restart, rating="no", comment="two")
        answers = _answers(reopened, slt)
    assert {n: a.rating for n, a in answers.items()} == {1: Rating.YES, 2: Rating.NO}
    assert "Question 3 of 23" in _body_text(cards_of(replies)[0])


async def test_status_shows_progress_and_the_provisional_rating(chat: Chat) -> None:
    await chat.say("start assessment")
    await chat.press("Save answer", rating="yes", comment="x")
    await chat.press("Save answer", rating="no", comment="y")

    replies = await chat.say("status")

    text = _body_text(cards_of(replies)[0])
    assert "2 of 23 answered · provisional rating **Red**" in text
    assert "essential criterion 2 is rated No" in text


async def test_with_nothing_answered_there_is_no_rating_and_nothing_to_submit(chat: Chat) -> None:
    await chat.say("start assessment")

    status = _body_text(cards_of(await chat.say("status"))[0])
    review = cards_of(await chat.say("review"))[0]

    assert "0 of 23 answered · no rating yet" in status
    assert "rovisional" not in status
    assert "No rating yet: nothing is answered." in _body_text(review)
    assert [a["title"] for a in review["actions"]] == ["Answer the rest", "Pause"]


async def test_typing_something_else_mid_assessment_points_back_to_the_card(chat: Chat) -> None:
    await chat.say("start assessment")

    replies = await chat.say("we have a policy")

    assert texts_of(replies) == [
        "I'm waiting for your answer to question 1 on the card above. You can also type "
        "**pause**, **back**, **skip**, **review** or **status**."
    ]


async def test_the_whole_assessment_review_change_submit_and_action_plan(
    chat: Chat, store: Store, slt: Service
) -> None:
    await chat.say("start assessment")
    await _answer_all(chat, {4: "no", 10: "emerging"})
    review = chat.last_card
    review_id = chat.last_card_id
    assert "Review: Children's SLT" in _body_text(review)
    assert "Overall rating: **Red**" in _body_text(review)

    await chat.press("Change 4E")
    await chat.press("Save answer", rating="emerging", comment="Data collected monthly")
    result_replies = await chat.press("Submit assessment")

    result, plan = cards_of(result_replies)
    text = _body_text(result)
    assert "Self-assessment submitted: Children's SLT" in text
    assert "Overall RAG rating: **Green**" in text
    assert [f["value"] for f in result["body"][2]["facts"]] == ["21", "2", "0", "23"]
    assert "Action plan: Children's SLT" in _body_text(plan)
    await chat.press("Update action 4E")
    await chat.press(
        "Save and next",
        action="Report 6-week returns monthly",
        lead="Service lead",
        workstream="",
        target="2027-03-31",
        progress="on_track",
    )
    submitted = store.call(lambda r: r.assessments.submitted(slt.id))[0]
    actions = store.call(lambda r: r.assessments.actions(submitted.id))
    assert [(a.question, a.owner, a.progress) for a in actions] == [
        (4, "Service lead", ActionProgress.ON_TRACK),
        (10, None, ActionProgress.NOT_STARTED),
    ]

    again = await chat.press("Submit assessment", review_id)
    assert texts_of(again) == ["This assessment was already submitted, so nothing was changed."]


async def test_submit_is_refused_until_every_question_is_answered(chat: Chat) -> None:
    await chat.say("start assessment")
    await chat.say("review")

    assert _buttons(chat.last_card) == ["Answer the rest", "Pause"]
    replies = await chat.submit_value({"ehcp": "submit", "assessment": 1}, chat.last_card_id)
    assert "Questions 1, 2, 3" in texts_of(replies)[0]


async def test_an_old_card_from_a_finished_assessment_changes_nothing(
    chat: Chat, store: Store, slt: Service
) -> None:
    await chat.say("start assessment")
    first_card = chat.last_card_id
    await _answer_all(chat)
    await chat.press("Submit assessment")

    replies = await chat.press("Save answer", first_card, rating="no", comment="late")

    assert texts_of(replies) == [
        "That card belongs to an assessment that has been submitted, so nothing was changed."
    ]


async def test_someone_without_a_role_is_told_how_to_get_one(store: Store) -> None:
    replies = await make_chat(store).say("start assessment")

    assert texts_of(replies) == [
        "You don't have a role for a service yet, so I can't start an assessment for you. Ask "
        f"your administrator to give you one; they will need your id: {SAM}"
    ]


async def test_someone_in_two_services_chooses_one(store: Store, slt: Service) -> None:
    camhs = store.call(lambda r: r.services.add("CAMHS", provider=None, actor="admin"))
    store.call(
        lambda r: r.people.grant(SAM, Role.SPOC, service="CAMHS", display_name=None, actor="admin")
    )
    chat = make_chat(store)

    replies = await chat.say("start assessment")
    assert _buttons(cards_of(replies)[0]) == ["Children's SLT", "CAMHS"]
    started = await chat.press("CAMHS")

    assert "**CAMHS**" in texts_of(started)[0]
    assert store.call(lambda r: r.assessments.in_progress(camhs.id)) is not None


async def test_two_people_of_a_service_share_one_assessment_and_each_answer_names_who(
    store: Store, slt: Service
) -> None:
    sam, alex = make_chat(store, SAM), make_chat(store, ALEX)
    await sam.say("start assessment")
    await sam.press("Save answer", rating="yes", comment="Sam's evidence")

    resumed = await alex.say("start assessment")
    await alex.press("Save answer", rating="no", comment="Alex's evidence")

    assert "1 of 23 answered. Here is question 2." in texts_of(resumed)[0]
    answers = _answers(store, slt)
    assert (answers[1].answered_by, answers[2].answered_by) == (SAM, ALEX)


async def test_a_forged_submission_for_another_assessment_is_refused(chat: Chat) -> None:
    await chat.say("start assessment")

    replies = await chat.submit_value(
        {"ehcp": "answer", "assessment": 999, "question": 1, "rating": "yes"}
    )

    assert texts_of(replies) == ["That card is no longer current, so nothing was changed."]


async def test_start_assessment_after_a_submission_asks_first_and_starts_only_when_told(
    chat: Chat, store: Store, slt: Service
) -> None:
    await chat.say("start assessment")
    await _answer_all(chat, {4: "no"})
    await chat.press("Submit assessment")

    asked = await chat.say("start assessment")
    resumed = await chat.say("resume")
    started = await chat.say("start new assessment")

    (card,) = cards_of(asked)
    assert "Children's SLT submitted its self-assessment on 23 Nov 2026 (rated Red)" in (
        card_text(card)
    )
    assert _buttons(card) == ["Start a new assessment", "Open the action plan", "Status"]
    assert len(cards_of(resumed)) == 1 and not texts_of(resumed)  # asked again, nothing started
    assert texts_of(started)[0].startswith("Starting a new self-assessment for")
    submitted = store.call(lambda r: r.assessments.submitted(slt.id))
    assert len(submitted) == 1 and store.call(lambda r: r.assessments.in_progress(slt.id))


@pytest.mark.parametrize("role", [Role.DCO, Role.ADMIN])
async def test_a_dco_or_admin_asking_to_start_is_told_what_they_can_do(
    store: Store, slt: Service, role: Role
) -> None:
    person = "abababab-0000-4000-8000-0000000000ab"
    store.call(lambda r: r.people.grant(person, role, service=None, display_name=None, actor="a"))

    replies = await make_chat(store, person).say("start assessment")

    (said,) = texts_of(replies)
    assert said.startswith("The self-assessment is completed by a service's practitioners")
    assert "**summary**" in said and "don't have a role" not in said
