"""Importing reviews (``reviews.sync``) reads and writes them in batches; what it keeps and
counts is what taking them one at a time (``_upsert``, as saving one review does) gives: the
reviews, their services and the reviews recorded as held, on both databases.

The files mix what a trust's exports hold: plans new and already logged, some moved on (a review
held), some with their services changed, the same case logged by other services (a separate
review), a case reference in another case, and cases listed twice within a batch and across
batches."""

from __future__ import annotations

import functools
import random
from datetime import date, timedelta
from typing import Any

import pytest

from bot.storage.casework import SYNC_BATCH, SyncCounts
from bot.storage.database import DatabaseTarget
from bot.storage.store import Repositories, Store
from ehcp_rules import AnnualReviewRecord
from tests.fakes import FakeClock

ISSUED = date(2025, 1, 6)


def _review(n: int, services: list[int], rng: random.Random) -> AnnualReviewRecord:
    issued = ISSUED + timedelta(days=rng.randrange(300))
    return AnnualReviewRecord(
        case_ref=f"EHC-{n:05d}",
        service_ids=tuple(rng.sample(services, rng.choice((1, 1, 1, 2)))),
        plan_issued_on=issued,
        meeting_on=issued + timedelta(days=rng.randrange(300, 360)) if rng.random() < 0.5 else None,
    )


def _changed(record: AnnualReviewRecord, services: list[int], rng: random.Random) -> Any:
    roll = rng.random()
    if roll < 0.4:  # the review was held: the 12 months start again
        return record.model_copy(
            update={"last_review_on": record.plan_issued_on + timedelta(days=350)}
        )
    if roll < 0.6:  # another service asked too
        return record.model_copy(
            update={"service_ids": tuple(sorted({*record.service_ids, rng.choice(services)}))}
        )
    if roll < 0.8:  # the same case, by a service not logging it: a review of its own
        others = [s for s in services if s not in record.service_ids]
        return record.model_copy(update={"service_ids": (rng.choice(others),)})
    return record.model_copy(update={"case_ref": record.case_ref.lower()})  # the same case


def _files(services: list[int], rng: random.Random) -> list[list[AnnualReviewRecord]]:
    first = [_review(n, services, rng) for n in range(2 * SYNC_BATCH + 41)]
    second = [
        _changed(record, services, rng) if rng.random() < 0.3 else record
        for record in first
        if rng.random() < 0.85
    ]
    second += [_review(9_000 + n, services, rng) for n in range(SYNC_BATCH // 2)]
    second.insert(SYNC_BATCH + 2, _changed(second[SYNC_BATCH - 3], services, rng))  # across
    second.insert(12, _changed(second[5], services, rng))  # within a batch
    second.insert(len(second) - 7, _changed(second[-20], services, rng))  # a new case, twice
    return [first, second]


def _sync(r: Repositories, records: list[AnnualReviewRecord]) -> SyncCounts:
    return r.reviews.sync(records, actor="t")


def _one_at_a_time(r: Repositories, records: list[AnnualReviewRecord]) -> SyncCounts:
    counts = SyncCounts()
    with r.db.atomic():
        for record in records:
            _, outcome, _ = r.reviews._upsert(record, "t")
            setattr(counts, outcome, getattr(counts, outcome) + 1)
    return counts


def _kept(r: Repositories) -> tuple[Any, ...]:
    def rows(sql: str) -> list[tuple[Any, ...]]:
        return sorted(tuple(row) for row in r.db.execute(sql).fetchall())

    return (
        rows(
            "SELECT id, case_ref, plan_issued_on, last_review_on, meeting_on, anchor_review_by, "
            "meeting_review_by FROM annual_reviews"
        ),
        rows("SELECT review_id, service_id FROM review_services"),
        rows("SELECT review_id, period_start, review_by, held_on FROM reviews_held"),
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_a_batched_import_keeps_and_counts_what_one_review_at_a_time_does(
    backend: DatabaseTarget, seed: int
) -> None:
    with Store.open(backend, clock=FakeClock()) as store:
        services = store.call(
            lambda r: [r.services.add(f"S{n}", provider=None, actor="t").id for n in range(4)]
        )
        files = _files(services, random.Random(seed))
        batched = []
        for records in files:
            batched.append(store.call(functools.partial(_sync, records=records)))
        kept_batched = store.call(_kept)
        store.call(lambda r: r.db.execute("DELETE FROM reviews_held"))
        store.call(lambda r: r.db.execute("DELETE FROM review_services"))
        store.call(lambda r: r.db.execute("DELETE FROM annual_reviews"))
        one_by_one = []
        for records in files:
            one_by_one.append(store.call(functools.partial(_one_at_a_time, records=records)))
        kept_one_by_one = store.call(_kept)

    assert batched == one_by_one
    assert batched[1].added and batched[1].updated and batched[1].unchanged
    # the ids differ (the second pass continues the sequence): compare all but them
    assert _without_ids(kept_batched) == _without_ids(kept_one_by_one)


def _without_ids(kept: tuple[Any, ...]) -> tuple[Any, ...]:
    reviews, services, held = kept
    case_of = {row[0]: row[1] for row in reviews}
    return (
        sorted(row[1:] for row in reviews),
        sorted((case_of[review], service) for review, service in services),
        sorted((case_of[row[0]], *row[1:]) for row in held),
    )


def _plan(case_ref: str, service: int) -> AnnualReviewRecord:
    return AnnualReviewRecord(case_ref=case_ref, service_ids=(service,), plan_issued_on=ISSUED)


def test_a_case_reference_beyond_ascii_is_matched_as_the_database_folds_it(
    backend: DatabaseTarget,
) -> None:
    """Found in review: folded by Python, É (SQLite folds ASCII alone) and İ (PostgreSQL's
    lower gives i, Python's i with a dot) were added again on each import."""
    with Store.open(backend, clock=FakeClock()) as store:
        sid = store.call(lambda r: r.services.add("S", provider=None, actor="t").id)
        reviews = [_plan("ÉHC-1", sid), _plan("İHC-2", sid), _plan("EHC-3", sid)]
        store.call(functools.partial(_sync, records=reviews))

        again = store.call(functools.partial(_sync, records=reviews))
        store.call(functools.partial(_sync, records=[_plan("éhc-9", sid)]))
        found = store.call(lambda r: r.reviews.find("ÉHC-9", [sid]))
        other_case = store.call(functools.partial(_sync, records=[_plan("ÉHC-9", sid)]))
        kept = store.call(lambda r: r.db.execute("SELECT count(*) FROM annual_reviews").fetchone())

    assert (again.added, again.unchanged) == (0, 3)
    assert (found is None) == (other_case.added == 1)  # the batch agrees with find and save
    assert kept[0] == 4 + other_case.added
