"""Counts in replies agree with their numbers: "1 more service", "0 of 1 action", "Question 23
still needs an answer" — never "1 more services" or "Questions 23 still need"."""

from __future__ import annotations

from datetime import date

import pytest

from bot.storage.store import Repositories, Store
from dialogs.cards import summary as summary_cards
from dialogs.cards.summary import plan_words
from ehcp_rules import ActionItem, ActionProgress, Rating, Role, Service, plan_progress
from tests.cards import card_text

from .conftest import Chat, cards_of, texts_of

DCO = "5d6e7f80-9a0b-4c1d-8e2f-3a4b5c6d7e8f"


async def test_one_service_beyond_the_card_is_one_more_service(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(summary_cards, "SERVICES_SHOWN", (3, 0))  # as if 3 were all that fit

    def services(r: Repositories) -> None:
        for name in ("CAMHS", "OT", "SLT", "Paediatrics"):
            r.services.add(name, provider=None, actor="admin")
        r.people.grant(DCO, Role.DCO, service=None, display_name=None, actor="admin")

    store.call(services)

    (card,) = cards_of(await Chat(store, user=DCO).say("summary"))

    assert "And 1 more service: the export has every one." in card_text(card)


def test_the_plan_line_counts_one_action_as_one() -> None:
    action = ActionItem(
        question=4, rating=Rating.NO, owner=None, target_date=None, progress=ActionProgress.ON_TRACK
    )

    words = plan_words(plan_progress([action], date(2026, 11, 23)))

    assert words == "plan: 0 of 1 action completed, 1 without a lead"


def test_the_charts_note_of_services_left_out_agrees_with_its_number() -> None:
    from bot.files.chart import _more  # the legend is drawn into the image

    assert (_more(1), _more(3)) == ("1 more service is", "3 more services are")


async def test_one_question_left_is_one_question_that_still_needs_an_answer(
    chat: Chat, slt: Service
) -> None:
    await chat.say("start assessment")
    for _ in range(22):
        await chat.press("Save answer", rating="yes", comment="evidence")
    (review,) = cards_of(await chat.say("review"))
    data = next(a["data"] for a in review["actions"] if a["title"] == "Answer the rest")

    replies = await chat.submit_value(data | {"ehcp": "submit"})

    assert texts_of(replies) == ["Question 23 still needs an answer before you can submit."]
