"""``summary`` in Teams: DCOs and admins get the card; everyone else is told the role needed."""

from __future__ import annotations

from datetime import date

from bot.demo import load_demo
from bot.storage.store import Store
from tests.fakes import FixedClock

from .conftest import Chat, cards_of, texts_of

DCO = "00000000-0000-4000-8000-000000000001"
PRACTITIONER = "00000000-0000-4000-8000-000000000003"
TODAY = date(2026, 11, 23)


async def test_a_dco_gets_the_summary_card(store: Store) -> None:
    store.call(lambda r: load_demo(r, TODAY))

    (card,) = cards_of(
        await Chat(store, user=DCO, clock=FixedClock(TODAY)).say("summary last quarter")
    )

    texts = [e.get("text", "") for e in card["body"]]
    assert texts[0] == "EHCP compliance summary: Jul 2026 to Sep 2026"
    assert texts[1].startswith("Health advice returned within 6 weeks: **")


async def test_anyone_else_is_told_the_role_needed_and_sees_no_data(store: Store) -> None:
    store.call(lambda r: load_demo(r, TODAY))

    replies = await Chat(store, user=PRACTITIONER, clock=FixedClock(TODAY)).say("summary")

    assert cards_of(replies) == []
    assert texts_of(replies) == [
        "The compliance summary across services is for Designated Clinical Officers and "
        "administrators; you need the DCO or admin role."
    ]


async def test_a_period_not_understood_is_explained(store: Store) -> None:
    store.call(lambda r: load_demo(r, TODAY))

    replies = await Chat(store, user=DCO, clock=FixedClock(TODAY)).say("summary next year")

    assert texts_of(replies)[0].startswith("'next year' is not a period I know")


SPOC_SLT = "00000000-0000-4000-8000-000000000002"


async def test_a_services_own_people_see_its_detail_and_others_do_not(store: Store) -> None:
    store.call(lambda r: load_demo(r, TODAY))

    (card,) = cards_of(
        await Chat(store, user=PRACTITIONER, clock=FixedClock(TODAY)).say(
            "summary for community paediatrics"
        )
    )
    refused = await Chat(store, user=SPOC_SLT, clock=FixedClock(TODAY)).say(
        "summary for Community Paediatrics"
    )
    dco = cards_of(
        await Chat(store, user=DCO, clock=FixedClock(TODAY)).say(
            "summary for Community Paediatrics"
        )
    )

    texts = "\n".join(e.get("text", "") for e in card["body"])
    assert "Community Paediatrics: self-assessment, action plan and casework" in texts
    assert "Latest self-assessment: **Red**" in texts
    assert "**4E** No:" in texts
    assert "Open requests (2)" in texts
    assert texts_of(refused) == [
        "A service's detail is for its SPOC and practitioners, DCOs and administrators; you do "
        "not have a role for Community Paediatrics."
    ]
    assert len(dco) == 1


async def test_neither_a_period_nor_a_service_is_explained(store: Store) -> None:
    store.call(lambda r: load_demo(r, TODAY))

    replies = await Chat(store, user=DCO, clock=FixedClock(TODAY)).say("summary for Orthoptics")

    assert texts_of(replies)[0].endswith(
        "Or name a service for its detail, for example: summary for Children's SLT."
    )
