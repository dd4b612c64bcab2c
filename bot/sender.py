"""One proactive sender: paced within Teams' limits, retrying what Teams says to retry.

Limits for one bot (``../shared/schemas/README.md``): per conversation 7 sends a second, 8 in
2 s, 60 in 30 s, 1,800 an hour; per tenant 50 a second. The framework does not retry a 429: this
sender waits for ``Retry-After`` (else exponential backoff with jitter), retries 412, 500, 502,
503 and 504 the same way, and reports 403/404 (bot removed, app not installed) as
:class:`ChannelGone` so the caller can pause that subscription. A post Teams does not answer in
time is :class:`DeliveryUnknown` and is not retried: it may have arrived, and nothing is posted
twice.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema import Activity, ConversationReference

log = logging.getLogger(__name__)

CONVERSATION_LIMITS = ((1.0, 7), (2.0, 8), (30.0, 60), (3600.0, 1800))
TENANT_LIMITS = ((1.0, 50),)
RETRYABLE = {412, 500, 502, 503, 504}
GONE = {403, 404}


class ChannelGone(Exception):
    """Teams says the bot can no longer post there (403 or 404)."""


class DeliveryFailed(Exception):
    """The message could not be delivered within the retry limits."""


class RateLimiter:
    """Sliding windows per key: how long to wait before the next send."""

    def __init__(self, windows: tuple[tuple[float, int], ...], *, now: Callable[[], float]) -> None:
        self._windows = windows
        self._now = now
        self._sent: dict[str, deque[float]] = {}

    def delay(self, key: str) -> float:
        """Seconds to wait before ``key`` may send again (0 when it may send now)."""
        times = self._sent.get(key, deque())
        now = self._now()
        wait = 0.0
        for window, limit in self._windows:
            recent = [t for t in times if t > now - window]
            if len(recent) >= limit:
                wait = max(wait, recent[-limit] + window - now)
        return wait

    def record(self, key: str) -> None:
        """Note a send for ``key`` now."""
        times = self._sent.setdefault(key, deque())
        times.append(self._now())
        horizon = self._now() - max(window for window, _ in self._windows)
        while times and times[0] <= horizon:
            times.popleft()


class DeliveryUnknown(DeliveryFailed):
    """Teams did not answer in time: the message may have arrived. Not retried, so that nothing
    is posted twice."""


ATTEMPT_TIMEOUT = 30.0
"""Seconds to wait for Teams to answer one post."""


class ProactiveSender:
    """Posts activities to stored conversation references through the bot's adapter."""

    def __init__(
        self,
        adapter: BotAdapter,
        *,
        app_id: str | None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        now: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
        max_attempts: int = 6,
        attempt_timeout: float = ATTEMPT_TIMEOUT,
    ) -> None:
        self._adapter = adapter
        self._app_id = app_id
        self._sleep = sleep
        self._jitter = jitter
        self._max_attempts = max_attempts
        self._attempt_timeout = attempt_timeout
        self._conversations = RateLimiter(CONVERSATION_LIMITS, now=now)
        self._tenants = RateLimiter(TENANT_LIMITS, now=now)

    async def send(self, reference: dict[str, Any], activity: Activity) -> str:
        """Post ``activity``; its id. ``ChannelGone`` or ``DeliveryFailed`` when it cannot be."""
        target = ConversationReference().deserialize(reference)
        key = str(target.conversation.id)
        tenant = str(getattr(target.conversation, "tenant_id", None) or "")
        for attempt in range(self._max_attempts):
            await self._pace(key, tenant)
            try:
                activity_id, error = await asyncio.wait_for(
                    self._attempt(target, activity), self._attempt_timeout
                )
            except TimeoutError:
                raise DeliveryUnknown(
                    f"Teams did not answer within {self._attempt_timeout:g} s; the post may or "
                    "may not have arrived, so it is not sent again"
                ) from None
            if error is None:
                return activity_id
            status, retry_after = _status_of(error)
            if status in GONE:
                raise ChannelGone(f"Teams answered {status}: the bot cannot post there")
            if status is not None and status != 429 and status not in RETRYABLE:
                raise DeliveryFailed(f"Teams answered {status}")
            wait = retry_after if retry_after is not None else self._backoff(attempt)
            log.warning(
                "send failed (%s), retrying in %.1f s", status or type(error).__name__, wait
            )
            await self._sleep(wait)
        raise DeliveryFailed(f"gave up after {self._max_attempts} attempts")

    async def _pace(self, key: str, tenant: str) -> None:
        while True:
            wait = max(self._conversations.delay(key), self._tenants.delay(tenant))
            if wait <= 0:
                self._conversations.record(key)
                self._tenants.record(tenant)
                return
            await self._sleep(wait)

    async def _attempt(
        self, target: ConversationReference, activity: Activity
    ) -> tuple[str, BaseException | None]:
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
            await self._adapter.continue_conversation(target, deliver, self._app_id)
        except Exception as error:
            outcome["error"] = error
        return str(outcome.get("id", "")), outcome.get("error")

    def _backoff(self, attempt: int) -> float:
        return min(60.0, 2.0**attempt) * (0.5 + self._jitter())


def _status_of(error: BaseException) -> tuple[int | None, float | None]:
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    headers = getattr(response, "headers", None) or {}
    retry_after = headers.get("Retry-After") if hasattr(headers, "get") else None
    try:
        seconds = float(retry_after) if retry_after is not None else None
    except ValueError:
        seconds = None
    return (int(status) if status is not None else None), seconds
