"""What the command modules share: the ``--db`` option, dates, and who is acting."""

from __future__ import annotations

import argparse
import getpass
from datetime import date
from typing import TYPE_CHECKING

from bot.clock import SystemClock
from bot.config import Settings
from bot.storage.database import database_path
from bot.storage.store import Store

if TYPE_CHECKING:
    Commands = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    Commands = argparse._SubParsersAction


def database_option() -> argparse.ArgumentParser:
    """A parent parser giving a command ``--db PATH``."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--db",
        metavar="PATH",
        help="the SQLite database (default: $EHCP_DB, else data/ehcp.db in this folder)",
    )
    return parent


def command_clock(args: argparse.Namespace) -> SystemClock:
    """The system clock, with dates in the configured zone (``EHCP_TIMEZONE``), moved to the
    command's ``--today`` when it has one."""
    return SystemClock(Settings.from_environment().timezone, on=getattr(args, "today", None))


def open_store(args: argparse.Namespace, clock: SystemClock | None = None) -> Store:
    """The store named by ``--db`` / ``EHCP_DB`` / the default path, on the command's clock."""
    return Store.open(database_path(args.db), clock=clock or command_clock(args))


def iso_date(text: str) -> date:
    """An argparse type for ``YYYY-MM-DD``."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-23") from None


def cli_actor() -> str:
    """Who the audit trail names for a command-line change."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"
