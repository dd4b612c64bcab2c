"""The HTTP endpoint with real Teams activity payloads and a local fake connector."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import unquote

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.config import Settings
from bot.storage.dialog_store import SqliteDialogStore
from bot.storage.store import Store
from bot.teams.app import create_app
from ehcp_rules import Service
from tests import builders
from tests.cards import assert_valid_card
from tests.fakes import FakeConnector

OTHER_TENANT = "0f0f0f0f-1111-4222-8333-444444444444"
APP_ID = "11111111-2222-4333-8444-555555555555"


async def _client(
    store: Store, settings: Settings | None = None
) -> TestClient[web.Request, web.Application]:
    client = TestClient(TestServer(create_app(settings or builders.settings(), store=store)))
    await client.start_server()
    return client


async def _post(client: TestClient[web.Request, web.Application], activity: dict[str, Any]) -> int:
    response = await client.post("/api/messages", json=activity)
    return response.status


async def test_a_personal_message_is_answered_as_a_reply_with_a_valid_card(
    client: TestClient[web.Request, web.Application],
    connector: tuple[FakeConnector, str],
) -> None:
    fake, url = connector
    activity = builders.message("help", url)

    assert await _post(client, activity) == 201

    (sent,) = fake.take()
    conversation = activity["conversation"]["id"]
    assert sent.method == "POST"
    assert unquote(sent.path) == f"/v3/conversations/{conversation}/activities/{activity['id']}"
    (card,) = sent.cards
    assert_valid_card(card)
    assert card["body"][0]["text"] == "What you can do here"


async def test_in_a_channel_only_messages_that_mention_the_bot_are_answered(
    client: TestClient[web.Request, web.Application],
    connector: tuple[FakeConnector, str],
) -> None:
    fake, url = connector

    await _post(client, builders.channel_message("help", url, mention=False))
    assert fake.take() == []

    await _post(client, builders.channel_message("help", url))
    (sent,) = fake.take()
    assert sent.cards[0]["body"][0]["text"] == "What you can do here"


async def test_the_assessment_is_not_run_in_a_channel(
    client: TestClient[web.Request, web.Application],
    connector: tuple[FakeConnector, str],
) -> None:
    fake, url = connector

    await _post(client, builders.channel_message("start assessment", url))

    (sent,) = fake.take()
    assert "personal chat" in sent.body["text"]


async def test_a_card_submission_updates_the_card_in_place_and_sends_the_next(
    client: TestClient[web.Request, web.Application],
    connector: tuple[FakeConnector, str],
    store: Store,
) -> None:
    fake, url = connector
    await _post(client, builders.message("start assessment", url))
    started = fake.take()
    card_id = "1:card-from-teams"
    value = dict(started[1].cards[0]["actions"][0]["data"]) | {"rating": "yes", "comment": "ok"}

    await _post(client, builders.submission(value, card_id, url))

    update, next_card = fake.take()
    assert update.method == "PUT"
    assert unquote(update.path).endswith(f"/activities/{card_id}")
    assert "Recorded: **Yes**" in update.cards[0]["body"][-2]["text"]
    assert next_card.method == "POST"
    assert_valid_card(next_card.cards[0])


async def test_installing_welcomes_once_even_when_teams_sends_both_events_together(
    client: TestClient[web.Request, web.Application],
    connector: tuple[FakeConnector, str],
) -> None:
    fake, url = connector

    await asyncio.gather(
        _post(client, builders.installation(url)), _post(client, builders.bot_added(url))
    )
    await _post(client, builders.bot_added(url))

    (sent,) = [s for s in fake.take() if s.method == "POST"]
    assert sent.cards[0]["body"][0]["text"] == "Hello, I'm the EHCP assistant"


async def test_health_reports_ok(client: TestClient[web.Request, web.Application]) -> None:
    response = await client.get("/healthz")

    assert response.status == 200
    assert (await response.json())["status"] == "ok"


async def test_a_tenant_not_allowed_gets_a_short_refusal_and_nothing_else(
    store: Store, slt: Service, connector: tuple[FakeConnector, str]
) -> None:
    fake, url = connector
    client = await _client(store, builders.settings(allowed_tenants=(OTHER_TENANT,)))

    await _post(client, builders.message("start assessment", url))
    await client.close()

    (sent,) = fake.take()
    assert sent.body["text"] == "Sorry, this assistant is not available to your organisation."
    assert store.call(lambda r: r.assessments.in_progress(slt.id)) is None


async def test_with_credentials_a_request_without_a_token_gets_401(
    store: Store, slt: Service, connector: tuple[FakeConnector, str]
) -> None:
    fake, url = connector
    settings = builders.settings(
        app_id=APP_ID, app_password="secret", app_tenant_id=builders.TENANT
    )
    client = await _client(store, settings)

    status = await _post(client, builders.message("help", url))
    await client.close()

    assert status == 401
    assert fake.take() == []


async def test_an_unexpected_error_is_logged_without_comment_text_and_apologised_for(
    client: TestClient[web.Request, web.Application],
    connector: tuple[FakeConnector, str],
    store: Store,
    slt: Service,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake, url = connector
    await _post(client, builders.message("start assessment", url))
    value = dict(fake.take()[1].cards[0]["actions"][0]["data"])
    secret = "Confidential remark about the team"
    original = SqliteDialogStore.record_answer

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"disk trouble while saving {secret}")

    monkeypatch.setattr(SqliteDialogStore, "record_answer", broken)
    with caplog.at_level(logging.ERROR):
        await _post(
            client, builders.submission(value | {"rating": "no", "comment": secret}, "1:c", url)
        )
    (apology,) = fake.take()
    monkeypatch.setattr(SqliteDialogStore, "record_answer", original)
    await _post(
        client, builders.submission(value | {"rating": "no", "comment": "fine"}, "1:c", url)
    )

    assert apology.body["text"].startswith("Sorry, something went wrong on my side (reference ")
    assert "turn failed" in caplog.text and "RuntimeError" in caplog.text
    assert secret not in caplog.text
    assessment = store.call(lambda r: r.assessments.in_progress(slt.id))
    assert assessment is not None
    answers = store.call(lambda r: r.assessments.answers(assessment.id))
    assert answers[1].comment == "fine"


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b'"just a string"', "application/json", 400),
        (b'{"text": "no type"}', "application/json", 400),
        (b"type=message", "application/x-www-form-urlencoded", 415),
    ],
)
async def test_a_request_that_is_not_an_activity_is_refused_plainly(
    client: TestClient[web.Request, web.Application],
    body: bytes,
    content_type: str,
    status: int,
) -> None:
    response = await client.post("/api/messages", data=body, headers={"Content-Type": content_type})

    assert response.status == status
    assert "error" in await response.json()


async def test_turns_are_logged_without_their_text(
    client: TestClient[web.Request, web.Application],
    connector: tuple[FakeConnector, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    _, url = connector

    with caplog.at_level(logging.INFO, logger="bot.turns"):
        await _post(client, builders.message("help me with the Smith family", url))

    assert "message in personal chat" in caplog.text
    assert "Smith" not in caplog.text


@pytest.mark.parametrize(
    ("path", "heading"), [("/privacy", "privacy notice"), ("/terms", "terms of use")]
)
async def test_the_developer_pages_are_served(
    client: TestClient[web.Request, web.Application],
    path: str,
    heading: str,
) -> None:
    response = await client.get(path)

    assert response.status == 200
    assert heading in await response.text()


async def test_a_reply_teams_refuses_for_its_size_is_replaced_by_a_short_message_saying_so(
    client: TestClient[web.Request, web.Application],
    connector: tuple[FakeConnector, str],
) -> None:
    fake, url = connector
    fake.max_bytes = 3000  # less than the help card: Teams answers 413 MessageSizeTooBig

    assert await _post(client, builders.message("help", url)) == 201

    refused, told = fake.take()
    assert refused.cards and not told.cards
    assert told.body["text"].startswith("That was too big for Teams to show")
    assert "Sorry, something went wrong" not in told.body["text"]
