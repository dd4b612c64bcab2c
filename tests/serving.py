"""``ehcp-bot serve`` as child processes for the tests that kill them (``tests/reliability``) or
run several on one database (``tests/instances``): starting and SIGKILLing one, posting Teams
activities to it, and a simulated practitioner answering every question of an assessment.
The replies go to ``benchmarks.turns.Connector``, a local fake of the Bot Framework connector."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from aiohttp import ClientError, ClientSession

from benchmarks.turns import Connector, _activity, free_port, prepare_product_database
from bot.storage.database import DatabaseTarget
from bot.storage.store import Store
from bot.storage.url import PostgresUrl
from ehcp_rules import AdviceRequestRecord
from tests.builders import FIXES
from tests.fakes import FakeClock

CLI = (sys.executable, "-m", "bot.cli")
ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith(("MicrosoftApp", "EHCP_"))},
    "EHCP_NUDGE_TIME": "23:59",
    "EHCP_FRAMEWORK_FIXES": "on" if FIXES else "off",
}
"""The servers' environment: unauthenticated, no nudges until 23:59, the framework fixes as this
run has them."""

Send = Callable[[dict[str, Any]], Awaitable[bool]]
"""Posts one activity; ``True`` when it was acknowledged (a 2xx answer)."""


@dataclass
class Person:
    """One simulated practitioner and what the server acknowledged to them."""

    number: int
    acknowledged: dict[int, str] = field(default_factory=dict)
    done: bool = False


def named(database: DatabaseTarget) -> str:
    """``--db`` for the database: the file, or the whole URL."""
    return database.secret if isinstance(database, PostgresUrl) else str(database)


class Server:
    """``ehcp-bot serve`` as a child process that can be killed and started again."""

    def __init__(
        self,
        database: DatabaseTarget,
        *,
        options: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.database = database
        self.port = free_port()
        self.options = tuple(options)
        self.env = dict(env or ENV)
        self.process: subprocess.Popen[bytes] | None = None
        self.up = asyncio.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self.process = subprocess.Popen(
            [*CLI, "serve", "--db", named(self.database), "--port", str(self.port), *self.options],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(800):
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                self.up.set()
                return
            except OSError:
                if self.process.poll() is not None:
                    break
                await asyncio.sleep(0.025)
        raise RuntimeError("the server did not start")

    def kill(self) -> None:
        self.up.clear()
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()


def prepare(database: DatabaseTarget, service_url: str, *, users: int, today: date) -> None:
    """One service and one practitioner per person (``benchmarks.turns``), and each service a
    channel subscribed to its nudges with three advice requests overdue or due on ``today``."""
    prepare_product_database(database, users)
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
                        received_on=today - timedelta(weeks=7 + 2 * n),
                    ),
                    actor="test",
                )

    store.call(channels)
    store.close()


async def post(session: ClientSession, address: str, activity: dict[str, Any]) -> bool:
    """Post an activity to a server's ``/api/messages``; ``True`` when it was acknowledged (a
    2xx answer), ``False`` when refused, timed out or the server is not there."""
    try:
        async with session.post(f"{address}/api/messages", json=activity) as response:
            await response.read()
            return response.status < 300
    except (TimeoutError, ClientError):
        return False


async def send(session: ClientSession, server: Server, activity: dict[str, Any]) -> bool:
    """Post an activity to ``server`` once it is up."""
    await server.up.wait()
    return await post(session, server.url, activity)


async def answer_everything(
    person: Person, send: Send, connector: Connector, service_url: str
) -> None:
    """Start an assessment and answer each question the cards ask until the review, noting
    each answer acknowledged; after a turn that was not, ask where we were ("resume")."""
    conversation = f"a:b{person.number}"
    url = service_url
    while not await send(_activity(person.number, url, text="start assessment")):
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
        if await send(activity):
            person.acknowledged[question] = comment
        else:  # the server died: when it is back, ask where we were
            while not await send(_activity(person.number, url, text="resume")):
                await asyncio.sleep(0.05)
