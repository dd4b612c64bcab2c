"""What an operator watches, in Prometheus' text format at ``GET /metrics``: turns and their
latency, errors by kind, connector failures (429s among them) and retries, sweeps and what they
posted, refusals at the door and database errors.

Nothing personal is ever a label: kinds of activity and places are the names Bot Framework and
Teams use (anything else is "other"), errors are exception class names, statuses are numbers.
One :class:`Signals` per application, built by ``create_app`` and handed to what it watches (a
registry of its own, so two apps in one process, as in the tests, count apart).
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
"""The media type of :meth:`Signals.render`'s text: the classic text format (0.0.4), which every
Prometheus, and every agent that scrapes like one, reads."""
TURN_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
"""Seconds: most turns take a few milliseconds; a summary or an export up to a second or two."""


class Signals:
    """The counters and histograms of one running bot."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self._turns = Counter(
            "ehcp_turns", "Turns run, by kind of activity and place.", ["kind", "place"],
            registry=registry,
        )  # fmt: skip
        self._turn_seconds = Histogram(
            "ehcp_turn_duration_seconds", "How long turns took, by kind of activity.", ["kind"],
            buckets=TURN_BUCKETS, registry=registry,
        )  # fmt: skip
        self._turn_errors = Counter(
            "ehcp_turn_errors", "Turns that failed (the person was given a reference), by error.",
            ["error"], registry=registry,
        )  # fmt: skip
        self._refused = Counter(
            "ehcp_requests_refused", "Requests refused at the door, by HTTP status.", ["status"],
            registry=registry,
        )  # fmt: skip
        self._connector_failures = Counter(
            "ehcp_connector_failures",
            "Sends Teams did not take, by path (reply or proactive) and HTTP status (429: too "
            "fast; none: no answer came).",
            ["path", "status"], registry=registry,
        )  # fmt: skip
        self._connector_retries = Counter(
            "ehcp_connector_retries", "Sends tried again, by path (reply or proactive).",
            ["path"], registry=registry,
        )  # fmt: skip
        self._sweeps = Counter(
            "ehcp_sweeps", "Nudge sweeps run, by outcome (completed or failed).", ["outcome"],
            registry=registry,
        )  # fmt: skip
        self._nudges = Counter(
            "ehcp_sweep_nudges", "Digests of the sweeps, by result (posted, paused or failed).",
            ["result"], registry=registry,
        )  # fmt: skip
        self._database_errors = Counter(
            "ehcp_database_errors", "Database errors, by error.", ["error"], registry=registry
        )

    def turn(self, kind: str, place: str, seconds: float) -> None:
        """A turn ran (``kind`` and ``place`` already reduced to names it knows)."""
        self._turns.labels(kind, place).inc()
        self._turn_seconds.labels(kind).observe(seconds)

    def turn_failed(self, error: BaseException) -> None:
        """A turn ended in an error the person was apologised for."""
        self._turn_errors.labels(type(error).__name__).inc()

    def refused(self, status: int) -> None:
        """A request was refused at the door with ``status``."""
        self._refused.labels(str(status)).inc()

    def connector_failed(self, path: str, status: int | None) -> None:
        """Teams did not take a send (``status`` ``None``: no answer came)."""
        self._connector_failures.labels(path, str(status) if status else "none").inc()

    def connector_retried(self, path: str) -> None:
        """A send is being tried again."""
        self._connector_retries.labels(path).inc()

    def swept(self, *, posted: int, paused: int, failed: int) -> None:
        """A sweep completed, with what became of its digests."""
        self._sweeps.labels("completed").inc()
        for result, count in (("posted", posted), ("paused", paused), ("failed", failed)):
            self._nudges.labels(result).inc(count)

    def sweep_failed(self) -> None:
        """A sweep stopped with an error (the scheduler tries again at the next nudge time)."""
        self._sweeps.labels("failed").inc()

    def database_failed(self, error: BaseException) -> None:
        """The database raised ``error``."""
        self._database_errors.labels(type(error).__name__).inc()

    def render(self) -> bytes:
        """Every signal, in Prometheus' text exposition format."""
        return generate_latest(self.registry)
