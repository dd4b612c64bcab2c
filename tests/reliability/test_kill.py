"""The server killed (SIGKILL) again and again while 20 people answer and a sweep posts nudges.

Afterwards: every answer the server acknowledged is in the database, everyone resumes where they
were, no channel is sent the same nudge twice, and SQLite's integrity check passes. Run on a
SQLite file and on a PostgreSQL database. Set ``EHCP_HEAVY=1`` for ten kills instead of three.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout, web

from benchmarks.turns import Connector, _activity, free_port, prepare_product_database
from bot.storage.database import DatabaseTarget
from bot.storage.dialect import dialect_of
from bot.storage.store import Store
from bot.storage.url import PostgresUrl
from ehcp_rules import AdviceRequestRecord
from tests.builders import FIXES
from tests.fakes import FakeClock

HEAVY = os.environ.get("EHCP_HEAVY") == "1"
USERS = 20
KILLS = 10 if HEAVY else 3
TODAY = date(2026, 11, 23)
CLI = (sys.executable, "-m", "bot.cli")
ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith(("MicrosoftApp", "EHCP_"))},
    "EHCP_NUDGE_TIME": "23:59",
    "EHCP_FRAMEWORK_FIXES": "on" if FIXES else "off",
}


@dataclass
class Person:
    """One simulated practitioner and what the server acknowledged to them."""

    number: int
    acknowledged: dict[int, str] = field(default_factory=dict)
    done: bool = False


def _named(database: DatabaseTarget) -> str:
    """``--db`` for the database: the file, or the whole URL."""
    return database.secret if isinstance(database, PostgresUrl) else str(database)


class Server:
    """``ehcp-bot serve`` as a child process that can be killed and started again."""

    def __init__(self, database: DatabaseTarget) -> None:
        self.database = database
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.up = asyncio.Event()

    async def start(self) -> None:
        self.process = subprocess.Popen(
            [*CLI, "serve", "--db", _named(self.database), "--port", str(self.port)],
            env=ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(400):
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                self.up.set()
                return
            except OSError:
                await asyncio.sleep(0.025)
        raise RuntimeError("the server did not start")

    def kill(self) -> None:
        self.up.clear()
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()


def _prepare(database: DatabaseTarget, service_url: str) -> None:
    prepare_product_database(database, USERS)
    store = Store.open(database, clock=FakeClock())

    def channels(r: Any) -> None:
        for service in r.services.all():
            conversation = f"19:channel-{service.id}@thread.tacv2"
            reference = {
                "conversation": {"id": conversation, "conversationType": "channel"},
                "bot": {"id": "28:bot", "name": "EHCP assistant"},
                "channelId": "msteams",
                "serviceUrl": service_url,
            }
            r.channels.remember(
                conversation, kind="channel", team_id="team", name="Team", reference=reference
            )
            r.channels.subscribe(conversation, service.id, actor="test")
            for n in range(3):
                r.requests.add(
                    AdviceRequestRecord(
                        case_ref=f"LA-{service.id}-{n}",
                        service_id=service.id,
                        received_on=TODAY - timedelta(weeks=7 + 2 * n),
                    ),
                    actor="test",
                )

    store.call(channels)
    store.close()


async def _send(session: ClientSession, server: Server, activity: dict[str, Any]) -> bool:
    """Post an activity; ``True`` when the server acknowledged it (a 2xx answer)."""
    await server.up.wait()
    try:
        async with session.post(
            f"http://127.0.0.1:{server.port}/api/messages", json=activity
        ) as response:
            await response.read()
            return response.status < 300
    except (TimeoutError, ClientError):
        return False


async def _answer_everything(
    person: Person, session: ClientSession, server: Server, connector: Connector, url: str
) -> None:
    conversation = f"a:b{person.number}"
    while not await _send(session, server, _activity(person.number, url, text="start assessment")):
        await asyncio.sleep(0.05)
    for _ in range(200):
        card_id, card = connector.cards[conversation]
        save = next((a for a in card.get("actions", []) if a["title"] == "Save answer"), None)
        if save is None:  # the review: every question is answered
            person.done = True
            return
        question = save["data"]["question"]
        comment = f"Person {person.number}, question {question}: weekly log reviewed."
        value = save["data"] | {"rating": "yes", "comment": comment}
        activity = _activity(person.number, url, value=value, replyToId=card_id)
        if await _send(session, server, activity):
            person.acknowledged[question] = comment
        else:  # the server died: when it is back, ask where we were
            while not await _send(session, server, _activity(person.number, url, text="resume")):
                await asyncio.sleep(0.05)


async def _sweeps(database: DatabaseTarget, stop: asyncio.Event) -> None:
    """``ehcp-bot nudges`` again and again, each run killed at a random moment."""
    rng = random.Random(7)
    while not stop.is_set():
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "nudges", "--db", _named(database),
            "--today", str(TODAY), env=ENV,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            await asyncio.wait_for(process.wait(), rng.uniform(0.4, 1.5))
        except TimeoutError:
            process.kill()
            await process.wait()


async def test_sigkill_loses_no_acknowledged_answer_and_posts_no_nudge_twice(
    backend: DatabaseTarget,
) -> None:
    connector = Connector()
    runner = web.AppRunner(connector.app(), access_log=None)
    await runner.setup()
    connector_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", connector_port).start()
    url = f"http://127.0.0.1:{connector_port}/"
    database = backend
    _prepare(database, url)
    server = Server(database)
    await server.start()
    people = [Person(n) for n in range(USERS)]
    stop_sweeps = asyncio.Event()
    sweeps = asyncio.create_task(_sweeps(database, stop_sweeps))
    rng = random.Random(2026)

    async def killer() -> None:
        for _ in range(KILLS):
            await asyncio.sleep(rng.uniform(0.3, 1.2))
            server.kill()
            await server.start()

    async with ClientSession(timeout=ClientTimeout(total=20)) as session:
        await asyncio.gather(
            killer(),
            *(_answer_everything(p, session, server, connector, url) for p in people),
        )
        stop_sweeps.set()
        await sweeps
        last_sweep = await asyncio.create_subprocess_exec(
            *CLI, "nudges", "--db", _named(database), "--today", str(TODAY), env=ENV,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        finished = await last_sweep.wait()
        resumed = []
        for person in people:
            await _send(session, server, _activity(person.number, url, text="resume"))
            _, card = connector.cards[f"a:b{person.number}"]
            resumed.append(any(a["title"] == "Save answer" for a in card.get("actions", [])))
    server.kill()
    await runner.cleanup()

    assert finished == 0
    assert all(p.done for p in people)
    assert resumed == [False] * USERS  # everyone is back at the review, all 23 answered
    with Store.open(database, clock=FakeClock()) as store:
        stored, per_assessment, holds = store.call(lambda r: _outcome(r.db))
    for person in people:
        for question, comment in person.acknowledged.items():
            assert (f"Bench service {person.number}", question, comment) in stored
    assert per_assessment == [(23,)] * USERS
    digests = {c: n for c, n in connector.posts.items() if c.startswith("19:channel-")}
    assert all(n == 1 for n in digests.values()), digests  # never twice
    assert len(holds) == USERS  # every channel's nudges were posted or held as interrupted


def _outcome(db: Any) -> tuple[set[tuple[Any, ...]], list[tuple[Any, ...]], dict[str, int]]:
    """The answers kept, how many questions each assessment has answers to, and the nudges
    held per channel; SQLite's integrity check passing."""
    if dialect_of(db).name == "sqlite":
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    stored = set(
        db.execute(
            "SELECT s.name, a.question, a.comment FROM answers a JOIN assessments x "
            "ON x.id = a.assessment_id JOIN services s ON s.id = x.service_id"
        ).fetchall()
    )
    per_assessment = db.execute(
        "SELECT count(DISTINCT question) FROM answers GROUP BY assessment_id"
    ).fetchall()
    holds = dict(
        db.execute(
            "SELECT conversation_id, count(*) FROM sent_nudges WHERE item_key LIKE 'request:%' "
            "GROUP BY conversation_id"
        ).fetchall()
    )
    return stored, [tuple(row) for row in per_assessment], holds
