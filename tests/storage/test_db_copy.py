"""``ehcp-bot db copy``: a SQLite deployment moved into an empty PostgreSQL database on a real
server, row for row (the demo, and an edge-case set: unicode, long comments, NULLs, dates, ids
with gaps), with the identity sequences past the copied ids, the counts (and, once the summary
runs on PostgreSQL, the summary) checked, anything different rolled back, and the password never
shown."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlite_utils

from bot.cli.main import main
from bot.storage import copy as copying
from bot.storage.copy import CopyReport, SummaryCheck, TableCount, copy_to_postgres
from bot.storage.migrations import SCHEMA_VERSION, VERSION_TABLE, apply_migrations
from bot.storage.store import Store
from bot.storage.url import PostgresUrl
from tests.fakes import FakeClock

PASSWORD = "n0t-shown-Pw"


def _with_password(url: PostgresUrl) -> str:
    """The test database's URL with a password in it (trust authentication ignores it)."""
    return url.secret.replace("postgresql://postgres@", f"postgresql://postgres:{PASSWORD}@", 1)


def _sqlite_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(path) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables
        }


def _postgres_rows(url: PostgresUrl, tables: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    with psycopg.connect(url.secret) as conn:
        found = {}
        for table in tables:
            columns = [
                r[0]
                for r in conn.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                    "AND table_schema = current_schema() ORDER BY ordinal_position",
                    [table],
                )
            ]
            names = ", ".join(f'"{c}"' for c in columns)
            rows = conn.execute(f'SELECT {names} FROM "{table}"').fetchall()
            found[table] = sorted((tuple(r) for r in rows), key=repr)
        return found


def _sqlite_in_postgres_order(path: Path, url: PostgresUrl) -> dict[str, list[tuple[Any, ...]]]:
    """The SQLite rows with their columns in PostgreSQL's order (a column added by a later step
    comes last on both, so the orders agree; this checks it)."""
    rows = _sqlite_rows(path)
    with sqlite3.connect(path) as lite, psycopg.connect(url.secret) as pg:
        for table in rows:
            theirs = [
                r[0]
                for r in pg.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                    "AND table_schema = current_schema() ORDER BY ordinal_position",
                    [table],
                )
            ]
            names = ", ".join(f'"{c}"' for c in theirs)
            rows[table] = sorted(
                lite.execute(f'SELECT {names} FROM "{table}"').fetchall(), key=repr
            )
    return rows


def _one(conn: psycopg.Connection[Any], sql: str) -> Any:
    """The one value ``sql`` gives."""
    row = conn.execute(sql.encode()).fetchone()  # bytes: a query built by a test
    assert row is not None
    return row[0]


def _demo(path: Path) -> None:
    assert main(["demo", "--db", str(path), "--today", "2026-11-23"]) == 0


def _target_tables(url: PostgresUrl) -> dict[str, int]:
    with psycopg.connect(url.secret) as conn:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND table_name <> %s",
                [VERSION_TABLE],
            )
        ]
        return {n: _one(conn, f'SELECT count(*) FROM "{n}"') for n in names}


def test_the_demo_is_copied_row_for_row_and_the_password_is_never_shown(
    postgres: PostgresUrl, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "ehcp.db"
    _demo(source)
    capsys.readouterr()

    code = main(["db", "copy", "--db", str(source), "--to", _with_password(postgres)])

    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert PASSWORD not in out + err
    assert "postgres:***@" in out
    expected = _sqlite_in_postgres_order(source, postgres)
    assert _postgres_rows(postgres, list(expected)) == expected
    for table, rows in expected.items():  # one line per table, in the order copied
        assert f"  {table}: {len(rows):,} rows copied, {len(rows):,} in PostgreSQL (same)" in out
    assert expected["advice_requests"] and expected["answers"] and expected["audit"]
    assert out.index("  services:") < out.index("  advice_requests:")  # referred to, first
    assert out.index("  assessments:") < out.index("  answers:")
    assert "  summary: same: the DCO summary" in out
    assert out.strip().splitlines()[-1].startswith("Copied ")
    with psycopg.connect(postgres.secret) as conn:
        assert _one(conn, f"SELECT version FROM {VERSION_TABLE}") == SCHEMA_VERSION
        # analysed, as a bulk load should be: the planner has statistics to plan from
        for table in ("advice_requests", "answers", "audit"):
            assert _one(conn, f"SELECT count(*) FROM pg_stats WHERE tablename = '{table}'")


def _edge_cases(path: Path) -> None:
    """Unicode, a very long comment, NULLs, dates, and ids with gaps, written as the product
    writes them, then with some rows deleted."""
    clock = FakeClock()
    with Store.open(path, clock=clock) as store:

        def write(r: Any) -> None:
            with r.db.atomic():
                _write(r.db)

        def _write(db: Any) -> None:
            for sid, name in ((3, "Ysbyty Gwynedd — Gwasanaeth Plant"), (40, "東京 CAMHS 😀")):
                db.execute(
                    "INSERT INTO services (id, name, provider, created_at) VALUES (?, ?, NULL, ?)",
                    [sid, name, "2026-01-02T03:04:05+00:00"],
                )
            db.execute(
                "INSERT INTO services (id, name, provider, created_at) VALUES (1000, 'عيادة', "
                "'Trust ''quoted'' \\ back\\slash', '2026-11-23T00:00:00+00:00')"
            )
            assessment = 77
            db.execute(
                "INSERT INTO assessments (id, service_id, edition, status, started_by, "
                "started_at) VALUES (77, 40, 'east-of-england', 'in_progress', 'x', '2026-02-28')"
            )
            long_comment = ("Ünïcödé evidence, tab\there, newline\nthere. " * 3000)[:100_000]
            db.execute(
                "INSERT INTO answers (assessment_id, question, rating, comment, answered_by, "
                "answered_at) VALUES (?, 1, 'yes', ?, 'x', '2026-02-28T10:00:00+00:00')",
                [assessment, long_comment],
            )
            db.execute(
                "INSERT INTO answers (assessment_id, question, rating, comment, answered_by, "
                "answered_at) VALUES (?, 2, 'no', '', 'x', '2024-02-29T23:59:59+00:00')",
                [assessment],
            )
            for n in range(1, 60):  # spans several batches of the copy (see BATCH_ROWS below)
                db.execute(
                    "INSERT INTO audit (id, at, actor, action, entity, entity_id, details) "
                    "VALUES (?, '2026-11-23T12:00:00+00:00', 'cli:x', 'edge', 'service', NULL, ?)",
                    [n * 7, '{"note": "é\\u00e9 \\"q\\""}'],
                )
            db.execute("DELETE FROM audit WHERE id IN (14, 70)")
            db.execute("DELETE FROM services WHERE id = 3")

        store.call(write)


def test_edge_cases_survive_and_new_rows_get_ids_past_the_copied_ones(
    postgres: PostgresUrl, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "edge.db"
    _edge_cases(source)
    monkeypatch.setattr(copying, "BATCH_ROWS", 7)  # 57 audit rows: batches and a part batch

    behind_pgbouncer = PostgresUrl(f"{postgres.secret}?prepare_threshold=none")
    report = copy_to_postgres(source, behind_pgbouncer, clock=FakeClock())

    assert report.committed
    expected = _sqlite_in_postgres_order(source, postgres)
    assert _postgres_rows(postgres, list(expected)) == expected
    assert len(expected["audit"]) == 57
    with psycopg.connect(postgres.secret) as conn:
        long = _one(conn, "SELECT comment FROM answers WHERE question = 1")
        assert len(long) == 100_000 and long.startswith("Ünïcödé")
        assert _one(conn, "SELECT comment FROM answers WHERE question = 2") == ""
        names = [r[0] for r in conn.execute("SELECT name FROM services ORDER BY id")]
        assert names == ["東京 CAMHS 😀", "عيادة"]
        new_service = _one(
            conn, "INSERT INTO services (name, created_at) VALUES ('New', 'x') RETURNING id"
        )
        new_audit = _one(
            conn,
            "INSERT INTO audit (at, actor, action, entity) VALUES ('x', 'x', 'x', 'x') "
            "RETURNING id",
        )
        new_review = _one(
            conn,
            "INSERT INTO annual_reviews (case_ref, plan_issued_on, created_by, created_at, "
            "updated_at) VALUES ('R1', '2026-01-01', 'x', 'x', 'x') RETURNING id",
        )
    assert (new_service, new_audit, new_review) == (1001, 59 * 7 + 1, 1)


def test_a_target_that_is_not_empty_is_refused_and_left_alone(
    postgres: PostgresUrl, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "ehcp.db"
    _demo(source)
    assert main(["db", "copy", "--db", str(source), "--to", postgres.secret]) == 0
    before = _target_tables(postgres)
    capsys.readouterr()

    code = main(["db", "copy", "--db", str(source), "--to", _with_password(postgres)])

    err = capsys.readouterr().err
    assert code == 2
    assert "is not empty" in err and "have rows" in err and "nothing was changed" in err
    assert PASSWORD not in err
    assert _target_tables(postgres) == before


def test_a_target_with_tables_of_its_own_is_refused(
    postgres: PostgresUrl, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "ehcp.db"
    _demo(source)
    with psycopg.connect(postgres.secret, autocommit=True) as conn:
        conn.execute("CREATE TABLE payroll (id integer)")
    capsys.readouterr()

    assert main(["db", "copy", "--db", str(source), "--to", postgres.secret]) == 2

    assert "tables that are not the EHCP assistant's (payroll)" in capsys.readouterr().err
    assert _target_tables(postgres) == {"payroll": 0}


def test_an_empty_target_already_migrated_by_the_bot_is_accepted(
    postgres: PostgresUrl, tmp_path: Path
) -> None:
    source = tmp_path / "ehcp.db"
    _demo(source)
    Store.open(postgres, clock=FakeClock()).close()  # serve would

    assert copy_to_postgres(source, postgres, clock=FakeClock()).committed


def test_a_source_at_another_schema_version_is_refused_before_anything_is_written(
    postgres: PostgresUrl, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "old.db"
    conn = sqlite3.connect(source)
    apply_migrations(sqlite_utils.Database(conn), source="t", target=SCHEMA_VERSION - 1)
    conn.close()

    assert main(["db", "copy", "--db", str(source), "--to", postgres.secret]) == 2

    err = capsys.readouterr().err
    assert f"is at database schema {SCHEMA_VERSION - 1}, older than this ehcp-bot's" in err
    assert _target_tables(postgres) == {}
    with sqlite3.connect(source) as conn:  # and the source was not upgraded by the copy
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION - 1


def test_a_missing_source_is_refused_not_created(
    postgres: PostgresUrl, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nothing.db"

    assert main(["db", "copy", "--db", str(missing), "--to", postgres.secret]) == 2

    assert f"there is no SQLite database at {missing}" in capsys.readouterr().err
    assert not missing.exists()


def test_any_difference_rolls_the_whole_copy_back_and_exits_1(
    postgres: PostgresUrl,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = tmp_path / "ehcp.db"
    _demo(source)
    real = copying._copy_table

    def losing_a_row(reader: Any, writer: Any, table: str) -> None:
        """As a copy that dropped an answer would be."""
        real(reader, writer, table)
        if table == "answers":
            writer.execute("DELETE FROM answers WHERE id = (SELECT min(id) FROM answers)")

    monkeypatch.setattr(copying, "_copy_table", losing_a_row)
    capsys.readouterr()

    code = main(["db", "copy", "--db", str(source), "--to", _with_password(postgres)])

    out, err = capsys.readouterr()
    assert code == 1
    assert "(DIFFERENT)" in out and "  answers: " in out
    assert "NOT COPIED: answers differed, so nothing was committed" in err
    assert PASSWORD not in out + err
    assert set(_target_tables(postgres).values()) == {0}  # migrated, and empty again
    assert main(["db", "copy", "--db", str(source), "--to", postgres.secret]) == 1  # still lossy
    monkeypatch.setattr(copying, "_copy_table", real)
    assert main(["db", "copy", "--db", str(source), "--to", postgres.secret]) == 0  # so retry


def test_an_unreachable_target_is_named_without_its_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "ehcp.db"
    _demo(source)
    capsys.readouterr()

    code = main(
        ["db", "copy", "--db", str(source), "--to", f"postgresql://u:{PASSWORD}@127.0.0.1:1/x"]
    )

    err = capsys.readouterr().err
    assert code == 2
    assert "could not be reached" in err and "postgresql://u:***@127.0.0.1:1/x" in err
    assert PASSWORD not in err


def test_the_source_must_be_sqlite_and_the_target_postgresql(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = f"postgresql://u:{PASSWORD}@127.0.0.1:1/x"
    assert main(["db", "copy", "--db", url, "--to", url]) == 2
    err = capsys.readouterr().err
    assert "the source must be a SQLite file" in err and PASSWORD not in err
    with pytest.raises(SystemExit) as exit_info:
        main(["db", "copy", "--to", "data/other.db"])
    assert exit_info.value.code == 2
    assert "the target must be a postgresql:// URL" in capsys.readouterr().err


def test_a_different_summary_is_a_difference() -> None:
    counts = (TableCount("services", 3, 3),)
    same = CopyReport("t", counts, SummaryCheck(True, True, "x"))
    differs = CopyReport("t", counts, SummaryCheck(True, False, "x"))
    not_run = CopyReport("t", counts, SummaryCheck(False, False, "left out"))

    assert same.committed and not_run.committed and not differs.committed
    assert "the summary" in differs.verdict()
    assert "(the summary was not compared)" in not_run.verdict()
    assert copying._first_difference('{\n "a": 1,\n "b": 2\n}', '{\n "a": 1,\n "b": 3\n}') == (
        'SQLite has "b": 2, PostgreSQL "b": 3'
    )


def test_the_summary_is_the_same_after_the_copy(postgres: PostgresUrl, tmp_path: Path) -> None:
    source = tmp_path / "ehcp.db"
    _demo(source)

    report = copy_to_postgres(source, postgres, clock=FakeClock())

    assert report.summary.compared and report.summary.same, report.summary.detail
    assert report.committed


def test_summaries_that_differ_only_in_the_order_of_a_counts_groups_are_the_same(
    tmp_path: Path,
) -> None:
    """The national copy was refused as "DIFFERENT" when PostgreSQL returned the overdue
    requests' rungs in another order than SQLite (the same counts, another key order)."""
    from bot.cli.demo import load_demo
    from bot.files.tables import as_json
    from ehcp_rules import parse_period

    today = FakeClock().today()
    with Store.open(tmp_path / "ehcp.db", clock=FakeClock()) as store:
        store.call(lambda r: load_demo(r, today))
        summary = store.call(lambda r: r.summaries.summary(parse_period(None, today), today))
    steps = summary.overdue_by_step
    assert len(steps) > 1  # the test can fail: there is an order to change
    reordered = summary.model_copy(update={"overdue_by_step": dict(reversed(steps.items()))})
    changed = summary.model_copy(update={"overdue_by_step": {**steps, "Chase": 99}})

    assert as_json(summary) != as_json(reordered)  # as text, which the copy compared before
    assert copying.summary_difference(summary, reordered) is None
    assert '"Chase": 99' in (copying.summary_difference(summary, changed) or "")
