"""Storage fixtures: each test on a real SQLite file in a temporary folder, and again on a
PostgreSQL database of its own (``backend``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.storage.database import DatabaseTarget
from bot.storage.store import Store
from ehcp_rules import Service
from tests.fakes import FakeClock

ACTOR = "test"


@pytest.fixture
def store(backend: DatabaseTarget, clock: FakeClock) -> Iterator[Store]:
    with Store.open(backend, clock=clock) as opened:
        yield opened


@pytest.fixture
def slt(store: Store) -> Service:
    return store.call(lambda r: r.services.add("Children's SLT", provider="Trust A", actor=ACTOR))
