"""Charts and exports at unguessable links that expire, served by the bot from its database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.files.downloads import DownloadShelf
from bot.files.exports import SUMMARY_FORMATS, XLSX
from bot.storage.store import Store
from bot.teams.app import SHELF_KEY
from tests.fakes import FakeClock

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def test_a_file_is_there_until_it_expires_and_then_gone(
    store: Store, clock: FakeClock
) -> None:
    clock.set(START)
    shelf = DownloadShelf(store)
    token = await shelf.put(b"data", "a.csv", "text/csv", timedelta(hours=1), owner="dco")

    clock.set(START + timedelta(minutes=59))
    assert await shelf.get(token) is not None
    clock.set(START + timedelta(hours=1, milliseconds=1))  # its hour is up
    assert await shelf.get(token) is None
    assert await shelf.size() == 0


async def test_links_are_long_random_and_never_repeat(store: Store) -> None:
    shelf = DownloadShelf(store, per_person=600)
    tokens = {
        await shelf.put(b"x", "a.csv", "text/csv", timedelta(hours=1), owner="dco")
        for _ in range(500)
    }

    assert len(tokens) == 500
    assert min(len(t) for t in tokens) >= 43  # 256 bits, base64url
    assert await shelf.get("not-a-token") is None


async def test_one_person_asking_again_and_again_pushes_out_only_their_own_links(
    store: Store,
) -> None:
    shelf = DownloadShelf(store, per_person=3)
    others = await shelf.put(b"theirs", "a.csv", "text/csv", timedelta(hours=1), owner="dco")
    mine = [
        await shelf.put(b"mine", f"{n}.csv", "text/csv", timedelta(hours=1), owner="greedy")
        for n in range(50)
    ]

    assert await shelf.get(others) is not None
    assert [token for token in mine if await shelf.get(token)] == mine[-3:]


async def test_a_full_shelf_lets_the_oldest_go_first(store: Store) -> None:
    shelf = DownloadShelf(store, max_bytes=10)
    first = await shelf.put(b"12345", "a", "text/plain", timedelta(hours=1), owner="dco")
    second = await shelf.put(b"12345", "b", "text/plain", timedelta(hours=1), owner="dco")
    third = await shelf.put(b"123", "c", "text/plain", timedelta(hours=1), owner="dco")

    assert await shelf.get(first) is None
    assert await shelf.get(second) is not None and await shelf.get(third) is not None
    assert await shelf.size() == 8


@pytest.mark.parametrize("media_type", [*SUMMARY_FORMATS.values(), XLSX, "image/png"])
async def test_every_kind_of_file_the_bot_hands_out_is_served_over_http(
    client: TestClient[web.Request, web.Application], media_type: str
) -> None:
    shelf = client.app[SHELF_KEY]
    token = await shelf.put(b"data", "file", media_type, timedelta(hours=1), owner="dco")

    served = await client.get(f"/files/{token}/file")

    assert served.status == 200  # text/csv; charset=utf-8 was a 500 (found in review)
    assert served.headers["Content-Type"] == media_type
    assert await served.read() == b"data"


async def test_the_bot_serves_a_file_once_and_refuses_unknown_links(
    client: TestClient[web.Request, web.Application],
) -> None:
    shelf = client.app[SHELF_KEY]
    token = await shelf.put(
        b"service,due\n", "summary.csv", "text/csv", timedelta(hours=1), owner="dco"
    )
    chart = await shelf.put(
        b"\x89PNG...", "chart.png", "image/png", timedelta(hours=1), owner="dco"
    )

    found = await client.get(f"/files/{token}/summary.csv")
    image = await client.get(f"/files/{chart}/chart.png")
    unknown = await client.get("/files/guessed-token/summary.csv")

    assert found.status == 200
    assert await found.read() == b"service,due\n"
    assert found.headers["Content-Disposition"] == "attachment; filename*=UTF-8''summary.csv"
    assert found.headers["Cache-Control"] == "private, no-store"
    assert image.headers["Content-Type"] == "image/png"
    assert image.headers["Content-Disposition"].startswith("inline")
    assert unknown.status == 404
    assert "This link has expired or was never issued" in await unknown.text()
