"""Sliding-window rate limits: Teams' limits on what the bot sends, and the bot's own limits on
what one person may ask of it."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

FORGET_ABOVE = 10_000
"""Keys kept before the idle ones are forgotten."""


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
        """Note a send for ``key`` now (keys with nothing left in any window are forgotten, now
        and then, so that many keys do not pile up)."""
        times = self._sent.setdefault(key, deque())
        times.append(self._now())
        horizon = self._now() - max(window for window, _ in self._windows)
        while times and times[0] <= horizon:
            times.popleft()
        if len(self._sent) > FORGET_ABOVE:
            self._sent = {k: t for k, t in self._sent.items() if t and t[-1] > horizon}
