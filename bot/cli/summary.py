"""``ehcp-bot summary``: the DCO compliance summary as text, JSON or CSV (SEND dashboard)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.cli.common import Commands, command_clock, iso_date, open_store
from dialogs.messages import percent

if TYPE_CHECKING:
    from ehcp_rules import ServiceSummary, Summary


def register(commands: Commands, db: argparse.ArgumentParser) -> None:
    """Add ``summary``."""
    summary = commands.add_parser(
        "summary",
        parents=[db],
        help="the compliance summary across services",
        description="The DCO's compliance summary: each service's latest self-assessment RAG and "
        "6-week compliance for a period, overdue requests by escalation step, annual reviews "
        "held within 12 months (seed 003) and reviews at risk.",
    )
    summary.add_argument(
        "--period",
        default=None,
        help="last month (the default: the last complete month, with this month so far "
        "beside it), this month, this quarter, last quarter, 2026-10, or "
        "'2026-09-01 to 2026-11-30'",
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
    """A readable report with everything the summary card shows: the headline with and without
    exceptions and against the period before, this month so far, the counts, exceptions by
    reason, overdue requests by step, reviews needing action, nudges acknowledged, the common
    barriers, and each service riskiest first (RAG, when assessed and the change, essentials not
    met, 6-week compliance, its action plan's progress)."""
    from dialogs.cards.summary import assessed_words, plan_words, so_far_line

    return "\n".join(
        [
            *_headline(summary),
            *([so_far_line(summary.so_far, summary.overall_so_far)] if summary.so_far and
              summary.overall_so_far else []),
            *_counts(summary),
            "",
            "Services, riskiest first:",
            *(
                _service_line(s, assessed_words(s, summary.today), plan_words(s.plan))
                for s in summary.by_risk()
            ),
        ]
    )  # fmt: skip


def _headline(summary: Summary) -> list[str]:
    overall = summary.overall
    return [
        f"EHCP compliance summary: {summary.period.label} "
        f"({summary.period.start:%d %b %Y} to {summary.period.end:%d %b %Y})",
        f"Health advice returned within 6 weeks: {percent(overall.percent_on_time)} "
        f"({percent(overall.percent_on_time_excluding_exceptions)} leaving out reg 8(2) "
        f"exceptions). {summary.previous.label}: "
        f"{percent(summary.overall_previous.percent_on_time)}.",
    ]


def _counts(summary: Summary) -> list[str]:
    from dialogs.cards.summary import review_words
    from dialogs.messages import EXCEPTION_SHORT

    overall = summary.overall
    excepted = ", ".join(
        f"{EXCEPTION_SHORT[reason.value]} {n}" for reason, n in overall.exceptions.items() if n
    )
    steps = ", ".join(f"{step}: {n}" for step, n in sorted(summary.overdue_by_step.items()))
    lines = [
        f"Requests received {overall.received}; due {overall.due}: on time {overall.on_time}, "
        f"late {overall.late}, open and overdue {overall.open_overdue}, not yet due "
        f"{overall.not_yet_due}.",
        f"Reg 8(2) exceptions: {sum(overall.exceptions.values())}"
        + (f" ({excepted}): {', '.join(overall.exception_references)}" if excepted else "."),
        f"Overdue now: {steps or 'none'}.",
        review_words(summary.overall_reviews),
        _review_months(summary),
        f"Annual reviews needing action: {summary.reviews_at_risk}.",
    ]
    if summary.nudges_posted:
        lines.append(
            f"Overdue-request nudges acknowledged in the period: {summary.nudges_acknowledged} "
            f"of {summary.nudges_posted}."
        )
    if summary.barriers:
        common = ", ".join(f"{theme} ({n})" for theme, n in summary.barriers)
        lines.append(f"Most often rated No or Emerging: {common}.")
    return lines


def _review_months(summary: Summary) -> str:
    """Seed 003's measure month by month (performance for individual months)."""
    months = ", ".join(
        f"{month:%b %Y} {percent(figure)}"
        for month, figure in zip(summary.trend_months, summary.overall_review_trend, strict=False)
    )
    return f"Reviews within 12 months by month: {months or 'none'}."


def _service_line(service: ServiceSummary, assessed: str, plan: str) -> str:
    from dialogs.cards.summary import service_review_words
    from dialogs.messages import CHANGE_WORDS

    change = CHANGE_WORDS.get(service.change, "")
    rag = f"{service.latest_rag.label}, " if service.latest_rag else ""
    parts = [f"{rag}{assessed}{change}"]
    if service.essentials_not_met:
        parts.append("essentials not met: " + ", ".join(map(str, service.essentials_not_met)))
    compliance = service.compliance
    counted = compliance.on_time + compliance.late + compliance.open_overdue
    parts.append(
        f"6-week {percent(compliance.percent_on_time)} of {counted} due"
        if counted
        else "nothing due"
    )
    if plan:
        parts.append(plan)
    if reviews := service_review_words(service.reviews):
        parts.append(reviews)
    if service.nudges_posted:
        acknowledged = service.nudges_acknowledged
        parts.append(f"nudges acknowledged {acknowledged} of {service.nudges_posted}")
    return f"- {service.name}: " + "; ".join(parts)
