"""Each person's limits on turns and exports hold across instances: counted per window in the
database, whichever instance a turn reaches."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.storage.store import Store
from bot.teams.app import create_app
from bot.teams.middleware import EXPORTS_PER_PERSON, TURNS_PER_PERSON, verdict
from dialogs import messages
from tests import builders
from tests.builders import ALEX, SAM
from tests.fakes import FakeClock, FakeConnector
from tests.instances.conftest import Instances

NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
Client = TestClient[web.Request, web.Application]


# verdict(counts): each window's count with this turn, and its limit -> what is done. Worked by
# hand from the rule: run while every count is within its limit (a count equal to its limit is
# within it); refuse past it, telling the person only on the turn that goes one past a limit.
@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([(1, 40), (1, 120)], "run"),  # the first turn
        ([(40, 40), (100, 120)], "run"),  # the 40th in ten seconds: at the limit, within it
        ([(41, 40), (101, 120)], "refuse and tell"),  # the 41st: one past, told
        ([(42, 40), (102, 120)], "refuse"),  # the 42nd: told already in this window
        ([(5, 40), (121, 120)], "refuse and tell"),  # the minute's 121st, in a quiet 10 s
        ([(41, 40), (125, 120)], "refuse and tell"),  # a new 10 s window's 41st: told again
        ([(6, 40), (122, 120)], "refuse"),  # past the minute's limit, told already
        ([(20, 20)], "run"),  # the hour's 20th export
        ([(21, 20)], "refuse and tell"),  # the 21st
        ([(22, 20)], "refuse"),
    ],
)
def test_what_is_done_with_a_turn_given_its_counts(
    counts: list[tuple[int, int]], expected: str
) -> None:
    assert verdict(counts) == expected


def _count(
    store: Store,
    at: datetime,
    person: str = SAM,
    kind: str = "turns",
    windows: tuple[tuple[int, int], ...] = TURNS_PER_PERSON,
) -> list[tuple[int, int]]:
    return store.call(lambda r: r.rate_counts.count(person, kind, windows, at=at.timestamp()))


# count(): the windows a moment falls in are fixed on the clock (a multiple of their length
# since 1970), so every instance counts a moment in the same one.
@pytest.mark.parametrize(
    ("earlier", "now", "expected"),
    [
        ([NOON] * 3, NOON + timedelta(seconds=9.999), [(4, 40), (4, 120)]),  # same windows
        ([NOON] * 3, NOON + timedelta(seconds=10), [(1, 40), (4, 120)]),  # a new 10 s window
        ([NOON] * 3, NOON + timedelta(seconds=60), [(1, 40), (1, 120)]),  # a new minute
        ([NOON - timedelta(seconds=1)], NOON, [(1, 40), (1, 120)]),  # 11:59:59 was the last
    ],
)
def test_a_turn_is_counted_in_the_windows_fixed_on_the_clock(
    store: Store, earlier: list[datetime], now: datetime, expected: list[tuple[int, int]]
) -> None:
    for moment in earlier:
        _count(store, moment)

    assert _count(store, now) == expected


def test_windows_that_have_ended_are_deleted(store: Store) -> None:
    for person in (SAM, ALEX):
        _count(store, NOON, person)
    later = NOON + timedelta(minutes=1)

    _count(store, later)

    rows = store.call(lambda r: r.db.execute("SELECT person, ends_at FROM rate_counts").fetchall())
    ends = int(later.timestamp())
    assert sorted(rows) == [(SAM, ends + 10), (SAM, ends + 60)]


def test_instances_counting_at_the_same_moment_lose_no_count(instances: Instances) -> None:
    stores = [instances() for _ in range(4)]
    start = threading.Barrier(len(stores))

    def count(store: Store) -> None:
        start.wait()
        for _ in range(25):
            _count(store, NOON, kind="exports", windows=EXPORTS_PER_PERSON)

    threads = [threading.Thread(target=count, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    last = _count(stores[0], NOON, kind="exports", windows=EXPORTS_PER_PERSON)
    assert last == [(101, 20)]


@pytest.fixture
async def connector() -> AsyncIterator[tuple[FakeConnector, str]]:
    fake = FakeConnector()
    server = TestServer(fake.app())
    await server.start_server()
    yield fake, str(server.make_url("/"))
    await server.close()


@pytest.fixture
async def two_instances(instances: Instances) -> AsyncIterator[tuple[Client, Client]]:
    """Two instances of the bot (``create_app``), each with its own store, on one database."""
    clients = [
        TestClient(TestServer(create_app(builders.settings(), store=instances()))) for _ in range(2)
    ]
    for client in clients:
        await client.start_server()
    yield clients[0], clients[1]
    for client in clients:
        await client.close()


async def test_a_flood_spread_over_two_instances_is_held_to_one_limit_and_told_once(
    two_instances: tuple[Client, Client],
    connector: tuple[FakeConnector, str],
    clock: FakeClock,
) -> None:
    clock.set(NOON)
    fake, url = connector
    limit = TURNS_PER_PERSON[0][1]

    for n in range(limit + 5):  # as a load balancer would: one to each in turn
        await two_instances[n % 2].post("/api/messages", json=builders.message("help", url))
    flooder = [s.body.get("text") or "card" for s in fake.take() if s.method == "POST"]

    assert flooder.count("card") == limit
    assert [t for t in flooder if t != "card"] == [messages.TOO_FAST]


async def test_the_hours_exports_are_counted_across_instances(
    two_instances: tuple[Client, Client],
    connector: tuple[FakeConnector, str],
    clock: FakeClock,
) -> None:
    clock.set(NOON)
    fake, url = connector
    export = {"ehcp": "summary_export", "format": "csv", "period": "2026-11-01 to 2026-11-30"}
    allowed = EXPORTS_PER_PERSON[0][1]

    for n in range(allowed + 2):
        submission = builders.submission(export, "1:c", url, user=ALEX)
        await two_instances[n % 2].post("/api/messages", json=submission)

    told = [s.body.get("text") for s in fake.take() if s.method == "POST" and not s.cards]
    assert told.count(messages.TOO_MANY_EXPORTS) == 1
