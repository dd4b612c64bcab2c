"""PgBouncer in transaction mode: ``prepare_threshold=none`` in the PostgreSQL URL stops psycopg
preparing statements on the server (a statement prepared on one server connection would be
looked for on another); without it, psycopg's default (prepare after 5 runs) stands. The
parameter is the product's, so libpq never sees it."""

from __future__ import annotations

from typing import Any

import pytest

from bot.cli.main import main
from bot.storage.postgres import PostgresDatabase
from bot.storage.url import DEFAULT_PREPARE_THRESHOLD, PostgresUrl


@pytest.mark.parametrize(
    ("query", "threshold", "conninfo_query"),
    [
        ("", DEFAULT_PREPARE_THRESHOLD, ""),
        ("?sslmode=verify-full", DEFAULT_PREPARE_THRESHOLD, "?sslmode=verify-full"),
        ("?prepare_threshold=none", None, ""),
        (
            "?sslmode=require&prepare_threshold=None&sslrootcert=%2Fca.pem",
            None,
            "?sslmode=require&sslrootcert=%2Fca.pem",
        ),
        ("?prepare_threshold=0", 0, ""),
        ("?prepare_threshold=12&application_name=ehcp", 12, "?application_name=ehcp"),
    ],
)
def test_the_threshold_is_read_from_the_url_and_kept_from_libpq(
    query: str, threshold: int | None, conninfo_query: str
) -> None:
    url = PostgresUrl(f"postgresql://ehcp:pw@db.example:6432/ehcp{query}")

    assert url.prepare_threshold == threshold
    assert url.conninfo == f"postgresql://ehcp:pw@db.example:6432/ehcp{conninfo_query}"
    assert "pw" not in url.masked


def test_a_bad_threshold_is_one_line_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql://ehcp:s3cret@127.0.0.1:1/ehcp?prepare_threshold=off"

    assert main(["services", "list", "--db", url]) == 2

    err = capsys.readouterr().err
    assert "prepare_threshold in the PostgreSQL URL must be none" in err
    assert "not 'off'" in err and "s3cret" not in err


def _prepared_after_repeats(url: PostgresUrl) -> int:
    """How many statements the server holds prepared for a connection that ran one query 8
    times."""

    def work(db: Any) -> int:
        for n in range(8):
            db.execute("SELECT ? + 1", [n]).fetchone()
        return int(db.execute("SELECT count(*) FROM pg_prepared_statements").fetchone()[0])

    with PostgresDatabase(url, pool_size=1) as database:
        return database.call(work)


def test_psycopg_prepares_repeated_statements_by_default(postgres: PostgresUrl) -> None:
    assert _prepared_after_repeats(postgres) >= 1


def test_prepare_threshold_none_prepares_nothing(postgres: PostgresUrl) -> None:
    url = PostgresUrl(f"{postgres.secret}?prepare_threshold=none")

    assert _prepared_after_repeats(url) == 0
