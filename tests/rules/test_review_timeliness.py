"""Seed 003's measure: % of annual reviews held within 12 months of the plan or the previous review,
worked by hand for November 2026 on 15 December 2026."""

from __future__ import annotations

from datetime import date

import pytest

from ehcp_rules import ReviewCycle, review_timeliness

START, END, TODAY = date(2026, 11, 1), date(2026, 11, 30), date(2026, 12, 15)


@pytest.mark.parametrize(
    ("review_by", "held_on", "outcome"),
    [
        (date(2026, 11, 30), date(2026, 11, 30), "held_in_time"),  # on the last day: in time
        (date(2026, 11, 30), date(2026, 12, 1), "held_late"),
        (date(2026, 11, 1), None, "not_held"),  # limit passed, nothing recorded: counts against
        (date(2026, 10, 31), date(2026, 10, 1), None),  # due in October: not this period's
        (date(2026, 12, 1), None, None),
    ],
)
def test_each_review_due_in_the_period_counts_once_by_its_outcome(
    review_by: date, held_on: date | None, outcome: str | None
) -> None:
    measure = review_timeliness(
        [ReviewCycle(review_by=review_by, held_on=held_on)], START, END, TODAY
    )

    counts = {
        name: getattr(measure, name)
        for name in ("held_in_time", "held_late", "not_held", "not_yet_due")
    }
    assert counts == {name: int(name == outcome) for name in counts}
    assert measure.due == (outcome is not None)


def test_a_limit_still_ahead_is_not_yet_counted() -> None:
    measure = review_timeliness(
        [ReviewCycle(review_by=date(2026, 12, 20))], date(2026, 12, 1), date(2026, 12, 31), TODAY
    )

    assert (measure.due, measure.not_yet_due, measure.percent_in_time) == (1, 1, None)


def test_the_percentage_is_of_reviews_held_in_time_among_those_due_and_counted() -> None:
    cycles = [
        ReviewCycle(review_by=date(2026, 11, 3), held_on=date(2026, 10, 20)),
        ReviewCycle(review_by=date(2026, 11, 9), held_on=date(2026, 11, 9)),
        ReviewCycle(review_by=date(2026, 11, 12), held_on=date(2026, 11, 25)),
        ReviewCycle(review_by=date(2026, 11, 28)),
        ReviewCycle(review_by=date(2026, 11, 28), held_on=date(2026, 11, 2)),
        ReviewCycle(review_by=date(2026, 12, 2), held_on=date(2026, 11, 30)),  # December's
    ]

    measure = review_timeliness(cycles, START, END, TODAY)

    # 3 held in time of 5 due (1 late, 1 never recorded as held): 60.0%
    assert (measure.due, measure.held_in_time, measure.counted, measure.percent_in_time) == (
        5,
        3,
        5,
        60.0,
    )
