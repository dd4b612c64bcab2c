"""Fan-out: digests to 1,000 subscribed channels through the paced sender and a fake connector.

All channels are in one tenant, so Teams' published limit of 50 messages a second per tenant is
what binds: 1,000 digests cannot go in less than (1,000 / 50 - 1) = 19 seconds. The figure is the
time taken against that minimum, and that each channel received exactly one digest.
"""

from __future__ import annotations

import math
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from benchmarks.turns import free_port
from bot.clock import SystemClock
from bot.config import Settings
from bot.nudges.sweep import NudgeSweep
from bot.storage.store import Store
from bot.teams.adapter import build_wiring
from ehcp_rules import AdviceRequestRecord

TODAY = date(2026, 11, 23)
TENANT_PER_SECOND = 50


def _seed(store: Store, channels: int, service_url: str) -> None:
    def seed(r: Any) -> None:
        with r.db.atomic():
            for n in range(channels):
                service = r.services.add(f"Service {n:04d}", provider=None, actor="bench")
                conversation = f"19:c{n}@thread.tacv2"
                reference = {
                    "conversation": {
                        "id": conversation,
                        "conversationType": "channel",
                        "tenantId": "t1",
                    },
                    "bot": {"id": "28:bot", "name": "EHCP assistant"},
                    "channelId": "msteams",
                    "serviceUrl": service_url,
                }
                r.channels.remember(
                    conversation, kind="channel", team_id="team", name="Team", reference=reference
                )
                r.channels.subscribe(conversation, service.id, actor="bench")
                r.requests.add(
                    AdviceRequestRecord(
                        case_ref=f"LA-{n:05d}",
                        service_id=service.id,
                        received_on=TODAY - timedelta(weeks=8),
                    ),
                    actor="bench",
                )

    store.call(seed)


async def measure_fanout(channels: int) -> dict[str, Any]:
    """Run one sweep to ``channels`` channels; its time, the minimum, and duplicates."""
    received: Counter[str] = Counter()

    async def handle(request: web.Request) -> web.Response:
        await request.read()
        received[unquote(request.match_info["conversation"])] += 1
        return web.json_response({"id": f"act-{sum(received.values())}"})

    app = web.Application()
    app.router.add_post("/v3/conversations/{conversation}/activities", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    wiring = build_wiring(Settings())
    sender = wiring.sender()
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "fanout.db", clock=SystemClock(on=TODAY))
        _seed(store, channels, f"http://127.0.0.1:{port}/")
        started = time.monotonic()
        report = await NudgeSweep(store, sender).run(TODAY)
        seconds = time.monotonic() - started
        again = await NudgeSweep(store, sender).run(TODAY)
        store.close()
    await wiring.close()
    await runner.cleanup()
    minimum = math.ceil(channels / TENANT_PER_SECOND) - 1
    return {
        "channels": channels,
        "posted": report.posted,
        "seconds": round(seconds, 2),
        "minimum_seconds": minimum,
        "ratio_to_minimum": round(seconds / minimum, 3),
        "channels_posted_twice": sum(1 for n in received.values() if n > 1),
        "second_sweep_posted": again.posted,
    }
