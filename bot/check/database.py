"""The database: there, readable, on the current schema; and what Teams needs in it — services,
each with a channel for its nudges, and a DCO and an administrator.

The file, or the PostgreSQL database, is opened as it is (never created, never migrated) and only
read (PostgreSQL's connection is read-only); a URL is shown with its password masked.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import date
from pathlib import Path

import sqlite_utils

from bot.check.findings import Finding, ok, problem, warning
from bot.storage.database import BUSY_TIMEOUT_MS, DatabaseTarget
from bot.storage.migrations import SCHEMA_VERSION, schema_version
from bot.storage.store import Repositories
from bot.storage.url import PostgresUrl
from dialogs.ports import Clock
from ehcp_rules import Role

SHOWN = 10
"""Services named on one line at most (the count says how many more)."""


def database_findings(target: DatabaseTarget, *, clock: Clock) -> list[Finding]:
    """The file (or PostgreSQL database), its schema, and (when the schema is current) what is
    in it."""
    if isinstance(target, PostgresUrl):
        return postgres_findings(target, clock=clock)
    path = target
    if not path.is_file():
        return [
            problem(
                "database",
                f"{path} does not exist: add the services and grant the roles first "
                "(ehcp-bot services add, ehcp-bot roles grant)",
            )
        ]
    try:
        with _read_only(path) as db:
            version = schema_version(db)
            if version != SCHEMA_VERSION:
                return [_schema_finding(path, version)]
            repos = Repositories(db, clock=clock)
            return [_current(path), *role_findings(repos), *service_findings(repos, clock.today())]
    except sqlite3.Error as error:
        return [problem("database", f"{path} cannot be read: {error}")]


@contextmanager
def _read_only(path: Path) -> Iterator[sqlite_utils.Database]:
    uri = f"{path.absolute().as_uri()}?mode=rw"  # never created; query_only below: never written
    with closing(sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)) as conn:
        conn.execute("PRAGMA query_only = ON")
        yield sqlite_utils.Database(conn)


def postgres_findings(url: PostgresUrl, *, clock: Clock) -> list[Finding]:
    """The server answers, at which schema, and (when it is current) what is in it, read on one
    read-only connection."""
    import psycopg  # noqa: PLC0415 (psycopg only for PostgreSQL)

    from bot.storage.postgres import (  # noqa: PLC0415
        DatabaseUnavailableError,
        read_only,
    )

    try:
        with read_only(url) as db:
            version = schema_version(db)
            if version == 0:
                return [warning("database", f"{url.masked} is empty: serve creates the schema")]
            if version != SCHEMA_VERSION:
                return [_schema_finding(url.masked, version)]
            repos = Repositories(db, clock=clock)  # type: ignore[arg-type]
            return [
                _current(url.masked),
                *role_findings(repos),
                *service_findings(repos, clock.today()),
            ]
    except DatabaseUnavailableError as error:
        return [problem("database", str(error))]
    except psycopg.Error as error:
        reason = url.redact(" ".join(str(error).split()))
        return [problem("database", f"{url.masked} cannot be read: {reason}")]


def _current(path: Path | str) -> Finding:
    return ok("database", f"{path}: schema {SCHEMA_VERSION}, the current one")


def _schema_finding(path: Path | str, version: int) -> Finding:
    if version > SCHEMA_VERSION:
        return problem(
            "database",
            f"{path} has schema {version}, written by a newer version of the assistant (this "
            f"one knows up to {SCHEMA_VERSION}): upgrade the assistant, or restore a backup",
        )
    return warning(
        "database",
        f"{path} has schema {version}; serve upgrades it to {SCHEMA_VERSION} as it starts "
        "(back it up first). Its services, roles and channels are checked once it has",
    )


def role_findings(repos: Repositories) -> list[Finding]:
    """A DCO to see the compliance summary and an administrator; who has which role."""
    grants = repos.people.all_grants()
    held = {grant.role for grant in grants}
    found = []
    if Role.DCO not in held:
        found.append(
            problem(
                "roles",
                "no DCO: nobody can see the compliance summary in Teams "
                "(ehcp-bot roles grant --role dco --user OBJECT_ID)",
            )
        )
    if Role.ADMIN not in held:
        found.append(
            problem(
                "roles",
                "no administrator: nobody can subscribe a channel to every service in Teams "
                "(ehcp-bot roles grant --role admin --user OBJECT_ID)",
            )
        )
    counts = ", ".join(f"{sum(g.role is r for g in grants)} {r.value}" for r in Role)
    return found or [ok("roles", counts)]


def service_findings(repos: Repositories, today: date) -> list[Finding]:
    """Every service has a channel its nudges are posted to (paused ones do not count)."""
    services = repos.services.all()
    if not services:
        return [problem("services", "none yet (ehcp-bot services add NAME)")]
    covered: set[int | None] = {
        sub.service_id
        for sub in repos.channels.subscriptions()
        if not sub.paused_until or sub.paused_until <= today.isoformat()
    }
    if None in covered:
        return [ok("services", f"{len(services)}, all nudged in a channel subscribed to all")]
    missing = [s.name for s in services if s.id not in covered]
    if not missing:
        return [ok("services", f"{len(services)}, each with a channel for its nudges")]
    more = f" and {len(missing) - SHOWN} more" if len(missing) > SHOWN else ""
    return [
        problem(
            "services",
            f"{len(missing)} of {len(services)} without a channel for their nudges: "
            + ", ".join(missing[:SHOWN])
            + more
            + " (in Teams, @mention the bot in a channel: subscribe SERVICE)",
        )
    ]
