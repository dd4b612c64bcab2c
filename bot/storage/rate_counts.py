"""Each person's count of turns (and of exports) per rate-limit window, in the database, so that
the limits hold however a load balancer spreads a person's messages over instances.

A window is fixed on the clock: ``[start, start + length)`` with ``start`` a whole multiple of its
length in seconds since 1970 (UTC), so every instance puts a moment in the same window. Each
turn adds one to the person's count in each of the limit's windows in one statement
(``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``), so two instances counting at once never
lose one. Windows that have ended are deleted whenever a new one is started.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlite_utils


class RateCountRepository:
    """Counts a person's turns per window."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def count(
        self, person: str, kind: str, windows: Sequence[tuple[int, int]], *, at: float
    ) -> list[tuple[int, int]]:
        """Add one to ``person``'s count of ``kind`` in each window (length in seconds, limit)
        holding the moment ``at`` (seconds since 1970); each window's count now, and its
        limit, in order."""
        counted = []
        started = False
        with self._db.atomic():
            for length, limit in windows:
                start = int(at // length) * length
                row = self._db.execute(
                    "INSERT INTO rate_counts (person, kind, window_start, ends_at, count) "
                    "VALUES (?, ?, ?, ?, 1) "
                    "ON CONFLICT (person, kind, window_start, ends_at) "
                    "DO UPDATE SET count = rate_counts.count + 1 RETURNING count",
                    [person, kind, start, start + length],
                ).fetchone()
                counted.append((int(row[0]), limit))
                started = started or row[0] == 1
            if started:
                self._db.execute("DELETE FROM rate_counts WHERE ends_at <= ?", [int(at)])
        return counted
