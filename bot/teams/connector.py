"""The connector clients every turn and every proactive post send through.

``CloudAdapter`` asks its authentication for a connector client on every turn and every
proactive post. :class:`ConnectorAuthentication` wraps the configured authentication so that
every client it hands out, on every path:

- gives up on a send Teams does not answer within ``timeout`` seconds (msrest's default is
  100 s; someone is waiting, and a proactive post must not outlive the sender's patience);
- retries a reply or card update that Teams refuses with 412, 429 or 5xx (``bot.teams.retry``);
  a send that got no answer is never retried;
- says so, in a short message in its place, when Teams refuses a reply or card update for its
  size (413): the person is told, rather than left with nothing.

With the framework fixes on (``share=True``, see ``bot.teams.fixes``), each (app id, service URL,
audience) also gets one connector client and each app id one token client, built once and shared
by every turn and proactive send on the event loop that serves the bot, instead of new clients,
an HTTP session and a TCP/TLS connection per turn. The clients' credentials fetch and refresh
their own tokens, so sharing them is what the SDK's own credential cache already assumes. Shared
clients skip msrest's client-side validation of each outgoing activity, as Microsoft's current
generated SDKs do by default, and send through one aiohttp session (``bot.teams.transport``).
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from botframework.connector.auth.authentication_constants import AuthenticationConstants
from urllib3.util import Retry

from bot.signals import Signals
from bot.teams import transport
from bot.teams.retry import Sleep, retrying_operation
from bot.teams.transport import CONNECT_ATTEMPTS
from dialogs import messages

REPLY_ATTEMPTS = 3
_RETRIED_OPERATIONS = ("reply_to_activity", "update_activity")


class _Shared:
    """Async-built values, each built once even when many turns ask at the same moment."""

    def __init__(self) -> None:
        self._values: dict[tuple[str, ...], asyncio.Future[Any]] = {}

    async def get(self, key: tuple[str, ...], build: Any) -> Any:
        future = self._values.get(key)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            self._values[key] = future
            try:
                future.set_result(await build())
            except BaseException as error:
                del self._values[key]
                future.set_exception(error)
                raise
        return await asyncio.shield(future)

    def count(self, kind: str) -> int:
        return sum(1 for key in self._values if key[0] == kind)

    async def close(self) -> None:
        """Close every client built (their HTTP sessions), and forget them."""
        values, self._values = self._values, {}
        for future in values.values():
            if future.done() and not future.exception():
                closing = getattr(future.result(), "__aexit__", None)
                if closing is not None:
                    await closing(None, None, None)


class _ConnectorFactory(ConnectorFactory):
    def __init__(self, inner: ConnectorFactory, app_id: str, owner: ConnectorAuthentication):
        self._inner = inner
        self._app_id = app_id
        self._owner = owner

    async def create(self, service_url: str, audience: str | None = None) -> Any:
        if not self._owner.share:
            return await self._build(service_url, audience)
        key = ("connector", self._app_id, service_url, audience or "")
        return await self._owner.clients.get(key, lambda: self._build(service_url, audience))

    async def _build(self, service_url: str, audience: str | None) -> Any:
        client = await self._inner.create(service_url, audience)
        timeout = self._owner.timeout
        client.config.connection.timeout = timeout
        # msrest's own policy (urllib3 under requests, the stock transport) would send again a
        # request that got no answer: a read error, or a 5xx, on any method msrest lists, POST
        # included with urllib3 1.x. Only a connection never made is tried again here.
        _connect_retries_only(client.config.retry_policy.policy)
        if self._owner.share:
            client._serialize.client_side_validation = False
            transport.use_aiohttp(client, await self._owner.session(), lambda: timeout)
        for name in _RETRIED_OPERATIONS:
            operation = getattr(client.conversations, name)
            retried = retrying_operation(
                operation,
                attempts=REPLY_ATTEMPTS,
                sleep=self._owner.sleep,
                signals=self._owner.signals,
                too_big=messages.TOO_BIG_FOR_TEAMS,
            )
            setattr(client.conversations, name, retried)
        return client


class ConnectorAuthentication(BotFrameworkAuthentication):
    """``inner`` (the configured authentication), handing out connector clients as above."""

    def __init__(
        self,
        inner: BotFrameworkAuthentication,
        *,
        timeout: float,
        share: bool,
        sleep: Sleep = asyncio.sleep,
        signals: Signals | None = None,
    ) -> None:
        self._inner = inner
        self.timeout = timeout
        self.share = share
        self.sleep = sleep
        self.signals = signals or Signals()
        self.clients = _Shared()

    @property
    def clients_built(self) -> int:
        """How many shared connector and token clients exist (for tests and benchmarks)."""
        return self.clients.count("connector") + self.clients.count("token")

    async def session(self) -> aiohttp.ClientSession:
        """The one aiohttp session shared clients send through (built on first use)."""

        async def build() -> aiohttp.ClientSession:
            return transport.new_session()

        session: aiohttp.ClientSession = await self.clients.get(("http",), build)
        return session

    async def close(self) -> None:
        """Close the shared clients and their HTTP session (when the app stops)."""
        await self.clients.close()

    async def authenticate_request(
        self, activity: Any, auth_header: str
    ) -> AuthenticateRequestResult:
        result = await self._inner.authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            result.connector_factory = _ConnectorFactory(
                result.connector_factory, _app_id(result.claims_identity), self
            )
        return result

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str
    ) -> AuthenticateRequestResult:
        return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return _ConnectorFactory(
            self._inner.create_connector_factory(claims_identity), _app_id(claims_identity), self
        )

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        if not self.share:
            return await self._inner.create_user_token_client(claims_identity)
        key = ("token", _app_id(claims_identity))
        return await self.clients.get(
            key, lambda: self._inner.create_user_token_client(claims_identity)
        )

    def create_bot_framework_client(self) -> Any:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return str(self._inner.get_originating_audience())

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)


def _connect_retries_only(policy: Retry) -> None:
    """msrest's urllib3 ``Retry``, changed in place (msrest reads its other attributes): a
    connection never made is tried again, nothing else is."""
    policy.total = CONNECT_ATTEMPTS
    policy.connect = CONNECT_ATTEMPTS
    policy.read = 0
    policy.status = 0
    policy.other = 0


def _app_id(identity: ClaimsIdentity | None) -> str:
    """The bot's app id a turn acts as (empty when unauthenticated)."""
    if identity is None:
        return ""
    claims = identity.claims or {}
    return str(
        claims.get(AuthenticationConstants.AUDIENCE_CLAIM)
        or claims.get(AuthenticationConstants.APP_ID_CLAIM)
        or ""
    )
