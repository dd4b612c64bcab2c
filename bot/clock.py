"""The one clock: the only module that reads the wall clock (DESIGN.md, "Rules of the house").

Everything else is handed a :class:`~dialogs.ports.Clock` when it is built (storage included) and
asks it for "now" (an aware UTC time, for timestamps) or "today" (the date in the configured time
zone, Europe/London by default, where every deadline is counted). Tests hand in a fake clock, so
the suite passes on any date. Monotonic time for timeouts and pacing is not "the date" and may be
read anywhere.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Europe/London"


class SystemClock:
    """The machine's clock, with dates taken in one time zone; ``on`` moves it to another day
    at the same local time (a command's ``--today``: as if run that day)."""

    def __init__(self, timezone: str = DEFAULT_TIMEZONE, *, on: date | None = None) -> None:
        self.zone = ZoneInfo(timezone)
        self._days = timedelta(0)
        if on is not None:
            self._days = on - datetime.now(self.zone).date()

    def now(self) -> datetime:
        """Now, in UTC (what is stored)."""
        if not self._days:
            return datetime.now(UTC)
        local = datetime.now(self.zone).replace(tzinfo=None) + self._days
        return local.replace(tzinfo=self.zone).astimezone(UTC)

    def today(self) -> date:
        """Today's date in the configured zone."""
        return self.now().astimezone(self.zone).date()
