"""The nudge sweep runs once a day across instances: a lease in the database, taken atomically,
renewed while the sweep runs, lost by a killed holder when it expires."""

from __future__ import annotations

import asyncio
import threading
from datetime import date, time, timedelta

import pytest

from bot.nudges.scheduler import (
    ASK_AGAIN_EVERY,
    LEASE_FOR,
    RENEW_EVERY,
    SWEEP_LEASE,
    NudgeScheduler,
    SweepLease,
)
from bot.nudges.sweep import SweepReport
from bot.storage.store import Store
from tests.fakes import FakeClock
from tests.instances.conftest import Instances

MONDAY = date(2026, 11, 23)
FIVE_MINUTES = timedelta(minutes=5)


class FinishingSweep:
    """Stands in for the sweep: notes each run, takes a while (other instances' schedulers run
    meanwhile), and records the day's sweep as finished in the database, as the real one does."""

    def __init__(self, store: Store, runs: list[str], name: str) -> None:
        self._store = store
        self._runs = runs
        self._name = name

    async def run(self, day: date, *, dry_run: bool = False) -> SweepReport:
        self._runs.append(self._name)
        await self._store.run(lambda r: r.nudges.start_sweep(day))
        for _ in range(5):
            await asyncio.sleep(0.01)
        await self._store.run(lambda r: r.nudges.finish_sweep(day, 1))
        return SweepReport(day=day, posted=1)


def _scheduler(
    store: Store, runs: list[str], name: str, clock: FakeClock, sleeps: list[float] | None = None
) -> NudgeScheduler:
    """An instance's scheduler. With ``sleeps``, each wait moves the clock on by its length
    (and is noted); without, the clock stands still and a wait is a moment's real wait."""

    async def sleep(seconds: float) -> None:
        if sleeps is None:
            await asyncio.sleep(0.01)
            return
        sleeps.append(seconds)
        clock.advance(timedelta(seconds=seconds))
        await asyncio.sleep(0)

    return NudgeScheduler(
        FinishingSweep(store, runs, name),  # type: ignore[arg-type]  # only run() is called
        at=time(9, 0),
        clock=clock,
        sleep=sleep,
        lease=SweepLease(store, holder=name, sleep=sleep),
    )


# take(name, holder) on each state of the row, worked by hand from the lease's rule: the row is
# taken when there is none, when it has expired (its expiry is not after now), or when it is
# already the taker's own; never while another holder's lease runs.
@pytest.mark.parametrize(
    ("held_by", "expires_in", "taker", "taken", "holder_after"),
    [
        (None, None, "b", True, "b"),  # free
        ("a", FIVE_MINUTES, "b", False, "a"),  # another's, running
        ("a", timedelta(microseconds=10), "b", False, "a"),  # another's, about to lapse
        ("a", FIVE_MINUTES, "a", True, "a"),  # one's own: renewed
        ("a", timedelta(0), "b", True, "b"),  # lapsed at this very moment
        ("a", -timedelta(minutes=1), "b", True, "b"),  # lapsed a minute ago (killed holder)
    ],
)
def test_a_lease_is_taken_only_when_free_lapsed_or_already_ones_own(
    store: Store,
    clock: FakeClock,
    held_by: str | None,
    expires_in: timedelta | None,
    taker: str,
    taken: bool,
    holder_after: str,
) -> None:
    if held_by is not None and expires_in is not None:
        assert store.call(lambda r: r.leases.take("work", held_by, lasting=FIVE_MINUTES))
        clock.advance(FIVE_MINUTES - expires_in)

    assert store.call(lambda r: r.leases.take("work", taker, lasting=FIVE_MINUTES)) is taken
    clock.advance(timedelta(microseconds=1) if expires_in == timedelta(0) else timedelta(0))
    assert store.call(lambda r: r.leases.holder("work")) == holder_after


def test_renewing_moves_the_expiry_on_and_only_the_holder_can_give_it_back(
    store: Store, clock: FakeClock
) -> None:
    assert store.call(lambda r: r.leases.take("work", "a", lasting=FIVE_MINUTES))
    clock.advance(timedelta(minutes=4))
    assert store.call(lambda r: r.leases.take("work", "a", lasting=FIVE_MINUTES))  # renewed
    clock.advance(timedelta(minutes=4))  # 8 minutes after it was first taken: still a's
    assert not store.call(lambda r: r.leases.take("work", "b", lasting=FIVE_MINUTES))

    store.call(lambda r: r.leases.release("work", "b"))  # not b's to give back
    assert store.call(lambda r: r.leases.holder("work")) == "a"
    store.call(lambda r: r.leases.release("work", "a"))
    assert store.call(lambda r: r.leases.holder("work")) is None
    assert store.call(lambda r: r.leases.take("work", "b", lasting=FIVE_MINUTES))


def test_instances_taking_the_lease_at_the_same_moment_one_gets_it(instances: Instances) -> None:
    stores = [instances() for _ in range(4)]
    start = threading.Barrier(len(stores))
    results: dict[int, bool] = {}

    def take(index: int, store: Store) -> None:
        start.wait()
        results[index] = store.call(
            lambda r: r.leases.take(SWEEP_LEASE, f"instance {index}", lasting=LEASE_FOR)
        )

    threads = [threading.Thread(target=take, args=(i, s)) for i, s in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results.values()) == [False, False, False, True]


async def test_two_instances_due_at_once_sweep_the_day_once(
    instances: Instances, clock: FakeClock
) -> None:
    clock.move_to(MONDAY, time(9, 0))
    runs: list[str] = []
    a = _scheduler(instances(), runs, "a", clock)
    b = _scheduler(instances(), runs, "b", clock)

    await asyncio.gather(a._run(MONDAY), b._run(MONDAY))

    assert len(runs) == 1


async def test_the_catch_up_after_every_instance_restarts_sweeps_nothing_again(
    instances: Instances, clock: FakeClock
) -> None:
    clock.move_to(MONDAY, time(9, 0))
    runs: list[str] = []
    await _scheduler(instances(), runs, "first", clock)._run(MONDAY)
    clock.move_to(MONDAY, time(11, 30))  # every instance restarts: each catches up at once

    await asyncio.gather(
        _scheduler(instances(), runs, "a", clock)._run(MONDAY),
        _scheduler(instances(), runs, "b", clock)._run(MONDAY),
    )

    assert runs == ["first"]


async def test_a_killed_sweepers_lease_lapses_and_another_instance_sweeps_the_day(
    instances: Instances, clock: FakeClock
) -> None:
    clock.move_to(MONDAY, time(9, 0))
    killed = instances()
    assert killed.call(lambda r: r.leases.take(SWEEP_LEASE, "killed", lasting=LEASE_FOR))
    runs: list[str] = []
    sleeps: list[float] = []

    await _scheduler(instances(), runs, "survivor", clock, sleeps)._run(MONDAY)

    assert runs == ["survivor"]
    # it asked again every minute until the killed holder's five minutes were up
    assert sleeps[:5] == [ASK_AGAIN_EVERY] * 5
    assert killed.call(lambda r: r.leases.swept(MONDAY))
    assert killed.call(lambda r: r.leases.holder(SWEEP_LEASE)) is None  # given back after


async def test_an_instance_still_waiting_at_midnight_leaves_the_day_to_the_holder(
    instances: Instances, clock: FakeClock
) -> None:
    clock.move_to(MONDAY, time(23, 58))
    holder = instances()
    runs: list[str] = []
    sleeps: list[float] = []

    async def keep_renewing() -> None:
        while not sleeps or len(sleeps) < 10:
            holder.call(lambda r: r.leases.take(SWEEP_LEASE, "busy", lasting=LEASE_FOR))
            await asyncio.sleep(0)

    holder.call(lambda r: r.leases.take(SWEEP_LEASE, "busy", lasting=LEASE_FOR))
    renewing = asyncio.create_task(keep_renewing())
    await _scheduler(instances(), runs, "waiting", clock, sleeps)._run(MONDAY)
    renewing.cancel()

    assert runs == []
    assert len(sleeps) == 2  # 23:59, then midnight: Monday's sweep is not its to run


async def test_the_lease_is_renewed_while_a_long_sweep_runs(
    instances: Instances, clock: FakeClock
) -> None:
    clock.move_to(MONDAY, time(9, 0))
    store = instances()
    other = instances()
    seen: list[str | None] = []

    class LongSweep:
        async def run(self, day: date, *, dry_run: bool = False) -> SweepReport:
            for _ in range(3):  # each wait is a renewal period: the lease would lapse by the 5th
                await asyncio.sleep(0.05)
                clock.advance(timedelta(seconds=RENEW_EVERY * 2))
                seen.append(other.call(lambda r: r.leases.holder(SWEEP_LEASE)))
                taken = other.call(lambda r: r.leases.take(SWEEP_LEASE, "b", lasting=LEASE_FOR))
                assert not taken
            return SweepReport(day=day)

    async def sleep(seconds: float) -> None:
        await asyncio.sleep(0.01)

    scheduler = NudgeScheduler(
        LongSweep(),  # type: ignore[arg-type]  # only run() is called
        at=time(9, 0),
        clock=clock,
        sleep=sleep,
        lease=SweepLease(store, holder="a", sleep=sleep),
    )
    await scheduler._run(MONDAY)

    assert seen == ["a", "a", "a"]


async def test_stopping_serve_just_as_a_sweep_ends_stops_its_scheduler_and_gives_the_lease_back(
    instances: Instances, clock: FakeClock
) -> None:
    """Found when CI hung: the scheduler, cancelled while it stopped its lease's keeper, took
    the cancellation for the keeper's, went on to wait for the next day, and ``serve``'s
    shutdown waited for it for ever."""
    clock.move_to(MONDAY, time(9, 0))
    store = instances()
    stopping = asyncio.Event()

    async def slow_to_stop(seconds: float) -> None:  # a keeper that takes a moment to stop
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            stopping.set()
            await asyncio.sleep(0.2)
            raise

    scheduler = NudgeScheduler(
        FinishingSweep(store, [], "a"),  # type: ignore[arg-type]  # only run() is called
        at=time(9, 0),
        clock=clock,
        lease=SweepLease(store, holder="a", sleep=slow_to_stop),
    )
    running = asyncio.create_task(scheduler.run_forever())
    await asyncio.wait_for(stopping.wait(), 10)  # the sweep is done: its keeper is stopping

    running.cancel()  # serve stops
    await asyncio.wait({running}, timeout=5)

    assert running.done() and running.cancelled()
    await asyncio.sleep(0.4)
    assert store.call(lambda r: r.leases.holder(SWEEP_LEASE)) is None  # given back all the same
