"""Independent reads at once: the same rows as one after another, and never a stale view (on
PostgreSQL, read in turn on the work's own connection)."""

from __future__ import annotations

import sqlite_utils

from bot.storage.database import DatabaseTarget
from bot.storage.reads import Params, read_together
from bot.storage.store import Repositories, Store
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
