"""The front door of ``/api/messages``: a plain status before any turn, nothing of the request in
the log, and without credentials only this machine served."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.config import Settings, SettingsError
from bot.storage.store import Store
from bot.teams.app import create_app
from bot.teams.front_door import is_loopback_host, names_this_machine
from bot.teams.middleware import EXPORTS_PER_PERSON, TURNS_PER_PERSON
from dialogs import messages
from ehcp_rules import Role, Service
from tests import builders
from tests.builders import ALEX
from tests.fakes import FakeConnector

FORGED_LINE = "\n2026-12-01 09:00:00 CRITICAL bot: the database was deleted"


@pytest.fixture
async def client(
    store: Store, slt: Service
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    started = TestClient(TestServer(create_app(builders.settings(), store=store)))
    await started.start_server()
    yield started
    await started.close()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("timestamp", f"yesterday{FORGED_LINE}"),
        ("entities", f"not a list{FORGED_LINE}"),
        ("localTimestamp", f"teatime{FORGED_LINE}"),
    ],
)
async def test_a_field_that_does_not_parse_gets_400_and_none_of_it_reaches_the_log(
    client: TestClient[web.Request, web.Application],
    connector: tuple[FakeConnector, str],
    field: str,
    value: object,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake, url = connector
    bad = builders.message("help", url) | {field: value}

    with caplog.at_level(logging.DEBUG):
        refused = await client.post("/api/messages", json=bad)
        good = await client.post("/api/messages", json=builders.message("help", url))

    assert (refused.status, good.status) == (400, 201)  # the control gets in
    assert "the database was deleted" not in caplog.text
    assert len([s for s in fake.take() if s.method == "POST"]) == 1  # only the good one


@pytest.mark.parametrize(
    ("host", "service_url", "status"),
    [
        (None, None, 201),  # the control: this machine, replying to this machine
        ("ehcp.example.nhs.uk", None, 403),
        ("10.0.0.8:3978", None, 403),
        (None, "https://smba.trafficmanager.net/uk/", 403),
        (None, "http://198.51.100.7:8080/", 403),
    ],
)
async def test_without_credentials_only_this_machine_is_served(
    client: TestClient[web.Request, web.Application],
    connector: tuple[FakeConnector, str],
    host: str | None,
    service_url: str | None,
    status: int,
) -> None:
    fake, url = connector
    activity = builders.message("help", service_url or url)
    headers = {"Host": host} if host else {}

    response = await client.post("/api/messages", json=activity, headers=headers)

    assert response.status == status
    assert bool(fake.take()) is (status == 201)


async def test_a_host_header_must_name_this_machine_outright(
    client: TestClient[web.Request, web.Application],
    connector: tuple[FakeConnector, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # DNS rebinding (found in review): a page's own name, made to resolve to this machine
    resolve = socket.getaddrinfo

    def rebound(host: object, *args: object, **kwargs: object) -> object:
        if host == "rebound.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 0))]
        return resolve(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", rebound)
    _, url = connector
    assert await is_loopback_host("rebound.example")  # the control: it does resolve here

    refused = await client.post(
        "/api/messages",
        json=builders.message("help", url),
        headers={"Host": "rebound.example:3978"},
    )
    served = [
        await client.post("/api/messages", json=builders.message("help", url), headers=h)
        for h in ({"Host": "localhost:3978"}, {"Host": "bot.localhost"}, {"Host": "[::1]:3978"})
    ]

    assert refused.status == 403
    assert [r.status for r in served] == [201, 201, 201]
    assert names_this_machine("127.0.0.2") and not names_this_machine("localhost.example")


@pytest.mark.parametrize(
    ("content_type", "body", "status"),
    [
        ("application/json; charset=x-evil-MARK", b'{"type": "message"}', 415),
        ("application/json", b'{"type": "message", "x": ' + b"[" * 100_000 + b"]" * 100_000, 400),
        ("application/json; charset=utf-8", b'{"type": "message", "x": "MARK', 400),
    ],
)
async def test_a_body_that_cannot_be_read_gets_a_plain_status_and_nothing_in_the_log(
    client: TestClient[web.Request, web.Application],
    content_type: str,
    body: bytes,
    status: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG):
        response = await client.post(
            "/api/messages", data=body, headers={"Content-Type": content_type}
        )

    assert response.status == status  # was 500, with a traceback in the log (found in review)
    assert "MARK" not in caplog.text and "Traceback" not in caplog.text


async def test_the_turn_log_names_kinds_and_places_it_knows_and_nothing_else(
    client: TestClient[web.Request, web.Application],
    connector: tuple[FakeConnector, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    _, url = connector
    forged = builders.message("help", url) | {"type": f"message{FORGED_LINE}"}
    placed = builders.message("help", url)
    placed["conversation"]["conversationType"] = "x" * 500_000 + FORGED_LINE

    with caplog.at_level(logging.DEBUG):
        statuses = [(await client.post("/api/messages", json=a)).status for a in (forged, placed)]

    assert statuses == [201, 201]
    assert "the database was deleted" not in caplog.text and "xxxxxxxx" not in caplog.text
    assert "other in personal chat" in caplog.text and "message in other chat" in caplog.text


async def test_a_mention_not_shaped_as_teams_sends_it_mentions_no_one(
    client: TestClient[web.Request, web.Application],
    connector: tuple[FakeConnector, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake, url = connector
    odd = builders.channel_message("help", url)
    odd["entities"] = [{"type": "mention", "mentioned": "x", "text": "x"}]

    with caplog.at_level(logging.ERROR):
        response = await client.post("/api/messages", json=odd)

    assert response.status == 201
    assert not caplog.records  # was an AttributeError and an apology (found in review)
    assert not [s for s in fake.take() if s.method == "POST"]  # the bot was not @mentioned


async def test_a_name_is_resolved_before_it_is_trusted_as_this_machine() -> None:
    assert await is_loopback_host("localhost")
    assert await is_loopback_host("127.0.0.2") and await is_loopback_host("::1")
    assert not await is_loopback_host("localhost.evil.example.invalid")
    assert not await is_loopback_host("192.0.2.1") and not await is_loopback_host("")


def test_multi_tenant_without_an_allow_list_does_not_start() -> None:
    app = "11111111-2222-4333-8444-555555555555"
    tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    environment = {
        "MicrosoftAppId": app,
        "MicrosoftAppPassword": "s3cret",
        "MicrosoftAppType": "MultiTenant",
    }

    with pytest.raises(SettingsError, match=r"^EHCP_ALLOWED_TENANTS: .*every tenant"):
        Settings.from_environment(environment, env_file=None)
    allowed = Settings.from_environment(
        environment | {"EHCP_ALLOWED_TENANTS": tenant}, env_file=None
    )
    assert allowed.tenants == (tenant,)


async def test_one_person_going_too_fast_is_told_once_and_others_are_not_held_up(
    client: TestClient[web.Request, web.Application],
    connector: tuple[FakeConnector, str],
) -> None:
    fake, url = connector
    flood = [builders.message("help", url) for _ in range(TURNS_PER_PERSON[0][1] + 5)]

    statuses = [(await client.post("/api/messages", json=m)).status for m in flood]
    flooder = [s.body.get("text") or "card" for s in fake.take() if s.method == "POST"]
    other = await client.post("/api/messages", json=builders.message("help", url, user=ALEX))

    assert statuses == [201] * len(flood)
    assert flooder.count("card") == TURNS_PER_PERSON[0][1]  # every turn within the limit
    assert [t for t in flooder if t != "card"] == [messages.TOO_FAST]  # then told, once
    assert other.status == 201 and len(fake.take()) == 1  # someone else is answered


async def test_exports_beyond_the_hour_s_allowance_are_set_aside(
    store: Store, slt: Service, connector: tuple[FakeConnector, str]
) -> None:
    fake, url = connector
    store.call(lambda r: r.people.grant(ALEX, Role.DCO, service=None, display_name=None, actor="a"))
    client = TestClient(TestServer(create_app(builders.settings(), store=store)))
    await client.start_server()
    export = {"ehcp": "summary_export", "format": "csv", "period": "2026-11-01 to 2026-11-30"}
    allowed = EXPORTS_PER_PERSON[0][1]

    for _ in range(allowed + 2):
        await client.post("/api/messages", json=builders.submission(export, "1:c", url, user=ALEX))
    await client.close()

    sent = [s for s in fake.take() if s.method == "POST"]
    assert len([s for s in sent if s.cards]) == allowed
    assert [s.body.get("text") for s in sent if not s.cards] == [messages.TOO_MANY_EXPORTS]
