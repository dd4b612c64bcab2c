"""``ehcp-bot``: one command with subcommands, for administrators on the server.

Errors the user can act on are turned into one clear line on standard error and exit code 2.

The command line answers at once: listing the commands imports no command's work. Each command
module registers its parser with nothing heavier than ``argparse``, and its handler imports what
it needs when it runs, so ``--help``, ``--version``, ``rules``, ``services``, ``roles`` and
``manifest`` never load the bot framework (``tests/test_cli_startup.py``).
"""

from __future__ import annotations

import argparse
import platform
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from bot import __version__
from bot.cli import (
    admin,
    check,
    data,
    database,
    export,
    manifest,
    nudges,
    rules,
    server,
    subscriptions,
    summary,
)
from bot.cli.common import database_option

Handler = Callable[[argparse.Namespace], int]

EXIT_USAGE = 2
_COMMAND_GROUPS = (
    server,
    rules,
    admin,
    data,
    database,
    nudges,
    subscriptions,
    summary,
    export,
    manifest,
    check,
)


class _ShowVersion(argparse.Action):
    """``--version``: the assistant's, its database schema's and the framework's, worked out
    only when asked for."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help=kwargs.get("help"))

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print(version_text())
        parser.exit()


def version_text() -> str:
    """``ehcp-bot 1.0.0 (database schema 7, botbuilder 4.17.1, Python 3.11.7)``."""
    from bot.storage.migrations import SCHEMA_VERSION

    return (
        f"ehcp-bot {__version__} (database schema {SCHEMA_VERSION}, "
        f"botbuilder {_installed('botbuilder-core')}, Python {platform.python_version()})"
    )


def _installed(distribution: str) -> str:
    """A distribution's version from its metadata, without importing it."""
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "not installed"


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree; every command has its own ``--help``."""
    parser = argparse.ArgumentParser(
        prog="ehcp-bot",
        description=(
            "The EHCP assistant: a Teams bot for the Health Providers EHCP Processes "
            "Self-Assessment and statutory EHCP deadlines."
        ),
    )
    parser.add_argument(
        "--version",
        action=_ShowVersion,
        help="show the version, the database schema's and the Bot Framework's, and exit",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    db = database_option()
    for group in _COMMAND_GROUPS:
        group.register(commands, db)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return handler(args)
    except Exception as error:
        if not isinstance(error, user_errors()):
            raise
        print(f"ehcp-bot {args.command}: {_describe(error)}", file=sys.stderr)
        return EXIT_USAGE


def user_errors() -> tuple[type[Exception], ...]:
    """The errors a person can act on. Imported here, once one has been raised, so a command
    loads no more than it uses."""
    from bot.app_package.manifest import PackageError
    from bot.cli.demo import DemoRefused
    from bot.config import SettingsError
    from bot.storage.errors import StorageError
    from ehcp_rules import RulesError

    return (RulesError, StorageError, SettingsError, PackageError, DemoRefused, OSError)


def _describe(error: Exception) -> str:
    if isinstance(error, OSError) and error.filename:
        return f"{error.filename}: {error.strerror}"
    return str(error)


if __name__ == "__main__":
    sys.exit(main())
