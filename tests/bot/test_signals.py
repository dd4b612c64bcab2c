"""What an operator watches: readiness, ``/metrics`` in Prometheus' text format, JSON log lines;
nothing personal in any of them."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import AsyncIterator
from datetime import date

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from bot.logs import JsonLines
from bot.nudges.scheduler import NudgeScheduler
from bot.nudges.sweep import SweepReport
from bot.signals import Signals
from bot.storage.store import Store
from bot.teams.app import create_app
from ehcp_rules import Service
from tests import builders
from tests.fakes import FakeClock, FakeConnector

TOKEN = "0123456789abcdef0123456789abcdef"
APP_ID = "11111111-2222-4333-8444-555555555555"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Each sample of the exposition, by name and labels (the parser proves the format too)."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def _metrics(client: TestClient[web.Request, web.Application]) -> str:
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return await response.text()


async def test_turns_refusals_and_connector_retries_are_counted_and_nothing_personal_shown(
    client: TestClient[web.Request, web.Application],
    connector: tuple[FakeConnector, str],
) -> None:
    fake, url = connector
    fake.fail_next(429, Retry_After="0")  # the reply is tried again, and then taken

    typed = await client.post("/api/messages", json=builders.message("return LA-2026-0142", url))
    refused = await client.post("/api/messages", data=b"{", headers={"Content-Type": "x/y"})
    text = await _metrics(client)

    assert (typed.status, refused.status) == (201, 415)
    found = _samples(text)
    assert found[("ehcp_turns_total", (("kind", "message"), ("place", "personal")))] == 1
    assert found[("ehcp_turn_duration_seconds_count", (("kind", "message"),))] == 1
    assert found[("ehcp_requests_refused_total", (("status", "415"),))] == 1
    assert found[("ehcp_connector_failures_total", (("path", "reply"), ("status", "429")))] == 1
    assert found[("ehcp_connector_retries_total", (("path", "reply"),))] == 1
    assert "LA-2026-0142" not in text and "return" not in text


async def test_a_failed_turn_is_counted_by_its_error(
    client: TestClient[web.Request, web.Application],
    connector: tuple[FakeConnector, str],
    store: Store,
) -> None:
    _, url = connector
    store.database.close()  # every turn now fails on the database

    await client.post("/api/messages", json=builders.message("status", url))
    found = _samples(await _metrics(client))

    assert [key for key in found if key[0] == "ehcp_turn_errors_total"]


async def test_readiness_says_whether_the_database_answers_at_this_schema(
    client: TestClient[web.Request, web.Application], store: Store
) -> None:
    ready = await client.get("/readyz")
    store.call(lambda r: r.db.execute("PRAGMA user_version = 1"))  # as an older release left it
    behind = await client.get("/readyz")
    store.database.close()
    gone = await client.get("/readyz")
    alive = await client.get("/healthz")

    assert ready.status == 200 and (await ready.json())["status"] == "ready"
    assert behind.status == 503 and (await behind.json())["reason"] == "schema"
    assert gone.status == 503 and (await gone.json())["reason"] == "database"
    assert alive.status == 200  # alive, though not ready: the process need not be restarted


@pytest.fixture
async def deployed(store: Store, slt: Service) -> AsyncIterator[list[TestClient]]:  # type: ignore[type-arg]
    """Two deployments (with credentials): one without a metrics token, one with."""
    base = {
        "app_id": APP_ID,
        "app_password": "secret",
        "app_tenant_id": TENANT,
        "public_url": "https://ehcp.example.nhs.uk",
    }
    clients = [
        TestClient(TestServer(create_app(builders.settings(**base, **extra), store=store)))
        for extra in ({}, {"metrics_token": TOKEN})
    ]
    for started in clients:
        await started.start_server()
    yield clients
    for started in clients:
        await started.close()


async def test_a_deployment_shows_its_metrics_only_to_a_scraper_with_the_token(
    deployed: list[TestClient],  # type: ignore[type-arg]
) -> None:
    no_token, with_token = deployed

    unset = await no_token.get("/metrics")
    missing = await with_token.get("/metrics")
    wrong = await with_token.get("/metrics", headers={"Authorization": f"Bearer {TOKEN[:-1]}x"})
    right = await with_token.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})

    assert (unset.status, missing.status, wrong.status, right.status) == (404, 401, 401, 200)
    assert "ehcp_turns" in await right.text()


async def test_a_sweep_and_its_digests_are_counted() -> None:
    signals = Signals()

    class Sweep:
        def __init__(self) -> None:
            self.calls = 0

        async def run(self, day: date, *, dry_run: bool = False) -> SweepReport:
            self.calls += 1
            if self.calls == 2:
                raise sqlite3.OperationalError("database is locked")
            return SweepReport(day=day, posted=3, paused=1, failed=1)

    scheduler = NudgeScheduler(
        Sweep(),  # type: ignore[arg-type]  # a fake: the scheduler only calls run()
        at=builders.settings().nudge_time,
        clock=FakeClock(),
        signals=signals,
    )
    await scheduler._run(date(2026, 11, 23))  # one run, as the loop makes it
    await scheduler._run(date(2026, 11, 24))

    found = _samples(signals.render().decode())
    assert found[("ehcp_sweeps_total", (("outcome", "completed"),))] == 1
    assert found[("ehcp_sweeps_total", (("outcome", "failed"),))] == 1
    assert found[("ehcp_sweep_nudges_total", (("result", "posted"),))] == 3
    assert found[("ehcp_sweep_nudges_total", (("result", "failed"),))] == 1


async def test_a_database_error_is_counted_by_its_kind(store: Store) -> None:
    signals = Signals()
    store.watch(signals)

    def broken(_: object) -> None:
        raise sqlite3.OperationalError("no such table: x")

    with pytest.raises(sqlite3.OperationalError):
        await store.run(broken)

    found = _samples(signals.render().decode())
    assert found[("ehcp_database_errors_total", (("error", "OperationalError"),))] == 1


def test_a_json_log_line_is_one_object_with_its_error_and_no_more() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord(
            "bot.turns", logging.ERROR, __file__, 1, "turn failed, reference %s", ("AB12",),
            exc_info=__import__("sys").exc_info(),
        )  # fmt: skip

    line = json.loads(JsonLines().format(record))

    assert line["message"] == "turn failed, reference AB12"
    assert (line["level"], line["logger"], line["error"]) == ("ERROR", "bot.turns", "ValueError")
    assert line["time"].endswith("+00:00") and "Traceback" in line["trace"]
