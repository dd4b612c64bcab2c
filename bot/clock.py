"""The clock: today's date in the configured time zone (Europe/London by default)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


class LocalClock:
    """Reads the system clock in one time zone; the only place the bot asks what day it is."""

    def __init__(self, timezone: str = "Europe/London") -> None:
        self._zone = ZoneInfo(timezone)

    def today(self) -> date:
        """Today, where the deadlines are counted."""
        return datetime.now(self._zone).date()
