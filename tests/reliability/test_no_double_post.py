"""Nothing is posted twice, on either production path, whatever Teams does with the post.

The sweep runs as production runs it: inside ``serve`` (its scheduler catching up on start-up)
and as ``ehcp-bot nudges`` (a separate process), both through ``build_wiring``. The connector
hangs, refuses with 429 or 5xx, or reads the post and drops the connection. A post Teams refused
is posted again; a post that got no answer may have arrived and is never posted again, on that
sweep or the next. The connector is a raw socket server so that it can fail in ways a framework
would not let it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import sqlite3
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from urllib.parse import unquote

import pytest
from aiohttp.test_utils import TestServer

from bot.storage.nudges import INTERRUPTED
from bot.storage.store import Repositories, Store
from bot.teams.app import create_app
from ehcp_rules import AdviceRequestRecord, Rating, Service
from tests import builders
from tests.builders import FIXES
from tests.fakes import FakeClock

MONDAY = date(2026, 11, 23)  # a working day; the next is Tuesday 24 November
CHANNEL = "19:general@thread.tacv2"
TIMEOUT = 0.5


@dataclass
class Post:
    """One request that reached the connector, and what it was answered."""

    conversation: str
    answered: int | None  # None: no answer (it hung, or the connection was dropped)


@dataclass
class FaultyTeams:
    """A connector on a raw socket: answers each post as ``script`` says, then 200 for ever.

    ``hang`` never answers (until the test ends); ``drop`` reads the whole request and closes the
    connection; a number is that status, with ``Retry-After`` when given as ``429:0.05``."""

    script: list[str]
    posts: list[Post] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    connections: set[asyncio.StreamWriter] = field(default_factory=set)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections.add(writer)
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                request_line, *lines = head.split("\r\n")
                headers = dict(line.split(": ", 1) for line in lines if ": " in line)
                length = int({k.lower(): v for k, v in headers.items()}.get("content-length", 0))
                await reader.readexactly(length)
                method, path, _ = request_line.split(" ")
                if not await self._answer(method, path, writer):
                    return
        writer.close()

    async def _answer(self, method: str, path: str, writer: asyncio.StreamWriter) -> bool:
        """Answer one request; ``False`` when the connection is to be left or closed."""
        action = self.script.pop(0) if self.script and method == "POST" else "200"
        conversation = unquote(
            path.rsplit("/conversations/", maxsplit=1)[-1].split("/", maxsplit=1)[0]
        )
        if action in ("hang", "drop"):
            self.posts.append(Post(conversation, None))
            if action == "hang":
                await self.release.wait()
            writer.close()
            return False
        status, _, retry_after = action.partition(":")
        self.posts.append(Post(conversation, int(status)))
        body = json.dumps({"id": f"act-{next(self._ids)}"} if status == "200" else {}).encode()
        extra = f"Retry-After: {retry_after}\r\n" if retry_after else ""
        writer.write(
            f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n{extra}"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        return True

    def delivered(self, conversation: str) -> int:
        """Posts Teams took or may have taken (answered 2xx, or not answered at all)."""
        return sum(
            1
            for post in self.posts
            if post.conversation == conversation and (post.answered or 200) < 300
        )


@contextlib.asynccontextmanager
async def running(teams: FaultyTeams) -> AsyncIterator[str]:
    server = await asyncio.start_server(teams.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        teams.release.set()
        server.close()
        for connection in teams.connections:  # a client may keep its connection open (pooled)
            connection.close()
        await server.wait_closed()
        await asyncio.sleep(0)  # let each handler see its connection closed


def _subscribe(store: Store, service: Service, url: str) -> None:
    reference = {
        "bot": {"id": "28:bot", "name": "EHCP"},
        "conversation": {"id": CHANNEL, "conversationType": "channel", "tenantId": "t1"},
        "channelId": "msteams",
        "serviceUrl": url,
    }
    store.call(
        lambda r: r.channels.remember(
            CHANNEL, kind="channel", team_id="19:team", name="General", reference=reference
        )
    )
    store.call(lambda r: r.channels.subscribe(CHANNEL, service.id, actor="spoc"))
    store.call(
        lambda r: r.requests.add(  # overdue since 11 Nov: at "chase" for two weeks
            AdviceRequestRecord(
                case_ref="LA-2026-0042", service_id=service.id, received_on=date(2026, 9, 30)
            ),
            actor="spoc",
        )
    )
    assessment, _ = store.call(  # a recent self-assessment, so only the request is nudged
        lambda r: r.assessments.start_or_resume(service.id, edition="east-of-england", actor="a")
    )

    def answer(r: Repositories) -> None:
        for number in range(1, 24):
            r.assessments.record_answer(assessment.id, number, Rating.YES, "", actor="a")

    store.call(answer)
    store.call(lambda r: r.assessments.submit(assessment.id, actor="a"))


def _finished(path: Path, day: date) -> bool:
    with contextlib.closing(sqlite3.connect(path)) as db:
        row = db.execute(
            "SELECT finished_at FROM sweeps WHERE day = ?", [day.isoformat()]
        ).fetchone()
    return bool(row and row[0])


def _marks(path: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return [row[0] for row in db.execute("SELECT activity_id FROM sent_nudges")]


async def _sweep_in_serve(store: Store, clock: FakeClock, day: date) -> None:
    """Start ``serve``'s app on ``day`` after the nudge time: its scheduler catches up at once."""
    clock.set(datetime.combine(day, time(10), tzinfo=clock.zone).astimezone(UTC))
    settings = builders.settings(connector_timeout=TIMEOUT)
    server = TestServer(create_app(settings, store=store, schedule_nudges=True))
    await server.start_server()
    try:
        for _ in range(400):
            if _finished(store.database.path, day):
                return
            await asyncio.sleep(0.025)
        raise AssertionError(f"serve's scheduler did not finish the sweep for {day}")
    finally:
        await server.close()


async def _sweep_by_command(store: Store, clock: FakeClock, day: date) -> None:
    """``ehcp-bot nudges --today DAY`` in its own process, as an operator or cron runs it."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("MicrosoftApp", "EHCP_"))},
        "EHCP_CONNECTOR_TIMEOUT": str(TIMEOUT),
        "EHCP_FRAMEWORK_FIXES": "on" if FIXES else "off",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "nudges", "--db", str(store.database.path),
        "--today", day.isoformat(), env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    await asyncio.wait_for(process.wait(), 60)
    assert _finished(store.database.path, day)


PATHS = {"serve's scheduler": _sweep_in_serve, "ehcp-bot nudges": _sweep_by_command}
FAULTS = {
    # what Teams does with the first post: (script, posts that reach it, delivered, mark)
    "hangs": (["hang"], 1, "interrupted"),
    "drops the connection after reading the post": (["drop"], 1, "interrupted"),
    "answers 429 twice": (["429:0.05", "429:0.05"], 3, "posted"),
    "answers 502, then 503": (["502", "503:0.05"], 3, "posted"),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("path", sorted(PATHS))
async def test_a_digest_reaches_the_channel_at_most_once_whatever_teams_does(
    store: Store, slt: Service, clock: FakeClock, path: str, fault: str
) -> None:
    script, reaching, outcome = FAULTS[fault]
    teams = FaultyTeams(list(script))
    sweep = PATHS[path]

    async with running(teams) as url:
        _subscribe(store, slt, url)
        await sweep(store, clock, MONDAY)
        await sweep(store, clock, MONDAY + timedelta(days=1))  # the same item, the same step

    assert len(teams.posts) == reaching, teams.posts
    assert teams.delivered(CHANNEL) == 1, teams.posts
    marks = _marks(store.database.path)
    assert len(marks) == 1
    assert (marks[0] == INTERRUPTED) is (outcome == "interrupted")
