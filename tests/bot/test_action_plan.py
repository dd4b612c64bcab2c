"""Saving the action plan: what was sent and valid is kept, what was not sent is left alone, and
what was not valid is named (the rest saved)."""

from __future__ import annotations

from datetime import date

from bot.storage.store import Repositories, Store
from ehcp_rules import ActionItem, ActionProgress, Rating, Service

from .conftest import Chat, texts_of


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
            progress=ActionProgress.ON_TRACK, actor="t",
        )  # fmt: skip
        return assessment.id

    return store.call(build)


def _plan(store: Store, assessment: int) -> dict[int, ActionItem]:
    return {a.question: a for a in store.call(lambda r: r.assessments.actions(assessment))}


async def test_what_was_sent_and_valid_is_saved_and_the_rest_left_alone(
    store: Store, slt: Service, chat: Chat
) -> None:
    assessment = _submitted(store, slt)

    replies = await chat.submit_value(
        {
            "ehcp": "save_actions",
            "assessment": assessment,
            "owner_4": "  SPOC,   Children's SLT ",
            "target_4": "31/03/2027",  # typed the UK way in the terminal chat
            "progress_4": "on_track",
            "target_6": "2027-02-28",
        }
    )

    plan = _plan(store, assessment)
    assert (plan[4].owner, plan[4].target_date, plan[4].progress) == (
        "SPOC, Children's SLT",
        date(2027, 3, 31),
        ActionProgress.ON_TRACK,
    )
    assert (plan[6].owner, plan[6].target_date) == (None, date(2027, 2, 28))
    assert (plan[9].owner, plan[9].target_date) == ("Team lead", date(2027, 1, 31))  # not sent
    assert texts_of(replies) == ["Action plan saved: 2 action(s) changed."]


async def test_a_bad_field_is_named_and_the_good_ones_are_kept(
    store: Store, slt: Service, chat: Chat
) -> None:
    assessment = _submitted(store, slt)

    replies = await chat.submit_value(
        {
            "ehcp": "save_actions",
            "assessment": assessment,
            "owner_4": "Team lead",
            "target_4": "31/13/2027",
            "progress_6": "nearly there",
            "owner_6": "x" * 101,
        }
    )

    plan = _plan(store, assessment)
    assert (plan[4].owner, plan[4].target_date) == ("Team lead", None)
    assert (plan[6].owner, plan[6].progress) == (None, ActionProgress.NOT_STARTED)
    assert texts_of(replies) == [
        "Action plan saved: 1 action(s) changed. Not saved, and left as it was: "
        "question 4: '31/13/2027' is not a date (use 2027-03-31 or 31/03/2027). "
        "question 6: The action owner is 101 characters long; the limit is 100. Please shorten it. "
        "question 6: that is not one of the progress ratings."
    ]


async def test_a_lead_that_is_not_text_is_named_and_not_stored(
    store: Store, slt: Service, chat: Chat
) -> None:
    assessment = _submitted(store, slt)
    before = _plan(store, assessment)

    replies = await chat.submit_value(
        {"ehcp": "save_actions", "assessment": assessment, "owner_4": ["Mallory"], "owner_6": 5}
    )

    assert _plan(store, assessment) == before  # was stored as "['Mallory']" (found in review)
    assert texts_of(replies) == [
        "The action plan is as it was: nothing was changed. Not saved, and left as it was: "
        "question 4: the lead could not be "
        "read as text. question 6: the lead could not be read as text."
    ]


async def test_a_submission_that_changes_nothing_says_so(
    store: Store, slt: Service, chat: Chat
) -> None:
    assessment = _submitted(store, slt)
    before = _plan(store, assessment)

    replies = await chat.submit_value({"ehcp": "save_actions", "assessment": assessment})

    assert _plan(store, assessment) == before
    assert texts_of(replies) == ["The action plan is as it was: nothing was changed."]
