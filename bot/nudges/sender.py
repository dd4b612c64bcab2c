"""One proactive sender: paced within Teams' limits, retrying what Teams says to retry.

Limits for one bot (``../shared/schemas/README.md``): per conversation 7 sends a second, 8 in
2 s, 60 in 30 s, 1,800 an hour; per tenant 50 a second. The framework does not retry a 429: this
sender waits for ``Retry-After`` (at most a minute; else exponential backoff with jitter),
retries 412, 500, 502 and 503 the same way, and reports 403/404 (bot removed, app not installed)
as :class:`ChannelGone` so the caller can pause that subscription, and 413 (over Teams' size
limit) as :class:`MessageTooBig`, so the caller can post the same in smaller parts. A post
Teams does not answer in time, whose connection drops after it went out, or that a gateway
gives up on (504), is :class:`DeliveryUnknown` and is never sent again: it may have arrived.
One that never left (no connection, no token) is :class:`DeliveryFailed`, and the next sweep
tries it again.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema import Activity, ConversationReference

from bot.rate_limits import RateLimiter
from bot.signals import Signals
from bot.teams.retry import GONE, NO_ANSWER, RETRYABLE, TOO_BIG, answer_of, backoff, retry
from bot.teams.transport import NotSent

log = logging.getLogger(__name__)

CONVERSATION_LIMITS = ((1.0, 7), (2.0, 8), (30.0, 60), (3600.0, 1800))
TENANT_LIMITS = ((1.0, 50),)


class ChannelGone(Exception):
    """Teams says the bot can no longer post there (403 or 404)."""


class DeliveryFailed(Exception):
    """The message could not be delivered within the retry limits."""


class MessageTooBig(DeliveryFailed):
    """Teams refused the message for its size (413 ``MessageSizeTooBig``): nothing arrived, and
    the same content may be posted again in smaller messages."""


class DeliveryUnknown(DeliveryFailed):
    """Teams did not answer in time: the message may have arrived. Not retried, so that nothing
    is posted twice."""


MAX_WAIT = 60.0
"""The longest wait before trying a post again; Teams asking for longer gives up on it for this
sweep (nothing was posted, so the next sweep tries again)."""
BACKSTOP = 5.0
"""Seconds past the connector's own timeout after which an attempt is abandoned even if the
transport has not given up (the stock transport waits on a worker thread)."""


class ProactiveSender:
    """Posts activities to stored conversation references through the bot's adapter.

    Built by ``bot.teams.adapter.build_wiring`` only, so that every path (``serve``'s scheduler,
    ``ehcp-bot nudges``, the benchmarks and the tests) posts through the same connector clients,
    with the same timeout, and treats an unanswered post the same way.
    """

    def __init__(
        self,
        adapter: BotAdapter,
        *,
        app_id: str | None,
        timeout: float,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        now: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
        max_attempts: int = 6,
        signals: Signals | None = None,
    ) -> None:
        self._adapter = adapter
        self._signals = signals or Signals()
        self._app_id = app_id
        self._sleep = sleep
        self._jitter = jitter
        self._max_attempts = max_attempts
        self._timeout = timeout
        self._conversations = RateLimiter(CONVERSATION_LIMITS, now=now)
        self._tenants = RateLimiter(TENANT_LIMITS, now=now)

    async def send(self, reference: dict[str, Any], activity: Activity) -> str:
        """Post ``activity``; its id. ``ChannelGone``, ``DeliveryFailed`` (nothing arrived: it
        may be tried again later) or ``DeliveryUnknown`` (it may have arrived: never again)."""
        target = ConversationReference().deserialize(reference)
        key = str(target.conversation.id)
        tenant = str(getattr(target.conversation, "tenant_id", None) or "")

        async def once() -> str:
            await self._pace(key, tenant)
            return await self._attempt(target, activity)

        try:
            return await retry(once, decide=self._decide, sleep=self._sleep)
        except _Retryable as error:
            raise DeliveryFailed(f"gave up after {self._max_attempts} attempts") from error

    def _decide(self, error: BaseException, attempt: int) -> float | None:
        if not isinstance(error, _Retryable) or attempt >= self._max_attempts - 1:
            return None
        wait = error.retry_after
        if wait is None:
            wait = backoff(attempt, base=1.0, cap=MAX_WAIT, jitter=self._jitter())
        elif wait > MAX_WAIT:  # not worth holding up the sweep: the next one tries again
            return None
        self._signals.connector_retried("proactive")
        log.warning("send failed (%s), retrying in %.1f s", error.status, wait)
        return wait

    async def _pace(self, key: str, tenant: str) -> None:
        while True:
            wait = max(self._conversations.delay(key), self._tenants.delay(tenant))
            if wait <= 0:
                self._conversations.record(key)
                self._tenants.record(tenant)
                return
            await self._sleep(wait)

    async def _attempt(self, target: ConversationReference, activity: Activity) -> str:
        """One post: its activity id, or the error that says what became of it."""
        outcome: dict[str, Any] = {}

        async def deliver(context: TurnContext) -> None:
            # The continuation activity carries a made-up id; left there, the framework would
            # post the digest as a reply to a message that does not exist.
            context.activity.id = None
            try:
                response = await context.send_activity(activity)
                outcome["id"] = response.id if response is not None else ""
            except Exception as error:
                outcome["error"] = error

        try:
            await asyncio.wait_for(
                self._adapter.continue_conversation(target, deliver, self._app_id),
                self._timeout + BACKSTOP,
            )
        except TimeoutError:
            outcome["error"] = TimeoutError()
        except Exception as error:
            outcome["error"] = error
        if "error" in outcome:
            self._signals.connector_failed("proactive", answer_of(outcome["error"]).status)
            raise _fate_of(outcome["error"], self._timeout)
        return str(outcome.get("id", ""))


class _Retryable(DeliveryFailed):
    """Teams answered that it did not take the post this time (429, 412, 5xx)."""

    def __init__(self, status: int, retry_after: float | None) -> None:
        super().__init__(f"Teams answered {status}")
        self.status = status
        self.retry_after = retry_after


def _fate_of(error: BaseException, timeout: float) -> Exception:
    """What a failed post means: retry it, give up on the channel, or never send it again."""
    answer = answer_of(error)
    if isinstance(error, NotSent):
        return DeliveryFailed(f"nothing was sent: {error}")
    if answer.status is None or answer.status in NO_ANSWER:
        said = f"answered {answer.status}" if answer.status else f"{timeout:g} s allowed"
        return DeliveryUnknown(
            f"Teams did not answer ({type(error).__name__}, {said}); the post may or may not "
            "have arrived, so it is not sent again"
        )
    if answer.status in GONE:
        return ChannelGone(f"Teams answered {answer.status}: the bot cannot post there")
    if answer.status in TOO_BIG:
        return MessageTooBig(f"Teams answered {answer.status}: the message is over its size limit")
    if answer.status in RETRYABLE:
        return _Retryable(answer.status, answer.retry_after)
    return DeliveryFailed(f"Teams answered {answer.status}")
