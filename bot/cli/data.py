"""``ehcp-bot import`` and ``ehcp-bot demo``: data in bulk."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.columns import REQUEST_COLUMNS, REVIEW_COLUMNS
from bot.cli.common import Commands, cli_actor, iso_date, open_store


def register(commands: Commands, db: argparse.ArgumentParser) -> None:
    """Add ``import requests``, ``import reviews`` and ``demo``."""
    importing = commands.add_parser(
        "import",
        help="import requests or reviews from CSV",
        description="Import advice requests or annual reviews from a CSV export, all or nothing.",
    )
    sub = importing.add_subparsers(dest="kind", metavar="KIND", required=True)
    for kind, columns in (("requests", REQUEST_COLUMNS), ("reviews", REVIEW_COLUMNS)):
        required = ", ".join(columns["required"])
        parser = sub.add_parser(
            kind,
            parents=[db],
            help=f"import {kind} from a CSV file",
            description=f"Import {kind} from a CSV file (UTF-8, a header row; required columns: "
            f"{required}). Nothing is written unless every row is good.",
        )
        parser.add_argument("file", type=Path, help="the CSV file")
        parser.add_argument(
            "--today",
            type=iso_date,
            default=None,
            help="the date to check against (default: today)",
        )
        parser.set_defaults(handler=_import, kind=kind)
    demo = commands.add_parser(
        "demo",
        parents=[db],
        help="load a demo data set into a new database",
        description="Load a small, realistic demo data set (services, people, requests, reviews, "
        "assessments) dated around today into an empty database.",
    )
    demo.add_argument("--today", type=iso_date, default=None, help="date the demo around this day")
    demo.set_defaults(handler=_demo)


def _import(args: argparse.Namespace) -> int:
    from bot.cli.importer import import_into

    data = args.file.read_bytes()
    with open_store(args) as store:
        today = store.clock.today()
        services = store.call(lambda r: {s.name: s.id for s in r.services.all()})
        counts = store.call(
            lambda r: import_into(
                r,
                args.kind,
                data,
                source=str(args.file),
                services=services,
                today=today,
                actor=cli_actor(),
            )
        )
    print(
        f"Imported {args.file.name}: {counts.added} added, {counts.updated} updated, "
        f"{counts.unchanged} unchanged."
    )
    return 0


def _demo(args: argparse.Namespace) -> int:
    from bot.cli.demo import DEMO_PEOPLE, load_demo

    with open_store(args) as store:
        today = store.clock.today()
        counts = store.call(lambda r: load_demo(r, today))
        path = store.database.where
    print(f"Loaded the demo into {path}: " + ", ".join(f"{n} {k}" for k, n in counts.items()) + ".")
    print("Demo people (use their ids with --user):")
    for object_id, name, role, service in DEMO_PEOPLE:
        print(f"  {object_id}  {name} ({role.value}{', ' + service if service else ''})")
    print("Then try, with --db as above:")
    print("  ehcp-bot chat --user ID        the bot in this terminal, as one of them")
    print("  ehcp-bot nudges --dry-run      the digests two demo channels would get today")
    print("  ehcp-bot subscriptions list    the demo channels and what they follow")
    print("  ehcp-bot import requests tests/data/requests.csv   (from a checkout: the samples)")
    return 0
