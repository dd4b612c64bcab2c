"""The connector client's aiohttp transport: what reaches Teams, and what a failure looks like."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import MicrosoftAppCredentials
from msrest.exceptions import ClientRequestError, HttpOperationError

from bot.teams import transport


class _Credentials(MicrosoftAppCredentials):
    """App credentials whose token is already known (no call to Entra ID)."""

    def get_access_token(self, force_refresh: bool = False) -> str:
        return "token-for-teams"


class _Teams:
    """A connector that keeps each request's headers and body, and answers as told."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], Any]] = []
        self.answers: list[web.Response] = []
        self.hang = False

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append((request.method, dict(request.headers), await request.json()))
        if self.hang:
            await asyncio.sleep(30)
        if self.answers:
            return self.answers.pop(0)
        return web.json_response({"id": "sent-1"})


@pytest.fixture
async def teams() -> AsyncIterator[tuple[_Teams, str]]:
    fake = _Teams()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", fake.handle)
    server = TestServer(app)
    await server.start_server()
    yield fake, str(server.make_url("/"))
    await server.close()


@asynccontextmanager
async def _connected(
    url: str, app_id: str | None = "bot-app-id", timeout: float = 5
) -> AsyncIterator[Any]:
    """A connector client on the aiohttp transport; its session closed afterwards."""
    session = transport.new_session()
    client = ConnectorClient(_Credentials(app_id, "secret"), base_url=url)
    transport.use_aiohttp(client, session, lambda: timeout)
    try:
        yield client
    finally:
        await session.close()


def _reply() -> Activity:
    return Activity(
        type="message",
        text="Question 2 of 23",
        conversation=ConversationAccount(id="a:1"),
        from_property=ChannelAccount(id="28:bot"),
        recipient=ChannelAccount(id="29:person"),
    )


async def test_a_reply_carries_the_bearer_token_and_the_activity(
    teams: tuple[_Teams, str],
) -> None:
    fake, url = teams
    async with _connected(url) as client:
        response = await client.conversations.reply_to_activity("a:1", "act-7", _reply())

    assert response.id == "sent-1"
    method, headers, body = fake.requests[0]
    assert method == "POST"
    assert headers["Authorization"] == "Bearer token-for-teams"
    assert headers["Content-Type"].startswith("application/json")
    assert "botframework-connector" in headers["User-Agent"]
    assert body == {
        "type": "message",
        "text": "Question 2 of 23",
        "conversation": {"id": "a:1"},
        "from": {"id": "28:bot"},
        "recipient": {"id": "29:person"},
    }


async def test_without_an_app_id_no_token_is_sent(teams: tuple[_Teams, str]) -> None:
    fake, url = teams
    async with _connected(url, app_id=None) as client:
        await client.conversations.update_activity("a:1", "act-7", _reply())

    method, headers, _ = fake.requests[0]
    assert method == "PUT"
    assert "Authorization" not in headers


async def test_a_refusal_is_an_http_error_with_status_and_retry_after(
    teams: tuple[_Teams, str],
) -> None:
    fake, url = teams
    fake.answers.append(web.json_response({"error": {}}, status=429, headers={"Retry-After": "2"}))
    async with _connected(url) as client:
        with pytest.raises(HttpOperationError) as refused:
            await client.conversations.send_to_conversation("a:1", _reply())

    assert refused.value.response.status_code == 429
    assert refused.value.response.headers.get("retry-after") == "2"
    assert len(fake.requests) == 1  # retrying a refusal is the caller's decision


async def test_a_connector_that_never_answers_is_given_up_on(teams: tuple[_Teams, str]) -> None:
    fake, url = teams
    fake.hang = True
    async with _connected(url, timeout=0.3) as client:
        with pytest.raises(ClientRequestError):
            await client.conversations.reply_to_activity("a:1", "act-7", _reply())

    assert len(fake.requests) == 1  # it may have arrived: never sent twice


async def test_a_connection_that_cannot_be_made_is_tried_three_times() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = asyncio.get_running_loop().time()
    async with _connected(f"http://127.0.0.1:{port}/") as client:
        with pytest.raises(ClientRequestError, match="Could not connect"):
            await client.conversations.reply_to_activity("a:1", "act-7", _reply())

    assert asyncio.get_running_loop().time() - started >= 0.2 + 0.4  # two waits between three


def test_the_environment_proxy_is_used_except_for_hosts_it_excludes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("https_proxy", "http_proxy", "no_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.nhs.example:3128")
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    sender = transport.AiohttpSender(None, lambda: 1.0)  # type: ignore[arg-type]

    assert sender._proxy_for("https://smba.trafficmanager.net/uk/") == (
        "http://proxy.nhs.example:3128"
    )
    assert sender._proxy_for("http://127.0.0.1:3978/v3/conversations") is None
    assert sender._proxy_for("http://localhost:3978/") is None


class _NoToken(MicrosoftAppCredentials):
    """App credentials whose token cannot be had (Entra ID unreachable)."""

    def get_access_token(self, force_refresh: bool = False) -> str:
        raise ConnectionError("login.microsoftonline.com is unreachable")


async def test_a_send_without_a_token_is_not_sent_and_says_so(teams: tuple[_Teams, str]) -> None:
    fake, url = teams
    session = transport.new_session()
    client = ConnectorClient(_NoToken("bot-app-id", "secret"), base_url=url)
    transport.use_aiohttp(client, session, lambda: 5)
    try:
        with pytest.raises(transport.NotSent):
            await client.conversations.send_to_conversation("a:1", _reply())
    finally:
        await session.close()

    assert fake.requests == []  # nothing reached Teams, so trying again later is safe
