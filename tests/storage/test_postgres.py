"""PostgreSQL behind the same surface: placeholders translated safely, the dialect's spellings
giving the same answers on both databases, a URL's password never shown, and the product
(command line, check, readiness) running on PostgreSQL as on SQLite."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.check.findings import Severity
from bot.check.run import all_findings
from bot.cli.main import main
from bot.config import Settings
from bot.storage.database import Database, database_target, open_database
from bot.storage.dialect import SQLITE, Dialect, dialect_of
from bot.storage.migrations import VERSION_TABLE
from bot.storage.postgres import DatabaseUnavailableError, PostgresDatabase, to_pyformat
from bot.storage.store import Store
from bot.storage.url import PostgresUrl
from bot.teams.app import create_app
from tests import builders
from tests.fakes import FakeClock

SECRET = "s3cr%t:pw"
WITH_PASSWORD = "postgresql://ehcp:s3cr%25t%3Apw@127.0.0.1:1/ehcp?sslmode=require"


@pytest.mark.parametrize(
    ("sqlite", "postgresql"),
    [
        ("SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = %s AND c = %s"),
        ("SELECT '?', \"a?\" FROM t WHERE b = ?", "SELECT '?', \"a?\" FROM t WHERE b = %s"),
        ("SELECT 'it''s ?' WHERE x = ?", "SELECT 'it''s ?' WHERE x = %s"),
        ("SELECT 1 -- why?\nWHERE x = ?", "SELECT 1 -- why?\nWHERE x = %s"),
        ("SELECT /* a ? b */ ?", "SELECT /* a ? b */ %s"),
        ("WHERE d <= :today AND e = :in6weeks", "WHERE d <= %(today)s AND e = %(in6weeks)s"),
        ("SELECT CAST(x AS date), x::date, ':not'", "SELECT CAST(x AS date), x::date, ':not'"),
        ("WHERE k LIKE 'request:%' AND n % 2 = ?", "WHERE k LIKE 'request:%%' AND n %% 2 = %s"),
        ("SELECT 1", "SELECT 1"),
    ],
)
def test_placeholders_are_translated_outside_literals_names_and_comments(
    sqlite: str, postgresql: str
) -> None:
    assert to_pyformat(sqlite) == postgresql


def test_a_dollar_quoted_string_is_refused_rather_than_misread() -> None:
    with pytest.raises(ValueError, match="dollar-quoted"):
        to_pyformat("SELECT $$?$$")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def either(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database | Any]:
    """A migrated database of each kind."""
    target = (
        tmp_path / "ehcp.db" if request.param == "sqlite" else request.getfixturevalue("postgres")
    )
    with open_database(target) as database:
        yield database


def _spelled(db: Any) -> tuple[Any, ...]:
    """Queries written once, with the dialect's spellings, run on ``db``."""
    dialect = dialect_of(db)
    db.execute(
        "INSERT INTO services (name, created_at) VALUES (?, ?), (?, ?), (?, ?)",
        ["SLT", "t", "OT", "t", "Physio", "t"],
    )
    db.execute(
        "INSERT INTO conversations (id, kind, reference, updated_at) VALUES (?, ?, ?, ?)",
        ["c1", "personal", json.dumps({"user": {"aadObjectId": "AB-12"}}), "t"],
    )
    found = db.execute(
        f"SELECT id FROM services WHERE {dialect.nocase('name')} = {dialect.nocase('?')}", ["slt"]
    ).fetchone()
    joined = db.execute(
        f"SELECT {dialect.group_concat('id', distinct=True)} FROM services WHERE id < :most",
        {"most": 3},
    ).fetchone()
    user = db.execute(
        f"SELECT lower({dialect.json_text('reference', 'user', 'aadObjectId')}) FROM conversations"
    ).fetchone()
    flags = db.execute("SELECT ? + ?", [True, False]).fetchone()
    return (found[0], sorted(joined[0].split(",")), user[0], flags[0])


def test_the_dialects_spellings_give_the_same_answers(either: Database | Any) -> None:
    assert either.call(_spelled) == (1, ["1", "2"], "ab-12", 1)
    assert either.dialect == dialect_of(either.call(lambda db: db))


def test_a_json_path_is_plain_names_only() -> None:
    with pytest.raises(ValueError, match="plain name"):
        SQLITE.json_text("reference", "user') OR 1=1 --")
    assert (
        Dialect("postgresql").json_text("r", "user", "id") == "(CAST(r AS jsonb) #>> '{user,id}')"
    )


def test_a_connection_strings_password_is_never_shown() -> None:
    url = PostgresUrl(WITH_PASSWORD)
    error = f"failed for {WITH_PASSWORD}: password {SECRET} and s3cr%25t%3Apw refused"

    shown = [str(url), repr(url), url.masked, url.redact(error)]
    settings = Settings.from_environment({"EHCP_DB": WITH_PASSWORD}, env_file=None)

    assert url.masked == "postgresql://ehcp:***@127.0.0.1:1/ehcp?sslmode=require"
    assert all(SECRET not in text and "s3cr%25t" not in text for text in shown)
    assert url.secret == WITH_PASSWORD  # the driver gets it whole
    assert settings.db == url and SECRET not in repr(settings) and "s3cr" not in repr(settings)
    query = PostgresUrl("postgres://h/db?password=hunter2&sslmode=require")
    assert query.masked == "postgres://h/db?password=***&sslmode=require"
    assert PostgresUrl("postgresql://h:5432/ehcp").masked == "postgresql://h:5432/ehcp"


def test_a_url_names_postgresql_and_a_path_or_nothing_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EHCP_DB", "postgresql://db.example/ehcp")

    assert database_target() == PostgresUrl("postgresql://db.example/ehcp")
    assert database_target("local.db") == tmp_path / "local.db"
    monkeypatch.delenv("EHCP_DB")
    assert database_target() == tmp_path / "data" / "ehcp.db"
    assert Settings.from_environment({"EHCP_DB": "x.db"}, env_file=None).db == Path("x.db")


def test_an_unreachable_server_is_one_line_without_the_password() -> None:
    with pytest.raises(DatabaseUnavailableError) as raised:
        open_database(PostgresUrl(WITH_PASSWORD))

    message = str(raised.value)
    assert message.startswith("PostgreSQL at postgresql://ehcp:***@127.0.0.1:1/ehcp")
    assert SECRET not in message and "s3cr" not in message and "\n" not in message


def test_the_command_line_runs_on_postgresql(
    postgres: PostgresUrl, capsys: pytest.CaptureFixture[str]
) -> None:
    added = main(
        ["services", "add", "Children's SLT", "--provider", "Trust A", "--db", postgres.secret]
    )
    again = main(["services", "add", "children's slt", "--db", postgres.secret])
    listed = main(["services", "list", "--db", postgres.secret])

    out, err = capsys.readouterr()
    assert (added, listed) == (0, 0) and again != 0
    assert "Children's SLT" in out and "already a service" in err


def test_an_unreachable_server_is_one_finding_without_the_password(clock: FakeClock) -> None:
    found = all_findings({}, db=WITH_PASSWORD, clock=clock)

    about = [f for f in found if f.topic == "database"]
    assert [f.severity for f in about] == [Severity.PROBLEM]
    assert "could not be reached" in about[0].text
    assert "ehcp:***@" in about[0].text and "s3cr" not in about[0].text


def test_check_reads_a_postgresql_database_as_a_file(
    postgres: PostgresUrl, clock: FakeClock
) -> None:
    empty = all_findings({}, db=postgres.secret, clock=clock)
    open_database(postgres).close()
    current = all_findings({}, db=postgres.secret, clock=clock)
    with Store.open(postgres, clock=clock) as store:
        store.call(lambda r: r.services.add("Children's SLT", provider=None, actor="admin"))
    with_service = all_findings({}, db=postgres.secret, clock=clock)

    assert [f.text for f in empty if f.severity is Severity.WARNING] == [
        f"{postgres.masked} is empty: serve creates the schema"
    ]
    assert any(f.severity is Severity.OK and "the current one" in f.text for f in current)
    problems = {f.topic: f.text for f in current if f.severity is Severity.PROBLEM}
    assert problems["services"].startswith("none yet")
    assert problems["roles"].startswith("no administrator") or "no DCO" in problems["roles"]
    services = next(f for f in with_service if f.topic == "services")
    assert services.severity is Severity.PROBLEM
    assert "1 of 1 without a channel for their nudges: Children's SLT" in services.text


async def test_readiness_on_postgresql(postgres: PostgresUrl, clock: FakeClock) -> None:
    store = Store.open(postgres, clock=clock)
    assert isinstance(store.database, PostgresDatabase)
    async with TestClient(TestServer(create_app(builders.settings(), store=store))) as client:
        ready = await client.get("/readyz")
        alive = await client.get("/healthz")
        store.call(lambda r: r.db.execute(f"UPDATE {VERSION_TABLE} SET version = 1"))
        behind = await client.get("/readyz")
        store.close()
        gone = await client.get("/readyz")

        assert ready.status == 200 and (await ready.json())["status"] == "ready"
        assert (await alive.json())["database"] == postgres.database_name
        assert behind.status == 503 and (await behind.json())["reason"] == "schema"
        assert gone.status == 503 and (await gone.json())["reason"] == "database"
