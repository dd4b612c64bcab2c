"""Shared test configuration: the fake clock, the framework fixes on or off for the run, and a
PostgreSQL database for the tests marked ``postgres``.

``EHCP_FRAMEWORK_FIXES=off`` runs the whole suite on the stock framework (CI runs it both ways);
every ``Settings`` a test builds comes from ``tests.builders.settings``, so the app under test
follows it. Tests marked ``postgres`` (or using the ``postgres`` fixture) need a PostgreSQL server
(``tests/postgres.py``): without one they are not run, and one line at the end says so, unless
``EHCP_TEST_POSTGRES=required`` (CI), where they fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from bot.storage.database import DatabaseTarget
from bot.storage.url import PostgresUrl
from bot.teams import fixes
from tests import postgres as server
from tests.builders import FIXES
from tests.fakes import FakeClock

# Property tests check what is true, not how fast a shared 2-core machine runs an example.
settings.register_profile("ehcp", deadline=None)
settings.load_profile("ehcp")

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


_NOT_RUN = pytest.StashKey[str]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests that use the ``postgres`` fixture; without a server (and unless one is
    required) set every marked test aside, to be reported in one line."""
    for item in items:
        if "postgres" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)
    marked = [item for item in items if item.get_closest_marker("postgres")]
    if not marked or server.required():
        return
    reason = server.unreachable_reason()
    if reason is None:
        return
    config.stash[_NOT_RUN] = f"{len(marked)} {server.how_to_run(reason)}"
    items[:] = [item for item in items if not item.get_closest_marker("postgres")]
    config.hook.pytest_deselected(items=marked)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    not_run = terminalreporter.config.stash.get(_NOT_RUN, None)
    if not_run:
        terminalreporter.write_line(not_run, yellow=True)


@pytest.fixture
def postgres() -> Iterator[PostgresUrl]:
    """A new, empty PostgreSQL database of this test's own, dropped after it."""
    reason = server.unreachable_reason()
    if reason is not None:  # only where one is required: it is set aside otherwise
        pytest.fail(server.how_to_run(reason))
    with server.fresh_database() as url:
        yield url


BACKENDS = (
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DatabaseTarget]:
    """Where a test that runs on both databases keeps its data: a new SQLite file, then (as a
    second run of the test, marked ``postgres``) a new PostgreSQL database of its own."""
    if request.param == "sqlite":
        yield tmp_path / "ehcp.db"
        return
    template: PostgresUrl = request.getfixturevalue("postgres_template")
    with server.fresh_database(template) as url:
        yield url


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[PostgresUrl]:
    """A PostgreSQL database at the current schema, made once a run, that ``backend`` copies
    (dropped at the end of the run)."""
    reason = server.unreachable_reason()
    if reason is not None:  # only where one is required: it is set aside otherwise
        pytest.fail(server.how_to_run(reason))
    with server.migrated_template() as url:
        yield url


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
