"""Leases: work that must run on one instance at a time, when several share one database.

A lease is a row (``leases``: the work's name, its holder, and when it expires) taken in one
statement: inserted if there is none, or taken over if the one there has expired (or is already
this holder's, which renews it). Whoever's statement changed the row holds the lease; everyone
else's changed nothing. The holder renews it while the work runs; a holder that is killed stops
renewing, and the lease is free for another instance once it expires.

Why a lease row and not PostgreSQL's advisory lock (with SQLite's single writer standing in for
it): an advisory lock belongs to one connection for as long as the work runs (a sweep posts for
minutes, pacing itself to Teams' limits), so it would take a connection out of the pool, or hold
a transaction open, for all that time; and a connection the pool or a proxy drops mid-sweep
silently frees the lock while the sweep carries on. SQLite has no equivalent across processes at
all. A lease row is the same few lines of SQL on both, is visible (``SELECT * FROM leases`` says
who is sweeping and until when), holds no connection, and its expiry is on the one clock
(``bot/clock.py``), so tests move time on to see a killed holder's lease lapse.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlite_utils

from dialogs.ports import Clock


class LeaseRepository:
    """Takes, renews and gives back leases; reads whether a day's sweep has finished."""

    def __init__(self, db: sqlite_utils.Database, *, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def take(
        self, name: str, holder: str, *, lasting: timedelta, now: datetime | None = None
    ) -> bool:
        """Hold ``name`` for ``lasting`` from now: ``True`` when it was free, had expired, or
        was already ``holder``'s (then it is renewed); ``False`` while another holds it.
        ``now`` is the moment on the clock every holder keeps (``bot.nudges.scheduler``); the
        store's by default."""
        now = now or self._clock.now()
        until = (now + lasting).astimezone(UTC).isoformat(timespec="microseconds")
        changed = self._db.execute(
            "INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
            "expires_at = excluded.expires_at "
            "WHERE leases.holder = excluded.holder OR leases.expires_at <= ?",
            [name, holder, until, _stamp(now)],
        ).rowcount
        return changed == 1

    def release(self, name: str, holder: str) -> None:
        """Give ``name`` back, if ``holder`` still holds it (never someone else's)."""
        self._db.execute("DELETE FROM leases WHERE name = ? AND holder = ?", [name, holder])

    def holder(self, name: str, *, now: datetime | None = None) -> str | None:
        """Who holds ``name`` now (``None``: nobody, or their lease has expired)."""
        row = self._db.execute(
            "SELECT holder FROM leases WHERE name = ? AND expires_at > ?",
            [name, _stamp(now or self._clock.now())],
        ).fetchone()
        return None if row is None else str(row[0])

    def swept(self, day: date) -> bool:
        """Whether a sweep of ``day`` has finished (on any instance)."""
        row = self._db.execute(
            "SELECT 1 FROM sweeps WHERE day = ? AND finished_at IS NOT NULL", [day.isoformat()]
        ).fetchone()
        return row is not None


def _stamp(moment: datetime) -> str:
    """A moment as ``expires_at`` is kept (``bot.storage.audit.stamp``'s form)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
