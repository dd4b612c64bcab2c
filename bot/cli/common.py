"""What the command modules share: the ``--db`` option, dates, who is acting, and choices that
are worked out only when the command that has them is used.

Everything here is light: it is imported to list the commands, and ``ehcp-bot --help`` must
answer at once. The store and the settings are imported when a command opens them.
"""

from __future__ import annotations

import argparse
import getpass
from collections.abc import Callable, Iterator
from datetime import date
from typing import TYPE_CHECKING

from bot.clock import SystemClock

if TYPE_CHECKING:
    from bot.storage.store import Store

    Commands = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    Commands = argparse._SubParsersAction


def database_option() -> argparse.ArgumentParser:
    """A parent parser giving a command ``--db PATH``."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--db",
        metavar="PATH",
        help="the SQLite database, or a postgresql:// URL "
        "(default: $EHCP_DB, else data/ehcp.db in this folder)",
    )
    return parent


class LateChoices:
    """An option's choices, loaded the first time argparse looks at them: when the command is
    run or its own ``--help`` shown, never when the commands are only listed. Give the option a
    ``metavar`` (argparse otherwise lists the choices as it adds the option) and show them with
    ``%(choices)s`` in its help."""

    def __init__(self, load: Callable[[], list[str]]) -> None:
        self._load = load
        self._choices: list[str] | None = None

    def _loaded(self) -> list[str]:
        if self._choices is None:
            self._choices = self._load()
        return self._choices

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded())

    def __contains__(self, value: object) -> bool:
        return value in self._loaded()


def command_clock(args: argparse.Namespace) -> SystemClock:
    """The system clock, with dates in the configured zone (``EHCP_TIMEZONE``), moved to the
    command's ``--today`` when it has one."""
    from bot.config import Settings

    return SystemClock(Settings.from_environment().timezone, on=getattr(args, "today", None))


def open_store(args: argparse.Namespace, clock: SystemClock | None = None) -> Store:
    """The store named by ``--db`` / ``EHCP_DB`` / the default path, on the command's clock."""
    from bot.storage.database import database_target
    from bot.storage.store import Store

    return Store.open(database_target(args.db), clock=clock or command_clock(args))


def iso_date(text: str) -> date:
    """An argparse type for ``YYYY-MM-DD``."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text[:40]}' is not a date like 2026-11-23") from None


def cli_actor() -> str:
    """Who the audit trail names for a command-line change."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"
