"""A request is found by its case reference, whatever its case, through an index on both
databases (``return la-2026-0042``, and logging a request checks the case is not already logged):
before migration 14 the lookup read every request of every service, 320,000 of them at national
scale, on each such turn."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from bot.storage.database import DatabaseTarget
from bot.storage.dialect import SQLITE, dialect_of
from bot.storage.store import Store
from ehcp_rules import AdviceRequestRecord
from tests.fakes import FakeClock

REQUESTS = 4_000


class Recording:
    """The repository's connection, noting each statement it runs."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self.seen: list[tuple[str, list[Any]]] = []

    def execute(self, sql: str, params: Any = ()) -> Any:
        self.seen.append((sql, list(params)))
        return self.db.execute(sql, params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.db, name)


def _plan(db: Any, sql: str, params: list[Any]) -> str:
    explain = "EXPLAIN QUERY PLAN " if dialect_of(db) == SQLITE else "EXPLAIN "
    return "\n".join(str(row) for row in db.execute(explain + sql, params).fetchall())


@pytest.mark.parametrize("in_services", [False, True], ids=["every service", "two services"])
def test_a_request_is_found_by_its_case_reference_through_an_index(
    backend: DatabaseTarget, in_services: bool
) -> None:
    with Store.open(backend, clock=FakeClock()) as store:
        services = store.call(
            lambda r: [r.services.add(f"S{n}", provider=None, actor="t").id for n in range(8)]
        )
        requests = [
            AdviceRequestRecord(
                case_ref=f"LA-2026-{n:05d}",
                service_id=services[n % len(services)],
                received_on=date(2026, 6, 1) + timedelta(days=n % 150),
            )
            for n in range(REQUESTS)
        ]
        store.call(lambda r: r.requests.sync(requests, actor="test"))
        store.call(lambda r: r.db.execute("ANALYZE"))

        def find(r: Any) -> tuple[list[AdviceRequestRecord], str]:
            recording = Recording(r.requests._db)
            r.requests._db = recording
            try:
                found = r.requests.find("la-2026-01234", services[2:4] if in_services else None)
            finally:
                r.requests._db = recording.db
            (sql, params), *_ = recording.seen
            return found, _plan(r.db, sql, params)

        found, plan = store.call(find)

    assert [(f.case_ref, f.service_id) for f in found] == [("LA-2026-01234", services[2])]
    assert "advice_requests_case" in plan, plan
