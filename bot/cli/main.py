"""``ehcp-bot``: one command with subcommands, for administrators on the server.

Errors the user can act on are turned into one clear line on standard error and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version

from bot.app_package.manifest import PackageError
from bot.cli import admin, data, export, manifest, nudges, rules, server, summary
from bot.cli.common import database_option
from bot.cli.demo import DemoRefused
from bot.config import SettingsError
from bot.storage.errors import StorageError
from ehcp_rules import RulesError

Handler = Callable[[argparse.Namespace], int]

EXIT_USAGE = 2
_COMMAND_GROUPS = (server, rules, admin, data, nudges, summary, export, manifest)


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree; every command has its own ``--help``."""
    parser = argparse.ArgumentParser(
        prog="ehcp-bot",
        description=(
            "The EHCP assistant: a Teams bot for the Health Providers EHCP Processes "
            "Self-Assessment and statutory EHCP deadlines."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
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
    except (RulesError, StorageError, SettingsError, PackageError, DemoRefused, OSError) as error:
        print(f"ehcp-bot {args.command}: {_describe(error)}", file=sys.stderr)
        return EXIT_USAGE


def _describe(error: Exception) -> str:
    if isinstance(error, OSError) and error.filename:
        return f"{error.filename}: {error.strerror}"
    return str(error)


def _version() -> str:
    try:
        return version("ehcp-assistant")
    except PackageNotFoundError:
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
