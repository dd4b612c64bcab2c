"""``ehcp-bot summary``: the DCO compliance summary as text, JSON or CSV (SEND dashboard)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.cli.common import Commands, command_clock, iso_date, open_store
from dialogs.messages import percent

if TYPE_CHECKING:
    from ehcp_rules import Summary


def register(commands: Commands, db: argparse.ArgumentParser) -> None:
    """Add ``summary``."""
    summary = commands.add_parser(
        "summary",
        parents=[db],
        help="the compliance summary across services",
        description="The DCO's compliance summary: each service's latest self-assessment RAG and "
        "6-week compliance for a period, overdue requests by escalation step, reviews at risk.",
    )
    summary.add_argument(
        "--period",
        default="this month",
        help="this month (default), last month, this quarter, last quarter, "
        "2026-10, or '2026-09-01 to 2026-11-30'",
    )
    summary.add_argument("--today", type=iso_date, help="as on this day (default: today)")
    summary.add_argument("--format", choices=("text", "json", "csv"), default="text")
    summary.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from bot.files.tables import as_csv, as_json
    from ehcp_rules import parse_period

    clock = command_clock(args)
    today = clock.today()
    period = parse_period(args.period, today)
    with open_store(args, clock) as store:
        summary = store.call(lambda r: r.summaries.summary(period, today))
    render = {"json": as_json, "csv": as_csv, "text": as_text}[args.format]
    print(render(summary), end="" if args.format == "csv" else "\n")
    return 0


def as_text(summary: Summary) -> str:
    """A readable report."""
    overall = summary.overall
    lines = [
        f"EHCP compliance summary: {summary.period.label}",
        f"6-week compliance: {percent(overall.percent_on_time)} "
        f"({percent(overall.percent_on_time_excluding_exceptions)} leaving out exceptions); "
        f"{summary.previous.label}: {percent(summary.overall_previous.percent_on_time)}",
        f"Due {overall.due}, on time {overall.on_time}, late {overall.late}, open and overdue "
        f"{overall.open_overdue}, not yet due {overall.not_yet_due}, exceptions "
        f"{sum(overall.exceptions.values())}",
        "Overdue now: "
        + (", ".join(f"{k} {v}" for k, v in sorted(summary.overdue_by_step.items())) or "none"),
        f"Annual reviews needing action: {summary.reviews_at_risk}",
        "",
    ]
    for service in summary.services:
        rag = service.latest_rag.label if service.latest_rag else "no assessment"
        lines.append(
            f"{service.name}: {rag} ({service.assessment_age(summary.today)}), "
            f"6-week {percent(service.compliance.percent_on_time)}"
        )
    return "\n".join(lines)
