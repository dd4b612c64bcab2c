"""Independent reads at once: the same rows as one after another, and never a stale view. On
PostgreSQL, by the work's own connection and connections borrowed from the pool while they are
free; inside a transaction, in turn on the work's own connection."""

from __future__ import annotations

from typing import Any

import pytest
import sqlite_utils

from bot.storage.database import DatabaseTarget
from bot.storage.postgres import EXTRA_READERS, PostgresDatabase
from bot.storage.reads import Params, Read, read_soon, read_together
from bot.storage.store import Repositories, Store
from bot.storage.url import PostgresUrl
from tests.fakes import FakeClock

QUERIES: list[tuple[str, Params]] = [
    ("SELECT name FROM services ORDER BY lower(name)", {}),
    ("SELECT count(*) AS n FROM services WHERE name LIKE :pattern", {"pattern": "S%"}),
    ("SELECT ? AS echoed", [7]),
]


def test_reads_at_once_give_each_query_its_own_rows_and_columns(backend: DatabaseTarget) -> None:
    with Store.open(backend, clock=FakeClock()) as store:

        def add_services(r: Repositories) -> None:
            for name in ("SLT", "Physiotherapy", "School nursing"):
                r.services.add(name, provider="Trust", actor="test")

        store.call(add_services)

        reads = store.call(lambda r: read_together(r.db, QUERIES))

    assert [read.rows for read in reads] == [
        [("Physiotherapy",), ("School nursing",), ("SLT",)],
        [(2,)],
        [(7,)],
    ]
    assert reads[1].columns == ("n",) and reads[1].dicts() == [{"n": 2}]


def test_inside_a_transaction_its_own_uncommitted_rows_are_read(backend: DatabaseTarget) -> None:
    with Store.open(backend, clock=FakeClock()) as store:

        def add_then_read(r: Repositories) -> list[object]:
            db = r.db
            with db.atomic():
                db.execute(
                    "INSERT INTO services (name, provider, created_at) VALUES ('SLT', 'T', '')"
                )
                return [read.rows for read in read_together(db, QUERIES[:2])]

        rows = store.call(add_then_read)

    assert rows == [[("SLT",)], [(1,)]]


def test_a_database_in_memory_reads_one_query_after_another() -> None:
    db = sqlite_utils.Database(memory=True)
    db.execute("CREATE TABLE services (name TEXT)")
    db.execute("INSERT INTO services VALUES ('SLT')")

    reads = read_together(db, QUERIES)

    assert [read.rows for read in reads] == [[("SLT",)], [(1,)], [(7,)]]


def _pid(db: Any) -> int:
    """The server process of the work's own connection."""
    return int(db.execute("SELECT pg_backend_pid()").fetchone()[0])


# each query waits a moment, so that a free connection is there to take the next one
BACKENDS: list[tuple[str, Params]] = [
    (f"SELECT pg_backend_pid(), {n} FROM pg_sleep(0.2)", {}) for n in range(6)
]


@pytest.mark.postgres
def test_postgresql_reads_them_at_once_on_connections_borrowed_from_the_pool(
    postgres: PostgresUrl,
) -> None:
    with PostgresDatabase(postgres) as database:
        own, reads = database.call(
            lambda db: (
                db.execute("SELECT pg_backend_pid()").fetchone()[0],
                read_together(db, BACKENDS),
            )
        )
        idle = database.call(lambda db: db.execute("SELECT 1").fetchone())  # all given back

    assert [read.rows[0][1] for read in reads] == list(range(6))  # in the queries' order
    pids = {read.rows[0][0] for read in reads}
    assert own in pids and len(pids) == 1 + EXTRA_READERS
    assert idle == (1,)


@pytest.mark.postgres
def test_postgresql_inside_a_transaction_reads_on_the_works_own_connection(
    postgres: PostgresUrl,
) -> None:
    with PostgresDatabase(postgres) as database:

        def read_inside(db: Any) -> tuple[int, list[Any]]:
            with db.atomic():
                db.execute(
                    "INSERT INTO services (name, provider, created_at) VALUES ('SLT', 'T', '')"
                )
                own = db.execute("SELECT pg_backend_pid()").fetchone()[0]
                return own, read_together(db, [*BACKENDS[:2], QUERIES[1]])

        own, reads = database.call(read_inside)

    assert {read.rows[0][0] for read in reads[:2]} == {own}
    assert reads[2].rows == [(1,)]  # its own uncommitted row


@pytest.mark.postgres
def test_postgresql_with_no_connection_free_reads_them_on_the_works_own(
    postgres: PostgresUrl,
) -> None:
    with PostgresDatabase(postgres, pool_size=1) as database:
        own, reads = database.call(
            lambda db: (
                db.execute("SELECT pg_backend_pid()").fetchone()[0],
                read_together(db, BACKENDS[:3]),
            )
        )

    assert [read.rows for read in reads] == [[(own, n)] for n in range(3)]


@pytest.mark.postgres
def test_postgresql_reads_one_soon_on_a_borrowed_connection_and_gives_it_back(
    postgres: PostgresUrl,
) -> None:
    with PostgresDatabase(postgres, pool_size=2) as database:

        def soon(db: Any) -> tuple[int, Read, Read]:
            first = read_soon(db, *BACKENDS[0]).result()
            second = read_soon(db, *BACKENDS[1]).result()  # the first's connection given back
            return _pid(db), first, second

        own, first, second = database.call(soon)

    assert first.rows[0][0] != own and first.rows[0][1] == 0
    assert second.rows[0][0] != own and second.rows[0][1] == 1
