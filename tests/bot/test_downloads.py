"""Charts and exports at unguessable links that expire, served by the bot from memory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.files.downloads import DownloadShelf
from bot.files.exports import SUMMARY_FORMATS, XLSX
from bot.teams.app import SHELF_KEY
from tests.fakes import FakeClock

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_a_file_is_there_until_it_expires_and_then_gone(clock: FakeClock) -> None:
    clock.set(START)
    shelf = DownloadShelf(clock=clock)
    token = shelf.put(b"data", "a.csv", "text/csv", timedelta(hours=1), owner="dco")

    clock.set(START + timedelta(minutes=59))
    assert shelf.get(token) is not None
    clock.set(START + timedelta(hours=1, milliseconds=1))  # its hour is up
    assert shelf.get(token) is None
    assert shelf.size == 0


def test_links_are_long_random_and_never_repeat(clock: FakeClock) -> None:
    shelf = DownloadShelf(clock=clock)
    tokens = {
        shelf.put(b"x", "a.csv", "text/csv", timedelta(hours=1), owner="dco") for _ in range(500)
    }

    assert len(tokens) == 500
    assert min(len(t) for t in tokens) >= 43  # 256 bits, base64url
    assert shelf.get("not-a-token") is None


def test_one_person_asking_again_and_again_pushes_out_only_their_own_links(
    clock: FakeClock,
) -> None:
    shelf = DownloadShelf(clock=clock, per_person=3)
    others = shelf.put(b"theirs", "a.csv", "text/csv", timedelta(hours=1), owner="dco")
    mine = [
        shelf.put(b"mine", f"{n}.csv", "text/csv", timedelta(hours=1), owner="greedy")
        for n in range(50)
    ]

    assert shelf.get(others) is not None
    assert [token for token in mine if shelf.get(token)] == mine[-3:]


def test_a_full_shelf_lets_the_oldest_go_first(clock: FakeClock) -> None:
    shelf = DownloadShelf(clock=clock, max_bytes=10)
    first = shelf.put(b"12345", "a", "text/plain", timedelta(hours=1), owner="dco")
    second = shelf.put(b"12345", "b", "text/plain", timedelta(hours=1), owner="dco")
    third = shelf.put(b"123", "c", "text/plain", timedelta(hours=1), owner="dco")

    assert shelf.get(first) is None
    assert shelf.get(second) is not None and shelf.get(third) is not None
    assert shelf.size == 8


@pytest.mark.parametrize("media_type", [*SUMMARY_FORMATS.values(), XLSX, "image/png"])
async def test_every_kind_of_file_the_bot_hands_out_is_served_over_http(
    client: TestClient[web.Request, web.Application], media_type: str
) -> None:
    shelf = client.app[SHELF_KEY]
    token = shelf.put(b"data", "file", media_type, timedelta(hours=1), owner="dco")

    served = await client.get(f"/files/{token}/file")

    assert served.status == 200  # text/csv; charset=utf-8 was a 500 (found in review)
    assert served.headers["Content-Type"] == media_type
    assert await served.read() == b"data"


async def test_the_bot_serves_a_file_once_and_refuses_unknown_links(
    client: TestClient[web.Request, web.Application],
) -> None:
    shelf = client.app[SHELF_KEY]
    token = shelf.put(b"service,due\n", "summary.csv", "text/csv", timedelta(hours=1), owner="dco")
    chart = shelf.put(b"\x89PNG...", "chart.png", "image/png", timedelta(hours=1), owner="dco")

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
