"""Channel subscriptions: who may subscribe, what is kept, and removal from a team."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.storage.store import Store
from ehcp_rules import Role, Service
from tests import builders
from tests.fakes import FakeConnector

CHANNEL = "19:abc123@thread.tacv2"
DCO = "5d5d5d5d-1111-4222-8333-444444444444"


async def _say(
    client: TestClient[web.Request, web.Application],
    fake: FakeConnector,
    text: str,
    url: str,
    **who: str,
) -> str:
    activity = builders.channel_message(text, url)
    if who.get("user"):
        activity["from"]["aadObjectId"] = who["user"]
    await client.post("/api/messages", json=activity)
    sent = fake.take()
    return str(sent[-1].body.get("text")) if sent else ""


def _grant(store: Store, user: str, role: Role, service: str | None) -> None:
    store.call(lambda r: r.people.grant(user, role, service=service, display_name=None, actor="a"))


async def test_a_spoc_subscribes_their_channel_to_their_service(
    client: TestClient[web.Request, web.Application],
    connector: tuple[FakeConnector, str],
    store: Store,
    slt: Service,
) -> None:
    fake, url = connector
    _grant(store, builders.SAM, Role.SPOC, slt.name)

    first = await _say(client, fake, "subscribe children's slt", url)
    again = await _say(client, fake, "subscribe Children's SLT", url)
    listed = await _say(client, fake, "subscriptions", url)

    assert first.startswith("This channel will get the daily nudges for Children's SLT")
    assert again == "This channel already gets the nudges for Children's SLT."
    assert listed == "This channel gets the nudges for: Children's SLT."
    (subscription,) = store.call(lambda r: r.channels.subscriptions())
    assert subscription.conversation_id == CHANNEL
    assert subscription.reference["conversation"]["id"] == CHANNEL
    assert subscription.reference["serviceUrl"] == url


async def test_a_practitioner_may_not_and_is_told_which_role_is_needed(
    client: TestClient[web.Request, web.Application],
    connector: tuple[FakeConnector, str],
    store: Store,
    slt: Service,
) -> None:
    fake, url = connector

    reply = await _say(client, fake, "subscribe Children's SLT", url)

    assert reply.startswith("Only a SPOC of Children's SLT, a DCO or an administrator")
    assert store.call(lambda r: r.channels.subscriptions()) == []


async def test_only_a_dco_or_admin_subscribes_to_every_service(
    client: TestClient[web.Request, web.Application],
    connector: tuple[FakeConnector, str],
    store: Store,
    slt: Service,
) -> None:
    fake, url = connector
    _grant(store, builders.SAM, Role.SPOC, slt.name)
    _grant(store, DCO, Role.DCO, None)

    refused = await _say(client, fake, "subscribe all", url)
    allowed = await _say(client, fake, "subscribe all", url, user=DCO)
    removed = await _say(client, fake, "unsubscribe all", url, user=DCO)

    assert refused == "Only a DCO or an administrator can subscribe a channel to every service."
    assert allowed.startswith("This channel will get the daily nudges for every service")
    assert removed == "This channel will no longer get the nudges for every service."


async def test_subscribing_in_a_personal_chat_is_explained(
    client: TestClient[web.Request, web.Application],
    connector: tuple[FakeConnector, str],
) -> None:
    fake, url = connector

    await client.post("/api/messages", json=builders.message("subscribe CAMHS", url))

    assert fake.take()[0].body["text"].startswith("Subscriptions are for team channels")


async def test_an_unknown_service_is_named(
    client: TestClient[web.Request, web.Application],
    connector: tuple[FakeConnector, str],
    store: Store,
) -> None:
    fake, url = connector
    _grant(store, DCO, Role.DCO, None)

    assert await _say(client, fake, "subscribe Orthoptics", url, user=DCO) == (
        "There is no service called 'Orthoptics'."
    )


async def test_removing_the_bot_from_a_team_removes_its_subscriptions(
    client: TestClient[web.Request, web.Application],
    connector: tuple[FakeConnector, str],
    store: Store,
    slt: Service,
) -> None:
    fake, url = connector
    _grant(store, builders.SAM, Role.SPOC, slt.name)
    await _say(client, fake, "subscribe Children's SLT", url)

    await client.post("/api/messages", json=builders.team_removal(url))

    assert store.call(lambda r: r.channels.subscriptions()) == []
    audit = store.call(lambda r: r.audit.entries(entity="team"))
    assert audit[0].action == "bot removed from team"


async def test_a_channel_sets_its_cadence_and_pauses_until_a_date(
    client: TestClient[web.Request, web.Application],
    connector: tuple[FakeConnector, str],
    store: Store,
    slt: Service,
) -> None:
    fake, url = connector
    _grant(store, builders.SAM, Role.SPOC, slt.name)
    await _say(client, fake, "subscribe Children's SLT", url)

    weekly = await _say(client, fake, "nudges weekly on Monday", url)
    vague = await _say(client, fake, "nudges sometimes", url)
    too_long = await _say(client, fake, "pause nudges until 05/01/2027", url)  # 43 days
    paused = await _say(client, fake, "pause nudges until 2027-01-04", url)  # 6 weeks: the most
    paused_uk = await _say(client, fake, "pause nudges until 04/01/2027", url)
    past = await _say(client, fake, "pause nudges until 2020-01-01", url)
    resumed = await _say(client, fake, "resume nudges", url)

    assert weekly == "This channel's nudges now come weekly, on Mondays."
    assert vague.startswith("Say **nudges daily**")
    assert too_long.startswith("Say **pause nudges until 04/01/2027** (or 2027-01-04): a day")
    assert "at most 42 days ahead" in too_long  # there was no limit (found in review)
    assert paused == (
        "Nudges to this channel are paused until Monday 04 January 2027; they resume by themselves."
    )
    assert paused_uk == paused  # written the English way, the same day
    assert past.startswith("Say **pause nudges until")
    assert resumed == "Nudges to this channel are back on."
    (subscription,) = store.call(lambda r: r.channels.subscriptions())
    assert (subscription.weekday, subscription.paused_until) == (0, None)


async def test_a_practitioner_cannot_change_a_channels_nudges(
    client: TestClient[web.Request, web.Application],
    connector: tuple[FakeConnector, str],
    store: Store,
    slt: Service,
) -> None:
    fake, url = connector
    _grant(store, DCO, Role.DCO, None)
    await _say(client, fake, "subscribe Children's SLT", url, user=DCO)

    reply = await _say(client, fake, "pause nudges until 2026-12-01", url)

    assert reply.startswith(
        "Only a SPOC of a service this channel follows, a DCO or an administrator"
    )


async def test_a_spoc_cannot_change_the_nudges_of_a_channel_that_also_follows_others(
    client: TestClient[web.Request, web.Application],
    connector: tuple[FakeConnector, str],
    store: Store,
    slt: Service,
) -> None:
    fake, url = connector
    store.call(lambda r: r.services.add("Community Paediatrics", provider=None, actor="a"))
    _grant(store, DCO, Role.DCO, None)
    _grant(store, builders.SAM, Role.SPOC, slt.name)
    await _say(client, fake, "subscribe Children's SLT", url)
    await _say(client, fake, "subscribe Community Paediatrics", url, user=DCO)

    shared = [
        await _say(client, fake, text, url)
        for text in ("pause nudges until 2026-12-01", "nudges weekly on Friday")
    ]
    await _say(client, fake, "subscribe all", url, user=DCO)
    everything = await _say(client, fake, "pause nudges until 2026-12-01", url)
    by_the_dco = await _say(client, fake, "pause nudges until 2026-12-01", url, user=DCO)

    # a SPOC of one service silenced every service's nudges here (found in review)
    refused = (
        "This channel's nudges also cover Community Paediatrics, which you are not the SPOC "
        "of, so a DCO or an administrator (or a SPOC of each) must change them."
    )
    assert shared == [refused, refused]
    assert everything.startswith("This channel's nudges also cover every service, which")
    assert by_the_dco.startswith("Nudges to this channel are paused until Tuesday 01 December")
    kept = store.call(lambda r: r.channels.subscriptions())
    assert {(s.weekday, s.paused_until) for s in kept} == {(None, "2026-12-01")}
