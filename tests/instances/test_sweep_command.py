"""``ehcp-bot nudges`` (cron, or an operator) takes the same lease as ``serve``'s sweeps, so it
never sweeps beside one; a run SIGKILLed mid-post keeps the lease only until it lapses.

Real processes on each backend, with a 5-second lease (``EHCP_SWEEP_LEASE``) and a fake Teams
that holds the first posts unanswered until the sweeper has been killed. The lease is kept on the
machine's real time whatever ``--today`` says (every holder compares its expiry with its own
"now"), so these tests read it on the real clock too."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from aiohttp import web

from benchmarks.turns import listening
from bot.cli.nudges import HELD
from bot.clock import SystemClock
from bot.nudges.scheduler import SWEEP_LEASE, SweepLease
from bot.storage.database import DatabaseTarget
from bot.storage.store import Store
from tests.fakes import FakeClock
from tests.serving import CLI, ENV, named, prepare

TODAY = date(2026, 11, 23)
LEASE = 5.0
SWEEPS = {**ENV, "EHCP_SWEEP_LEASE": str(LEASE), "EHCP_CONNECTOR_TIMEOUT": "60"}
REAL_TIME = SystemClock()  # the lease's clock (see the docstring)


class HangingTeams:
    """Counts the posts to each conversation; leaves them unanswered until ``answering``."""

    def __init__(self) -> None:
        self.posts: Counter[str] = Counter()
        self.answering = asyncio.Event()

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities", self._post)
        return app

    async def _post(self, request: web.Request) -> web.Response:
        await request.read()
        self.posts[request.match_info["conversation"]] += 1
        await self.answering.wait()
        return web.json_response({"id": f"act-{sum(self.posts.values())}"})


async def _nudges(database: DatabaseTarget) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *CLI, "nudges", "--db", named(database), "--today", str(TODAY), env=SWEEPS,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, out.decode()


def _holder(database: DatabaseTarget) -> str | None:
    with Store.open(database, clock=FakeClock()) as store:
        return store.call(lambda r: r.leases.holder(SWEEP_LEASE, now=REAL_TIME.now()))


async def test_a_killed_sweep_commands_lease_lapses_and_the_next_run_finishes_the_day(
    target: DatabaseTarget, tmp_path: Path
) -> None:
    teams = HangingTeams()
    async with listening(teams.app()) as url:
        prepare(target, url, users=2, today=TODAY)
        sweeper = await asyncio.create_subprocess_exec(
            *CLI, "nudges", "--db", named(target), "--today", str(TODAY), env=SWEEPS,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while not teams.posts:  # mid-post, holding the lease
            assert time.monotonic() < deadline, "the sweep never posted"
            await asyncio.sleep(0.05)
        assert _holder(target) is not None
        sweeper.kill()
        await sweeper.wait()
        killed_at = time.monotonic()
        teams.answering.set()
        posted_by_the_killed_run = sum(teams.posts.values())

        refused, said = await _nudges(target)

        assert time.monotonic() - killed_at < LEASE, "too slow to see the lease still held"
        assert refused == HELD
        assert said.startswith("Nothing posted: another nudge sweep holds the lease (held by ")
        assert sum(teams.posts.values()) == posted_by_the_killed_run  # it posted nothing

        await asyncio.sleep(LEASE - (time.monotonic() - killed_at) + 0.3)  # the lease lapses
        finished, said = await _nudges(target)

    assert finished == 0, said
    assert said.startswith("Nudges for Mon 23 Nov 2026: ") and " 0 failed)." in said
    with Store.open(target, clock=FakeClock()) as store:
        assert store.call(lambda r: r.leases.swept(TODAY))
        assert _holder(target) is None  # given back
    assert len(teams.posts) == 2 and set(teams.posts.values()) == {1}, teams.posts  # never twice


async def test_a_command_run_for_another_day_keeps_the_lease_on_real_time(
    target: DatabaseTarget,
) -> None:
    """Found in review: ``--today`` moved the lease's times too, so a command run for next week
    took a serve instance's live lease (and, killed, would have held it for a week)."""
    with Store.open(target, clock=FakeClock()) as serve:
        lease = SweepLease(serve, holder="serve-a", clock=REAL_TIME)
        assert await lease.take()  # a serve instance sweeping now
    later = (REAL_TIME.today() + timedelta(days=7)).isoformat()

    process = await asyncio.create_subprocess_exec(
        *CLI, "nudges", "--db", named(target), "--today", later, env=SWEEPS,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(process.communicate(), 60)

    assert process.returncode == HELD, out
    assert "(held by serve-a)" in out.decode()
