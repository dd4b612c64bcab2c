"""One migration history for SQLite and PostgreSQL: the same tables and columns from the same
steps, the same rows after each data step, and SQLite's released schema never changed."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlite_utils

from bot.storage.database import Database, open_database
from bot.storage.dialect import POSTGRESQL
from bot.storage.errors import SchemaTooNewError
from bot.storage.migrations import (
    MIGRATIONS,
    SCHEMA_VERSION,
    VERSION_TABLE,
    PerDialect,
    apply_migrations,
    schema_version,
    statement_for,
)
from bot.storage.postgres import PostgresConnection, PostgresDatabase
from bot.storage.url import PostgresUrl

RELEASED = 10
"""The last version released before PostgreSQL: SQLite files in use were made by these steps."""
RELEASED_SQLITE_SCHEMA = "45538c2dae649ed8ce87d0cc0658a790317dd321ad44d4bacb4905616fdd7c9e"
"""sqlite_master after steps 1-10, as 1.0.0 made it (read before the steps were given their
PostgreSQL spellings)."""


def _sqlite_schema_digest(db: sqlite_utils.Database) -> str:
    rows = db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")
    return hashlib.sha256("\n".join(repr(r) for r in rows.fetchall()).encode()).hexdigest()


def test_a_new_sqlite_database_gets_exactly_the_released_schema() -> None:
    db = sqlite_utils.Database(memory=True)

    apply_migrations(db, source="memory", target=RELEASED)

    assert _sqlite_schema_digest(db) == RELEASED_SQLITE_SCHEMA


@pytest.fixture
def pg(postgres: PostgresUrl) -> Iterator[PostgresDatabase]:
    database = open_database(postgres)
    assert isinstance(database, PostgresDatabase)
    yield database
    database.close()


def test_postgresql_is_migrated_from_empty_to_the_latest_version_once(
    pg: PostgresDatabase,
) -> None:
    assert pg.call(schema_version) == SCHEMA_VERSION
    assert pg.call(lambda db: apply_migrations(db, source="again")) == []


def _sqlite_columns(db: sqlite_utils.Database) -> dict[str, list[tuple[str, bool]]]:
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {
        table: [
            (name, bool(notnull or pk))
            for _, name, _, notnull, _, pk in db.execute(f"PRAGMA table_info({table})")
        ]
        for table in tables
    }


def _postgres_columns(db: Any) -> dict[str, list[tuple[str, bool]]]:
    rows = db.execute(
        "SELECT table_name, column_name, is_nullable FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name <> ? ORDER BY table_name, ordinal_position",
        [VERSION_TABLE],
    ).fetchall()
    found: dict[str, list[tuple[str, bool]]] = {}
    for table, column, nullable in rows:
        found.setdefault(table, []).append((column, nullable == "NO"))
    return found


def test_postgresql_has_the_tables_and_columns_sqlite_has(
    pg: PostgresDatabase, tmp_path: Path
) -> None:
    with Database(tmp_path / "ehcp.db") as sqlite:
        expected = sqlite.call(_sqlite_columns)

    found = pg.call(_postgres_columns)

    assert found == expected  # names, order, and NOT NULL (a primary key is never null)
    assert len(found) == 21  # migration 13: leases, downloads, rate_counts


def test_postgresql_has_every_index_sqlite_has_by_name(
    pg: PostgresDatabase, tmp_path: Path
) -> None:
    with Database(tmp_path / "ehcp.db") as sqlite:
        named = sqlite.call(
            lambda db: {
                r[0]
                for r in db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                )
            }
        )

    indexes = pg.call(lambda db: {r[0] for r in db.execute("SELECT indexname FROM pg_indexes")})

    assert len(named) == 19  # migration 14: advice_requests_case
    assert named <= indexes


def test_names_are_unique_whatever_their_case_on_both(pg: PostgresDatabase, tmp_path: Path) -> None:
    def add(db: Any, name: str) -> None:
        db.execute("INSERT INTO services (name, created_at) VALUES (?, 'now')", [name])

    with Database(tmp_path / "ehcp.db") as sqlite:
        for database in (sqlite, pg):
            database.call(lambda db: add(db, "Children's SLT"))
            with pytest.raises((sqlite3.IntegrityError, psycopg.IntegrityError)):
                database.call(lambda db: add(db, "CHILDREN'S slt"))
            database.call(lambda db: add(db, "Children's OT"))  # another name is fine


# Rows as a database at version 6 might hold them: the data steps (7-12) must leave the same
# rows on both. 29 February, and the days around it, are where the two spell dates differently;
# step 11 copies (SQLite) or alters (PostgreSQL) the requests, step 12 works out each transfer's
# last day (a year written with fewer than four digits too) and the days of notice health had.
_BEFORE_7 = [
    "INSERT INTO services (id, name, created_at) VALUES (1, 'SLT', 't'), (2, 'OT', 't')",
    "INSERT INTO assessments (id, service_id, edition, status, started_by, started_at) "
    "VALUES (4, 2, 'e', 'submitted', 'p', 't')",
    "INSERT INTO actions (assessment_id, question, progress, updated_by, updated_at) "
    "VALUES (4, 7, 'on_track', 'p', '2026-01-02'), (4, 3, 'not_started', 'q', '2026-01-01')",
    "INSERT INTO advice_requests (id, case_ref, service_id, received_on, due_on, created_by, "
    "created_at, updated_at) VALUES (12, 'LA-1', 1, '2026-01-01', '2026-02-12', 'p', 't', 't')",
    "INSERT INTO sent_nudges (conversation_id, item_key, step, sent_on) VALUES "
    "('c', 'request:12', 'chase', '2026-02-12'), ('c', 'action:4:7:2026-03-01', 'due', 'd'), "
    "('c', 'assessment:2:2025-01-01', 'refresh', 'd'), ('c', 'other:9', 'x', 'd')",
    "INSERT INTO advice_requests (id, case_ref, service_id, received_on, due_on, returned_on, "
    "outcome, exception_reason, exception_narrative, delay_reason, known_to_service, team_told, "
    "created_by, created_at, updated_at) VALUES (13, 'LA-2', 2, '2026-01-05', '2026-02-16', "
    "'2026-02-20', 'returned', 'absent_from_area', 'away', 'clinic', 1, 0, 'p', 't', 'u')",
    "INSERT INTO annual_reviews (case_ref, plan_issued_on, meeting_on, health_notified_on, "
    "phase_transfer, transfer_year, created_by, created_at, updated_at) VALUES "
    "('T-1', '2024-03-01', '2025-03-01', '2025-01-18', 'school', 2027, 'p', 't', 't'), "
    "('T-2', '2024-03-01', '2024-03-01', '2024-02-29', 'post_16', 2026, 'p', 't', 't'), "
    "('T-3', '2024-03-01', NULL, '2024-02-29', 'school', 999, 'p', 't', 't'), "
    "('T-4', '2024-03-01', '2024-12-31', NULL, NULL, NULL, 'p', 't', 't')",
    *(
        "INSERT INTO annual_reviews (case_ref, plan_issued_on, last_review_on, meeting_on, "
        f"created_by, created_at, updated_at) VALUES ('R-{n}', '{plan}', {last}, {meeting}, "
        "'p', 't', 't')"
        for n, (plan, last, meeting) in enumerate(
            [
                ("2020-02-29", "NULL", "'2024-02-29'"),
                ("2023-03-01", "NULL", "'2023-02-28'"),
                ("2019-01-31", "'2024-03-01'", "NULL"),
                ("2024-02-28", "'2025-12-31'", "'2026-01-01'"),
                ("2021-06-15", "NULL", "NULL"),
            ]
        )
    ),
]
_COMPARED = {
    "annual_reviews": "SELECT * FROM annual_reviews ORDER BY id",
    "sent_nudges": "SELECT * FROM sent_nudges ORDER BY id",
    "action_progress": "SELECT * FROM action_progress ORDER BY id",
    "advice_requests": "SELECT * FROM advice_requests ORDER BY id",
}


def _rows_after_the_data_steps(db: Any) -> dict[str, list[tuple[Any, ...]]]:
    apply_migrations(db, source="test", target=6)
    for statement in _BEFORE_7:
        db.execute(statement)
    apply_migrations(db, source="test")
    return {table: [tuple(r) for r in db.execute(q).fetchall()] for table, q in _COMPARED.items()}


def test_the_data_steps_leave_the_same_rows_on_both(postgres: PostgresUrl, tmp_path: Path) -> None:
    sqlite = sqlite_utils.Database(tmp_path / "old.db")
    expected = _rows_after_the_data_steps(sqlite)
    found = _on_an_empty_postgresql(postgres, _rows_after_the_data_steps)

    assert found == expected
    by_case = {row[1]: (row[13], row[14]) for row in found["annual_reviews"]}
    assert by_case["R-0"] == ("2021-02-28", "2025-02-28")  # 29 February: SQLite's reading
    assert by_case["R-1"] == ("2024-02-29", "2024-02-27")  # into a leap year
    transfers = {
        row[1]: (row[-2], row[-1]) for row in found["annual_reviews"] if row[1].startswith("T-")
    }
    assert transfers == {  # (transfer_by, notice_days)
        "T-1": ("2027-02-14", 42),
        "T-2": ("2026-03-30", 1),
        "T-3": ("0999-02-14", None),
        "T-4": (None, None),
    }
    assert found["advice_requests"][1][-3:] == (None, None, None)  # step 11's new columns
    assert [row[6:] for row in found["sent_nudges"]] == [
        (1, "LA-1"),
        (2, "action for question 7"),
        (2, "self-assessment"),
        (None, None),
    ]


def _on_an_empty_postgresql(url: PostgresUrl, work: Any) -> Any:
    """``work`` on one connection to the database, not migrated first (``open_database``
    would bring it to the latest version before the rows could be put in)."""
    handle = PostgresConnection()
    with psycopg.connect(url.secret, autocommit=True) as conn, handle.holding(conn):
        return work(handle)


def test_instances_starting_together_migrate_once(postgres: PostgresUrl) -> None:
    opened: list[PostgresDatabase] = []
    failed: list[BaseException] = []

    def start() -> None:
        try:
            database = open_database(postgres)
            assert isinstance(database, PostgresDatabase)
            opened.append(database)
        except BaseException as error:
            failed.append(error)

    threads = [threading.Thread(target=start) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert failed == []
    assert [database.call(schema_version) for database in opened] == [SCHEMA_VERSION] * 3
    for database in opened:
        database.close()


def test_a_database_from_a_newer_release_is_refused(postgres: PostgresUrl) -> None:
    with open_database(postgres) as database:
        database.call(lambda db: db.execute(f"UPDATE {VERSION_TABLE} SET version = 99"))

    with pytest.raises(SchemaTooNewError, match="schema 99"):
        open_database(postgres)


_SQLITE_ONLY = re.compile(
    r"COLLATE NOCASE|\bifnull\(|\binstr\(|\bdate\(|\bprintf\(|\bgroup_concat\(|PRAGMA|"
    r"INSERT OR|json_extract",
    re.IGNORECASE,
)


def sqlite_only_in_shared(statements: list[str | PerDialect]) -> list[str]:
    """The statements given once for both databases that PostgreSQL would not understand."""
    return [
        text
        for statement in statements
        if isinstance(statement, str)
        for text in [statement_for(statement, POSTGRESQL) or ""]
        if _SQLITE_ONLY.search(text)
    ]


def test_every_step_is_spelled_for_postgresql_where_sqlite_differs() -> None:
    shared = [statement for migration in MIGRATIONS for statement in migration.statements]

    assert sqlite_only_in_shared(shared) == []
    assert sqlite_only_in_shared(["CREATE INDEX x ON t(a COLLATE NOCASE)", "SELECT 1"]) == [
        "CREATE INDEX x ON t(a COLLATE NOCASE)"
    ]
