"""Which database a benchmark runs on: SQLite (a file in a temporary folder), PostgreSQL (a new
database on a server, dropped afterwards), or both in the same run.

PostgreSQL is the server at ``--postgres-url`` (else ``EHCP_BENCH_POSTGRES_URL``, else
``postgres`` on 127.0.0.1:5432 with trust authentication, as on our machines): each measurement
gets a database ``ehcp_bench_<random>`` made from it, dropped when the measurement is done.

Every step runs on both: a failure on either is a failure of the run.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit, urlunsplit

import psycopg

from bot.storage.url import PostgresUrl

Backend = Literal["sqlite", "postgresql"]
BACKENDS: tuple[Backend, ...] = ("sqlite", "postgresql")
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PREFIX = "ehcp_bench_"

T = TypeVar("T")


def chosen(name: str) -> tuple[Backend, ...]:
    """``sqlite``, ``postgresql`` or ``both``, as the backends to run."""
    if name == "both":
        return BACKENDS
    if name in BACKENDS:
        return (name,)
    raise ValueError(f"a backend is sqlite, postgresql or both, not {name!r}")


def admin_url(given: str | None = None) -> PostgresUrl:
    return PostgresUrl(given or os.environ.get("EHCP_BENCH_POSTGRES_URL") or DEFAULT_ADMIN_URL)


@contextmanager
def scratch_database(admin: PostgresUrl) -> Iterator[PostgresUrl]:
    """A new, empty database on the server at ``admin``, dropped afterwards."""
    name = f"{PREFIX}{secrets.token_hex(6)}"
    with psycopg.connect(admin.conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"'.encode())
    try:
        parts = urlsplit(admin.secret)
        yield PostgresUrl(urlunsplit(parts._replace(path=f"/{name}")))
    finally:
        with psycopg.connect(admin.conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())


def timed(figures: dict[str, Any], name: str, action: Callable[[], T]) -> T:
    """Run ``action``, keep its wall time in seconds as ``figures[name]``, print it."""
    started = time.perf_counter()
    result = action()
    figures[name] = round(time.perf_counter() - started, 3)
    print(f"  {name}: {figures[name]:.2f} s", flush=True)
    return result
