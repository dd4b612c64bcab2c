"""The DCO's compliance summary as plain data: built by the store, shown by cards."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from ehcp_rules.action_plan import PlanProgress
from ehcp_rules.compliance import ComplianceMeasures
from ehcp_rules.dates import add_months
from ehcp_rules.periods import Period
from ehcp_rules.ratings import Rag
from ehcp_rules.review_timeliness import ReviewTimeliness

STALE_AFTER_MONTHS = 12
TREND_MONTHS = 12


def trend_months(period: Period, today: date, count: int = TREND_MONTHS) -> tuple[date, ...]:
    """The first days of the ``count`` months up to the period's last month (or this month, if
    the period runs on past today), oldest first: the months the compliance chart shows."""
    last = min(period.end, today).replace(day=1)
    return tuple(add_months(last, offset - count + 1) for offset in range(count))


class ServiceSummary(BaseModel):
    """One service: its latest self-assessment and its 6-week compliance.

    ``trend`` is the percentage on time in each of the summary's ``trend_months`` (``None`` where
    nothing fell due); ``nudges_posted`` counts the overdue-request nudges posted to its channels
    in the period, and ``nudges_acknowledged`` those somebody acknowledged.
    """

    model_config = ConfigDict(frozen=True)

    service_id: int
    name: str
    latest_rag: Rag | None
    submitted_on: date | None
    previous_rag: Rag | None
    essentials_not_met: tuple[int, ...]
    compliance: ComplianceMeasures
    previous_compliance: ComplianceMeasures
    overdue_by_step: dict[str, int]
    reviews_at_risk: int
    trend: tuple[float | None, ...] = ()
    nudges_posted: int = 0
    nudges_acknowledged: int = 0
    plan: PlanProgress | None = None
    """The latest action plan's progress (``None``: no submitted assessment)."""
    reviews: ReviewTimeliness | None = None
    """Annual reviews due in the period held within 12 months (seed 003)."""
    review_trend: tuple[float | None, ...] = ()
    """The percentage of reviews held within 12 months in each of the ``trend_months``."""

    def assessment_age(self, today: date) -> str:
        """``never``, ``over 12 months old``, or the day it was submitted."""
        if self.submitted_on is None:
            return "never"
        if self.submitted_on < add_months(today, -STALE_AFTER_MONTHS):
            return "over 12 months old"
        return f"{self.submitted_on:%d %b %Y}"

    @property
    def change(self) -> str:
        """How the rating moved since the previous assessment: better, worse, same or first."""
        if self.latest_rag is None or self.previous_rag is None:
            return "first" if self.latest_rag else ""
        order = [Rag.RED, Rag.AMBER, Rag.GREEN]
        now, before = order.index(self.latest_rag), order.index(self.previous_rag)
        return "better" if now > before else "worse" if now < before else "same"


class Summary(BaseModel):
    """Every service, the overall figures, the common barriers, for one period."""

    model_config = ConfigDict(frozen=True)

    today: date
    period: Period
    previous: Period
    services: tuple[ServiceSummary, ...]
    overall: ComplianceMeasures
    overall_previous: ComplianceMeasures
    barriers: tuple[tuple[str, int], ...]
    overdue_by_step: dict[str, int]
    reviews_at_risk: int
    trend_months: tuple[date, ...] = ()
    overall_trend: tuple[float | None, ...] = ()
    nudges_posted: int = 0
    nudges_acknowledged: int = 0
    so_far: Period | None = None
    """This month to today, when the period is over before this month began."""
    overall_so_far: ComplianceMeasures | None = None
    """The 6-week measures over every service for :attr:`so_far`."""
    overall_reviews: ReviewTimeliness | None = None
    """Annual reviews due in the period, every service's (each plan once), held within 12
    months (seed 003's scorecard measure)."""
    overall_review_trend: tuple[float | None, ...] = ()
    """That percentage in each of the ``trend_months``."""

    def by_risk(self) -> tuple[ServiceSummary, ...]:
        """Services riskiest first: red, then amber, then green (none counts as red), and within
        each the lowest 6-week compliance first (nothing due counts as 100%)."""
        rank = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2}
        return tuple(
            sorted(
                self.services,
                key=lambda s: (
                    rank[s.latest_rag] if s.latest_rag else 0,
                    100.0 if s.compliance.percent_on_time is None else s.compliance.percent_on_time,
                ),
            )
        )
