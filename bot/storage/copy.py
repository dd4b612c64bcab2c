"""Moving a deployment from its SQLite file to a PostgreSQL database: every row, checked, all or
nothing (``ehcp-bot db copy --to postgresql://...``).

What it does, in order:

1. The source is read through a read-only connection, in one read transaction, so every table
   and every count comes from the same moment. It must be at this version's schema: an older
   file is upgraded by opening it with this version first (any command does), a newer one is
   refused, as the store refuses it.
2. The target must be empty: no tables of its own, or only this product's (a database that
   ``ehcp-bot check`` or ``serve`` has already migrated) with no rows in any. It is then migrated
   to the same schema version, and its tables and columns must be the source's.
3. Every table is copied in foreign-key order (a table after those it refers to) with
   PostgreSQL's ``COPY``, read from SQLite ``BATCH_ROWS`` rows at a time, so a national data set
   never sits in memory; all of it in one transaction.
4. Each identity column's sequence is set past the highest id copied, so the next row added on
   PostgreSQL gets a new id (ids with gaps stay as they were: references keep pointing at them).
5. Before committing, the tables are analysed (PostgreSQL plans its queries from statistics that
   a bulk copy leaves empty until autovacuum comes round: the DCO summary of the national copy
   took 3.3 s without them, 2.0 s with), the rows of each table are counted on both sides, and
   the DCO summary is worked out from both (same day, same period) and compared. Any difference
   rolls the whole copy back, leaving the target as empty as it was.

A caller that only needs the rows (the benchmarks, copying people they are about to measure) can
leave the summary out; the copy is then checked by its row counts alone, and says so.

Nothing here prints or returns the connection string's password: messages name the target by
its masked form, and a driver's error is redacted before it is raised.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import psycopg

from bot.storage.errors import StorageError
from bot.storage.migrations import SCHEMA_VERSION, VERSION_TABLE, apply_migrations
from bot.storage.postgres import CONNECT_TIMEOUT_S, PostgresConnection
from bot.storage.url import PostgresUrl
from dialogs.ports import Clock

if TYPE_CHECKING:  # the summary's models are heavy: the copy imports them when it compares
    from ehcp_rules.summary import Summary

BATCH_ROWS = 5_000
"""Rows read from SQLite and handed to ``COPY`` at a time: memory stays flat whatever the size."""


class CopyRefusedError(StorageError):
    """The source or the target is not one the copy can start from (nothing was written)."""


@dataclass(frozen=True)
class TableCount:
    """One table's rows in the source, and in the target after the copy."""

    table: str
    source: int
    target: int

    @property
    def same(self) -> bool:
        return self.source == self.target

    def line(self) -> str:
        verdict = "same" if self.same else "DIFFERENT"
        copied = f"{self.source:,} rows copied, {self.target:,} in PostgreSQL"
        return f"  {self.table}: {copied} ({verdict})"


@dataclass(frozen=True)
class SummaryCheck:
    """Whether the DCO summary was compared, and what was found."""

    compared: bool
    same: bool
    detail: str

    def line(self) -> str:
        if not self.compared:
            return f"  summary: not compared: {self.detail}"
        return f"  summary: {'same' if self.same else 'DIFFERENT'}: {self.detail}"


@dataclass(frozen=True)
class CopyReport:
    """What the copy found; ``committed`` only when everything matched."""

    target: str
    tables: tuple[TableCount, ...]
    summary: SummaryCheck

    @property
    def committed(self) -> bool:
        return all(t.same for t in self.tables) and (self.summary.same or not self.summary.compared)

    def verdict(self) -> str:
        rows = sum(t.source for t in self.tables)
        if not self.committed:
            different = [t.table for t in self.tables if not t.same]
            if self.summary.compared and not self.summary.same:
                different.append("the summary")
            return (
                f"NOT COPIED: {', '.join(different)} differed, so nothing was committed and "
                f"{self.target} is as empty as it was. Keep running on SQLite."
            )
        checked = (
            "every table's row count and the DCO summary are the same"
            if self.summary.compared
            else "every table's row count is the same (the summary was not compared)"
        )
        return (
            f"Copied {rows:,} rows in {len(self.tables)} tables to {self.target}: {checked}. "
            "Point EHCP_DB at it and start the bot."
        )


Progress = Callable[[TableCount], None]


def copy_to_postgres(
    source: Path,
    target: PostgresUrl,
    *,
    clock: Clock,
    compare_summary: bool = True,
    progress: Progress | None = None,
) -> CopyReport:
    """Copy the SQLite database at ``source`` into the empty PostgreSQL database at ``target``
    and check it; committed only if every check passes (see the module's docstring)."""
    with _source(source) as reader, _target(target) as writer:
        tables = _tables_in_order(reader)
        _check_empty(writer, target, tables)
        handle = PostgresConnection()
        with handle.holding(writer):
            apply_migrations(handle, source=target.database_name)
        _check_same_tables(reader, writer, tables, target)
        try:
            with writer.transaction():
                counts = []
                for table in tables:
                    _copy_table(reader, writer, table)
                    count = _count(reader, writer, table)
                    counts.append(count)
                    if progress:
                        progress(count)
                _reset_identities(writer)
                # the planner's statistics, for the summary and after (the copied tables alone)
                quoted = ", ".join(f'"{table}"' for table in tables)
                writer.execute(f"ANALYZE {quoted}".encode())
                summary = (
                    _compare_summaries(reader, writer, clock)
                    if compare_summary
                    else SummaryCheck(
                        False,
                        False,
                        "left out by the caller; the row counts are the check",
                    )
                )
                report = CopyReport(target.masked, tuple(counts), summary)
                if not report.committed:
                    raise psycopg.Rollback()
        except psycopg.Error as error:
            reason = target.redact(" ".join(str(error).split()))
            raise StorageError(
                f"the copy to {target.masked} failed and was rolled back: {reason}"
            ) from None
    return report


@contextmanager
def _source(path: Path) -> Iterator[sqlite3.Connection]:
    """The SQLite file, read-only, in one read transaction; refused unless at this schema."""
    if not path.is_file():
        raise CopyRefusedError(f"there is no SQLite database at {path}")
    connection = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
    try:
        version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        if version != SCHEMA_VERSION:
            raise CopyRefusedError(_version_refusal(path, version))
        connection.execute("BEGIN")
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot
        yield connection
    except sqlite3.DatabaseError as error:
        raise CopyRefusedError(f"{path} cannot be read as a SQLite database: {error}") from None
    finally:
        connection.close()


def _version_refusal(path: Path, version: int) -> str:
    if version == 0:
        return f"{path} is not an EHCP assistant database (it has no schema version)"
    if version > SCHEMA_VERSION:
        return (
            f"{path} is at database schema {version}, newer than this ehcp-bot's "
            f"({SCHEMA_VERSION}): copy it with the version that wrote it"
        )
    return (
        f"{path} is at database schema {version}, older than this ehcp-bot's ({SCHEMA_VERSION}): "
        f"upgrade it first by opening it with this version (for example "
        f"`ehcp-bot services list --db {path}`), then copy"
    )


@contextmanager
def _target(url: PostgresUrl) -> Iterator[psycopg.Connection[Any]]:
    try:
        connection = psycopg.connect(
            url.conninfo,
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT_S,
            prepare_threshold=url.prepare_threshold,
        )
    except psycopg.Error as error:
        reason = url.redact(" ".join(str(error).split()))
        raise CopyRefusedError(
            f"PostgreSQL at {url.masked} could not be reached: {reason}"
        ) from None
    try:
        yield connection
    finally:
        connection.close()


def _tables_in_order(reader: sqlite3.Connection) -> list[str]:
    """The source's tables, each after the tables it refers to (ties by name)."""
    names = [
        row[0]
        for row in reader.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
            "ESCAPE '\\' ORDER BY name"
        )
    ]
    refers = {
        name: {
            row[2]
            for row in reader.execute("SELECT * FROM pragma_foreign_key_list(?)", [name])
            if row[2] != name
        }
        for name in names
    }
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and refers[n] <= set(ordered)]
        if not ready:  # a cycle: none in this schema, and COPY would fail on it
            raise CopyRefusedError("the source's tables refer to each other in a cycle")
        ordered.extend(ready)
    return ordered


def _target_tables(writer: psycopg.Connection[Any]) -> list[str]:
    rows = writer.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
        "AND table_type = 'BASE TABLE' ORDER BY table_name"
    ).fetchall()
    return [row[0] for row in rows if row[0] != VERSION_TABLE]


def _check_empty(writer: psycopg.Connection[Any], url: PostgresUrl, tables: list[str]) -> None:
    """Refuse a target with tables that are not this product's, or with any row in one."""
    present = _target_tables(writer)
    foreign = [name for name in present if name not in tables]
    if foreign:
        raise CopyRefusedError(
            f"{url.masked} is not empty: it has tables that are not the EHCP assistant's "
            f"({', '.join(foreign[:5])}). Copy into a new, empty database"
        )
    filled = [
        name for name in present if writer.execute(f'SELECT 1 FROM "{name}" LIMIT 1').fetchone()
    ]
    if filled:
        raise CopyRefusedError(
            f"{url.masked} is not empty: {', '.join(filled[:5])} already "
            f"{'has rows' if len(filled) == 1 else 'have rows'}. Copy into a new, empty database "
            "(nothing was changed)"
        )


def _check_same_tables(
    reader: sqlite3.Connection, writer: psycopg.Connection[Any], tables: list[str], url: PostgresUrl
) -> None:
    """After migrating, the target must have the source's tables, with the same columns."""
    present = set(_target_tables(writer))
    if present != set(tables):
        missing = sorted(set(tables) - present) or sorted(present - set(tables))
        raise CopyRefusedError(
            f"the schema of {url.masked} does not match the source's ({', '.join(missing[:5])})"
        )
    for table in tables:
        theirs = {
            row[0]
            for row in writer.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = %s",
                [table],
            )
        }
        if set(_columns(reader, table)) != theirs:
            raise CopyRefusedError(
                f"the columns of {table} differ between the source and {url.masked}"
            )


def _columns(reader: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in reader.execute("SELECT * FROM pragma_table_info(?)", [table])]


def _copy_table(reader: sqlite3.Connection, writer: psycopg.Connection[Any], table: str) -> None:
    """``table``'s rows, streamed a batch at a time into ``COPY``."""
    columns = _columns(reader, table)
    names = ", ".join(f'"{c}"' for c in columns)
    rows = reader.execute(f'SELECT {names} FROM "{table}"')  # names from the schema
    with writer.cursor() as cursor, cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        while batch := rows.fetchmany(BATCH_ROWS):
            for row in batch:
                copy.write_row(row)


def _count(reader: sqlite3.Connection, writer: psycopg.Connection[Any], table: str) -> TableCount:
    """``table``'s rows in the source (as read for the copy) and in the target, counted anew."""
    (source,) = reader.execute(f'SELECT count(*) FROM "{table}"').fetchone()
    (target,) = writer.execute(f'SELECT count(*) FROM "{table}"').fetchone() or (0,)
    return TableCount(table, int(source), int(target))


def _reset_identities(writer: psycopg.Connection[Any]) -> None:
    """Each identity column's next value one past the highest id copied (1 for an empty table)."""
    identities = writer.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND is_identity = 'YES'"
    ).fetchall()
    for table, column in identities:
        writer.execute(
            f'SELECT setval(pg_get_serial_sequence(%s, %s), coalesce(max("{column}"), 0) + 1, '
            f'false) FROM "{table}"',
            [f'"{table}"', column],
        )


def _compare_summaries(
    reader: sqlite3.Connection, writer: psycopg.Connection[Any], clock: Clock
) -> SummaryCheck:
    """The DCO summary (today, the default period) from both databases, as the JSON the
    ``summary`` command writes."""
    import sqlite_utils  # noqa: PLC0415 (the repositories and the summary are heavy)

    from bot.storage.store import Repositories  # noqa: PLC0415
    from ehcp_rules import parse_period  # noqa: PLC0415

    today = clock.today()
    period = parse_period(None, today)
    before = Repositories(sqlite_utils.Database(reader), clock=clock).summaries.summary(
        period, today
    )
    handle: Any = PostgresConnection()  # the surface the repositories use of either database
    with handle.holding(writer):
        after = Repositories(handle, clock=clock).summaries.summary(period, today)
    where = f"{period.start:%d %B %Y} to {period.end:%d %B %Y}, as on {today:%d %B %Y}"
    difference = summary_difference(before, after)
    if difference is None:
        return SummaryCheck(True, True, f"the DCO summary for {where}")
    return SummaryCheck(True, False, f"the DCO summary for {where} differs: {difference}")


def summary_difference(before: Summary, after: Summary) -> str | None:
    """Where two summaries differ (``None``: they are the same). Compared as values, not as
    text: the two databases may return a count's groups in another order, which changes the
    order of a mapping's keys and nothing else."""
    if before == after:
        return None
    return _first_difference(_as_text(before), _as_text(after))


def _as_text(summary: Summary) -> str:
    return json.dumps(summary.model_dump(mode="json"), indent=2, sort_keys=True)


def _first_difference(before: str, after: str) -> str:
    """Where two renderings of the summary part: the first line that differs, shortened."""
    for old, new in zip(before.splitlines(), after.splitlines(), strict=False):
        if old != new:
            return f"SQLite has {old.strip()[:120]}, PostgreSQL {new.strip()[:120]}"
    return "one is longer than the other"
