"""``ehcp-bot``: one command with subcommands, for administrators on the server.

Library errors are turned into one clear line on standard error and a non-zero exit here.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version

from bot.rules_report import question_bank_json, question_bank_text
from ehcp_rules import RulesError, available_editions, load_question_bank

Handler = Callable[[argparse.Namespace], int]

EXIT_USAGE = 2


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
    _add_rules(commands)
    return parser


def _add_rules(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rules = commands.add_parser(
        "rules",
        help="print the self-assessment questions and the RAG rule",
        description="Print the 23 questions of the self-assessment tool and the overall RAG rule.",
    )
    rules.add_argument(
        "--edition",
        choices=available_editions(),
        help="which edition of the question bank (default: the current East of England wording)",
    )
    rules.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    rules.set_defaults(handler=_run_rules)


def _run_rules(args: argparse.Namespace) -> int:
    bank = load_question_bank(args.edition)
    render = question_bank_json if args.format == "json" else question_bank_text
    print(render(bank))
    return 0


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
    except RulesError as error:
        print(f"ehcp-bot {args.command}: {error}", file=sys.stderr)
        return EXIT_USAGE


def _version() -> str:
    try:
        return version("ehcp-assistant")
    except PackageNotFoundError:
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
