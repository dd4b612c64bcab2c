"""The server killed (SIGKILL) again and again while 20 people answer and a sweep posts nudges.

Afterwards: every answer the server acknowledged is in the database, everyone resumes where they
were, no channel is sent the same nudge twice, and SQLite's integrity check passes. Run on a
SQLite file and on a PostgreSQL database. Set ``EHCP_HEAVY=1`` for ten kills instead of three.

The sweeps (``ehcp-bot nudges``, each killed at a random moment) take the sweep's lease with a
1-second length (``EHCP_SWEEP_LEASE``): a killed sweeper's lease lapses for real, and the last
sweep, refused while one is held (exit status 3), finishes the day once it has.
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
from datetime import date
from functools import partial
from typing import Any

from aiohttp import ClientSession, ClientTimeout, web

from benchmarks.turns import Connector, _activity, free_port
from bot.storage.database import DatabaseTarget
from bot.storage.dialect import dialect_of
from bot.storage.store import Store
from tests.fakes import FakeClock
from tests.serving import CLI, ENV, Person, Server, answer_everything, named, prepare, send

HEAVY = os.environ.get("EHCP_HEAVY") == "1"
USERS = 20
KILLS = 10 if HEAVY else 3
TODAY = date(2026, 11, 23)
SWEEPS = {**ENV, "EHCP_SWEEP_LEASE": "1"}
HELD = 3  # bot.cli.nudges.HELD


async def _sweeps(database: DatabaseTarget, stop: asyncio.Event) -> None:
    """``ehcp-bot nudges`` again and again, each run killed at a random moment."""
    rng = random.Random(7)
    while not stop.is_set():
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "nudges", "--db", named(database),
            "--today", str(TODAY), env=SWEEPS,
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
    prepare(database, url, users=USERS, today=TODAY)
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
            *(answer_everything(p, partial(send, session, server), connector, url) for p in people),
        )
        stop_sweeps.set()
        await sweeps
        statuses: list[int] = []
        while not statuses or (statuses[-1] == HELD and len(statuses) < 20):
            last_sweep = await asyncio.create_subprocess_exec(
                *CLI, "nudges", "--db", named(database), "--today", str(TODAY), env=SWEEPS,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            statuses.append(await last_sweep.wait())
            if statuses[-1] == HELD:  # a killed sweeper's lease, lapsing within a second
                await asyncio.sleep(0.5)
        resumed = []
        for person in people:
            await send(session, server, _activity(person.number, url, text="resume"))
            _, card = connector.cards[f"a:b{person.number}"]
            resumed.append(any(a["title"] == "Save answer" for a in card.get("actions", [])))
    server.kill()
    await runner.cleanup()

    assert statuses[-1] == 0, statuses
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
