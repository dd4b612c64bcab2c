"""The store: every repository over one database, used only on the database's own thread."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import sqlite_utils

from bot.storage.assessments import AssessmentRepository
from bot.storage.audit import AuditLog
from bot.storage.casework import AdviceRequestRepository, AnnualReviewRepository
from bot.storage.channels import ChannelRepository
from bot.storage.database import Database
from bot.storage.directory import PeopleRepository, ServiceRepository
from bot.storage.nudges import NudgeRepository
from bot.storage.summary import SummaryRepository

T = TypeVar("T")


class Repositories:
    """The repositories, sharing one connection and one audit log."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.audit = AuditLog(db)
        self.services = ServiceRepository(db, self.audit)
        self.people = PeopleRepository(db, self.audit, self.services)
        self.assessments = AssessmentRepository(db, self.audit)
        self.requests = AdviceRequestRepository(db, self.audit)
        self.reviews = AnnualReviewRepository(db, self.audit)
        self.channels = ChannelRepository(db, self.audit)
        self.nudges = NudgeRepository(db, self.audit, self.requests, self.reviews)
        self.summaries = SummaryRepository(db)


class Store:
    """Opens the database and hands the repositories to work run on its thread."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._repositories = database.call(Repositories)

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open (creating and migrating as needed) the database at ``path``."""
        return cls(Database(path))

    def call(self, work: Callable[[Repositories], T]) -> T:
        """Run ``work`` synchronously (command line, tests)."""
        return self.database.call(lambda _db: work(self._repositories))

    async def run(self, work: Callable[[Repositories], T]) -> T:
        """Run ``work`` from the event loop without blocking it."""
        return await self.database.run(lambda _db: work(self._repositories))

    def close(self) -> None:
        """Close the database."""
        self.database.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
