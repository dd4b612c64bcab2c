"""``ehcp-bot db copy``: move a deployment from its SQLite file to PostgreSQL."""

from __future__ import annotations

import argparse
import sys

from bot.cli.common import Commands, command_clock


def register(commands: Commands, db: argparse.ArgumentParser) -> None:
    """Add ``db copy``."""
    database = commands.add_parser(
        "db",
        help="move the database to PostgreSQL",
        description="Work on the database as a whole.",
    )
    sub = database.add_subparsers(dest="action", metavar="ACTION", required=True)
    copy = sub.add_parser(
        "copy",
        parents=[db],
        help="copy the SQLite database into an empty PostgreSQL database",
        description="Copy the SQLite database (--db, else $EHCP_DB, else data/ehcp.db) into an "
        "EMPTY PostgreSQL database: the target is migrated to the same schema version, every "
        "table is copied in one transaction, and it is committed only if every table's row "
        "count and the DCO summary are the same on both. Stop the bot first. One line per "
        "table, then a verdict; exit code 1 if anything differed (nothing is then committed). "
        "The password in the URL is never shown.",
    )
    copy.add_argument(
        "--to",
        required=True,
        metavar="URL",
        type=_postgres_url,
        help="the target, postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=...]",
    )
    copy.set_defaults(handler=_copy)


def _postgres_url(text: str) -> object:
    from bot.storage.url import PostgresUrl, is_postgres_url

    if not is_postgres_url(text):
        raise argparse.ArgumentTypeError("the target must be a postgresql:// URL")
    return PostgresUrl(text)


def _copy(args: argparse.Namespace) -> int:
    from bot.storage.database import database_target
    from bot.storage.errors import StorageError
    from bot.storage.url import PostgresUrl

    try:
        from bot.storage.copy import CopyRefusedError, copy_to_postgres
    except ModuleNotFoundError as missing:  # psycopg is in the postgres extra
        raise StorageError(
            f"the PostgreSQL driver is not installed ({missing.name}): "
            "pip install 'ehcp-assistant[postgres]' (the deployment lock has it)"
        ) from None

    source = database_target(args.db)
    if isinstance(source, PostgresUrl):
        raise CopyRefusedError(
            f"the source must be a SQLite file, not {source.masked}: give it with --db PATH"
        )
    print(f"Copying {source} to {args.to.masked}:", flush=True)
    report = copy_to_postgres(
        source,
        args.to,
        clock=command_clock(args),
        progress=lambda count: print(count.line(), flush=True),
    )
    print(report.summary.line())
    print(report.verdict(), file=sys.stdout if report.committed else sys.stderr)
    return 0 if report.committed else 1
