"""Which database a benchmark runs on: SQLite (a file in a temporary folder), PostgreSQL (a new
database on a server, dropped afterwards), or both in the same run.

PostgreSQL is the server at ``--postgres-url`` (else ``EHCP_BENCH_POSTGRES_URL``, else
``postgres`` on 127.0.0.1:5432 with trust authentication, as on our machines): each measurement
gets a database ``ehcp_bench_<random>`` made from it, dropped when the measurement is done.

Until every repository query runs on PostgreSQL (issue 19, step E: ``POSTGRES_COMPLETE``), a
step that fails there (SQL not yet ported: a database error, or SQLite's ``cursor.lastrowid``
missing) is recorded as *waiting*, with the error's first line, instead of ending the run; once
the port lands, any failure is a failure.
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

from bot.storage.store import POSTGRES_COMPLETE
from bot.storage.url import PostgresUrl

Backend = Literal["sqlite", "postgresql"]
BACKENDS: tuple[Backend, ...] = ("sqlite", "postgresql")
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PREFIX = "ehcp_bench_"
WAITING = "waiting for issue 19 step E (repository queries on PostgreSQL)"

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


def timed_if_ported(
    figures: dict[str, Any], name: str, action: Callable[[], T], *, on: Backend
) -> T | None:
    """As :func:`timed`; on PostgreSQL before the port is complete, a database error leaves
    ``figures[name]`` ``None`` and says why under ``figures["waiting"][name]``."""
    if on == "sqlite" or POSTGRES_COMPLETE:
        return timed(figures, name, action)
    try:
        return timed(figures, name, action)
    except Exception as error:  # SQLite-only SQL fails in more ways than one
        figures[name] = None
        reason = " ".join(str(error).split())[:160]
        figures.setdefault("waiting", {})[name] = f"{WAITING}: {type(error).__name__}: {reason}"
        print(f"  {name}: {WAITING} ({type(error).__name__})", flush=True)
        return None
