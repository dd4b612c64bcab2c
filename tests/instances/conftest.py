"""Several instances on one database: each test runs on a SQLite file and on a PostgreSQL
database of its own, and opens as many stores on it as it has instances."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.storage.database import DatabaseTarget
from bot.storage.store import Store
from tests.fakes import FakeClock

Instances = Callable[[], Store]
"""Opens one more instance's store on the test's one database (closed after the test)."""


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> DatabaseTarget:
    """The test's one database: a SQLite file, or a PostgreSQL database of its own."""
    if request.param == "sqlite":
        return tmp_path / "ehcp.db"
    url: DatabaseTarget = request.getfixturevalue("postgres")
    return url


@pytest.fixture
def instances(target: DatabaseTarget, clock: FakeClock) -> Iterator[Instances]:
    opened: list[Store] = []

    def open_one() -> Store:
        store = Store.open(target, clock=clock, unfinished_postgres=True)
        opened.append(store)
        return store

    yield open_one
    for store in reversed(opened):
        store.close()


@pytest.fixture
def store(instances: Instances) -> Store:
    """The first instance's store."""
    return instances()
