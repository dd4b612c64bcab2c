"""A real PostgreSQL server for the tests that run on it: each test its own new database.

The server is ``EHCP_TEST_POSTGRES_URL`` (default: ``postgres`` on 127.0.0.1:5432, trust
authentication, as on our machines and in CI). Each test gets a database ``ehcp_test_<random>``,
created empty (or, for the tests that run on both databases, as a copy of one migrated once a
run: creating a database from a template is a file copy, a third of the time the migrations
take) and dropped after it, whatever the test did; the template is dropped at the run's end.
Without a server, the tests marked ``postgres`` are not run and one line says so and how to run
them; with ``EHCP_TEST_POSTGRES=required`` (``.ci/run`` sets it) they fail instead.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg

from bot.storage.url import PostgresUrl

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PREFIX = "ehcp_test_"


def admin_url() -> PostgresUrl:
    """The server the tests use, at its ``postgres`` database."""
    return PostgresUrl(os.environ.get("EHCP_TEST_POSTGRES_URL") or DEFAULT_ADMIN_URL)


def required() -> bool:
    """Whether an unreachable server fails the run (CI) rather than skipping its tests."""
    return os.environ.get("EHCP_TEST_POSTGRES", "").strip().lower() == "required"


def unreachable_reason() -> str | None:
    """Why the server cannot be used, or ``None`` when it answers."""
    url = admin_url()
    try:
        psycopg.connect(url.secret, connect_timeout=3).close()
    except psycopg.Error as error:
        return url.redact(" ".join(str(error).split()))[:200]
    return None


def how_to_run(reason: str) -> str:
    """The one line a run without a server prints."""
    return (
        f"PostgreSQL tests not run: no server at {admin_url().masked} ({reason}). Start one "
        "(trust authentication for local connections) or set EHCP_TEST_POSTGRES_URL; "
        "EHCP_TEST_POSTGRES=required makes this a failure (CI)."
    )


@contextmanager
def fresh_database(template: PostgresUrl | None = None) -> Iterator[PostgresUrl]:
    """A new database on the server, empty or a copy of ``template`` (which nothing may be
    connected to), dropped afterwards (connections and all)."""
    admin = admin_url()
    name = f"{PREFIX}{secrets.token_hex(6)}"
    copied = f' TEMPLATE "{template.database_name}"' if template else ""
    with psycopg.connect(admin.secret, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{copied}')
    try:
        parts = urlsplit(admin.secret)
        yield PostgresUrl(urlunsplit(parts._replace(path=f"/{name}")))
    finally:
        with psycopg.connect(admin.secret, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def migrated_template() -> Iterator[PostgresUrl]:
    """A database at the current schema, closed, for ``fresh_database`` to copy."""
    from bot.storage.database import open_database

    with fresh_database() as url:
        open_database(url).close()
        yield url


def leftover_databases() -> list[str]:
    """Test databases still on the server (none, once every test has finished)."""
    with psycopg.connect(admin_url().secret, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{PREFIX}%"]
        ).fetchall()
    return [row[0] for row in rows]
