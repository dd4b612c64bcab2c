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
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import unquote

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.nudges.sweep import NudgeSweep
from bot.storage.database import DatabaseTarget
from bot.storage.nudges import INTERRUPTED
from bot.storage.store import Repositories, Store
from bot.teams.adapter import build_wiring
from bot.teams.app import create_app
from ehcp_rules import AdviceRequestRecord, Rating, Service
from tests import builders
from tests.builders import FIXES
from tests.fakes import FakeClock, database_argument

MONDAY = date(2026, 11, 23)  # a working day; the next is Tuesday 24 November
CHANNEL = "19:general@thread.tacv2"
TIMEOUT = 0.5


@pytest.fixture
def store(backend: DatabaseTarget, clock: FakeClock) -> Iterator[Store]:
    """This file's tests run on a SQLite file, then on a PostgreSQL database."""
    with Store.open(backend, clock=clock) as opened:
        yield opened


@dataclass
class Post:
    """One request that reached the connector, and what it was answered."""

    conversation: str
    answered: int | None  # None: no answer (it hung, or the connection was dropped)
    method: str = "POST"
    body: bytes = b""


@dataclass
class FaultyTeams:
    """A connector on a raw socket: answers each post as ``script`` says, then 200 for ever.

    ``hang`` never answers (until the test ends); ``drop`` reads the whole request and closes the
    connection; a number is that status, with ``Retry-After`` when given as ``429:0.05``. An entry
    is for a POST (a new message), or for a PUT (a card updated in place) when it starts ``PUT ``.
    """

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
                body = await reader.readexactly(length)
                method, path, _ = request_line.split(" ")
                if not await self._answer(method, path, body, writer):
                    return
        writer.close()

    async def _answer(
        self, method: str, path: str, body: bytes, writer: asyncio.StreamWriter
    ) -> bool:
        """Answer one request; ``False`` when the connection is to be left or closed."""
        action = self._next(method)
        conversation = unquote(
            path.rsplit("/conversations/", maxsplit=1)[-1].split("/", maxsplit=1)[0]
        )
        if action in ("hang", "drop"):
            self.posts.append(Post(conversation, None, method, body))
            if action == "hang":
                await self.release.wait()
            writer.close()
            return False
        status, _, retry_after = action.partition(":")
        self.posts.append(Post(conversation, int(status), method, body))
        answer = json.dumps({"id": f"act-{next(self._ids)}"} if status == "200" else {}).encode()
        extra = f"Retry-After: {retry_after}\r\n" if retry_after else ""
        writer.write(
            f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n{extra}"
            f"Content-Length: {len(answer)}\r\n\r\n".encode()
            + answer
        )
        await writer.drain()
        return True

    def _next(self, method: str) -> str:
        """The first scripted answer for this method (taken), else 200."""
        for index, entry in enumerate(self.script):
            wanted, _, action = entry.rpartition(" ")
            if (wanted or "POST") == method:
                return self.script.pop(index) and action
        return "200"

    def delivered(self, conversation: str) -> int:
        """Posts Teams took or may have taken (answered 2xx, answered 504 by a gateway that gave
        up waiting for it, or not answered at all)."""
        return sum(
            1
            for post in self.posts
            if post.conversation == conversation
            and post.method == "POST"
            and (post.answered is None or post.answered < 300 or post.answered == 504)
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


def _finished(store: Store, day: date) -> bool:
    row = store.call(
        lambda r: r.db.execute(
            "SELECT finished_at FROM sweeps WHERE day = ?", [day.isoformat()]
        ).fetchone()
    )
    return bool(row and row[0])


def _marks(store: Store) -> list[str]:
    rows = store.call(lambda r: r.db.execute("SELECT activity_id FROM sent_nudges").fetchall())
    return [row[0] for row in rows]


async def _no_wait(seconds: float) -> None:
    """Retries in ``serve`` go on at once here (``ehcp-bot nudges`` waits for real)."""


async def _sweep_in_serve(store: Store, clock: FakeClock, day: date) -> None:
    """Start ``serve``'s app on ``day`` after the nudge time: its scheduler catches up at once."""
    clock.set(datetime.combine(day, time(10), tzinfo=clock.zone).astimezone(UTC))
    settings = builders.settings(connector_timeout=TIMEOUT)
    server = TestServer(create_app(settings, store=store, schedule_nudges=True, sleep=_no_wait))
    await server.start_server()
    try:
        for _ in range(400):
            if _finished(store, day):
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
        sys.executable, "-m", "bot.cli", "nudges", "--db", database_argument(store),
        "--today", day.isoformat(), env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    await asyncio.wait_for(process.wait(), 60)
    assert _finished(store, day)


PATHS = {"serve's scheduler": _sweep_in_serve, "ehcp-bot nudges": _sweep_by_command}
FAULTS = {
    # what Teams does with the first post: (script, posts that reach it, delivered, mark)
    "hangs": (["hang"], 1, "interrupted"),
    "drops the connection after reading the post": (["drop"], 1, "interrupted"),
    "answers 429 twice": (["429:0.05", "429:0.05"], 3, "posted"),
    "answers 502, then 503": (["502", "503:0.05"], 3, "posted"),
    "answers 504 (a gateway gave up waiting)": (["504"], 1, "interrupted"),
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
    marks = _marks(store)
    assert len(marks) == 1
    assert (marks[0] == INTERRUPTED) is (outcome == "interrupted")


async def test_two_sweeps_at_the_same_moment_post_each_digest_once(
    store: Store, slt: Service, clock: FakeClock
) -> None:
    teams = FaultyTeams([])
    wiring = build_wiring(builders.settings(connector_timeout=TIMEOUT))

    async with running(teams) as url:
        _subscribe(store, slt, url)
        reports = await asyncio.gather(
            NudgeSweep(store, wiring.sender()).run(MONDAY),
            NudgeSweep(store, wiring.sender()).run(MONDAY),
        )
    await wiring.close()

    assert teams.delivered(CHANNEL) == 1, teams.posts
    assert sorted(report.posted for report in reports) == [0, 1]


@pytest.mark.parametrize("fault", ["hang", "drop"])
async def test_a_card_update_with_no_answer_is_never_sent_again(
    store: Store, slt: Service, fault: str
) -> None:
    teams = FaultyTeams([f"PUT {fault}"])
    app = create_app(builders.settings(connector_timeout=TIMEOUT), store=store)
    bot = TestClient(TestServer(app))
    await bot.start_server()

    async with running(teams) as url:
        await bot.post("/api/messages", json=builders.message("start assessment", url))
        card = json.loads(teams.posts[-1].body)["attachments"][0]["content"]
        save = next(a for a in card["actions"] if a["title"] == "Save answer")
        value = save["data"] | {"rating": "yes", "comment": "Flowchart agreed in March."}
        await bot.post("/api/messages", json=builders.submission(value, "act-2", url))
    await bot.close()

    updates = [post for post in teams.posts if post.method == "PUT"]
    assert len(updates) == 1, teams.posts  # on a pooled connection too, on either transport
    answers = store.call(lambda r: r.db.execute("SELECT question FROM answers").fetchall())
    assert answers == [(1,)]  # the answer itself is kept
