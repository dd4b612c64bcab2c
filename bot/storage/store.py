"""The store: every repository over one database, used only on the database's own thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import sqlite_utils

from bot.signals import Signals
from bot.storage.assessments import AssessmentRepository
from bot.storage.audit import AuditLog
from bot.storage.casework import AdviceRequestRepository
from bot.storage.channels import ChannelRepository
from bot.storage.database import DatabaseTarget, OpenDatabase, open_database
from bot.storage.directory import PeopleRepository, ServiceRepository
from bot.storage.downloads import DownloadRepository
from bot.storage.leases import LeaseRepository
from bot.storage.nudges import NudgeRepository
from bot.storage.rate_counts import RateCountRepository
from bot.storage.reviews import AnnualReviewRepository
from bot.storage.summary import SummaryRepository
from dialogs.ports import Clock

T = TypeVar("T")


class Repositories:
    """The repositories, sharing one connection and one audit log."""

    def __init__(self, db: sqlite_utils.Database, *, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self.audit = AuditLog(db, clock=clock)
        self.services = ServiceRepository(db, self.audit, clock=clock)
        self.people = PeopleRepository(db, self.audit, self.services, clock=clock)
        self.assessments = AssessmentRepository(db, self.audit, clock=clock)
        self.requests = AdviceRequestRepository(db, self.audit, clock=clock)
        self.reviews = AnnualReviewRepository(db, self.audit, clock=clock)
        self.channels = ChannelRepository(db, self.audit, clock=clock)
        self.nudges = NudgeRepository(db, self.audit, self.requests, self.reviews, clock=clock)
        self.summaries = SummaryRepository(db, clock=clock)
        self.leases = LeaseRepository(db, clock=clock)
        self.downloads = DownloadRepository(db, clock=clock)
        self.rate_counts = RateCountRepository(db)


class Store:
    """Opens the database and hands the repositories to work run on its thread. Every time
    stamped on a row comes from ``clock``."""

    def __init__(self, database: OpenDatabase, *, clock: Clock) -> None:
        self.database = database
        self.clock = clock
        self._signals = Signals()
        self._repositories = database.call(lambda db: Repositories(db, clock=clock))

    @classmethod
    def open(cls, target: DatabaseTarget, *, clock: Clock) -> Store:
        """Open (creating and migrating as needed) the SQLite file at a path, or the PostgreSQL
        database at a URL."""
        return cls(open_database(target), clock=clock)

    def call(self, work: Callable[[Repositories], T]) -> T:
        """Run ``work`` synchronously (command line, tests)."""
        return self.database.call(lambda _db: work(self._repositories))

    async def run(self, work: Callable[[Repositories], T]) -> T:
        """Run ``work`` from the event loop without blocking it."""
        try:
            return await self.database.run(lambda _db: work(self._repositories))
        except self.database.errors as error:
            self._signals.database_failed(error)
            raise

    def watch(self, signals: Signals) -> None:
        """Count database errors in ``signals`` from now on (``create_app`` does)."""
        self._signals = signals

    def close(self) -> None:
        """Close the database."""
        self.database.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
