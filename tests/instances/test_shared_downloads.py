"""Download links work from any instance: the file is in the database, not one process's memory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.files.downloads import DownloadShelf, token_hash
from bot.storage.store import Store
from bot.teams.app import SHELF_KEY, create_app
from tests import builders
from tests.fakes import FakeClock
from tests.instances.conftest import Instances

HOUR = timedelta(hours=1)
Client = TestClient[web.Request, web.Application]


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


async def test_a_link_made_on_one_instance_is_served_by_the_other(
    two_instances: tuple[Client, Client],
) -> None:
    a, b = two_instances
    token = await a.app[SHELF_KEY].put(
        b"service,due\n", "summary.csv", "text/csv", HOUR, owner="dco"
    )

    served = await b.get(f"/files/{token}/summary.csv")

    assert served.status == 200
    assert await served.read() == b"service,due\n"
    assert served.headers["Content-Type"] == "text/csv"


async def test_an_expired_link_is_refused_by_every_instance_and_its_file_deleted(
    two_instances: tuple[Client, Client], clock: FakeClock
) -> None:
    a, b = two_instances
    token = await a.app[SHELF_KEY].put(b"\x89PNG", "chart.png", "image/png", HOUR, owner="dco")
    clock.advance(HOUR)

    for client in (a, b):
        gone = await client.get(f"/files/{token}/chart.png")
        assert gone.status == 404
        assert "This link has expired or was never issued" in await gone.text()
    assert await a.app[SHELF_KEY].size() == 0


async def test_the_database_keeps_no_working_link_only_each_tokens_hash(
    store: Store,
) -> None:
    token = await DownloadShelf(store).put(b"x", "a.csv", "text/csv", HOUR, owner="dco")

    kept = store.call(lambda r: r.db.execute("SELECT token_hash FROM downloads").fetchall())

    assert [row[0] for row in kept] == [token_hash(token)]
    assert token not in token_hash(token)


async def test_a_persons_share_of_the_shelf_holds_across_instances(instances: Instances) -> None:
    shelves = [DownloadShelf(instances(), per_person=3) for _ in range(2)]
    theirs = await shelves[0].put(b"theirs", "a.csv", "text/csv", HOUR, owner="dco")
    mine = [
        await shelves[n % 2].put(b"mine", f"{n}.csv", "text/csv", HOUR, owner="greedy")
        for n in range(10)
    ]

    assert await shelves[1].get(theirs) is not None
    assert [token for token in mine if await shelves[0].get(token)] == mine[-3:]


async def test_expired_files_are_deleted_when_an_instance_starts_even_if_nobody_asks(
    instances: Instances, clock: FakeClock
) -> None:
    store = instances()
    shelf = DownloadShelf(store)
    await shelf.put(b"old", "a.csv", "text/csv", HOUR, owner="dco")
    await shelf.put(b"new", "b.csv", "text/csv", HOUR * 3, owner="dco")
    clock.advance(HOUR * 2)

    client = TestClient(TestServer(create_app(builders.settings(), store=instances())))
    await client.start_server()
    for _ in range(100):  # the housekeeping runs as the instance starts
        if store.call(lambda r: r.downloads.size()) == 3:
            break
        await asyncio.sleep(0.01)
    await client.close()

    kept = store.call(lambda r: r.db.execute("SELECT filename FROM downloads").fetchall())
    assert [row[0] for row in kept] == ["b.csv"]
