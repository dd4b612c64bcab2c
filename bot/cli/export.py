"""``ehcp-bot export``: a completed self-assessment as XLSX, or the summary as XLSX, CSV or JSON."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.common import Commands, command_clock, iso_date, open_store


def register(commands: Commands, db: argparse.ArgumentParser) -> None:
    """Add ``export assessment`` and ``export summary``."""
    export = commands.add_parser(
        "export",
        help="export an assessment or the summary to a file",
        description="Export a completed self-assessment (XLSX, in the tool's own layout) or the "
        "compliance summary (XLSX with a chart, CSV or JSON) for the SEND dashboard.",
    )
    sub = export.add_subparsers(dest="what", metavar="WHAT", required=True)
    assessment = sub.add_parser(
        "assessment",
        parents=[db],
        help="a service's latest submitted self-assessment as XLSX",
        description="Write a service's latest submitted self-assessment as XLSX: the tool's table "
        "with Total and Overall RAG rows and the RAG rules, and a sheet with the action plan.",
    )
    assessment.add_argument("--service", required=True, help="the service's name")
    assessment.add_argument(
        "--out", type=Path, help="the file (default: SERVICE-self-assessment.xlsx)"
    )
    assessment.set_defaults(handler=_assessment)
    summary = sub.add_parser(
        "summary",
        parents=[db],
        help="the compliance summary as XLSX, CSV or JSON",
        description="Write the compliance summary for a period; the format follows the file's "
        "ending (.xlsx with a chart sheet, .csv or .json).",
    )
    summary.add_argument(
        "--period", default=None, help="as for ehcp-bot summary (default: last month)"
    )
    summary.add_argument("--today", type=iso_date, help="as on this day (default: today)")
    summary.add_argument("--out", type=Path, required=True, help="the file: .xlsx, .csv or .json")
    summary.set_defaults(handler=_summary)


def _assessment(args: argparse.Namespace) -> int:
    from bot.files.exports import assessment_file
    from bot.private_files import write_private
    from bot.storage.errors import NotFoundError

    with open_store(args) as store:
        service = store.call(lambda r: r.services.named(args.service))
        submitted = store.call(lambda r: r.assessments.submitted(service.id))
        if not submitted:
            raise NotFoundError(f"{service.name} has not submitted a self-assessment yet.")
        latest = submitted[0]
        answers = store.call(lambda r: r.assessments.answers(latest.id))
        actions = store.call(lambda r: r.assessments.actions(latest.id))
        zone = store.clock.zone
    data = assessment_file(service, latest, answers, actions, zone=zone)
    out = args.out or Path(f"{service.name.replace('/', '-')}-self-assessment.xlsx")
    write_private(out, data)
    rag = latest.rag.label if latest.rag else "not rated"
    print(f"Wrote {out}: {service.name}, rated {rag}.")
    return 0


def _summary(args: argparse.Namespace) -> int:
    from bot.files.tables import as_csv, as_json, csv_rows
    from bot.files.xlsx import summary_workbook
    from bot.private_files import write_private
    from bot.storage.errors import NotFoundError
    from ehcp_rules import parse_period

    clock = command_clock(args)
    today = clock.today()
    period = parse_period(args.period, today)
    with open_store(args, clock) as store:
        summary = store.call(lambda r: r.summaries.summary(period, today))
    suffix = args.out.suffix.lower()
    if suffix == ".xlsx":
        write_private(args.out, summary_workbook(summary, csv_rows(summary)))
    elif suffix in (".csv", ".json"):
        text = as_csv(summary) if suffix == ".csv" else as_json(summary)
        write_private(args.out, text.encode("utf-8"))
    else:
        raise NotFoundError(f"{args.out.name}: give a file ending in .xlsx, .csv or .json.")
    print(f"Wrote {args.out}: the summary for {period.label}.")
    return 0
