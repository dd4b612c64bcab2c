"""``ehcp-bot rules``: the question bank and the RAG rule."""

from __future__ import annotations

import argparse

from bot.cli.common import Commands, LateChoices


def register(commands: Commands, _db: argparse.ArgumentParser) -> None:
    """Add ``rules``."""
    rules = commands.add_parser(
        "rules",
        help="print the self-assessment questions and the RAG rule",
        description="Print the 23 questions of the self-assessment tool and the overall RAG rule.",
    )
    rules.add_argument(
        "--edition",
        metavar="NAME",
        choices=LateChoices(_editions),
        help="which edition of the question bank: %(choices)s (default: the current East of "
        "England wording)",
    )
    rules.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    rules.set_defaults(handler=_run)


def _editions() -> list[str]:
    from ehcp_rules import available_editions

    return list(available_editions())


def _run(args: argparse.Namespace) -> int:
    from bot.cli.rules_report import question_bank_json, question_bank_text
    from ehcp_rules import load_question_bank

    bank = load_question_bank(args.edition)
    render = question_bank_json if args.format == "json" else question_bank_text
    print(render(bank))
    return 0
