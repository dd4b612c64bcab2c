"""``ehcp-bot serve`` (the Teams endpoint) and ``ehcp-bot chat`` (the same bot in a terminal)."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import Commands, command_clock, iso_date, open_store

if TYPE_CHECKING:
    from bot.config import Settings


def register(commands: Commands, db: argparse.ArgumentParser) -> None:
    """Add ``serve`` and ``chat``."""
    serve = commands.add_parser(
        "serve",
        parents=[db],
        help="run the bot's web endpoint for Teams",
        description="Run the bot: POST /api/messages for Teams (Bot Framework) and GET /healthz. "
        "Without MicrosoftAppId it runs unauthenticated, as the Bot Framework Emulator "
        "expects, and then only on a loopback address.",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    serve.add_argument("--port", type=int, default=3978, help="port to listen on (default 3978)")
    serve.add_argument(
        "--today",
        type=iso_date,
        default=None,
        help="run as if today were this date (YYYY-MM-DD), for a rehearsal or a test: deadlines, "
        "nudges and times recorded are counted from it (default: today)",
    )
    serve.set_defaults(handler=_serve)
    chat = commands.add_parser(
        "chat",
        parents=[db],
        help="talk to the bot in this terminal",
        description="Talk to the same bot and dialogs in this terminal: cards are shown as text, "
        "with numbered buttons and choices.",
    )
    chat.add_argument(
        "--user",
        metavar="OBJECT_ID",
        help="whose Entra ID object id to act as (default: the demo practitioner)",
    )
    chat.set_defaults(handler=_chat)


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from bot.clock import SystemClock
    from bot.logs import configure_logging
    from bot.teams.app import create_app

    settings = _serve_settings(args)
    configure_logging(settings.log_format)
    # opens the database first: one that cannot be used is refused before anything is announced
    app = create_app(
        settings,
        clock=command_clock(args),
        schedule_nudges=True,
        base_url=f"http://{_url_host(args.host)}:{args.port}",
        lease_clock=SystemClock(settings.timezone),  # real time, whatever --today says
    )
    _log_start(settings, args)
    web.run_app(
        app,
        host=args.host,
        port=args.port,
        print=None,
        access_log=None,  # each turn is logged by TurnLogging, without personal data
    )
    return 0


def _serve_settings(args: argparse.Namespace) -> Settings:
    """The settings, with ``--db``; ``SettingsError`` for a combination ``serve`` refuses."""
    from bot.config import Settings, SettingsError
    from bot.storage.database import database_target

    settings = Settings.from_environment()
    if args.db:
        settings = settings.model_copy(update={"db": database_target(args.db)})
    if not settings.authenticated and not is_loopback(args.host):
        raise SettingsError(
            f"without MicrosoftAppId the bot is unauthenticated and listens only on a loopback "
            f"address (127.0.0.1, ::1), not {args.host}. Set the bot's credentials to listen there."
        )
    if settings.authenticated and not settings.public_url:
        raise SettingsError(
            "EHCP_PUBLIC_URL is needed with MicrosoftAppId: the bot's public https address (the "
            "messaging endpoint without /api/messages), where Teams fetches charts and exports."
        )
    return settings


def _log_start(settings: Settings, args: argparse.Namespace) -> None:
    from bot.storage.database import database_target

    mode = "authenticated" if settings.authenticated else "UNAUTHENTICATED (local testing only)"
    log = logging.getLogger("bot")
    log.info(
        "EHCP assistant on http://%s:%s/api/messages, %s, database %s",
        args.host,
        args.port,
        mode,
        database_target(settings.db),  # a URL shows with its password masked
    )
    log.info("nudges are posted on working days at %s (%s)", settings.nudge_time, settings.timezone)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _chat(args: argparse.Namespace) -> int:
    from bot.cli.console import ConsoleAdapter, stdin_line
    from bot.cli.demo import DEMO_PEOPLE
    from bot.config import Settings
    from bot.files.downloads import FolderPublisher
    from bot.files.exports import FileExports
    from bot.teams.app import apologise, build_bot

    user = args.user or DEMO_PEOPLE[2][0]
    with open_store(args) as store:
        reports = FileExports(
            FolderPublisher(Path.cwd() / "ehcp-exports"), zone=store.clock.zone, charts=False
        )
        bot = build_bot(store, Settings(), reports=reports)
        adapter = ConsoleAdapter(
            user_id=user.lower(), out=sys.stdout, read_line=stdin_line, clock=store.clock
        )
        adapter.on_turn_error = apologise
        print(f"EHCP assistant — chatting as {user}, database {store.database.where}")
        asyncio.run(adapter.run(bot.on_turn))
    return 0
