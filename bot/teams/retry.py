"""Retrying what Teams says to retry: one loop, one reading of an error, one ``Retry-After``.

Teams (the Bot Framework connector) answers 429 when a bot sends too fast, with ``Retry-After``
in seconds, and 412 or 5xx when it could not take a message this time; the framework retries none
of them. Three places send and retry here: a reply inside a turn (someone is waiting, so a few
short tries), a proactive post (paced, more patient: ``bot.nudges.sender``) and the transport's
connection attempts (nothing was sent yet). All use :func:`retry`.

What is never retried anywhere: a send whose answer never came (a timeout, a connection dropped
after the request went out). Teams may have shown it, and sending it again could show it twice.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.signals import Signals

log = logging.getLogger(__name__)
T = TypeVar("T")
Sleep = Callable[[float], Awaitable[Any]]
Decide = Callable[[BaseException, int], float | None]

RETRYABLE = frozenset({412, 429, 500, 502, 503})
"""Statuses that say the message was not taken this time and may be sent again. Not 504: a
gateway that timed out waiting for Teams is no answer at all, and the message may have arrived."""
NO_ANSWER = frozenset({504})
"""Statuses that are no answer from Teams itself (a gateway gave up waiting for it)."""
GONE = frozenset({403, 404})
"""Statuses that say the bot cannot post there at all (removed, app uninstalled)."""
TOO_BIG = frozenset({413})
"""Teams' ``MessageSizeTooBig``: the message was refused, whole, for its size. Nothing arrived,
so the same content may go again in smaller messages; the same message never would."""


@dataclass(frozen=True)
class Answer:
    """What an error says of the HTTP answer behind it: its status (``None`` when no answer came)
    and how long Teams asked us to wait."""

    status: int | None
    retry_after: float | None


def answer_of(error: BaseException) -> Answer:
    """The HTTP answer an msrest/botframework error carries (``error.response``), if any."""
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    headers = getattr(response, "headers", None)
    if not isinstance(status, int) or isinstance(status, bool):
        return Answer(None, None)
    return Answer(status, retry_after(headers))


def retry_after(headers: Any) -> float | None:
    """``Retry-After`` in seconds, as Teams sends it; ``None`` when absent or not a number of
    seconds (an HTTP date is not used by the connector, so it falls back to backoff)."""
    value = headers.get("Retry-After") if hasattr(headers, "get") else None
    try:
        seconds = float(value) if value is not None else None
    except (TypeError, ValueError):
        return None
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


def backoff(attempt: int, *, base: float, cap: float, jitter: float = 0.5) -> float:
    """Exponential backoff for the ``attempt``-th retry (0-based): ``base * 2**attempt``, at most
    ``cap``, scaled by ``0.5 + jitter`` (``jitter`` in [0, 1); 0.5 gives the plain figure)."""
    return min(cap, base * 2.0**attempt) * (0.5 + jitter)


async def retry(call: Callable[[], Awaitable[T]], *, decide: Decide, sleep: Sleep) -> T:
    """``call()`` until it succeeds; after each failure ``decide(error, attempt)`` gives the
    seconds to wait before trying again, or ``None`` to let the error through."""
    attempt = 0
    while True:
        try:
            return await call()
        except Exception as error:
            wait = decide(error, attempt)
            if wait is None:
                raise
        await sleep(wait)
        attempt += 1


def reply_decision(*, attempts: int, cap: float = 5.0, signals: Signals | None = None) -> Decide:
    """For a reply inside a turn: retry a status Teams says to retry, up to ``attempts`` tries,
    after ``Retry-After`` (at most ``cap`` seconds, since someone is waiting) or 0.5 s, 1 s...
    Each failure, and each retry, is counted in ``signals``."""
    watched = signals or Signals()

    def decide(error: BaseException, attempt: int) -> float | None:
        answer = answer_of(error)
        watched.connector_failed("reply", answer.status)
        if answer.status not in RETRYABLE or attempt >= attempts - 1:
            return None
        watched.connector_retried("reply")
        wait = backoff(attempt, base=0.5, cap=cap)
        if answer.retry_after is not None:
            wait = min(cap, answer.retry_after)
        log.warning("a reply failed (%s), retrying in %.1f s", answer.status, wait)
        return wait

    return decide


def retrying_operation(
    send: Any,
    *,
    attempts: int,
    sleep: Sleep = asyncio.sleep,
    too_big: str | None = None,
    signals: Signals | None = None,
) -> Any:
    """A connector operation (``reply_to_activity``, ``update_activity``) that retries as
    :func:`reply_decision` says; it keeps the operation's ``metadata`` (its URL template).

    With ``too_big``, a message Teams refuses for its size (413 ``MessageSizeTooBig``: nothing
    was shown) is sent again as that text instead, so that the person is told rather than left
    with nothing; the operation's third argument is the activity, as in both operations."""
    decide = reply_decision(attempts=attempts, signals=signals)

    async def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return await retry(lambda: send(*args, **kwargs), decide=decide, sleep=sleep)
        except Exception as error:
            if too_big is None or answer_of(error).status not in TOO_BIG or len(args) < 3:
                raise
        log.error("Teams refused a message for its size (413); saying so instead")
        told = _as_text(args[2], too_big)
        return await retry(
            lambda: send(*args[:2], told, *args[3:], **kwargs), decide=decide, sleep=sleep
        )

    call.metadata = getattr(send, "metadata", None)  # type: ignore[attr-defined]
    return call


def _as_text(activity: Any, text: str) -> Any:
    """The same activity (the same conversation, reply and id) carrying ``text`` alone."""
    replacement = copy.copy(activity)
    replacement.attachments = None
    replacement.text = text
    return replacement
