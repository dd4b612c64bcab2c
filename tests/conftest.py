"""Shared test configuration: the fake clock, and the framework fixes on or off for the run.

``EHCP_FRAMEWORK_FIXES=off`` runs the whole suite on the stock framework (CI runs it both ways);
every ``Settings`` a test builds comes from ``tests.builders.settings``, so the app under test
follows it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from bot.teams import fixes
from tests.builders import FIXES
from tests.fakes import FakeClock

# Property tests check what is true, not how fast a shared 2-core machine runs an example.
settings.register_profile("ehcp", deadline=None)
settings.load_profile("ehcp")

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(autouse=True)
def framework_as_configured() -> Iterator[None]:
    """Every test starts, and ends, with the framework patched (or not) as this run says."""
    fixes.apply(FIXES)
    yield
    fixes.apply(FIXES)


@pytest.fixture
def shared_dir() -> Path:
    """``../shared`` beside the checkout (CI clones with it there); skip where it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside this checkout")
    return SHARED


@pytest.fixture
def clock() -> FakeClock:
    """The one clock, standing at noon on 23 November 2026 in London (override per module)."""
    return FakeClock()
