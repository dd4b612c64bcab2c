"""The one policy: every card action the bot can emit has a rule, and every one of them, forged
through the HTTP endpoint against another service's records, changes nothing and gives nothing
of that service back.

A card submission is only JSON that a Teams client posts; anyone can post their own. Each forged
submission here names a record of Community Paediatrics (an assessment in progress, a submitted
one with its action plan, a request, a review, a nudge posted to its channel) and is sent by the
SPOC of another service, by someone with no role, by a paediatric practitioner whose role was
taken away, and from a conversation the record was never posted to.
"""

from __future__ import annotations

import ast
import logging
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.storage.store import Repositories, Store
from bot.teams.app import create_app
from dialogs.commands import Command
from dialogs.policy import RULES
from ehcp_rules import (
    ActionProgress,
    AdviceRequestRecord,
    AnnualReviewRecord,
    Rating,
    Role,
    Service,
)
from tests import builders
from tests.builders import SAM
from tests.fakes import FakeClock, FakeConnector, sqlite_file

from .conftest import Chat, cards_of, texts_of

CARDS = Path(__file__).resolve().parents[2] / "dialogs" / "cards"
TODAY = date(2026, 11, 23)
OTHER_SPOC = "11111111-0000-4000-8000-000000000001"  # SPOC of Children's SLT
NOBODY = "22222222-0000-4000-8000-000000000002"  # no role at all
REVOKED = "33333333-0000-4000-8000-000000000003"  # was a paediatric practitioner
PAEDS_SPOC = "44444444-0000-4000-8000-000000000004"
CHANNEL = "19:paeds@thread.tacv2"
SECRETS = ("LA-PAED-7731", "PAED-R-0042", "Paediatric waiting list evidence", "Dr Paed Lead")
"""What must never come back to anyone outside Community Paediatrics."""


def emitted_actions() -> set[str]:
    """Every action any card builder can put on a button (``submit(title, ACTION, ...)``)."""
    found = set()
    for path in sorted(CARDS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "submit":
                action = node.args[1]
                assert isinstance(action, ast.Constant), f"{path.name}:{node.lineno}: not a literal"
                found.add(str(action.value))
    return found


def test_every_action_a_card_can_send_has_a_rule_and_every_rule_is_used() -> None:
    cards = {f"card:{action}" for action in emitted_actions() - {"command"}}
    commands = {f"command:{command.value}" for command in Command} | {"command:summary for"}

    assert cards == {key for key in RULES if key.startswith("card:")}
    assert commands == {key for key in RULES if key.startswith("command:")}


def test_the_collector_finds_a_new_action_without_a_rule(tmp_path: Path) -> None:
    assert "answer" in emitted_actions() and "acknowledge" in emitted_actions()
    assert "card:save_action" in RULES  # the control: a rule exists for a real action
    assert "card:delete_everything" not in RULES  # so a new action's rule would be missed


@dataclass
class World:
    """Two services, their people, and Community Paediatrics' records to forge cards about."""

    paeds_id: int
    in_progress: int
    submitted: int
    request: int
    item: str


def _world(r: Repositories) -> World:
    slt = r.services.add("Children's SLT", provider=None, actor="admin")
    paeds = r.services.add("Community Paediatrics", provider=None, actor="admin")
    r.people.grant(OTHER_SPOC, Role.SPOC, service=slt.name, display_name=None, actor="admin")
    r.people.grant(PAEDS_SPOC, Role.SPOC, service=paeds.name, display_name=None, actor="admin")
    r.people.grant(REVOKED, Role.PRACTITIONER, service=paeds.name, display_name=None, actor="a")
    submitted, _ = r.assessments.start_or_resume(paeds.id, edition="east-of-england", actor="a")
    for number in range(1, 24):
        rating = Rating.NO if number == 4 else Rating.YES
        r.assessments.record_answer(
            submitted.id, number, rating, "Paediatric waiting list evidence", actor="a"
        )
    r.assessments.submit(submitted.id, actor="a")
    r.assessments.update_action(
        submitted.id,
        4,
        owner="Dr Paed Lead",
        target_date=None,
        progress=ActionProgress.ON_TRACK,
        actor="a",
    )
    in_progress, _ = r.assessments.start_or_resume(paeds.id, edition="east-of-england", actor="a")
    request = r.requests.add(
        AdviceRequestRecord(
            case_ref="LA-PAED-7731", service_id=paeds.id, received_on=TODAY - timedelta(days=50)
        ),
        actor="a",
    )
    r.reviews.save(
        AnnualReviewRecord(
            case_ref="PAED-R-0042", service_ids=(paeds.id,), plan_issued_on=date(2026, 1, 5)
        ),
        actor="a",
    )
    reference = {"bot": {"id": "28:bot"}, "conversation": {"id": CHANNEL}, "serviceUrl": "x"}
    r.channels.remember(CHANNEL, kind="channel", team_id="t", name="Paeds", reference=reference)
    r.channels.subscribe(CHANNEL, paeds.id, actor="a")
    item = f"request:{request.id}"
    r.nudges.hold(CHANNEL, [(item, "chase")], day=TODAY, about={(item, "chase"): (paeds.id, "x")})
    r.people.revoke(REVOKED, Role.PRACTITIONER, service=paeds.name, actor="admin")
    assert request.id is not None
    return World(paeds.id, in_progress.id, submitted.id, request.id, item)


def _forged(world: World) -> dict[str, dict[str, Any]]:
    """A forged submission for every card action, each naming a paediatric record."""
    on = TODAY.isoformat()
    assessment = {"assessment": world.in_progress, "question": 1}
    forged: dict[str, dict[str, Any]] = {
        action: assessment | {"rating": "no", "comment": "forged"}
        for action in ("answer", "back", "skip", "pause", "change", "continue", "submit")
    }
    return forged | {
        "edit_action": {"assessment": world.submitted, "question": 4},
        "save_action": {"assessment": world.submitted, "question": 4, "lead": "Mallory"},
        "show_plan": {"assessment": world.submitted},
        "choose_service": {"service": world.paeds_id},
        "log_request": {"case_ref": "LA-2026-9999", "services": str(world.paeds_id)},
        "list_page": {"list": "all", "page": 1, "service": "Community Paediatrics"},
        "log_review": {"case_ref": "PAED-R-0042", "services": str(world.paeds_id)},
        "outcome_form": {"request": world.request},
        "record_outcome": {"request": world.request, "outcome": "returned", "on": on},
        "acknowledge": {"item": world.item, "step": "chase", "reference": "[x](https://x.test)"},
        "summary_detail": {"service": world.paeds_id},
        "summary_export": {"format": "csv", "period": "2026-11-01 to 2026-11-30"},
        "assessment_export": {"assessment": world.submitted},
    }


KEPT_OF_EVERY_TURN = {"bot_state", "conversations", "rate_counts"}
"""What any turn may write: its own dialog state, how to reach the conversation it came from, and
its person's count of turns (the limits per person)."""


def _snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but those any turn writes about itself."""
    with sqlite3.connect(path) as db:
        tables = [
            name
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if name not in KEPT_OF_EVERY_TURN
        ]
        return {name: sorted(db.execute(f"SELECT * FROM {name}").fetchall()) for name in tables}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(TODAY)


@pytest.fixture
async def bot(
    store: Store, connector: tuple[FakeConnector, str]
) -> AsyncIterator[tuple[TestClient[web.Request, web.Application], FakeConnector, str, World]]:
    world = store.call(_world)
    client = TestClient(TestServer(create_app(builders.settings(), store=store)))
    await client.start_server()
    fake, url = connector
    yield client, fake, url, world
    await client.close()


ACTORS = {
    "another service's SPOC": OTHER_SPOC,
    "someone with no role": NOBODY,
    "a practitioner whose role was taken away": REVOKED,
    "paediatrics' own SPOC, from a conversation it was not posted to": PAEDS_SPOC,
}


@pytest.mark.parametrize("actor", sorted(ACTORS))
async def test_every_forged_card_changes_nothing_and_gives_nothing_back(
    bot: tuple[TestClient[web.Request, web.Application], FakeConnector, str, World],
    store: Store,
    actor: str,
) -> None:
    client, fake, url, world = bot
    person = ACTORS[actor]
    forged = _forged(world)
    if person == PAEDS_SPOC:  # their own records: only what must be done where it was posted
        forged = {"acknowledge": forged["acknowledge"]}
    before = _snapshot(sqlite_file(store))
    fake.take()

    for action, value in sorted(forged.items()):
        activity = builders.submission({"ehcp": action} | value, "1:card", url, user=person)
        response = await client.post("/api/messages", json=activity)
        assert response.status == 201, action

    replies = str([sent.body for sent in fake.take()])
    assert _snapshot(sqlite_file(store)) == before
    assert not [secret for secret in SECRETS if secret in replies], replies
    assert "https://x.test" not in replies


async def test_an_id_no_database_can_hold_is_a_stale_card_not_an_error(
    bot: tuple[TestClient[web.Request, web.Application], FakeConnector, str, World],
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, fake, url, world = bot
    fake.take()
    huge = 10**30  # was an OverflowError and an apology for every action below (found in review)

    with caplog.at_level(logging.ERROR):
        for action, value in sorted(_forged(world).items()):
            forged = {key: huge if isinstance(v, int) else v for key, v in value.items()}
            activity = builders.submission(
                {"ehcp": action} | forged, "1:card", url, user=PAEDS_SPOC
            )
            assert (await client.post("/api/messages", json=activity)).status == 201, action

    assert not caplog.records, [r.getMessage() for r in caplog.records]
    assert fake.take()  # each was answered


TYPED_FOR_PAEDS = ("action plan Community Paediatrics", "action plan for paeds", "summary for paed")
"""Typed commands that name Community Paediatrics' records, whole or by a part of its name."""


@pytest.mark.parametrize(
    "actor",
    sorted(set(ACTORS) - {"paediatrics' own SPOC, from a conversation it was not posted to"}),
)
async def test_a_typed_action_plan_or_detail_for_another_service_gives_nothing_back(
    bot: tuple[TestClient[web.Request, web.Application], FakeConnector, str, World],
    store: Store,
    actor: str,
) -> None:
    client, fake, url, _ = bot
    before = _snapshot(sqlite_file(store))
    fake.take()

    for text in TYPED_FOR_PAEDS:
        response = await client.post(
            "/api/messages", json=builders.message(text, url, user=ACTORS[actor])
        )
        assert response.status == 201, text

    replies = str([sent.body for sent in fake.take()])
    assert _snapshot(sqlite_file(store)) == before
    assert not [secret for secret in SECRETS if secret in replies], replies
    assert replies.count("'text'") >= len(TYPED_FOR_PAEDS)  # each one was answered


async def test_the_action_plan_is_never_shown_in_a_channel(
    bot: tuple[TestClient[web.Request, web.Application], FakeConnector, str, World],
) -> None:
    client, fake, url, _ = bot
    fake.take()

    activity = builders.channel_message("action plan Community Paediatrics", url)
    activity["from"]["aadObjectId"] = PAEDS_SPOC
    await client.post("/api/messages", json=activity)

    replies = str([sent.body for sent in fake.take()])
    assert "only in a personal chat" in replies
    assert not [secret for secret in SECRETS if secret in replies]


async def test_a_role_taken_away_mid_assessment_stops_at_the_next_click(
    store: Store, slt: Service
) -> None:
    chat = Chat(store, user=SAM)
    await chat.say("start assessment")
    store.call(lambda r: r.people.revoke(SAM, Role.PRACTITIONER, service=slt.name, actor="admin"))

    replies = await chat.press("Save answer", rating="yes", comment="Flowchart agreed.")
    typed = await chat.say("skip")

    answers = store.call(lambda r: r.db.execute("SELECT count(*) FROM answers").fetchone()[0])
    assert answers == 0
    assert texts_of(replies)[0].startswith("You don't have a role for a service yet")
    assert texts_of(typed)[0].startswith("You don't have a role for a service yet")


async def test_in_a_channel_lists_show_only_the_services_it_follows(
    store: Store, slt: Service
) -> None:
    def arrange(r: Repositories) -> None:
        camhs = r.services.add("CAMHS", provider=None, actor="admin")
        r.people.grant(SAM, Role.SPOC, service="CAMHS", display_name=None, actor="a")
        for service_id, ref in ((slt.id, "LA-SLT-1"), (camhs.id, "LA-CAMHS-1")):
            received = TODAY - timedelta(days=50)
            r.requests.add(
                AdviceRequestRecord(case_ref=ref, service_id=service_id, received_on=received),
                actor="t",
            )
        reference = {"bot": {"id": "28:bot"}, "conversation": {"id": CHANNEL}, "serviceUrl": "x"}
        r.channels.remember(CHANNEL, kind="channel", team_id="t", name="SLT", reference=reference)
        r.channels.subscribe(CHANNEL, slt.id, actor="t")

    store.call(arrange)
    in_channel = Chat(store, user=SAM, conversation=CHANNEL, channel=True)
    elsewhere = Chat(store, user=SAM, conversation="19:other@thread.tacv2", channel=True)

    listed = str(cards_of(await in_channel.say("overdue")))
    unfollowed = texts_of(await elsewhere.say("overdue"))

    assert "LA-SLT-1" in listed and "LA-CAMHS-1" not in listed  # Sam sees both in private
    assert unfollowed == ["This channel gets no nudges yet. Type: subscribe SERVICE"]
