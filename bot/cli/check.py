"""``ehcp-bot check``: what would stop the bot working in Teams, for an administrator to run
before going live (and after any change)."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.common import Commands


def register(commands: Commands, db: argparse.ArgumentParser) -> None:
    """Add ``check``."""
    check = commands.add_parser(
        "check",
        parents=[db],
        help="check what would stop the bot working in Teams",
        description="Check, before going live, what would stop the bot working in Teams: "
        "settings that do not fit together, the database and its schema, the time zone and "
        "nudge time, roles, services without a channel, and an app package built for another "
        "bot. One line per finding; exit code 1 if any is a PROBLEM. Secrets are never shown.",
    )
    check.add_argument(
        "--package", type=Path, metavar="ZIP", help="also check this Teams app package"
    )
    check.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from bot.check.findings import Severity, verdict
    from bot.check.run import all_findings
    from bot.config import environment_values

    findings = all_findings(environment_values(), db=args.db, package=args.package)
    for finding in findings:
        print(finding.line())
    print(verdict(findings))
    return 1 if any(f.severity is Severity.PROBLEM for f in findings) else 0
