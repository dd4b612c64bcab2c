"""The database file: where it lives, how it is opened, migrated, and survives a kill."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.storage.database import Database, database_path
from bot.storage.errors import SchemaTooNewError
from bot.storage.migrations import MIGRATIONS, SCHEMA_VERSION, apply_migrations, schema_version
from bot.storage.store import Store
from ehcp_rules import ActionProgress
from tests.fakes import FakeClock


def test_the_path_comes_from_the_option_then_the_environment_then_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("EHCP_DB", raising=False)
    assert database_path() == tmp_path / "data" / "ehcp.db"
    monkeypatch.setenv("EHCP_DB", str(tmp_path / "env.db"))
    assert database_path() == tmp_path / "env.db"
    assert database_path("cli.db") == tmp_path / "cli.db"


def test_a_new_file_is_created_with_its_folder_in_wal_mode_with_foreign_keys(
    tmp_path: Path,
) -> None:
    path = tmp_path / "new" / "folder" / "ehcp.db"

    with Database(path) as database:
        pragmas = database.call(
            lambda db: [
                db.execute(f"PRAGMA {name}").fetchone()[0]
                for name in ("journal_mode", "foreign_keys", "busy_timeout")
            ]
        )

    assert path.exists()
    assert pragmas == ["wal", 1, 5000]


def test_all_database_work_runs_on_one_owning_thread(tmp_path: Path) -> None:
    with Database(tmp_path / "ehcp.db") as database:
        sync_thread = database.call(lambda db: threading.get_ident())
        async_thread = asyncio.run(database.run(lambda db: threading.get_ident()))

    assert sync_thread == async_thread != threading.get_ident()


async def test_a_slow_query_does_not_block_the_event_loop(tmp_path: Path) -> None:
    loop_ran = threading.Event()

    def slow_query(db: object) -> bool:
        """Waits (on the database's thread) for the event loop to run something else."""
        return loop_ran.wait(timeout=2)

    async def meanwhile() -> None:
        await asyncio.sleep(0)
        loop_ran.set()

    with Database(tmp_path / "ehcp.db") as database:
        saw_the_loop_run, _ = await asyncio.gather(database.run(slow_query), meanwhile())

    assert saw_the_loop_run  # a run() that blocked the loop would wait out the 2 s: False


def test_an_empty_file_is_migrated_to_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "ehcp.db"
    sqlite3.connect(path).close()

    with Database(path) as database:
        version = database.call(schema_version)
        tables = database.call(lambda db: set(db.table_names()))

    assert version == SCHEMA_VERSION
    assert {"services", "roles", "answers", "advice_requests", "bot_state", "audit"} <= tables


def test_a_database_from_the_previous_version_is_upgraded_keeping_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    import sqlite_utils

    old = sqlite_utils.Database(path)
    apply_migrations(old, source="old.db", target=SCHEMA_VERSION - 1)
    old.execute("INSERT INTO services (name, created_at) VALUES ('CAMHS', '2026-01-01')")
    old.execute("PRAGMA user_version")  # still the previous version
    old.conn.commit()
    old.close()

    with Store.open(path, clock=FakeClock()) as store:
        names = store.call(lambda r: [s.name for s in r.services.all()])
        version = store.database.call(schema_version)

    assert names == ["CAMHS"]
    assert version == SCHEMA_VERSION == MIGRATIONS[-1].version


def test_an_action_plan_from_before_workstreams_and_history_is_upgraded(tmp_path: Path) -> None:
    """A plan saved before actions had their text, workstream and progress history keeps its
    leads, dates and ratings, and starts its history at its rating as it stood."""
    import sqlite_utils

    step = next(m for m in MIGRATIONS if "workstream" in m.description)
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    apply_migrations(old, source="old.db", target=step.version - 1)
    old.execute("INSERT INTO services (id, name, created_at) VALUES (1, 'CAMHS', '2026-01-01')")
    old.execute(
        "INSERT INTO assessments (id, service_id, edition, status, started_by, started_at, "
        "submitted_by, submitted_at, rag) VALUES (1, 1, 'east-of-england', 'submitted', 'a', "
        "'2026-10-01T09:00:00+00:00', 'a', '2026-10-02T09:00:00+00:00', 'red')"
    )
    old.execute(
        "INSERT INTO answers (assessment_id, question, rating, comment, answered_by, answered_at)"
        " VALUES (1, 4, 'no', '', 'a', '2026-10-01T09:00:00+00:00')"
    )
    old.execute(
        "INSERT INTO actions (assessment_id, question, owner, target_date, progress, updated_by, "
        "updated_at) VALUES (1, 4, 'Team lead', '2027-03-31', 'on_track', 'a', "
        "'2026-10-20T09:00:00+00:00')"
    )
    old.conn.commit()
    old.close()

    with Store.open(path, clock=FakeClock()) as store:
        (action,) = store.call(lambda r: r.assessments.actions(1))

    assert (action.owner, action.target_date) == ("Team lead", date(2027, 3, 31))
    assert (action.action, action.workstream) == (None, None)
    assert [(h.progress, h.on) for h in action.history] == [
        (ActionProgress.ON_TRACK, date(2026, 10, 20))
    ]


def test_a_database_from_a_newer_version_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()

    with pytest.raises(SchemaTooNewError, match="written by a newer version"):
        Database(path)


_WRITER = textwrap.dedent(
    """
    import sys
    from bot.storage.store import Store
    from ehcp_rules import Rating
    from tests.fakes import FakeClock

    store = Store.open(__import__("pathlib").Path(sys.argv[1]), clock=FakeClock())
    service = store.call(lambda r: r.services.add("SLT", provider=None, actor="w"))
    assessment, _ = store.call(
        lambda r: r.assessments.start_or_resume(service.id, edition="east-of-england", actor="w")
    )
    n = 0
    while True:
        n += 1
        question = n % 23 + 1
        store.call(lambda r: r.assessments.record_answer(
            assessment.id, question, Rating.YES, f"answer {n}", actor="w"))
        print(n, flush=True)
    """
)


def test_a_process_killed_while_writing_answers_loses_no_committed_answer(tmp_path: Path) -> None:
    path = tmp_path / "killed.db"
    acknowledged = 0
    with subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path)], stdout=subprocess.PIPE, text=True
    ) as writer:
        assert writer.stdout is not None
        deadline = time.monotonic() + 60
        while acknowledged < 200 and time.monotonic() < deadline:
            acknowledged = int(writer.stdout.readline())
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()

    with Store.open(path, clock=FakeClock()) as store:
        kept = store.database.call(
            lambda db: db.execute("SELECT count(*) FROM answers").fetchone()[0]
        )
        integrity = store.database.call(
            lambda db: db.execute("PRAGMA integrity_check").fetchone()[0]
        )

    assert acknowledged >= 200
    assert kept >= acknowledged
    assert integrity == "ok"


def test_review_by_dates_filled_in_on_upgrade_are_those_the_rules_give(tmp_path: Path) -> None:
    """Migrations 7 and 11 compute each plan's review-by dates, a transfer's last day and the
    notice health had in SQL; new writes use the rules. Every start day over four years (leap
    days, month ends) gives the same values both ways."""
    import sqlite_utils

    from bot.storage.reviews import derived_review_columns
    from ehcp_rules import AnnualReviewRecord, PhaseTransfer

    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    apply_migrations(old, source="old.db", target=6)
    days = [date(2023, 1, 1) + timedelta(days=n) for n in range(4 * 366)]
    records = [
        AnnualReviewRecord(
            case_ref=f"EHC-{n:05d}",
            service_ids=(),
            plan_issued_on=day,
            last_review_on=day if n % 3 == 0 else None,
            meeting_on=day + timedelta(days=n % 40) if n % 2 else None,
            health_notified_on=day + timedelta(days=n % 7) if n % 2 and n % 5 else None,
            phase_transfer=[None, PhaseTransfer.SCHOOL, PhaseTransfer.POST_16][n % 3],
            transfer_year=2024 + n % 5 if n % 3 else None,
        )
        for n, day in enumerate(days)
    ]
    for record in records:
        old.execute(
            "INSERT INTO annual_reviews (case_ref, plan_issued_on, last_review_on, meeting_on, "
            "health_notified_on, phase_transfer, transfer_year, created_by, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'test', '', '')",
            [
                record.case_ref,
                record.plan_issued_on.isoformat(),
                record.last_review_on.isoformat() if record.last_review_on else None,
                record.meeting_on.isoformat() if record.meeting_on else None,
                record.health_notified_on.isoformat() if record.health_notified_on else None,
                record.phase_transfer,
                record.transfer_year,
            ],
        )
    old.conn.commit()
    old.close()

    with Store.open(path, clock=FakeClock()) as store:
        stored = store.call(
            lambda r: r.db.execute(
                "SELECT case_ref, anchor_review_by, meeting_review_by, transfer_by, notice_days "
                "FROM annual_reviews"
            ).fetchall()
        )

    expected = {r.case_ref: tuple(derived_review_columns(r).values()) for r in records}
    assert {ref: tuple(rest) for ref, *rest in stored} == expected
    assert len({values[2] for values in expected.values()}) > 5  # transfers of several years


def test_rebuilding_the_reviews_keeps_every_review_its_services_and_its_dates(
    tmp_path: Path,
) -> None:
    """Migration 9 rebuilds ``annual_reviews`` (which ``review_services`` refers to, with
    ON DELETE CASCADE): done with foreign keys on, it would have emptied review_services."""
    import sqlite_utils

    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    old.execute("PRAGMA foreign_keys=ON")
    apply_migrations(old, source="old.db", target=8)
    old.execute("INSERT INTO services (name, created_at) VALUES ('CAMHS', ''), ('SLT', '')")
    old.execute(
        "INSERT INTO annual_reviews (case_ref, plan_issued_on, created_by, created_at, "
        "updated_at, anchor_review_by) VALUES ('EHC-1', '2026-03-01', 't', '', '', '2027-02-28')"
    )
    old.execute("INSERT INTO review_services (review_id, service_id) VALUES (1, 1), (1, 2)")
    old.conn.commit()
    old.close()

    with Store.open(path, clock=FakeClock()) as store:
        (kept,) = store.call(lambda r: r.reviews.for_services(None))
        anchor = store.call(
            lambda r: r.db.execute("SELECT anchor_review_by FROM annual_reviews").fetchone()[0]
        )
        fks = store.call(lambda r: r.db.execute("PRAGMA foreign_keys").fetchone()[0])

    assert (kept.case_ref, kept.service_ids, anchor) == ("EHC-1", (1, 2), "2027-02-28")
    assert fks == 1  # back on after the rebuild


def test_the_database_its_journal_files_and_its_folder_are_the_owners_only(
    tmp_path: Path,
) -> None:
    old_umask = os.umask(0o022)  # a typical server's: files world-readable unless we say
    try:
        with Store.open(tmp_path / "data" / "ehcp.db", clock=FakeClock()) as store:
            store.call(lambda r: r.services.add("CAMHS", provider=None, actor="t"))
            modes = {
                path.name: stat.S_IMODE(path.stat().st_mode)
                for path in (tmp_path / "data").iterdir()
            }
    finally:
        os.umask(old_umask)

    assert modes == {"ehcp.db": 0o600, "ehcp.db-wal": 0o600, "ehcp.db-shm": 0o600}
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
