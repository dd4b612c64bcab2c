"""Runs the nudge sweep on working days at a local time, inside ``ehcp-bot serve``.

Times are local to the configured zone (Europe/London), so 09:00 stays 09:00 across the clock
changes in March and October. On start-up, a working day already past the nudge time is swept at
once (a restart or downtime catches up); the sweep itself never posts an item twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta
from typing import Any

from bot.nudges.sweep import NudgeSweep
from bot.signals import Signals
from dialogs.ports import Clock
from ehcp_rules import is_working_day

log = logging.getLogger(__name__)
MAX_NAP = 300.0


class NudgeScheduler:
    """Waits for each working day's nudge time and runs the sweep."""

    def __init__(
        self,
        sweep: NudgeSweep,
        *,
        at: time,
        clock: Clock,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        signals: Signals | None = None,
    ) -> None:
        self._sweep = sweep
        self._signals = signals or Signals()
        self._at = at
        self._zone = clock.zone
        self._now = clock.now
        self._sleep = sleep

    def next_run(self, after: datetime) -> datetime:
        """The first working day's nudge time strictly after ``after`` (aware, in the zone)."""
        local = after.astimezone(self._zone)
        day = local.date()
        while True:
            candidate = datetime.combine(day, self._at, tzinfo=self._zone)
            if is_working_day(day) and candidate > local:
                return candidate
            day += timedelta(days=1)

    def due_now(self, now: datetime) -> bool:
        """True on a working day at or after its nudge time."""
        local = now.astimezone(self._zone)
        return is_working_day(local.date()) and local.time() >= self._at

    async def run_forever(self) -> None:
        """Catch up if today's time has passed, then sweep at each nudge time."""
        if self.due_now(self._now()):
            await self._run(self._now().astimezone(self._zone).date())
        while True:
            target = self.next_run(self._now())
            while (remaining := (target - self._now()).total_seconds()) > 0:
                await self._sleep(min(remaining, MAX_NAP))
            await self._run(target.date())

    async def _run(self, day: Any) -> None:
        try:
            report = await self._sweep.run(day)
            self._signals.swept(posted=report.posted, paused=report.paused, failed=report.failed)
            log.info(
                "nudge sweep for %s: %d posted, %d paused, %d failed",
                day,
                report.posted,
                report.paused,
                report.failed,
            )
        except Exception:  # the loop must outlive one bad sweep; logged, tried again next time
            self._signals.sweep_failed()
            log.exception("the nudge sweep for %s failed", day)
