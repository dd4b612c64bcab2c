"""Two ``ehcp-bot serve`` processes on one PostgreSQL database, behind a load balancer.

Turns go to each instance in turn (a load balancer without session affinity), so each
conversation's answers land on both. 20 people complete their 23-question assessments at once
while one instance is SIGKILLed mid-way and started again; both instances start the day's nudge
sweep (each catches up at start-up, and so does the restarted one). Afterwards: every answer the
fake connector saw acknowledged is in the database, every channel's digest was posted once, and a
download link made by one instance is served by the other.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from datetime import date
from typing import Any

import pytest
from aiohttp import ClientSession, ClientTimeout, web

from benchmarks.turns import Connector, _activity, free_port
from bot.storage.store import Store
from bot.storage.url import PostgresUrl
from ehcp_rules import Role
from tests.fakes import FakeClock
from tests.serving import ENV, Person, Server, answer_everything, post, prepare

pytestmark = pytest.mark.postgres

USERS = 20
QUESTIONS = 23
TODAY = date(2026, 11, 23)  # a Monday: the instances run as if it were today, nudging at 00:00
DCO = 100
DCO_ID = f"{DCO:08d}-0000-4000-8000-00000000bec0"  # benchmarks.turns' person ids


class Balancer:
    """Sends each activity to the next instance in turn that is up, as a load balancer checking
    its instances does (turns in flight when one is killed are not acknowledged)."""

    def __init__(self, session: ClientSession, servers: list[Server]) -> None:
        self._session = session
        self._next = itertools.cycle(servers)

    async def send(self, activity: dict[str, Any]) -> bool:
        server = next(self._next)
        while not server.up.is_set():
            server = next(self._next)
        return await post(self._session, server.url, activity)


async def _until(found: Any, what: str, within: float = 30.0) -> None:
    """Wait until ``found()`` is true (polled)."""
    deadline = time.monotonic() + within
    while not await found():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within} s: {what}")
        await asyncio.sleep(0.1)


async def test_two_instances_keep_every_answer_post_each_digest_once_and_share_links(
    postgres: PostgresUrl,
) -> None:
    connector = Connector()
    runner = web.AppRunner(connector.app(), access_log=None)
    await runner.setup()
    connector_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", connector_port).start()
    url = f"http://127.0.0.1:{connector_port}/"
    prepare(postgres, url, users=USERS, today=TODAY)
    store = Store.open(postgres, clock=FakeClock())
    store.call(
        lambda r: r.people.grant(DCO_ID, Role.DCO, service=None, display_name=None, actor="test")
    )
    env = {**ENV, "EHCP_NUDGE_TIME": "00:00"}  # due at once: each instance sweeps as it starts
    servers = [Server(postgres, options=("--today", str(TODAY)), env=env) for _ in range(2)]
    people = [Person(n) for n in range(USERS)]

    def swept() -> Any:
        async def check() -> bool:
            return bool(await store.run(lambda r: r.leases.swept(TODAY)))

        return check

    try:
        await asyncio.gather(*(server.start() for server in servers))
        async with ClientSession(timeout=ClientTimeout(total=20)) as session:
            balancer = Balancer(session, servers)

            async def kill_and_restart() -> None:
                half = USERS * QUESTIONS // 2
                await _until(
                    lambda: _true(sum(len(p.acknowledged) for p in people) >= half),
                    "half the answers acknowledged",
                )
                await _until(swept(), "the day's sweep finished on one of the instances")
                servers[0].kill()
                await servers[0].start()  # and it catches up with the day's sweep again

            await asyncio.gather(
                kill_and_restart(),
                *(answer_everything(p, balancer.send, connector, url) for p in people),
            )
            link = await _export_link(session, servers[1], connector, url)
            served = await session.get(servers[0].url + link.removeprefix(servers[1].url))
            body = await served.read()
        await asyncio.sleep(1.0)  # time for a second sweep, were the restarted instance to post
    finally:
        for server in servers:
            server.kill()
        await runner.cleanup()

    assert [p.number for p in people if not p.done] == []
    stored = set(
        store.call(
            lambda r: r.db.execute(
                "SELECT s.name, a.question, a.comment FROM answers a JOIN assessments x "
                "ON x.id = a.assessment_id JOIN services s ON s.id = x.service_id"
            ).fetchall()
        )
    )
    per_assessment = store.call(
        lambda r: r.db.execute(
            "SELECT count(DISTINCT question) FROM answers GROUP BY assessment_id"
        ).fetchall()
    )
    per_assessment = [tuple(row) for row in per_assessment]
    store.close()
    acknowledged = {
        (f"Bench service {p.number}", question, comment)
        for p in people
        for question, comment in p.acknowledged.items()
    }
    assert acknowledged <= {tuple(row) for row in stored}
    assert per_assessment == [(QUESTIONS,)] * USERS
    digests = {c: n for c, n in connector.posts.items() if c.startswith("19:channel-")}
    assert len(digests) == USERS
    assert set(digests.values()) == {1}, digests  # each channel's digest, once
    assert served.status == 200
    assert served.headers["Content-Type"].startswith("text/csv")
    assert b"Bench service 0" in body


async def _true(value: bool) -> bool:
    return value


async def _export_link(
    session: ClientSession, server: Server, connector: Connector, service_url: str
) -> str:
    """A DCO asks ``server`` for the summary and its CSV export: the download link it made."""
    conversation = f"a:b{DCO}"
    assert await post(session, server.url, _activity(DCO, service_url, text="summary"))
    _, card = connector.cards[conversation]
    export = next(a for a in card["actions"] if a["title"] == "Export CSV")
    click = _activity(DCO, service_url, value=export["data"])
    assert await post(session, server.url, click)
    _, card = connector.cards[conversation]
    (download,) = [a["url"] for a in card["actions"] if a["type"] == "Action.OpenUrl"]
    assert re.match(rf"{re.escape(server.url)}/files/[^/]+/[^/]+\.csv$", download), download
    return str(download)
