"""What differs between SQLite and PostgreSQL, in one small object each, named where it is used.

Every query is written once, in the SQL both databases understand, with ``?`` (or ``:name``)
placeholders; the PostgreSQL driver turns those into its own once per query text
(``bot.storage.postgres.to_pyformat``). Where the two databases spell a thing differently, the
query asks its connection's dialect (``dialect_of(db)``) instead of writing either spelling:

- ``nocase(expr)``: a comparison that ignores case (``COLLATE NOCASE`` on SQLite, where an index
  declared with it is used; ``lower()`` on PostgreSQL, matching the indexes on ``lower(...)``
  its migrations create). Compare ``nocase(column) = nocase(?)``.
- ``group_concat(expr)``: the values of a group joined with commas (SQLite's ``group_concat``,
  PostgreSQL's ``string_agg`` of the values as text).
- ``json_text(column, *path)``: one text value inside a JSON document stored as text.
- ``unindexed(expr)``: a column SQLite must not use an index for (its unary ``+``, which
  PostgreSQL has no use for on text: its planner chooses on costs, not on the query's shape).
- ``days_after(day, n)``: the ISO date ``n`` days after an ISO date (SQLite's ``date(day, '+n
  days')``, PostgreSQL's date arithmetic).
- ``execute_many(db, sql, rows)``: one statement run for many rows in as few round trips as the
  driver can make (SQLite's ``executemany``; psycopg's, which pipelines them to the server).
- ``insert_returning_ids(db, sql, rows)``: an ``INSERT ... RETURNING id`` for many rows, the
  ids in the rows' order (one statement a row on SQLite, which cannot return rows from
  ``executemany``; pipelined on PostgreSQL).
- ``row_lock``: appended to a ``SELECT`` that reads a row a transaction is about to change, so
  that a second writer waits (PostgreSQL's ``FOR UPDATE``); SQLite has one writer at a time and
  needs nothing.

What is already the same on both is written plainly, never through the dialect:
``coalesce`` (not ``ifnull``), ``INSERT ... ON CONFLICT ... DO NOTHING`` (not ``INSERT OR
IGNORE``), ``INSERT ... RETURNING id`` (not ``cursor.lastrowid``; SQLite has it since 3.35),
``count(*) FILTER (WHERE ...)`` (not ``sum(<a comparison>)``: a PostgreSQL boolean has no
sum; SQLite has ``FILTER`` since 3.30), an alias on every subquery in ``FROM``, ``NULLS FIRST``
where a sorted column may be empty (SQLite's order, which PostgreSQL's default reverses),
``TRUE`` and ``FALSE``, ``substr``, ``||``, ``CAST(x AS INTEGER)``, ``lower``, ``length``,
``trim``, partial indexes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

DialectName = Literal["sqlite", "postgresql"]


@dataclass(frozen=True)
class Dialect:
    """The few spellings that differ, for one kind of database."""

    name: DialectName

    @property
    def row_lock(self) -> str:
        return " FOR UPDATE" if self.name == "postgresql" else ""

    def unindexed(self, expr: str) -> str:
        return expr if self.name == "postgresql" else f"+{expr}"

    def days_after(self, day: str, days: int) -> str:
        """The ISO date ``days`` after the ISO date text ``day``."""
        if self.name == "postgresql":
            return f"to_char(CAST({day} AS date) + {days:d}, 'YYYY-MM-DD')"
        return f"date({day}, '{days:+d} days')"

    def nocase(self, expr: str) -> str:
        return f"lower({expr})" if self.name == "postgresql" else f"{expr} COLLATE NOCASE"

    def group_concat(self, expr: str, *, distinct: bool = False) -> str:
        unique = "DISTINCT " if distinct else ""
        if self.name == "postgresql":
            return f"string_agg({unique}CAST({expr} AS TEXT), ',')"
        return f"group_concat({unique}{expr})"

    def json_text(self, column: str, *path: str) -> str:
        for key in path:
            if not key.isidentifier():
                raise ValueError(f"a JSON path key must be a plain name, not {key[:40]!r}")
        if self.name == "postgresql":
            return f"(CAST({column} AS jsonb) #>> '{{{','.join(path)}}}')"
        return f"json_extract({column}, '$.{'.'.join(path)}')"


SQLITE = Dialect("sqlite")
POSTGRESQL = Dialect("postgresql")


def dialect_of(db: object) -> Dialect:
    """The dialect of a connection handed to a repository: the PostgreSQL driver's connection
    says so itself (``dialect``); a SQLite one (sqlite-utils' ``Database``) has none."""
    found = getattr(db, "dialect", None)
    return found if isinstance(found, Dialect) else SQLITE


def execute_many(db: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """Run ``sql`` once for each of ``rows`` (see the module's docstring)."""
    if not rows:
        return
    if dialect_of(db) == SQLITE:
        db.conn.executemany(sql, rows)
    else:
        db.executemany(sql, rows)


def insert_returning_ids(db: Any, sql: str, rows: Sequence[Sequence[Any]]) -> list[int]:
    """The ids ``sql`` (an ``INSERT ... RETURNING id``) returns for each of ``rows``, in order."""
    if dialect_of(db) == SQLITE:
        return [int(db.execute(sql, row).fetchone()[0]) for row in rows]
    ids: list[int] = db.executemany_returning(sql, rows)
    return ids
