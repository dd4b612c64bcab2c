"""Several instances on one database: each test runs on a SQLite file and on a PostgreSQL
database of its own, and opens as many stores on it as it has instances."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from bot.storage.database import DatabaseTarget
from bot.storage.store import Store
from tests.fakes import FakeClock

Instances = Callable[[], Store]
"""Opens one more instance's store on the test's one database (closed after the test)."""


@pytest.fixture
def target(backend: DatabaseTarget) -> DatabaseTarget:
    """The test's one database: a SQLite file, or a PostgreSQL database of its own (the suite's
    ``backend``)."""
    return backend


@pytest.fixture
def instances(target: DatabaseTarget, clock: FakeClock) -> Iterator[Instances]:
    opened: list[Store] = []

    def open_one() -> Store:
        store = Store.open(target, clock=clock)
        opened.append(store)
        return store

    yield open_one
    for store in reversed(opened):
        store.close()


@pytest.fixture
def store(instances: Instances) -> Store:
    """The first instance's store."""
    return instances()
