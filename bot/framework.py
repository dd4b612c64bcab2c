"""Two per-turn costs of the Bot Framework SDK, removed without forking it.

1. msrest 0.7.1 builds every client's retry list by testing each status code up to 999 against a
   501-item *list* (``ClientRetryPolicy.safe_codes``): about 4 ms per client. Making that list a
   frozenset gives the same retry list in microseconds.
2. ``CloudAdapter`` builds a new ``ConnectorClient`` (and with it a new HTTP session, so a new TCP
   and TLS connection to the connector) and a new ``UserTokenClient`` on every turn.
   ``ReusingAuthentication`` wraps the configured authentication so that each (app id, service
   URL, audience) gets one connector client and each app id one token client, built once and
   shared by every turn and every proactive send on the event loop that serves the bot. The
   clients' credentials fetch and refresh their own tokens, so sharing them is what the SDK's own
   credential cache already assumes.

Measured by ``benchmarks/`` (see the README): the echo bot's turn cost falls about fivefold.
"""

from __future__ import annotations

import asyncio
from typing import Any

from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from botframework.connector.auth.authentication_constants import AuthenticationConstants
from msrest.universal_http.requests import ClientRetryPolicy


def speed_up_msrest() -> None:
    """Make msrest's retry-code lookup a set lookup (same codes, same policy)."""
    if not isinstance(ClientRetryPolicy.safe_codes, frozenset):
        ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)  # type: ignore[assignment]


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

    def __len__(self) -> int:
        return len(self._values)

    async def close(self) -> None:
        """Close every client built (their HTTP sessions), and forget them."""
        values, self._values = self._values, {}
        for future in values.values():
            if future.done() and not future.exception():
                closing = getattr(future.result(), "__aexit__", None)
                if closing is not None:
                    await closing(None, None, None)


class _ReusingConnectorFactory(ConnectorFactory):
    def __init__(self, inner: ConnectorFactory, app_id: str, clients: _Shared) -> None:
        self._inner = inner
        self._app_id = app_id
        self._clients = clients

    async def create(self, service_url: str, audience: str | None = None) -> Any:
        key = ("connector", self._app_id, service_url, audience or "")
        return await self._clients.get(key, lambda: self._inner.create(service_url, audience))


class ReusingAuthentication(BotFrameworkAuthentication):
    """``inner``, except that connector and user-token clients are built once and reused."""

    def __init__(self, inner: BotFrameworkAuthentication) -> None:
        self._inner = inner
        self._clients = _Shared()

    @property
    def clients_built(self) -> int:
        """How many clients have been built (for tests and benchmarks)."""
        return len(self._clients)

    async def close(self) -> None:
        """Close the shared clients' HTTP sessions (when the app stops)."""
        await self._clients.close()

    async def authenticate_request(
        self, activity: Any, auth_header: str
    ) -> AuthenticateRequestResult:
        result = await self._inner.authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            result.connector_factory = _ReusingConnectorFactory(
                result.connector_factory, _app_id(result.claims_identity), self._clients
            )
        return result

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str
    ) -> AuthenticateRequestResult:
        return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return _ReusingConnectorFactory(
            self._inner.create_connector_factory(claims_identity),
            _app_id(claims_identity),
            self._clients,
        )

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        key = ("token", _app_id(claims_identity))
        return await self._clients.get(
            key, lambda: self._inner.create_user_token_client(claims_identity)
        )

    def create_bot_framework_client(self) -> Any:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return str(self._inner.get_originating_audience())

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)


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
