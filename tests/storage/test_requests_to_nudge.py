"""The sweep reads only the requests a nudge can be about; planning from them gives exactly the
request nudges that planning from every open request gives."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from bot.storage.database import DatabaseTarget
from bot.storage.store import Store
from ehcp_rules import AdviceOutcome, AdviceRequestRecord, ExceptionReason, plan_nudges
from tests.fakes import FakeClock


def _random_request(n: int, rng: random.Random, services: list[int]) -> AdviceRequestRecord:
    received = date(2026, 6, 1) + timedelta(days=rng.randrange(200))
    returned = received + timedelta(days=rng.randrange(70)) if rng.random() < 0.3 else None
    excepted = rng.random() < 0.15
    delayed = not excepted and rng.random() < 0.15
    agreed = received + timedelta(days=rng.randrange(30, 120)) if rng.random() < 0.8 else None
    return AdviceRequestRecord(
        case_ref=f"EHC-{n:05d}",
        service_id=rng.choice(services),
        received_on=received,
        returned_on=returned,
        exception_reason=rng.choice(list(ExceptionReason)) if excepted else None,
        exception_narrative="Family abroad until the new year." if excepted else None,
        exception_arose_on=received + timedelta(days=3) if excepted else None,
        agreed_return_on=agreed if excepted else None,
        outcome=AdviceOutcome.CLINICAL_DELAY if delayed else None,
        expected_on=received + timedelta(days=rng.randrange(20, 120)) if delayed else None,
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_the_requests_read_for_nudging_give_the_same_nudges(
    backend: DatabaseTarget, seed: int
) -> None:
    rng = random.Random(seed)
    with Store.open(backend, clock=FakeClock()) as store:
        services = store.call(
            lambda r: [r.services.add(f"S{n}", provider=None, actor="t").id for n in range(3)]
        )
        requests = [_random_request(n, rng, services) for n in range(800)]
        store.call(lambda r: r.requests.sync(requests, actor="test"))
        days = [date(2026, 7, 1) + timedelta(days=rng.randrange(240)) for _ in range(8)]
        to_nudge = store.call(lambda r: {day: r.nudges.requests_to_nudge(day) for day in days})
        for today in days:
            every = store.call(lambda r: r.requests.open_for(None))
            chosen = to_nudge[today]

            expected = plan_nudges(today=today, requests=every)
            assert plan_nudges(today=today, requests=chosen) == expected, today
            assert 0 < len(chosen) < len(every), today  # it reads fewer, and the test can fail
            steps = {n.step for n in expected}
            assert len(steps) > 2, today  # not only the plain ladder: the new steps are reached
