"""Storage fixtures: real SQLite files in temporary folders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.storage.store import Store
from ehcp_rules import Service
from tests.fakes import FakeClock

ACTOR = "test"


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> Iterator[Store]:
    with Store.open(tmp_path / "ehcp.db", clock=clock) as opened:
        yield opened


@pytest.fixture
def slt(store: Store) -> Service:
    return store.call(lambda r: r.services.add("Children's SLT", provider="Trust A", actor=ACTOR))
