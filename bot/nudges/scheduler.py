"""Runs the nudge sweep on working days at a local time, inside ``ehcp-bot serve``.

Times are local to the configured zone (Europe/London), so 09:00 stays 09:00 across the clock
changes in March and October. On start-up, a working day already past the nudge time is swept at
once (a restart or downtime catches up); the sweep itself never posts an item twice.

Several instances (``serve`` behind a load balancer, on one database) each run a scheduler, and
the day is swept once: the sweep runs under a lease (``bot.storage.leases``) that the sweeping
instance renews while it posts. An instance that finds the lease held waits and asks again,
so if the holder is killed its lease lapses and another instance finishes the day; one that finds
the day's sweep finished (on any instance) does nothing. The catch-up after every instance
restarts is the same: the first to take the lease sweeps, or finds the day done.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.nudges.sweep import NudgeSweep
from bot.signals import Signals
from bot.storage.store import Store
from dialogs.ports import Clock
from ehcp_rules import is_working_day

log = logging.getLogger(__name__)
MAX_NAP = 300.0
SWEEP_LEASE = "nudge sweep"
LEASE_FOR = timedelta(minutes=5)
"""How long a lease lasts unless renewed (``EHCP_SWEEP_LEASE``): how long a killed sweeper keeps
the others waiting."""
RENEWALS = 5
"""A lease is renewed this many times in its length while the sweep runs (four may fail)."""
RENEW_EVERY = LEASE_FOR.total_seconds() / RENEWALS
ASK_AGAIN_EVERY = 60.0
"""Seconds an instance waits before asking again for a lease another instance holds (or the
lease's length, if shorter)."""


class SweepLease:
    """The sweep's lease, as this instance (one holder name per process, never reused)."""

    def __init__(
        self,
        store: Store,
        *,
        holder: str | None = None,
        lasting: timedelta = LEASE_FOR,
        clock: Clock | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        """``clock`` is the one the lease's times are kept on (the store's by default): the
        machine's real time in a command run ``--today`` another day, since every holder
        compares the same row's expiry with its own "now"."""
        self._store = store
        self._clock = clock or store.clock
        self._sleep = sleep
        self._giving_back: asyncio.Future[None] | None = None  # kept: a task needs a holder
        self.lasting = lasting
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"

    async def take(self) -> bool:
        """Take (or renew) the lease; ``False`` while another instance holds it."""
        holder, lasting, now = self.holder, self.lasting, self._clock.now()
        return await self._store.run(
            lambda r: r.leases.take(SWEEP_LEASE, holder, lasting=lasting, now=now)
        )

    async def release(self) -> None:
        holder = self.holder
        await self._store.run(lambda r: r.leases.release(SWEEP_LEASE, holder))

    async def swept(self, day: date) -> bool:
        """Whether ``day``'s sweep has finished, here or on another instance."""
        return await self._store.run(lambda r: r.leases.swept(day))

    async def held_by(self) -> str | None:
        """Who holds the lease now (``None``: nobody)."""
        now = self._clock.now()
        return await self._store.run(lambda r: r.leases.holder(SWEEP_LEASE, now=now))

    @contextlib.asynccontextmanager
    async def kept(self) -> AsyncIterator[None]:
        """Once the lease is taken: keep it renewed while the body runs, then give it back.

        Giving it back is shielded: it finishes even when the task holding the lease is
        cancelled meanwhile (``serve`` stopping), and that cancellation is never swallowed on
        the way (it was, once: stopping ``serve`` just as a sweep ended left its scheduler
        running, and the shutdown waiting for it for ever)."""
        renewing = asyncio.Lock()
        keeper = asyncio.create_task(self._keep(renewing))
        try:
            yield
        finally:
            self._giving_back = asyncio.ensure_future(self._give_back(keeper, renewing))
            await asyncio.shield(self._giving_back)

    async def _give_back(self, keeper: asyncio.Task[None], renewing: asyncio.Lock) -> None:
        async with renewing:  # never stopped mid-renewal: it would take the lease again
            keeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):  # the keeper's own, nobody else's
            await keeper
        await self.release()

    async def _keep(self, renewing: asyncio.Lock) -> None:
        """Renew the lease while the sweep runs. Losing it (this instance stalled for longer
        than the lease) is logged: the sweep goes on, and the hold on each item
        (``sent_nudges``) still keeps anything from being posted twice."""
        while True:
            await self._sleep(self.lasting.total_seconds() / RENEWALS)
            async with renewing:
                try:
                    if not await self.take():
                        log.warning("the nudge sweep's lease was lost to another instance")
                        return
                except Exception:  # a database hiccup: try again at the next renewal
                    log.warning("the nudge sweep's lease could not be renewed", exc_info=True)


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
        lease: SweepLease | None = None,
    ) -> None:
        self._sweep = sweep
        self._lease = lease
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

    async def _run(self, day: date) -> None:
        try:
            if self._lease is None:
                await self._sweep_now(day)
            else:
                await self._sweep_once(self._lease, day)
        except Exception:  # the loop must outlive one bad sweep; logged, tried again next time
            self._signals.sweep_failed()
            log.exception("the nudge sweep for %s failed", day)

    async def _sweep_once(self, lease: SweepLease, day: date) -> None:
        """Sweep ``day`` under the lease, unless it has been swept: while another instance
        holds the lease, ask again now and then (it may have been killed) for the rest of the
        day."""
        while True:
            if await lease.swept(day):
                log.info("the nudge sweep for %s has already run", day)
                return
            if await lease.take():
                break
            if self._now().astimezone(self._zone).date() != day:
                log.warning("the nudge sweep for %s was left to another instance", day)
                return
            await self._sleep(min(ASK_AGAIN_EVERY, lease.lasting.total_seconds()))
        async with lease.kept():
            if not await lease.swept(day):  # finished elsewhere just before the lease was taken
                await self._sweep_now(day)

    async def _sweep_now(self, day: date) -> None:
        report = await self._sweep.run(day)
        self._signals.swept(posted=report.posted, paused=report.paused, failed=report.failed)
        log.info(
            "nudge sweep for %s: %d posted, %d paused, %d failed",
            day,
            report.posted,
            report.paused,
            report.failed,
        )
