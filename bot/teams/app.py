"""The composition root: ``create_app`` builds the whole bot explicitly; nothing is module-level."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import traceback
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

from aiohttp import web
from botbuilder.core import ConversationState, TurnContext

from bot.app_package.files import manifest_file
from bot.clock import SystemClock
from bot.config import Settings
from bot.files.downloads import DownloadShelf, ShelfPublisher, serve_file
from bot.files.exports import FileExports
from bot.nudges.scheduler import NudgeScheduler, SweepLease
from bot.nudges.sweep import NudgeSweep
from bot.signals import CONTENT_TYPE, Signals
from bot.storage.bot_state import SqliteStorage, StateConflict
from bot.storage.database import database_target
from bot.storage.dialog_store import SqliteDialogStore
from bot.storage.migrations import SCHEMA_VERSION, schema_version
from bot.storage.store import Store
from bot.teams import front_door
from bot.teams.activity_handler import EhcpBot
from bot.teams.adapter import Wiring, build_wiring
from bot.teams.channel_directory import ChannelDirectory
from bot.teams.middleware import TurnLimits, TurnLogging
from bot.teams.retry import Sleep
from dialogs import messages
from dialogs.main_dialog import MainDialog
from dialogs.policy import Policy
from dialogs.ports import Clock, Reports

log = logging.getLogger(__name__)

STORE_KEY = web.AppKey("store", Store)
BOT_KEY = web.AppKey("bot", EhcpBot)
WIRING_KEY = web.AppKey("wiring", Wiring)
SHELF_KEY = web.AppKey("shelf", DownloadShelf)
SETTINGS_KEY = web.AppKey("settings", Settings)
MAX_REQUEST_BYTES = 1024 * 1024


def build_bot(store: Store, settings: Settings, *, reports: Reports) -> EhcpBot:
    """The bot and its dialogs over ``store``, on the store's clock."""
    conversation_state = ConversationState(SqliteStorage(store.database, clock=store.clock))
    ports = SqliteDialogStore(store)
    dialog = MainDialog(
        store=ports,
        casework=ports,
        subscriptions=ports,
        summaries=ports,
        clock=store.clock,
        reports=reports,
        policy=Policy(ports),
    )
    return EhcpBot(
        conversation_state=conversation_state,
        dialog=dialog,
        tenants=settings.tenants,
        channels=ChannelDirectory(store),
    )


def counting_apology(signals: Signals) -> Callable[[TurnContext, Exception], Awaitable[None]]:
    """:func:`apologise`, with the failure counted in ``signals`` (by the error's class name)."""

    async def handler(context: TurnContext, error: Exception) -> None:
        signals.turn_failed(error)
        await apologise(context, error)

    return handler


async def apologise(context: TurnContext, error: Exception) -> None:
    """The adapter's error handler: log once without personal data, apologise with a reference.
    A turn that lost to another turn of the same conversation taken at the same moment (on
    another instance) is no fault: the person is told what happened and what to do."""
    if isinstance(error, StateConflict):
        log.warning("a turn lost to another turn of its conversation taken at the same moment")
        with contextlib.suppress(Exception):
            await context.send_activity(messages.TURN_CLASHED)
        return
    reference = uuid.uuid4().hex[:8].upper()
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error("turn failed, reference %s: %s\n%s", reference, type(error).__name__, frames)
    try:
        await context.send_activity(messages.APOLOGY.format(reference=reference))
    except Exception:  # the channel itself may be what failed
        log.error("could not send the apology for reference %s", reference)


def create_app(
    settings: Settings,
    *,
    store: Store | None = None,
    clock: Clock | None = None,
    schedule_nudges: bool = False,
    base_url: str = "http://localhost:3978",
    sleep: Sleep = asyncio.sleep,
    lease_clock: Clock | None = None,
) -> web.Application:
    """The aiohttp application: ``POST /api/messages``, ``GET /files/...`` (charts and exports,
    linked under ``settings.public_url``, else ``base_url``) and ``GET /healthz``. Without a
    ``store``, the configured database is opened on ``clock`` (by default the system clock in
    the configured zone); with one, everything runs on that store's clock. ``sleep`` is how
    retries wait. ``lease_clock`` keeps the nudge sweep's lease (the store's clock by default;
    ``serve --today`` gives the machine's real time, which the other instances keep it on)."""
    opened = store or Store.open(
        database_target(settings.db), clock=clock or SystemClock(settings.timezone)
    )
    wiring = build_wiring(settings, sleep=sleep, signals=Signals())
    wiring.adapter.on_turn_error = counting_apology(wiring.signals)
    wiring.adapter.use(TurnLogging(wiring.signals))
    wiring.adapter.use(TurnLimits(opened))
    app = web.Application(client_max_size=MAX_REQUEST_BYTES)
    app[STORE_KEY] = opened
    opened.watch(wiring.signals)
    shelf = DownloadShelf(opened)
    reports = FileExports(
        ShelfPublisher(shelf, settings.public_url or base_url), zone=opened.clock.zone
    )
    app[SHELF_KEY] = shelf
    app[BOT_KEY] = build_bot(opened, settings, reports=reports)
    app[WIRING_KEY] = wiring
    app[SETTINGS_KEY] = settings
    app.router.add_post("/api/messages", _messages)
    app.router.add_get("/healthz", _health)
    app.router.add_get("/readyz", _ready)
    app.router.add_get("/metrics", _metrics)
    app.router.add_get("/files/{token}/{name}", _file)
    app.router.add_get("/privacy", _page("privacy"))
    app.router.add_get("/terms", _page("terms"))
    if schedule_nudges:
        sweep = NudgeSweep(
            opened, wiring.sender(), refresh_months=settings.assessment_refresh_months
        )
        scheduler = NudgeScheduler(
            sweep,
            at=settings.nudge_time,
            clock=opened.clock,
            signals=wiring.signals,
            lease=SweepLease(
                opened, lasting=timedelta(seconds=settings.sweep_lease), clock=lease_clock
            ),
        )
        app.cleanup_ctx.append(_background(scheduler))
    app.cleanup_ctx.append(_housekeeping(opened))
    app.on_cleanup.append(lambda _: wiring.close())
    if store is None:
        app.on_cleanup.append(_close_store)
    return app


async def _messages(request: web.Request) -> web.StreamResponse:
    app = request.app
    return await front_door.answer(request, app[SETTINGS_KEY], app[WIRING_KEY], app[BOT_KEY])


async def _file(request: web.Request) -> web.Response:
    return await serve_file(request, request.app[SHELF_KEY])


async def _ready(request: web.Request) -> web.Response:
    """Ready for traffic: the database answers, at the schema this release expects (a load
    balancer sends turns elsewhere until it is)."""
    store = request.app[STORE_KEY]
    try:
        found = await store.database.run(schema_version)
    except Exception as error:  # whatever the database raised, it did not answer
        log.warning("readiness: the database did not answer (%s)", type(error).__name__)
        return web.json_response({"status": "not ready", "reason": "database"}, status=503)
    if found != SCHEMA_VERSION:
        return web.json_response(
            {
                "status": "not ready",
                "reason": "schema",
                "schema": found,
                "expected": SCHEMA_VERSION,
            },
            status=503,
        )
    return web.json_response({"status": "ready", "schema": found})


async def _metrics(request: web.Request) -> web.Response:
    """The signals, in Prometheus' text format. With credentials (a deployment), only for a
    scraper holding ``EHCP_METRICS_TOKEN``; without (this machine only), for anyone here."""
    settings = request.app[SETTINGS_KEY]
    if settings.authenticated:
        token = settings.metrics_token
        if token is None:
            return web.json_response(
                {"error": "set EHCP_METRICS_TOKEN to read the metrics"}, status=404
            )
        given = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if not hmac.compare_digest(given.encode(), token.get_secret_value().encode()):
            return web.json_response({"error": "unauthorized"}, status=401)
    body = request.app[WIRING_KEY].signals.render()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


async def _health(request: web.Request) -> web.Response:
    store = request.app[STORE_KEY]
    label = store.database.label
    return web.json_response({"status": "ok", "schema": SCHEMA_VERSION, "database": label})


def _page(name: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    """A static page from ``manifest/pages`` (the app's developer URLs point here by default)."""
    path = manifest_file("pages", f"{name}.html")

    async def handler(request: web.Request) -> web.Response:
        return web.Response(text=path.read_text(encoding="utf-8"), content_type="text/html")

    return handler


def _background(
    scheduler: NudgeScheduler,
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def run(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(scheduler.run_forever())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return run


HOUSEKEEPING_EVERY = 600.0
"""Seconds between deletions of expired download files (at start-up, then every 10 minutes)."""


def _housekeeping(store: Store) -> Callable[[web.Application], AsyncIterator[None]]:
    """Delete expired download files now and then, even when nobody asks for a file (on the
    event loop's own clock: ``create_app``'s ``sleep`` is how retries wait)."""

    async def forget() -> None:
        while True:
            try:
                await store.run(lambda r: r.downloads.forget_expired())
            except Exception:  # the database may be away for a moment: try again next time
                log.warning("expired download files could not be deleted", exc_info=True)
            await asyncio.sleep(HOUSEKEEPING_EVERY)

    async def run(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(forget())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return run


async def _close_store(app: web.Application) -> None:
    app[STORE_KEY].close()
