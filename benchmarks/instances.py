"""Turns per second on PostgreSQL: ``ehcp-bot serve`` as one instance and as two behind a load
balancer, 8 people completing self-assessments, in the same run as the SQLite figures.

The people, their services and roles are made in a SQLite file and moved into a new PostgreSQL
database with ``ehcp-bot db copy`` (as a deployment moving would be). Each instance is its own
``serve`` process on that database, given it as ``EHCP_DB`` (never on the command line); with two,
every turn goes to the next instance in turn, as a load balancer without session affinity sends
them, so each conversation's answers land on both. The users, their turns and what is measured
are ``benchmarks.turns``' (CPU time is the ``serve`` processes' together; the PostgreSQL server's
own is not counted).
"""

from __future__ import annotations

import itertools
import sys
import tempfile
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.backends import scratch_database
from benchmarks.turns import (
    Connector,
    Server,
    _median,
    free_port,
    listening,
    prepare_product_database,
    run,
    running,
)
from bot.clock import SystemClock
from bot.storage.copy import copy_to_postgres
from bot.storage.url import PostgresUrl

CREDENTIALS_OFF = {k: "" for k in ("MicrosoftAppId", "MicrosoftAppPassword", "EHCP_PUBLIC_URL")}


def instance_name(instances: int) -> str:
    return f"EHCP assistant, PostgreSQL, {instances} instance{'s' if instances > 1 else ''}"


async def measure_instances(
    admin: PostgresUrl,
    *,
    users: int,
    instance_counts: tuple[int, ...],
    repeats: int,
    progress: Callable[[str], None],
) -> dict[str, Any]:
    """``{"turns": [figures...]}``, one for each number of instances."""
    connector = Connector()
    found: dict[str, Any] = {"turns": []}
    needed = sum(n + repeats * users for n in instance_counts)
    async with listening(connector.app()) as service_url:
        with tempfile.TemporaryDirectory() as folder, scratch_database(admin) as url:
            people = Path(folder) / "people.db"
            prepare_product_database(people, needed)
            copy_to_postgres(people, url, clock=SystemClock(), compare_summary=False)
            next_user = itertools.count(0)
            for count in instance_counts:
                name = instance_name(count)
                server = Server(
                    name,
                    [sys.executable, "-m", "bot.cli", "serve"],
                    product=True,
                    env={**CREDENTIALS_OFF, "EHCP_DB": url.secret},
                )
                async with AsyncExitStack() as stack:
                    ports = [free_port() for _ in range(count)]
                    processes = [
                        await stack.enter_async_context(running(server, port)) for port in ports
                    ]
                    warm = next(next_user)  # not measured: imports, first connections
                    for _ in range(count - 1):
                        next(next_user)
                    await run(
                        server,
                        ports,
                        process=processes,
                        connector=connector,
                        service_url=service_url,
                        users=range(warm, warm + count),
                    )
                    runs = []
                    for _ in range(repeats):
                        first = next(next_user)
                        for _ in range(users - 1):
                            next(next_user)
                        runs.append(
                            await run(
                                server,
                                ports,
                                process=processes,
                                connector=connector,
                                service_url=service_url,
                                users=range(first, first + users),
                            )
                        )
                    figure = _median(name, users, 0.0, runs)
                    found["turns"].append(asdict(figure))
                    progress(
                        f"{name:40} {users:>3} users: {figure.turns_per_second:7.1f} turns/s, "
                        f"p99 {figure.p99_ms:6.1f} ms"
                    )
    return found
