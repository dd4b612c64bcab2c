"""The nudge scheduler: working days at a local time, across clock changes and bank holidays."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings, SettingsError
from bot.nudges.scheduler import NudgeScheduler
from bot.nudges.sweep import SweepReport
from tests.fakes import FakeClock

LONDON = ZoneInfo("Europe/London")


class RecordingSweep:
    def __init__(self) -> None:
        self.days: list[date] = []

    async def run(self, day: date, *, dry_run: bool = False) -> SweepReport:
        self.days.append(day)
        return SweepReport(day=day)


def _scheduler(now: datetime) -> NudgeScheduler:
    clock = FakeClock()
    clock.set(now)
    return NudgeScheduler(
        RecordingSweep(),  # type: ignore[arg-type]  # a fake: the scheduler only calls run()
        at=time(9, 0),
        clock=clock,
        sleep=asyncio.sleep,
    )


@pytest.mark.parametrize(
    ("after", "expected_utc"),
    [
        # Friday 27 March 2026, then the clocks go forward: Monday 09:00 BST is 08:00 UTC.
        (datetime(2026, 3, 27, 10, 0, tzinfo=UTC), datetime(2026, 3, 30, 8, 0, tzinfo=UTC)),
        # Friday 23 October 2026, then the clocks go back: Monday 09:00 GMT is 09:00 UTC.
        (datetime(2026, 10, 23, 9, 30, tzinfo=UTC), datetime(2026, 10, 26, 9, 0, tzinfo=UTC)),
        # Christmas Eve 2026 after 9: skip Christmas, the weekend and the Boxing Day substitute.
        (datetime(2026, 12, 24, 10, 0, tzinfo=UTC), datetime(2026, 12, 29, 9, 0, tzinfo=UTC)),
        # Before nine on a working day: the same morning.
        (datetime(2026, 11, 23, 7, 0, tzinfo=UTC), datetime(2026, 11, 23, 9, 0, tzinfo=UTC)),
        # Maundy Thursday 2027 evening: Good Friday and Easter Monday are skipped.
        (datetime(2027, 3, 25, 18, 0, tzinfo=UTC), datetime(2027, 3, 30, 8, 0, tzinfo=UTC)),
    ],
)
def test_the_next_run_is_the_next_working_day_at_nine_london_time(
    after: datetime, expected_utc: datetime
) -> None:
    assert _scheduler(after).next_run(after) == expected_utc


def test_a_start_after_nine_on_a_working_day_is_due_at_once_but_not_at_a_weekend() -> None:
    assert _scheduler(datetime(2026, 11, 23, 9, 5, tzinfo=UTC)).due_now(
        datetime(2026, 11, 23, 9, 5, tzinfo=UTC)
    )
    assert not _scheduler(datetime(2026, 11, 28, 12, 0, tzinfo=UTC)).due_now(
        datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    )


async def test_the_loop_catches_up_then_sweeps_at_each_nudge_time() -> None:
    clock = FakeClock()
    clock.set(datetime(2026, 12, 24, 10, 0, tzinfo=UTC))
    sweep = RecordingSweep()

    async def sleep(seconds: float) -> None:
        clock.advance(timedelta(seconds=seconds))
        if len(sweep.days) >= 3:
            raise asyncio.CancelledError

    scheduler = NudgeScheduler(sweep, at=time(9, 0), clock=clock, sleep=sleep)  # type: ignore[arg-type]

    with pytest.raises(asyncio.CancelledError):
        await scheduler.run_forever()

    assert sweep.days == [date(2026, 12, 24), date(2026, 12, 29), date(2026, 12, 30)]


def test_the_nudge_time_is_configured_and_checked() -> None:
    assert Settings.from_environment(
        {"EHCP_NUDGE_TIME": "08:30"}, env_file=None
    ).nudge_time == time(8, 30)
    with pytest.raises(SettingsError, match="EHCP_NUDGE_TIME"):
        Settings.from_environment({"EHCP_NUDGE_TIME": "nine-ish"}, env_file=None)
