"""Turn cost over loopback HTTP: the product against echo bots (stock, fixed, cards) and aiohttp.

Each simulated user is one Teams personal chat. Against ``ehcp-bot serve`` a user starts a
self-assessment and answers all 23 questions the way Teams sends a card submission (the card's
data and inputs, ``replyToId`` the card's activity id), each answer with a comment; the bot saves
it, updates the card in place and sends the next one. Against the echo bots and the floor the user
sends the same 23 comments as messages; the card echo bot answers each as the product does (the
card it last sent updated in place, a new card sent, each as big as the product's). A turn's
latency runs from the request being sent to the last reply reaching the fake connector; the loop
is closed (the next answer goes when the last reply is in) unless a think time is given.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from aiohttp import ClientSession, ClientTimeout, TCPConnector, web

from bot.clock import SystemClock
from bot.storage.database import DatabaseTarget
from bot.storage.store import Store
from ehcp_rules import Role

QUESTIONS = 23
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
BOT = "28:11111111-2222-4333-8444-555555555555"
RATINGS = ("yes", "emerging", "no")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_ids = itertools.count(1)


@dataclass
class Connector:
    """A local fake of the Bot Framework connector that notes when each reply arrives."""

    last: dict[str, float] = field(default_factory=dict)
    cards: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    posts: Counter[str] = field(default_factory=Counter)
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def app(self) -> web.Application:
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_route("*", "/v3/conversations/{conversation}/activities", self._handle)
        app.router.add_route(
            "*", "/v3/conversations/{conversation}/activities/{activity}", self._handle
        )
        return app

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        arrived = time.perf_counter()
        conversation = unquote(request.match_info["conversation"])
        self.calls[request.method] += 1
        if request.method == "POST":
            self.posts[conversation] += 1
        activity_id = request.match_info.get("activity") if request.method == "PUT" else None
        activity_id = activity_id or f"act-{next(self._ids)}"
        if request.method == "POST" and b"adaptive" in body:
            content = json.loads(body)["attachments"][0]["content"]
            self.cards[conversation] = (activity_id, content)
        self.last[conversation] = arrived
        return web.json_response({"id": activity_id})


@dataclass(frozen=True)
class Server:
    """A bot server to measure: how to start it, and what its users do."""

    name: str
    command: list[str]
    product: bool
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class RunResult:
    """One run: latencies of every measured turn, wall time and the server's CPU time."""

    latencies: list[float]
    seconds: float
    cpu_seconds: float

    @property
    def turns_per_second(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    @property
    def cpu_ms_per_turn(self) -> float:
        return 1000 * self.cpu_seconds / len(self.latencies)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


@asynccontextmanager
async def listening(app: web.Application) -> AsyncIterator[str]:
    """``app`` served on a free loopback port, stopped afterwards: its address, as a service URL
    (``http://127.0.0.1:PORT/``)."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def running(server: Server, port: int) -> AsyncIterator[subprocess.Popen[bytes]]:
    """The server started on ``port``, ready; stopped afterwards."""
    process = subprocess.Popen(
        [*server.command, "--port", str(port)],
        env={**os.environ, **server.env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{server.name} did not start") from None
                await asyncio.sleep(0.05)
        yield process
    finally:
        process.terminate()
        process.wait(10)


def _activity(user: int, service_url: str, **fields: Any) -> dict[str, Any]:
    person = f"{user:08d}-0000-4000-8000-00000000bec0"
    return {
        "id": f"1:{next(_ids)}",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": f"29:1{user:08d}", "name": "Practitioner", "aadObjectId": person},
        "conversation": {"conversationType": "personal", "tenantId": TENANT, "id": f"a:b{user}"},
        "recipient": {"id": BOT, "name": "EHCP assistant"},
        "locale": "en-GB",
        "channelData": {"tenant": {"id": TENANT}},
        "type": "message",
        **fields,
    }


def comment(question: int) -> str:
    return (
        f"Q{question}: evidence in the team's EHC process flowchart (v3, reviewed September) and "
        "the weekly advice-request log kept by the single point of contact."
    )


async def _turn(
    session: ClientSession, url: str, connector: Connector, activity: dict[str, Any]
) -> float:
    conversation = activity["conversation"]["id"]
    sent = time.perf_counter()
    async with session.post(url, json=activity) as response:
        await response.read()
        if response.status >= 300:
            raise RuntimeError(f"turn refused with {response.status}")
    return connector.last[conversation] - sent


async def _user(
    user: int,
    *,
    server: Server,
    urls: Callable[[], str],
    service_url: str,
    connector: Connector,
    session: ClientSession,
    think: float,
) -> list[float]:
    conversation = f"a:b{user}"
    latencies = []
    if server.product:
        await _turn(
            session, urls(), connector, _activity(user, service_url, text="start assessment")
        )
    if think:  # people do not all click at the same instant: each starts somewhere in one pause
        await asyncio.sleep(random.Random(user).uniform(0, think))
    for question in range(1, QUESTIONS + 1):
        if server.product:
            card_id, card = connector.cards[conversation]
            save = next(a for a in card["actions"] if a["title"] == "Save answer")
            value = save["data"] | {"rating": RATINGS[question % 3], "comment": comment(question)}
            activity = _activity(user, service_url, value=value, replyToId=card_id)
        else:
            activity = _activity(user, service_url, text=comment(question), textFormat="plain")
        latencies.append(await _turn(session, urls(), connector, activity))
        if server.product and question < QUESTIONS:
            assert connector.cards[conversation][0] != card_id, "no next question arrived"
        if think:
            await asyncio.sleep(think)
    return latencies


async def run(
    server: Server,
    port: int | Sequence[int],
    *,
    process: subprocess.Popen[bytes] | Sequence[subprocess.Popen[bytes]],
    connector: Connector,
    service_url: str,
    users: range,
    think: float = 0.0,
) -> RunResult:
    """Every user in ``users`` through 23 turns at once; latencies, wall and CPU time. With
    several instances (ports and processes), turns go to each in turn, as a load balancer
    without affinity sends them, and the CPU time is theirs together."""
    ports = [port] if isinstance(port, int) else list(port)
    processes = [process] if isinstance(process, subprocess.Popen) else list(process)
    addresses = itertools.cycle([f"http://127.0.0.1:{p}/api/messages" for p in ports])

    def cpu() -> float:
        return sum(cpu_seconds(p.pid) for p in processes)

    async with ClientSession(
        connector=TCPConnector(limit=0), timeout=ClientTimeout(total=60)
    ) as session:
        before, started = cpu(), time.perf_counter()
        results = await asyncio.gather(
            *(
                _user(
                    u,
                    server=server,
                    urls=lambda: next(addresses),
                    service_url=service_url,
                    connector=connector,
                    session=session,
                    think=think,
                )
                for u in users
            )
        )
        seconds, used = time.perf_counter() - started, cpu() - before
    return RunResult([x for r in results for x in r], seconds, used)


def prepare_product_database(path: DatabaseTarget, users: int) -> None:
    """One service and one practitioner per simulated user (one assessment each at a time), in a
    SQLite file or a PostgreSQL database."""
    store = Store.open(path, clock=SystemClock())
    try:

        def add(r: Any) -> None:
            with r.db.atomic():
                for user in range(users):
                    name = f"Bench service {user}"
                    r.services.add(name, provider="Bench NHS Trust", actor="benchmark")
                    r.people.grant(
                        f"{user:08d}-0000-4000-8000-00000000bec0",
                        Role.PRACTITIONER,
                        service=name,
                        display_name=None,
                        actor="benchmark",
                    )

        store.call(add)
    finally:
        store.close()


def servers(database: Path) -> list[Server]:
    python = sys.executable
    return [
        Server("echo bot, stock", [python, "-m", "benchmarks.echo_bot"], product=False),
        Server("echo bot, fixed", [python, "-m", "benchmarks.echo_bot", "--fixed"], product=False),
        Server(
            "echo bot, fixed, cards",
            [python, "-m", "benchmarks.echo_bot", "--cards"],
            product=False,
        ),
        Server("aiohttp floor", [python, "-m", "benchmarks.floor"], product=False),
        Server(
            "EHCP assistant",
            [python, "-m", "bot.cli", "serve", "--db", str(database)],
            product=True,
            env={k: "" for k in ("MicrosoftAppId", "MicrosoftAppPassword", "EHCP_PUBLIC_URL")},
        ),
    ]


@dataclass
class TurnFigures:
    """The medians over repeats for one server at one concurrency."""

    server: str
    users: int
    think: float
    turns: int
    turns_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    cpu_ms_per_turn: float


async def measure_turns(
    user_counts: tuple[int, ...],
    *,
    repeats: int,
    think_users: int,
    think: float,
    progress: Callable[[str], None],
) -> list[TurnFigures]:
    """Every server at every concurrency, ``repeats`` times (medians), then the think-time run."""
    connector = Connector()
    connector_runner = web.AppRunner(connector.app(), access_log=None)
    await connector_runner.setup()
    connector_port = free_port()
    await web.TCPSite(connector_runner, "127.0.0.1", connector_port).start()
    service_url = f"http://127.0.0.1:{connector_port}/"
    needed = 1 + repeats * sum(user_counts) + think_users
    figures: list[TurnFigures] = []
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.db"
        prepare_product_database(database, needed)
        for server in servers(database):
            next_user = itertools.count(0)
            port = free_port()
            async with running(server, port) as process:
                # one warm-up user, not measured (imports, first connections)
                warm = next(next_user)
                await run(
                    server,
                    port,
                    process=process,
                    connector=connector,
                    service_url=service_url,
                    users=range(warm, warm + 1),
                )
                plans = [(n, 0.0, repeats) for n in user_counts]
                if server.product and think_users:
                    plans.append((think_users, think, 1))
                for users, pause, times in plans:
                    runs = []
                    for _ in range(times):
                        first = next(next_user)
                        for _ in range(users - 1):
                            next(next_user)
                        runs.append(
                            await run(
                                server,
                                port,
                                process=process,
                                connector=connector,
                                service_url=service_url,
                                users=range(first, first + users),
                                think=pause,
                            )
                        )
                    figure = _median(server.name, users, pause, runs)
                    figures.append(figure)
                    progress(
                        f"{server.name:22} {users:>3} users{f' +{pause:g}s think' if pause else ''}"
                        f": {figure.turns_per_second:7.1f} turns/s, p99 {figure.p99_ms:6.1f} ms"
                    )
    await connector_runner.cleanup()
    return figures


def _median(name: str, users: int, think: float, runs: list[RunResult]) -> TurnFigures:
    def mid(values: list[float]) -> float:
        return round(statistics.median(values), 2)

    return TurnFigures(
        server=name,
        users=users,
        think=think,
        turns=sum(len(r.latencies) for r in runs),
        turns_per_second=mid([r.turns_per_second for r in runs]),
        p50_ms=mid([r.percentile(0.50) for r in runs]),
        p95_ms=mid([r.percentile(0.95) for r in runs]),
        p99_ms=mid([r.percentile(0.99) for r in runs]),
        cpu_ms_per_turn=mid([r.cpu_ms_per_turn for r in runs]),
    )
