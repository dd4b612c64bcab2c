"""A local fake of the Bot Framework connector: records what the bot sends, answers like Teams."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.storage.database import Database
from bot.storage.store import Store


@dataclass
class Sent:
    """One call the bot made to the connector."""

    method: str
    path: str
    body: dict[str, Any]

    @property
    def cards(self) -> list[dict[str, Any]]:
        """The Adaptive Cards it carried."""
        return [
            a["content"]
            for a in self.body.get("attachments") or []
            if a.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]


@dataclass
class FakeConnector:
    """Holds what was sent; ``app`` is the aiohttp application to serve."""

    sent: list[Sent] = field(default_factory=list)
    failures: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    refuse: dict[str, int] = field(default_factory=dict)
    max_bytes: int | None = None
    """Refuse, with 413 ``MessageSizeTooBig`` as Teams does, a message whose JSON is over this
    many bytes as UTF-16 (Teams' way of counting)."""
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def fail_next(self, status: int, times: int = 1, **headers: str) -> None:
        """Answer the next ``times`` posts with ``status`` (and headers such as Retry-After)."""
        self.failures.extend(
            [(status, {k.replace("_", "-"): v for k, v in headers.items()})] * times
        )

    def app(self) -> web.Application:
        application = web.Application()
        application.router.add_route("*", "/{tail:.*}", self._handle)
        return application

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else {}
        self.sent.append(Sent(request.method, request.path, body))
        for conversation, status in self.refuse.items():
            if conversation in request.path:
                return web.json_response({"error": {"code": "Gone"}}, status=status)
        size = len(json.dumps(body, ensure_ascii=False).encode("utf-16-le"))
        if self.max_bytes and size > self.max_bytes:
            error = {"code": "MessageSizeTooBig", "message": "Message size too big"}
            return web.json_response({"error": error}, status=413)
        if self.failures and request.method == "POST":
            status, headers = self.failures.pop(0)
            return web.json_response({"error": {"code": "Busy"}}, status=status, headers=headers)
        if request.method == "GET" and "/members/" in request.path:
            return web.json_response({"id": request.path.rsplit("/", 1)[-1], "name": "Sam Patel"})
        return web.json_response({"id": f"reply-{next(self._ids)}"})

    def take(self) -> list[Sent]:
        """Everything sent since the last call."""
        taken, self.sent = self.sent, []
        return taken


class FakeClock:
    """The one clock, for tests: it stands at noon (local time) of ``day`` and moves only when
    told to, except that each ``now()`` is a microsecond after the last, as a real clock's would
    be (so "answered after it was shown" still reads right)."""

    def __init__(
        self, day: date = date(2026, 11, 23), *, at: time = time(12), zone: str = "Europe/London"
    ) -> None:
        self.zone = ZoneInfo(zone)
        self._now = datetime.combine(day, at, tzinfo=self.zone).astimezone(UTC)
        self._ticks = 0

    def now(self) -> datetime:
        self._ticks += 1
        return self._now + timedelta(microseconds=self._ticks)

    def today(self) -> date:
        return self.now().astimezone(self.zone).date()

    def move_to(self, day: date, at: time = time(12)) -> None:
        """Stand at ``at`` on ``day`` (local time)."""
        self._now = datetime.combine(day, at, tzinfo=self.zone).astimezone(UTC)
        self._ticks = 0

    def set(self, moment: datetime) -> None:
        """Stand at ``moment`` (an aware time)."""
        self._now = moment.astimezone(UTC)
        self._ticks = 0

    def advance(self, by: timedelta) -> None:
        """Move on by ``by``."""
        self._now += by


def database_argument(store: Store) -> str:
    """What ``--db`` names ``store``'s database with: its file, or its URL."""
    database = store.database
    if isinstance(database, Database):
        return str(database.path)
    from bot.storage.postgres import PostgresDatabase

    assert isinstance(database, PostgresDatabase)
    return database.url.secret


def sqlite_file(store: Store) -> Path:
    """The SQLite file under ``store`` (a test that opens the file itself needs SQLite)."""
    assert isinstance(store.database, Database), "this test needs a SQLite store"
    return store.database.path
