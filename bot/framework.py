"""Per-turn costs of the Bot Framework SDK, removed without forking it.

1. msrest 0.7.1 builds every client's retry list by testing each status code up to 999 against a
   501-item *list* (``ClientRetryPolicy.safe_codes``): about 4 ms per client. Making that list a
   frozenset gives the same retry list in microseconds. msrest also walks an Adaptive Card (plain
   JSON inside the activity) node by node in Python, twice for every activity sent (it rebuilds
   the activity, then serialises it); plain JSON is now checked by the C ``json`` module instead
   and passed on as it is (msrest would make an equal copy, only ever to encode it), and
   anything else still takes msrest's way. And msrest serialises a model by raising and catching
   an exception for each unset attribute (40-odd per activity); a plain JSON model is now walked
   by its attribute map, values it is unsure of still going through msrest (``_models_first``).
2. botbuilder notices a changed conversation state by comparing jsonpickle flattenings of the
   whole state, made twice a turn. A JSON rendering of the same objects (their attributes, by
   class) tells the same change apart at a fraction of the cost; an object it cannot render
   falls back to jsonpickle, and a false "changed" only costs a write.
3. ``CloudAdapter`` builds a new ``ConnectorClient`` (and with it a new HTTP session, so a new TCP
   and TLS connection to the connector) and a new ``UserTokenClient`` on every turn.
   ``ReusingAuthentication`` wraps the configured authentication so that each (app id, service
   URL, audience) gets one connector client and each app id one token client, built once and
   shared by every turn and every proactive send on the event loop that serves the bot. The
   clients' credentials fetch and refresh their own tokens, so sharing them is what the SDK's own
   credential cache already assumes. Those clients skip msrest's client-side validation of each
   outgoing activity, as Microsoft's current generated SDKs do by default, and send through one
   aiohttp session on the event loop instead of ``requests`` on a worker thread
   (``bot.transport``).

Measured by ``benchmarks/`` (see the README): the echo bot's turn cost falls more than tenfold.
"""

from __future__ import annotations

import asyncio
import json
import logging
from enum import Enum
from typing import Any

import aiohttp
from botbuilder.core.bot_state import CachedBotState
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from botframework.connector.auth.authentication_constants import AuthenticationConstants
from msrest.exceptions import HttpOperationError
from msrest.serialization import Deserializer, Model, Serializer, full_restapi_key_transformer
from msrest.universal_http.requests import ClientRetryPolicy

from bot import transport

_serialize_object: Any = Serializer.serialize_object
_serialize_model: Any = Serializer._serialize
_deserialize_object: Any = Deserializer.deserialize_object
_compute_hash: Any = CachedBotState.compute_hash

log = logging.getLogger(__name__)


def speed_up_msrest() -> None:
    """Fixes 1 and 2 above: the same codes, payloads and change detection, sooner."""
    if not isinstance(ClientRetryPolicy.safe_codes, frozenset):
        ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)  # type: ignore[assignment]
    Serializer.serialize_object = _json_first(_serialize_object)  # type: ignore[method-assign]
    Serializer._serialize = _models_first  # type: ignore[method-assign]
    Deserializer.deserialize_object = _json_first(_deserialize_object)  # type: ignore[method-assign]
    CachedBotState.compute_hash = _fingerprint


def _json_first(original: Any) -> Any:
    """``original`` (msrest's walk over an ``object`` value), except that plain JSON is copied by
    the ``json`` module: the same structure, without a Python call per node."""

    def walk(self: Any, attr: Any, **kwargs: Any) -> Any:
        if type(attr) is dict or type(attr) is list:
            try:
                json.dumps(attr, allow_nan=False)
            except (TypeError, ValueError):
                pass
            else:  # plain JSON: msrest would return an equal copy; it is only ever encoded
                return attr
        return original(self, attr, **kwargs)

    return walk


_Plan = tuple[tuple[str, str, str], ...]
_plans: dict[type, _Plan | None] = {}
_SAME = {"str": str, "bool": bool, "int": int, "float": float}
_QUIET = frozenset({"is_xml", "serialization_ctxt"})


def _models_first(self: Any, target_obj: Any, data_type: Any = None, **kwargs: Any) -> Any:
    """msrest's ``Serializer._serialize``, except that a JSON model is walked by its attribute
    map directly, skipping unset attributes without raising and catching an exception for each
    (as msrest does, 40-odd times for every activity). Values it is not sure of (dates, enums,
    anything unusual) still go through msrest's ``serialize_data``; anything else at all falls
    back to msrest whole, so the result is the same."""
    plan = _plan_of(self, target_obj, data_type, kwargs)
    if plan is not None:
        try:
            return _model(self, target_obj, plan, kwargs)
        except Exception:  # let msrest build (or refuse) it exactly as it would have
            log.debug("msrest serialises a %s itself", type(target_obj).__name__)
    return _serialize_model(self, target_obj, data_type, **kwargs)


def _plan_of(self: Any, target_obj: Any, data_type: Any, kwargs: dict[str, Any]) -> _Plan | None:
    if not isinstance(target_obj, Model) or kwargs.get("is_xml") or not _QUIET.issuperset(kwargs):
        return None
    if self.key_transformer is not full_restapi_key_transformer:
        return None
    if data_type is not None:
        named = self.dependencies.get(data_type) if isinstance(data_type, str) else None
        if named is None or not isinstance(named, type) or issubclass(named, Enum):
            return None
    cls = type(target_obj)
    if cls not in _plans:
        _plans[cls] = _plan_for(cls)
    return _plans[cls]


def _plan_for(cls: type[Model]) -> _Plan | None:
    """(attribute, JSON key, type) for each attribute; None for anything but a plain JSON model
    (XML, polymorphic, read-only or flattened attributes, additional properties)."""
    if cls.is_xml_model() or getattr(cls, "_subtype_map", None):  # type: ignore[no-untyped-call]
        return None
    if any(rules.get("readonly") for rules in getattr(cls, "_validation", {}).values()):
        return None
    plan = []
    for attribute, description in cls._attribute_map.items():
        key, kind = description.get("key"), description.get("type")
        if attribute == "additional_properties" or not isinstance(kind, str):
            return None
        if not isinstance(key, str) or not key or "." in key or "\\" in key:
            return None
        plan.append((attribute, key, kind))
    return tuple(plan)


def _model(self: Any, target: Any, plan: _Plan, kwargs: dict[str, Any]) -> dict[str, Any]:
    serialized: dict[str, Any] = {}
    for attribute, key, kind in plan:
        value = getattr(target, attribute)
        if value is not None:
            serialized[key] = _value(self, value, kind, kwargs)
    return serialized


def _value(self: Any, value: Any, kind: str, kwargs: dict[str, Any]) -> Any:
    same = _SAME.get(kind)
    if same is not None and type(value) is same:
        return value
    if kind == "object":
        return self.serialize_type["object"](value, **kwargs)
    if kind[0] == "[" and type(value) is list:
        inner = kind[1:-1]
        return [None if item is None else _value(self, item, inner, kwargs) for item in value]
    if isinstance(value, Model) and kind in self.dependencies:
        plan = _plan_of(self, value, None, kwargs)
        if plan is not None:
            return _model(self, value, plan, kwargs)
    return self.serialize_data(value, kind, **kwargs)


def _fingerprint(self: CachedBotState, obj: object) -> str:
    try:
        return json.dumps(obj, default=_attributes, allow_nan=False)
    except (TypeError, ValueError):
        return str(_compute_hash(self, obj))


def _attributes(value: object) -> object:
    if hasattr(value, "__dict__"):
        return [type(value).__qualname__, vars(value)]
    return [type(value).__qualname__, repr(value)]


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


class _ReusingConnectorFactory(ConnectorFactory):
    def __init__(self, inner: ConnectorFactory, app_id: str, clients: _Shared) -> None:
        self._inner = inner
        self._app_id = app_id
        self._clients = clients

    async def _session(self) -> aiohttp.ClientSession:
        async def build() -> aiohttp.ClientSession:
            return transport.new_session()

        session: aiohttp.ClientSession = await self._clients.get(("http",), build)
        return session

    async def create(self, service_url: str, audience: str | None = None) -> Any:
        key = ("connector", self._app_id, service_url, audience or "")
        return await self._clients.get(key, lambda: self._build(service_url, audience))

    async def _build(self, service_url: str, audience: str | None) -> Any:
        client = await self._inner.create(service_url, audience)
        serializer = getattr(client, "_serialize", None)
        if serializer is not None:
            # The connector validates what it is sent; re-validating every outgoing activity
            # against the schema in Python (a third walk of it) is what Microsoft's current
            # generated SDKs no longer do by default.
            serializer.client_side_validation = False
        if getattr(client, "_client", None) is not None:
            # someone is waiting for this reply: not msrest's 100 s
            transport.use_aiohttp(client, await self._session(), lambda: REPLY_TIMEOUT)
        conversations = getattr(client, "conversations", None)
        if conversations is not None:
            for name in ("reply_to_activity", "update_activity"):
                setattr(conversations, name, retrying(getattr(conversations, name)))
        return client


class ReusingAuthentication(BotFrameworkAuthentication):
    """``inner``, except that connector and user-token clients are built once and reused."""

    def __init__(self, inner: BotFrameworkAuthentication) -> None:
        self._inner = inner
        self._clients = _Shared()

    @property
    def clients_built(self) -> int:
        """How many connector and token clients have been built (for tests and benchmarks)."""
        return self._clients.count("connector") + self._clients.count("token")

    async def close(self) -> None:
        """Close the shared clients and their HTTP session (when the app stops)."""
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


REPLY_ATTEMPTS = 3
REPLY_TIMEOUT = 15
"""Seconds a turn waits for Teams to take one reply; a reply that times out is logged with the
turn's reference (it may have arrived, so it is not sent again)."""
_RETRYABLE = frozenset({412, 429, 500, 502, 503, 504})


def retrying(send: Any, *, attempts: int = REPLY_ATTEMPTS) -> Any:
    """``send`` (a reply or card update inside a turn), tried again on 412, 429 and 5xx: after
    ``Retry-After`` when Teams gives one (at most 5 s, since someone is waiting), else 0.5 s then
    1 s. The framework itself retries none of these. Proactive posts have their own pacing and
    retries in ``bot.sender``."""

    async def call(*args: Any, **kwargs: Any) -> Any:
        for attempt in range(attempts):
            try:
                return await send(*args, **kwargs)
            except HttpOperationError as error:
                response = getattr(error, "response", None)
                status = getattr(response, "status_code", None)
                if status not in _RETRYABLE or attempt == attempts - 1:
                    raise
                wait = min(5.0, _retry_after(response) or 0.5 * 2**attempt)
                log.warning("a reply failed (%s), retrying in %.1f s", status, wait)
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")

    # the generated operation reads its URL template from its own attribute
    call.metadata = getattr(send, "metadata", None)  # type: ignore[attr-defined]
    return call


def _retry_after(response: Any) -> float | None:
    headers = getattr(response, "headers", None) or {}
    value = headers.get("Retry-After")
    try:
        return float(value) if value else None
    except ValueError:
        return None


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
