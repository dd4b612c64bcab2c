"""Seed 003's scorecard measure: annual reviews held within 12 months of the plan or the previous
review (Cheshire East WSOA, "percentage of annual reviews of EHC Plans completed within 12 months
of EHC Plan issued or previous review (performance for individual months)"; s.44(1)).

Read as the 6-week measure is (``compliance``): of the review periods whose 12 months end in the
period (the review *due* then), the share whose review was held by that last day. A period whose
limit has passed with no review recorded as held counts against the measure (it is not held in
time, and leaving it out would flatter the worst); one whose limit is still ahead is not counted
either way. A review counts when someone records that it was held (a meeting date is not a review).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date

from pydantic import BaseModel, ConfigDict

from ehcp_rules.compliance import percent_of

TIMELINESS_COUNTS = ("held_in_time", "held_late", "not_held", "not_yet_due")
"""The four outcomes of a review due in a period, as SQL aggregates name them."""


class ReviewCycle(BaseModel):
    """One 12-month period of a plan: its last day, and the day its review was held (if it was)."""

    model_config = ConfigDict(frozen=True)

    review_by: date
    held_on: date | None = None


class ReviewTimeliness(BaseModel):
    """Reviews due in a period (a service's, or all): held in time, held late, not held with the
    limit passed, not yet due; and the percentage held within 12 months."""

    model_config = ConfigDict(frozen=True)

    period_start: date
    period_end: date
    due: int
    held_in_time: int
    held_late: int
    not_held: int
    not_yet_due: int
    percent_in_time: float | None

    @property
    def counted(self) -> int:
        """The reviews the percentage is of: every one due in the period but not yet due."""
        return self.held_in_time + self.held_late + self.not_held


def review_timeliness(
    cycles: Iterable[ReviewCycle], start: date, end: date, today: date
) -> ReviewTimeliness:
    """The measure on ``today`` for the review periods ending from ``start`` to ``end``."""
    tally: Counter[str] = Counter()
    for cycle in cycles:
        if start <= cycle.review_by <= end:
            tally[_outcome(cycle, today)] += 1
    return timeliness_from_counts(start, end, tally)


def _outcome(cycle: ReviewCycle, today: date) -> str:
    if cycle.held_on is not None:
        return "held_in_time" if cycle.held_on <= cycle.review_by else "held_late"
    return "not_held" if today > cycle.review_by else "not_yet_due"


def timeliness_from_counts(start: date, end: date, tally: Mapping[str, int]) -> ReviewTimeliness:
    """The measure from counts (as SQL aggregates give them), named as in
    :data:`TIMELINESS_COUNTS`."""
    counts = {name: int(tally.get(name) or 0) for name in TIMELINESS_COUNTS}
    counted = counts["held_in_time"] + counts["held_late"] + counts["not_held"]
    return ReviewTimeliness(
        period_start=start,
        period_end=end,
        due=counted + counts["not_yet_due"],
        percent_in_time=percent_of(counts["held_in_time"], counted),
        **counts,
    )
