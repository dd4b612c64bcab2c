"""Importing requests (``requests.sync``) reads and writes them in batches; what it keeps and
counts is what taking the rows one at a time gives: a new case added, a changed one updated, the
same one left alone, a case listed twice taken in order. Across batch boundaries, on both
databases."""

from __future__ import annotations

import functools
import random
from datetime import date, timedelta
from typing import Any

import pytest

from bot.storage.casework import SYNC_BATCH, SyncCounts
from bot.storage.database import DatabaseTarget
from bot.storage.store import Repositories, Store
from ehcp_rules import AdviceOutcome, AdviceRequestRecord
from tests.fakes import FakeClock

RECEIVED = date(2026, 9, 1)


def _request(n: int, service: int, rng: random.Random) -> AdviceRequestRecord:
    received = RECEIVED + timedelta(days=rng.randrange(60))
    returned = received + timedelta(days=rng.randrange(1, 40)) if rng.random() < 0.4 else None
    return AdviceRequestRecord(
        case_ref=f"LA-{n:05d}",
        service_id=service,
        received_on=received,
        returned_on=returned,
        outcome=AdviceOutcome.RETURNED if returned else None,
    )


def _one_at_a_time(
    kept: dict[tuple[int, str], AdviceRequestRecord], records: list[AdviceRequestRecord]
) -> dict[str, int]:
    """What each row does, taken in order: the rule ``sync`` keeps."""
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    for record in records:
        key = (record.service_id, record.case_ref)
        before = kept.get(key)
        outcome = "added" if before is None else "unchanged" if before == record else "updated"
        counts[outcome] += 1
        kept[key] = record
    return counts


def _sync(r: Repositories, records: list[AdviceRequestRecord]) -> SyncCounts:
    return r.requests.sync(records, actor="t")


FIELDS = ("case_ref", "service_id", "received_on", "returned_on", "outcome", "team_told")


def _stored(r: Any) -> set[tuple[Any, ...]]:
    return set(r.db.execute(f"SELECT {', '.join(FIELDS)} FROM advice_requests").fetchall())


def _row(record: AdviceRequestRecord) -> tuple[Any, ...]:
    dumped = record.model_dump(mode="json")
    return tuple(dumped[field] for field in FIELDS)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_batched_import_keeps_and_counts_what_one_row_at_a_time_does(
    backend: DatabaseTarget, seed: int
) -> None:
    rng = random.Random(seed)
    kept: dict[tuple[int, str], AdviceRequestRecord] = {}
    with Store.open(backend, clock=FakeClock()) as store:
        services = store.call(
            lambda r: [r.services.add(f"S{n}", provider=None, actor="t").id for n in range(3)]
        )
        first = [_request(n, rng.choice(services), rng) for n in range(2 * SYNC_BATCH + 37)]
        # the second file: most of the first again (some changed), new cases, and cases listed
        # twice: either side of a batch boundary, inside one batch, and a new one inside one
        second = [
            _request(n, record.service_id, rng) if rng.random() < 0.3 else record
            for n, record in enumerate(first)
            if rng.random() < 0.8
        ]
        second += [_request(5_000 + n, rng.choice(services), rng) for n in range(SYNC_BATCH)]
        second.insert(SYNC_BATCH + 3, second[SYNC_BATCH - 2].model_copy(update={"team_told": True}))
        second.insert(10, second[4].model_copy(update={"returned_on": None, "outcome": None}))
        second.insert(len(second) - 20, second[-30].model_copy(update={"team_told": True}))  # new
        files = (first, second)
        for records in files:
            expected = _one_at_a_time(kept, records)

            counts = store.call(functools.partial(_sync, records=records))

            assert counts.model_dump() == expected
        stored = store.call(_stored)

    assert stored == {_row(record) for record in kept.values()}


def test_a_logged_case_changed_then_changed_back_in_one_file_keeps_the_last(
    backend: DatabaseTarget,
) -> None:
    """Found in review: the second line of a logged case was compared with the row as read
    before the batch, not as the first line left it."""
    with Store.open(backend, clock=FakeClock()) as store:
        sid = store.call(lambda r: r.services.add("S", provider=None, actor="t").id)
        a = AdviceRequestRecord(case_ref="LA-1", service_id=sid, received_on=RECEIVED)
        b = a.model_copy(
            update={"returned_on": date(2026, 9, 10), "outcome": AdviceOutcome.RETURNED}
        )
        store.call(functools.partial(_sync, records=[a]))

        back = store.call(functools.partial(_sync, records=[b, a]))
        twice = store.call(functools.partial(_sync, records=[b, b]))
        kept = store.call(lambda r: r.requests.find("LA-1"))

    assert (back.updated, back.unchanged) == (2, 0)
    assert (twice.updated, twice.unchanged) == (1, 1)
    assert [k.returned_on for k in kept] == [date(2026, 9, 10)]
