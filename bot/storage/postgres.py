"""The PostgreSQL driver: psycopg 3 and its connection pool, behind the surface SQLite's has.

Why a narrow port and not a SQL toolkit. The repositories already speak to their connection in
two words: ``db.execute(sql, params)`` with ``?`` (or ``:name``) placeholders, and
``db.atomic()`` for a transaction. Both databases run the same SQL for nearly all of it; the
differences are few and known (``bot.storage.dialect`` lists them). A toolkit (SQLAlchemy Core)
would mean rewriting every query in its expression language, or wrapping them all in ``text()``
and gaining nothing, plus a large dependency whose own connection handling would sit between
SQLite's owning thread and the event loop. Keeping the port narrow keeps each query one readable
SQL string that can be run by hand in ``sqlite3`` or ``psql``.

So this module gives PostgreSQL that same surface:

- ``PostgresConnection.execute`` turns ``?`` into ``%s`` and ``:name`` into ``%(name)s`` once per
  query text (cached), never inside a string literal, quoted name or comment; every other ``%``
  is doubled, so ``LIKE 'request:%'`` means what it says. Booleans are passed as 0 and 1, as
  SQLite stores them in the same ``INTEGER`` columns.
- ``PostgresConnection.atomic()`` is a transaction (a savepoint when nested); a statement outside
  one commits at once (autocommit).
- ``PostgresDatabase.call`` / ``run`` take a connection from the pool for the work and give it
  back after: ``run`` on a small thread pool (psycopg's blocking calls never block the event
  loop), ``call`` on the caller's thread. Nested work reuses the connection it is already on.

Not provided: ``cursor.lastrowid`` (PostgreSQL has no such thing; write ``INSERT ... RETURNING
id``, which SQLite has too), the ``jsonb`` ``?`` operators (written ``?`` they would be read as
placeholders; use ``jsonb_exists``), and dollar-quoted strings.
"""

from __future__ import annotations

import asyncio
import functools
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from typing import Any, TypeVar

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from bot.storage.dialect import POSTGRESQL
from bot.storage.errors import StorageError
from bot.storage.migrations import apply_migrations, schema_version
from bot.storage.url import PostgresUrl

T = TypeVar("T")

CONNECT_TIMEOUT_S = 10
POOL_SIZE = 8
"""Connections per process: turns are a few short statements each; a summary borrows up to
``EXTRA_READERS`` more for a moment."""
EXTRA_READERS = 2
"""Connections a summary borrows from the pool to read its aggregates at once (with its own)."""
BORROW_WAIT_S = 0.2
"""How long it waits for each: a pool busy with turns is left to them."""

# a quoted text or name, a comment, or a placeholder: ? or :name (never the :: of a cast)
_TOKENS = re.compile(
    r"""(?P<text>'(?:[^']|'')*')
      | (?P<name>"(?:[^"]|"")*")
      | (?P<line>--[^\n]*)
      | (?P<block>/\*.*?\*/)
      | (?P<cast>::)
      | (?P<mark>\?)
      | :(?P<named>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<percent>%)""",
    re.VERBOSE | re.DOTALL,
)


class DatabaseUnavailableError(StorageError):
    """The PostgreSQL server could not be reached, or refused the connection."""


@functools.lru_cache(maxsize=1024)
def to_pyformat(sql: str) -> str:
    """``sql`` with SQLite's placeholders in psycopg's style, every other ``%`` doubled, and
    string literals, quoted names and comments left exactly as they were."""

    def replace(match: re.Match[str]) -> str:
        kind = match.lastgroup
        if kind == "mark":
            return "%s"
        if kind == "named":
            return f"%({match.group('named')})s"
        if kind == "cast":
            return "::"
        return match.group().replace("%", "%%")  # a literal, a quoted name, a comment or a %

    if "$$" in sql:
        raise ValueError("dollar-quoted strings are not supported: write a '...' literal")
    return _TOKENS.sub(replace, sql)


def _values(parameters: Sequence[Any] | Mapping[str, Any] | None) -> Any:
    """The parameters as psycopg takes them, with booleans as SQLite stores them (0, 1)."""
    if parameters is None:
        return []
    if isinstance(parameters, Mapping):
        return {key: _plain(value) for key, value in parameters.items()}
    return [_plain(value) for value in parameters]


def _plain(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


class PostgresConnection:
    """What a repository is handed on PostgreSQL: ``execute`` and ``atomic`` on the pooled
    connection the current work holds (each thread its own)."""

    dialect = POSTGRESQL

    def __init__(self, pool: ConnectionPool[psycopg.Connection[Any]] | None = None) -> None:
        self._local = threading.local()
        self._pool = pool

    @contextmanager
    def holding(self, connection: psycopg.Connection[Any]) -> Iterator[None]:
        """Run the work inside this block on ``connection``."""
        self._local.connection = connection
        try:
            yield
        finally:
            self._local.connection = None

    @property
    def held(self) -> bool:
        return getattr(self._local, "connection", None) is not None

    def execute(
        self, sql: str, parameters: Sequence[Any] | Mapping[str, Any] | None = None
    ) -> psycopg.Cursor[Any]:
        return self._connection().execute(to_pyformat(sql), _values(parameters))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """``sql`` for each of ``rows``, pipelined: one round trip for many rows."""
        with self._connection().cursor() as cursor:
            cursor.executemany(to_pyformat(sql), [_values(row) for row in rows])

    def executemany_returning(self, sql: str, rows: Sequence[Sequence[Any]]) -> list[Any]:
        """``sql`` (returning one value) for each of ``rows``, pipelined; the values in order."""
        returned: list[Any] = []
        with self._connection().cursor() as cursor:
            cursor.executemany(to_pyformat(sql), [_values(row) for row in rows], returning=True)
            while True:
                returned.extend(row[0] for row in cursor.fetchall())
                if not cursor.nextset():
                    return returned

    def read_together(
        self, queries: Sequence[tuple[str, Any]]
    ) -> list[tuple[tuple[str, ...], list[tuple[Any, ...]]]] | None:
        """Each query's column names and rows, in order, read at once: by the work's own
        connection and up to ``EXTRA_READERS`` more borrowed from the pool, if free within
        ``BORROW_WAIT_S``. ``None`` inside a transaction (no other connection sees its writes)
        or with no pool: the caller then reads them one after another."""
        own = self._connection()
        idle = own.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        if self._pool is None or not idle or len(queries) < 2:
            return None
        borrowed: list[psycopg.Connection[Any]] = []
        try:
            for _ in range(min(EXTRA_READERS, len(queries) - 1)):
                try:
                    borrowed.append(self._pool.getconn(timeout=BORROW_WAIT_S))
                except PoolTimeout:
                    break  # the pool is busy with other people's turns: read with fewer
            return _read_on(own, borrowed, queries)
        finally:
            for connection in borrowed:
                self._pool.putconn(connection)

    def read_soon(
        self, sql: str, params: Any, *, into: Callable[[tuple[str, ...], list[Any]], T]
    ) -> Future[T] | None:
        """Start reading ``sql`` on a connection borrowed from the pool and return at once (the
        caller gets on with other work meanwhile), the result made ``into(columns, rows)``;
        ``None`` when it cannot: inside a transaction, with no pool, or with no connection free
        within ``BORROW_WAIT_S``."""
        own = self._connection()
        idle = own.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        if self._pool is None or not idle:
            return None
        pool = self._pool
        try:
            borrowed = pool.getconn(timeout=BORROW_WAIT_S)
        except PoolTimeout:
            return None

        def read_then_give_back() -> T:
            try:
                return into(*_read_one(borrowed, sql, params))
            finally:
                pool.putconn(borrowed)

        reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="postgres-read")
        try:
            return reader.submit(read_then_give_back)
        except BaseException:
            pool.putconn(borrowed)
            raise
        finally:
            reader.shutdown(wait=False)  # the thread ends when its read is done

    def atomic(self) -> AbstractContextManager[Any]:
        """A transaction, all or nothing (a savepoint inside another)."""
        return self._connection().transaction()

    def _connection(self) -> psycopg.Connection[Any]:
        connection: psycopg.Connection[Any] | None = getattr(self._local, "connection", None)
        if connection is None:
            raise RuntimeError("PostgreSQL work runs through PostgresDatabase.call or run")
        return connection


def _read_one(
    connection: psycopg.Connection[Any], sql: str, params: Any
) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    """One query's column names and rows."""
    cursor = connection.execute(to_pyformat(sql), _values(params))
    rows = cursor.fetchall()
    return tuple(d.name for d in cursor.description or ()), rows


def _read_on(
    own: psycopg.Connection[Any],
    borrowed: list[psycopg.Connection[Any]],
    queries: Sequence[tuple[str, Any]],
) -> list[tuple[tuple[str, ...], list[tuple[Any, ...]]]]:
    """``queries`` shared out over the connections, each taking the next query when it is free
    (the longest first, as the caller orders them); the results in the queries' order."""
    results: list[Any] = [None] * len(queries)
    waiting = list(enumerate(queries))
    lock = threading.Lock()

    def read_all(connection: psycopg.Connection[Any]) -> None:
        while True:
            with lock:
                if not waiting:
                    return
                index, (sql, params) = waiting.pop(0)
            results[index] = _read_one(connection, sql, params)

    connections = [own, *borrowed]
    with ThreadPoolExecutor(len(connections), thread_name_prefix="postgres-read") as readers:
        for done in [readers.submit(read_all, c) for c in connections]:
            done.result()
    return results


class PostgresDatabase:
    """A PostgreSQL database, migrated to the current schema, with a pool of connections."""

    dialect = POSTGRESQL
    errors: tuple[type[BaseException], ...] = (psycopg.Error,)

    def __init__(self, url: PostgresUrl, *, pool_size: int = POOL_SIZE) -> None:
        self.url = url
        self.label = url.database_name
        self.where = url.masked
        self._closed = False
        _reachable(url)
        self._pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            url.conninfo,
            min_size=1,
            max_size=pool_size,
            kwargs={
                "autocommit": True,
                "connect_timeout": CONNECT_TIMEOUT_S,
                "prepare_threshold": url.prepare_threshold,
            },
            open=False,
            name="ehcp",
        )
        self._pool.open(wait=True, timeout=CONNECT_TIMEOUT_S)
        self._executor = ThreadPoolExecutor(max_workers=pool_size, thread_name_prefix="postgres")
        self._connection = PostgresConnection(self._pool)
        try:
            self.call(lambda db: apply_migrations(db, source=url.database_name))
        except BaseException:
            self.close()
            raise

    def call(self, work: Callable[[Any], T]) -> T:
        """Run ``work`` on a pooled connection and wait for its result (synchronous callers)."""
        if self._connection.held:
            return work(self._connection)
        with self._pool.connection() as connection, self._connection.holding(connection):
            return work(self._connection)

    async def run(self, work: Callable[[Any], T]) -> T:
        """Run ``work`` on a pooled connection without blocking the event loop."""
        return await asyncio.wrap_future(self._executor.submit(self.call, work))

    def close(self) -> None:
        """Wait for work under way, then close every connection (a second call does nothing)."""
        if self._closed:
            return
        self._closed = True
        self._executor.shutdown(wait=True)
        self._pool.close()

    def __enter__(self) -> PostgresDatabase:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def stored_version(url: PostgresUrl) -> int:
    """The schema version of the database at ``url``, read on one connection, changing nothing
    (``DatabaseUnavailableError`` if it cannot be reached)."""
    with read_only(url) as handle:
        return schema_version(handle)


@contextmanager
def read_only(url: PostgresUrl) -> Iterator[PostgresConnection]:
    """One connection to the database at ``url`` that can change nothing (every transaction on it
    read-only), for reading it as it is (``DatabaseUnavailableError`` if it cannot be reached)."""
    _reachable(url)
    handle = PostgresConnection()
    with (
        psycopg.connect(
            url.conninfo,
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT_S,
            options="-c default_transaction_read_only=on",
        ) as conn,
        handle.holding(conn),
    ):
        yield handle


def _reachable(url: PostgresUrl) -> None:
    """Connect once, so that a wrong address or name fails with the server's own reason (the
    password masked) rather than with the pool's timeout."""
    try:
        psycopg.connect(url.conninfo, connect_timeout=CONNECT_TIMEOUT_S).close()
    except psycopg.Error as error:
        reason = url.redact(" ".join(str(error).split()))
        raise DatabaseUnavailableError(
            f"PostgreSQL at {url.masked} could not be reached: {reason}"
        ) from None
