"""``POST /api/messages``: what is refused before a turn starts, and how.

In this order, each refusal a plain status with nothing of the request in the log:

1. not JSON, or not the shape of an activity: 400 (415 for another content type);
2. without credentials (local testing), a ``Host`` or a ``serviceUrl`` that is not this machine:
   403. The ``Host`` must name this machine outright (``localhost``, ``*.localhost`` or a loopback
   address: a name resolved to loopback could be a web page's own name, rebound, RFC 6761 §6.3);
   a ``serviceUrl``'s host name is resolved before it is trusted as loopback;
3. the token: any failure to authenticate is 401 (a network failure fetching Bot Framework's
   keys is 503, so that Teams tries again);
4. only then is the body read as an activity; a field that does not parse is 400.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import socket
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web
from botbuilder.core import Bot
from botbuilder.schema import Activity
from botframework.connector.auth import AuthenticateRequestResult

from bot.config import Settings
from bot.teams.adapter import Wiring

log = logging.getLogger(__name__)


class Refused(Exception):
    """A request turned away at the door, with the status to answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


async def answer(
    request: web.Request, settings: Settings, wiring: Wiring, bot: Bot
) -> web.Response:
    """Run one activity through the door and, if it gets in, through the bot."""
    try:
        body = await _activity_body(request)
        if not settings.authenticated:
            await _loopback_only(request, body)
        identity = await _authenticate(wiring, body, request.headers.get("Authorization", ""))
        activity = _parsed(body)
    except Refused as refused:
        wiring.signals.refused(refused.status)
        return web.json_response({"error": refused.reason}, status=refused.status)
    invoke = await wiring.adapter.process_activity(identity, activity, bot.on_turn)
    if invoke is not None:
        return web.json_response(data=invoke.body, status=invoke.status)
    return web.Response(status=201)


async def _activity_body(request: web.Request) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise Refused(415, "expected application/json")
    if (request.charset or "utf-8").lower() not in ("utf-8", "utf8"):
        raise Refused(415, "expected UTF-8")  # never looked up: an unknown name is not logged
    try:
        body = json.loads(await request.read())
    except (ValueError, RecursionError):  # RecursionError: brackets nested thousands deep
        raise Refused(400, "the body is not valid JSON") from None
    if not is_activity(body):
        raise Refused(400, "expected a Bot Framework activity")
    return dict(body)


def is_activity(body: object) -> bool:
    """The fields every activity from Teams has: a type, who from, which conversation, where to
    reply. Without them no turn can be answered, so they are refused before one starts."""
    if not isinstance(body, dict) or not isinstance(body.get("type"), str):
        return False
    conversation, sender = body.get("conversation"), body.get("from")
    return (
        isinstance(conversation, dict)
        and isinstance(conversation.get("id"), str)
        and isinstance(sender, dict)
        and isinstance(body.get("serviceUrl"), str)
        and isinstance(body.get("channelId", ""), str)
    )


async def _loopback_only(request: web.Request, body: dict[str, Any]) -> None:
    """Without credentials nothing is verified, so only this machine may talk to the bot, and
    the bot replies only to this machine (never to a ``serviceUrl`` somewhere else)."""
    host = urlsplit(f"//{request.host}").hostname or ""
    service = urlsplit(str(body["serviceUrl"])).hostname or ""
    if not (names_this_machine(host) and await is_loopback_host(service)):
        log.warning("refused an unauthenticated request from or for another machine")
        raise Refused(403, "without credentials this bot serves only this machine")


def names_this_machine(host: str) -> bool:
    """Whether ``host`` is this machine by its very name, with nothing resolved: ``localhost``
    and its subdomains (RFC 6761 §6.3) or a loopback address. A browser sends the page's own name
    as ``Host``; a page whose name an attacker resolves to 127.0.0.1 (DNS rebinding) is refused."""
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


async def is_loopback_host(host: str) -> bool:
    """Whether every address ``host`` names is on this machine (a name is resolved first)."""
    if not host:
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, None)
    except (OSError, UnicodeError):
        return False
    addresses = {info[4][0] for info in found if info[0] in (socket.AF_INET, socket.AF_INET6)}
    return bool(addresses) and all(ipaddress.ip_address(a).is_loopback for a in addresses)


async def _authenticate(wiring: Wiring, body: dict[str, Any], header: str) -> Any:
    """Check the token against what the body says of where it comes from (its channel and
    service URL) before reading the rest of it."""
    envelope = Activity(channel_id=body.get("channelId"), service_url=body["serviceUrl"])
    try:
        result: AuthenticateRequestResult = await wiring.authentication.authenticate_request(
            envelope, header
        )
    except PermissionError:  # botframework's own "not authorized" (an OSError, so first)
        log.warning("refused a request that did not authenticate (PermissionError)")
        raise Refused(401, "unauthorized") from None
    except (aiohttp.ClientError, OSError, TimeoutError) as error:
        log.warning("could not check a token (%s): asked to try again", type(error).__name__)
        raise Refused(503, "could not check the token just now") from None
    except Exception as error:  # every way a token can be wrong: expired, forged, unknown key
        log.warning("refused a request that did not authenticate (%s)", type(error).__name__)
        raise Refused(401, "unauthorized") from None
    return result


def _parsed(body: dict[str, Any]) -> Activity:
    try:
        activity: Activity = Activity().deserialize(body)
    except Exception as error:  # msrest's errors quote the field: never logged
        log.warning("refused an activity that does not parse (%s)", type(error).__name__)
        raise Refused(400, "expected a Bot Framework activity") from None
    return activity
