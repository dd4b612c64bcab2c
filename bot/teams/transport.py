"""The connector client's HTTP transport: one aiohttp session on the bot's own event loop.

msrest's async client sends every request through ``requests`` on a worker thread: a thread hop
there and back per reply, and ``requests``' own per-call work (environment and ``.netrc`` lookups,
a fresh prepared request). ``use_aiohttp`` swaps the client's pipeline for the same pipeline
msrest builds (user agent, credentials, raw deserializer, HTTP logger) ending in ``AiohttpSender``
instead: msrest's documented extension point, the operations and their models untouched.

What ``requests`` did for us is kept:

- the bearer token comes from the same credentials object (``signed_session``, which refreshes
  it when due);
- the environment's proxy settings are honoured (looked up once per host);
- certificates are checked against the same ``certifi`` bundle;
- a connection that cannot be made is tried again (nothing was sent, so nothing can arrive
  twice); after the last try it is :class:`NotSent`, a ``ClientRequestError``;
- anything else that goes wrong is msrest's ``ClientRequestError``, as before: a timeout or a
  connection dropped mid-request may have delivered the message, so it is never tried again.

Replies that Teams refuses (429, 5xx) are retried one level up, by ``bot.teams.retry``;
proactive posts are paced and retried in ``bot.nudges.sender``.
"""

from __future__ import annotations

import asyncio
import ssl
import urllib.request
from collections.abc import Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import certifi
from msrest.exceptions import ClientRequestError
from msrest.pipeline import Request, Response, SansIOHTTPPolicy
from msrest.pipeline.async_abc import AsyncHTTPSender, AsyncPipeline
from msrest.pipeline.universal import RawDeserializer
from msrest.universal_http.async_abc import AsyncClientResponse
from multidict import CIMultiDict

from bot.teams.retry import backoff, retry

CONNECT_ATTEMPTS = 3


class NotSent(ClientRequestError):
    """The connection could not be made, so nothing was sent: safe to try again."""


def _reconnect(error: BaseException, attempt: int) -> float | None:
    """Only a connection never made is tried again here, after 0.2 s then 0.4 s."""
    if isinstance(error, NotSent) and attempt < CONNECT_ATTEMPTS - 1:
        return backoff(attempt, base=0.2, cap=1.0)
    return None


def new_session() -> aiohttp.ClientSession:
    """The session every connector client shares (call on the event loop that will use it)."""
    context = ssl.create_default_context(cafile=certifi.where())
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context, limit=100))
    # aiohttp sends a PUT (a card update) again, once, when a pooled connection drops after the
    # request went out; it may have arrived, so nothing is sent twice here. (The attribute is the
    # one aiohttp's own test client sets; tests/bot/test_transport.py fails if it stops working.)
    session._retry_connection = False
    return session


def use_aiohttp(client: Any, session: aiohttp.ClientSession, timeout: Callable[[], float]) -> None:
    """Give an msrest ``ServiceClientAsync``-based client (``client._client``) msrest's default
    pipeline, sending through ``session``; ``timeout()`` is read for every request."""
    service = client._client
    config = service.config
    policies: list[Any] = [config.user_agent_policy, RawDeserializer(), config.http_logger_policy]
    if config.credentials is not None:
        policies.insert(1, _Credentials(config.credentials))
    config.pipeline = AsyncPipeline(policies, AiohttpSender(session, timeout))


class _Credentials(SansIOHTTPPolicy[Any, Any]):
    """The ``Authorization`` header from botframework's app credentials, as msrest's requests
    policy sets it (``signed_session`` decides whether a token is due, and fetches it)."""

    def __init__(self, credentials: Any) -> None:
        super().__init__()
        self._credentials = credentials

    def on_request(self, request: Request[Any], **kwargs: Any) -> None:
        holder = _Headers()
        try:
            self._credentials.signed_session(holder)
        except Exception as error:  # no token: nothing was sent to Teams
            raise NotSent(f"Could not get a token to send with: {type(error).__name__}") from error
        authorization = holder.headers.get("Authorization")
        if authorization:
            request.http_request.headers["Authorization"] = authorization
        else:
            request.http_request.headers.pop("Authorization", None)


class _Headers:
    """What ``signed_session`` touches of a ``requests.Session``: its headers."""

    def __init__(self) -> None:
        self.headers: MutableMapping[str, str] = {}


class AiohttpSender(AsyncHTTPSender[Any, Any]):
    """The last step of msrest's pipeline: the request sent with a shared aiohttp session."""

    def __init__(self, session: aiohttp.ClientSession, timeout: Callable[[], float]) -> None:
        self._session = session
        self._timeout = timeout
        self._proxies: dict[tuple[str, str], str | None] = {}

    async def __aenter__(self) -> AiohttpSender:
        return self

    async def __aexit__(self, *exc_details: object) -> None:
        """The session is shared by every client; its owner closes it."""

    def build_context(self) -> None:
        return None

    async def send(self, request: Request[Any], **config: Any) -> Response[Any, Any]:
        http = request.http_request
        if http.files:
            raise ClientRequestError("multipart uploads are not sent by this bot")
        data = http.data.encode("utf-8") if isinstance(http.data, str) else http.data
        timeout = aiohttp.ClientTimeout(total=self._timeout())

        async def once() -> Received:
            try:
                async with self._session.request(
                    http.method,
                    http.url,
                    headers=http.headers,
                    data=data,
                    timeout=timeout,
                    proxy=self._proxy_for(http.url),
                ) as raw:
                    return Received(raw.status, raw.reason or "", raw.headers, await raw.read())
            except aiohttp.ClientConnectorError as error:  # not connected: nothing was sent
                raise NotSent(f"Could not connect: {error}") from error
            except (aiohttp.ClientError, TimeoutError) as error:  # it may have arrived
                raise ClientRequestError(f"Error occurred in request: {error!r}") from error

        received = await retry(once, decide=_reconnect, sleep=asyncio.sleep)
        return Response(request, _ClientResponse(http, received))

    def _proxy_for(self, url: str) -> str | None:
        """The proxy the environment names for this host (``HTTPS_PROXY``, ``NO_PROXY``...), as
        ``requests`` found it, looked up once per host rather than on every request."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxies:
            proxies = urllib.request.getproxies()
            bypass = not parts.hostname or urllib.request.proxy_bypass(parts.hostname)
            self._proxies[key] = None if bypass else proxies.get(parts.scheme)
        return self._proxies[key]


class Received:
    """A finished HTTP response, read whole: what msrest's errors keep as ``.response`` (the
    attributes of a ``requests.Response`` that callers read: status, reason, headers, body)."""

    def __init__(self, status: int, reason: str, headers: Any, content: bytes) -> None:
        self.status_code = status
        self.reason = reason
        self.headers = CIMultiDict(headers)
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8-sig", errors="replace")


class _ClientResponse(AsyncClientResponse):
    def __init__(self, request: Any, received: Received) -> None:
        super().__init__(request, received)
        self.status_code = received.status_code
        self.headers = received.headers
        self.reason = received.reason

    def body(self) -> bytes:
        return self.internal_response.content  # type: ignore[no-any-return]
