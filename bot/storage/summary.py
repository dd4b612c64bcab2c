"""The DCO summary from SQL aggregates: nothing here loads every request into Python.

SQL here that mirrors a rule of ``ehcp_rules`` (constants from there; a test holds each equal):

- ``_COUNTS`` and ``_MONTHLY`` mirror ``compliance`` / ``measures_from_counts`` (due in the
  period, returned by the due date, reg 8(2) exceptions by ``ExceptionReason``) —
  ``tests/storage/test_summary.py``;
- ``_overdue_query`` places open requests on the escalation ladder as ``advice_status`` does,
  from ``rung_offsets`` (the ladder file) and ``EXCEPTED`` — ``tests/storage/test_summary.py``;
- the reviews at risk are ``AT_RISK_SQL`` (``bot.storage.reviews``);
- ``_REVIEWS_IN_TIME`` mirrors ``review_timeliness`` / ``timeliness_from_counts`` (each review
  period ending in the period: held by its last day, held late, not held with the limit passed, not
  yet due), per service, per month and overall — ``tests/storage/test_summary.py``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import sqlite_utils

from bot.storage.audit import local_day
from bot.storage.dialect import Dialect, dialect_of
from bot.storage.reads import Read, read_together
from bot.storage.reviews import at_risk_counts_from, at_risk_counts_query
from dialogs.ports import Clock
from ehcp_rules import (
    EXCEPTED,
    ComplianceMeasures,
    ExceptionReason,
    Period,
    PlanProgress,
    Rag,
    Rating,
    ReviewTimeliness,
    ServiceSummary,
    Summary,
    add_months,
    last_working_day,
    load_question_bank,
    measures_from_counts,
    month_so_far,
    percent_of,
    rung_offsets,
    timeliness_from_counts,
    trend_months,
)
from ehcp_rules.advice import LATEST_ABSENCE_DAY

_COUNTS = """
SELECT service_id,
  count(*) FILTER (WHERE received_on BETWEEN :start AND :end) AS received,
  count(*) FILTER (WHERE d AND returned_on <= due_on AND NOT n) AS on_time,
  count(*) FILTER (WHERE d AND (returned_on > due_on OR n)) AS late,
  count(*) FILTER (WHERE d AND returned_on IS NULL AND due_on < :today) AS open_overdue,
  count(*) FILTER (WHERE d AND returned_on IS NULL AND due_on >= :today) AS not_yet_due,
  count(*) FILTER (WHERE d AND v AND returned_on <= due_on AND NOT n) AS excepted_on_time,
  count(*) FILTER (WHERE d AND v AND (returned_on > due_on OR n)) AS excepted_late,
  count(*) FILTER (WHERE d AND v AND returned_on IS NULL AND due_on < :today)
    AS excepted_open_overdue,
  {EXCEPTION_COUNTS},
  {REFS} AS refs
FROM (SELECT *, (due_on BETWEEN :start AND :end) AS d, (exception_reason IS NOT NULL) AS x,
        -- an exception that meets reg 8(2), arising during the 6 weeks (exception_applies)
        -- and for an absence (b), early enough for its 4 weeks to fall within them
        (exception_reason IS NOT NULL AND exception_arose_on BETWEEN received_on AND due_on
          AND (exception_reason <> 'absent_from_area'
            OR exception_arose_on <= {LATEST_ABSENCE_START})) AS v,
        (coalesce(outcome, '') = 'not_provided') AS n
      FROM advice_requests
      WHERE received_on BETWEEN :start AND :end OR due_on BETWEEN :start AND :end) AS requests
GROUP BY service_id
""".replace(
    "{EXCEPTION_COUNTS}",
    ",\n  ".join(
        f"count(*) FILTER (WHERE d AND exception_reason = '{r.value}') AS {r.value}"
        for r in ExceptionReason
    ),
)
"""The 6-week counts per service (``{REFS}``: the dialect's list of the references excepted)."""
_MONTHLY = """
SELECT service_id, substr(due_on, 1, 7) AS month,
  count(*) FILTER (WHERE returned_on <= due_on AND coalesce(outcome, '') <> 'not_provided')
    AS on_time,
  count(*) FILTER (WHERE returned_on > due_on OR outcome = 'not_provided'
      OR (returned_on IS NULL AND due_on < :today)) AS counted_late
FROM advice_requests WHERE due_on BETWEEN :start AND :end
GROUP BY service_id, month
"""
_ACKNOWLEDGED = """
SELECT r.service_id, count(*) AS posted, count(*) FILTER (WHERE EXISTS (
    SELECT 1 FROM acknowledgements a WHERE a.conversation_id = s.conversation_id
    AND a.item_key = s.item_key AND a.step = s.step)) AS acknowledged
FROM sent_nudges s JOIN advice_requests r
  -- the number of a request's key only: PostgreSQL may join before it filters
  ON r.id = CAST(CASE WHEN s.item_key LIKE 'request:%' THEN substr(s.item_key, 9) END AS INTEGER)
WHERE s.item_key LIKE 'request:%' AND s.sent_on BETWEEN :start AND :end
GROUP BY r.service_id
"""
_REVIEWS_IN_TIME = """
WITH cycles AS MATERIALIZED (
  SELECT review_id, review_by, held_on FROM reviews_held WHERE review_by BETWEEN :start AND :end
  UNION ALL
  SELECT id, anchor_review_by, NULL FROM annual_reviews
  WHERE anchor_review_by BETWEEN :start AND :end),
outcomes AS MATERIALIZED (
  SELECT review_id, substr(review_by, 1, 7) AS month,
    (review_by BETWEEN :period_start AND :period_end) AS p,
    coalesce(held_on <= review_by, FALSE) AS in_time,
    coalesce(held_on > review_by, FALSE) AS late,
    (held_on IS NULL AND review_by < :today) AS not_held,
    (held_on IS NULL AND review_by >= :today) AS not_yet
  FROM cycles)
SELECT NULL, month, {SUMS} FROM outcomes GROUP BY month
UNION ALL
SELECT rs.service_id, month, {SUMS}
FROM outcomes o JOIN review_services rs ON rs.review_id = o.review_id GROUP BY rs.service_id, month
""".replace(
    "{SUMS}",
    ", ".join(
        f"count(*) FILTER (WHERE {flags})"
        for flags in (
            "p AND in_time",
            "p AND late",
            "p AND not_held",
            "p AND not_yet",
            "in_time",
            "late",
            "not_held",
        )
    ),
)
"""Annual reviews due (their 12 months ending) from the earlier start to the later end of the
period and the trend's months: per month, for every plan (each once) and per service, the
period's four outcomes and each month's three counted ones."""
_TALLY = (
    "received",
    "on_time",
    "late",
    "open_overdue",
    "not_yet_due",
    "excepted_on_time",
    "excepted_late",
    "excepted_open_overdue",
)


class SummaryRepository:
    """Builds the summary for a period."""

    def __init__(self, db: sqlite_utils.Database, *, clock: Clock) -> None:
        self._db = db
        self._dialect = dialect_of(db)
        self._clock = clock

    def compliance_by_service(self, period: Period, today: date) -> dict[int, ComplianceMeasures]:
        """6-week measures per service for the period, from one aggregate query."""
        return self._compliance(period, today)[0]

    def compliance_overall(self, period: Period, today: date) -> ComplianceMeasures:
        """6-week measures over every service for the period."""
        return self._compliance(period, today)[1]

    def _compliance(
        self, period: Period, today: date
    ) -> tuple[dict[int, ComplianceMeasures], ComplianceMeasures]:
        query = _counts_query(self._dialect, period, today)
        return _compliance_from(period, read_together(self._db, [query])[0])

    def summary(self, period: Period, today: date) -> Summary:
        """Every service's summary, the overall figures and the common barriers."""
        months = trend_months(period, today)
        so_far = month_so_far(today) if period.end < today.replace(day=1) else None
        # the heavy aggregates, each over many rows and none needing another: all at once,
        # the longest first
        reads = read_together(
            self._db,
            [
                at_risk_counts_query(today),
                _reviews_query(period, months, today),
                _trend_query(months, today),
                _counts_query(self._dialect, period, today),
                _counts_query(self._dialect, period.previous(), today),
                _overdue_query(today),
                (_LATEST_ANSWERS, {}),
                *([_counts_query(self._dialect, so_far, today)] if so_far else []),
            ],
        )
        risk_read, reviews_read, trend_read, now_read, before_read, overdue_read, answers_read = (
            reads[:7]
        )
        reviews = _reviews_from(period, months, reviews_read)
        services = dict(
            self._db.execute(
                f"SELECT id, name FROM services ORDER BY {self._dialect.nocase('name')}"
            ).fetchall()
        )
        now, overall = _compliance_from(period, now_read)
        before, overall_before = _compliance_from(period.previous(), before_read)
        answers = _answers_from(answers_read)
        overdue = _overdue_from(overdue_read)
        at_risk, reviews_at_risk = at_risk_counts_from(risk_read.rows)
        trend, overall_trend = _trend_from(months, trend_read)
        acknowledged = self._acknowledged(period)
        plans = self._plans(today)
        facts = _Facts(
            period=period,
            now=now,
            before=before,
            latest=self._latest_assessments(),
            answers=answers,
            overdue=overdue,
            at_risk=Counter(at_risk),
            trend=trend,
            acknowledged=acknowledged,
            plans=plans,
            reviews=reviews,
        )
        rows = [_service(facts, sid, name) for sid, name in services.items()]
        return Summary(
            today=today,
            period=period,
            previous=period.previous(),
            services=tuple(rows),
            overall=overall,
            overall_previous=overall_before,
            barriers=_barriers(answers),
            overdue_by_step=dict(sum(overdue.values(), Counter())),
            reviews_at_risk=reviews_at_risk,
            trend_months=months,
            overall_trend=overall_trend,
            nudges_posted=sum(posted for posted, _ in acknowledged.values()),
            nudges_acknowledged=sum(acked for _, acked in acknowledged.values()),
            so_far=so_far,
            overall_so_far=_compliance_from(so_far, reads[7])[1] if so_far else None,
            overall_reviews=reviews.get(None, (_no_reviews(period), ()))[0],
            overall_review_trend=reviews.get(None, (None, (None,) * len(months)))[1],
        )

    def _acknowledged(self, period: Period) -> dict[int, tuple[int, int]]:
        """Per service: overdue-request nudges posted in the period, and those acknowledged."""
        rows = self._db.execute(
            _ACKNOWLEDGED, {"start": period.start.isoformat(), "end": period.end.isoformat()}
        ).fetchall()
        return {service_id: (posted, acked or 0) for service_id, posted, acked in rows}

    def _plans(self, today: date) -> dict[int, PlanProgress]:
        """Each service's latest action plan's progress."""
        counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for service_id, progress, n, past, unled in self._db.execute(
            _PLANS, {"today": today.isoformat()}
        ).fetchall():
            tally = counts[service_id]
            tally[progress] += n
            tally["past_target"] += past or 0
            tally["without_lead"] += unled or 0
        return {sid: PlanProgress(**tally) for sid, tally in counts.items()}

    def _latest_assessments(self) -> dict[int, tuple[Any, ...]]:
        rows = self._db.execute(
            "SELECT service_id, id, rag, submitted_at, edition FROM assessments "
            "WHERE status = 'submitted' ORDER BY service_id, submitted_at DESC, id DESC"
        ).fetchall()
        latest: dict[int, tuple[Any, ...]] = {}
        for service_id, assessment_id, rag, submitted, edition in rows:
            if service_id not in latest:
                latest[service_id] = (
                    assessment_id,
                    Rag(rag),
                    local_day(submitted, self._clock),
                    None,
                    edition,
                )
            elif latest[service_id][3] is None:
                first = latest[service_id]
                latest[service_id] = (*first[:3], Rag(rag), first[4])
        return latest


_LATEST_ANSWERS = """
SELECT assessment_id, question, rating FROM answers WHERE id IN (
  SELECT max(id) FROM answers WHERE assessment_id IN (
    SELECT id FROM (
      SELECT id, row_number() OVER (
        PARTITION BY service_id ORDER BY submitted_at DESC, id DESC) AS newest
      FROM assessments WHERE status = 'submitted') AS submitted
    WHERE newest = 1)
  GROUP BY assessment_id, question)
"""
"""The current answers to each service's latest submitted assessment."""


_RATINGS = {rating.value: rating for rating in Rating}
_PLANS = """
SELECT a.service_id, x.progress, count(*),
  count(*) FILTER (WHERE x.target_date < :today AND x.progress != 'completed'),
  count(*) FILTER (WHERE x.owner IS NULL OR trim(x.owner) = '')
FROM actions x JOIN assessments a ON a.id = x.assessment_id
WHERE a.id IN (SELECT id FROM (
    SELECT id, row_number() OVER (
      PARTITION BY service_id ORDER BY submitted_at DESC, id DESC) AS newest
    FROM assessments WHERE status = 'submitted') AS submitted
  WHERE newest = 1)
GROUP BY a.service_id, x.progress
"""
"""Each service's latest action plan counted by progress, past their date and without a lead
(as ``ehcp_rules.plan_progress`` counts them; ``tests/storage/test_summary.py`` holds it so)."""


@lru_cache
def _counts_sql(dialect: Dialect) -> str:
    return _COUNTS.replace(
        "{REFS}", dialect.group_concat("CASE WHEN d AND x THEN case_ref END")
    ).replace("{LATEST_ABSENCE_START}", dialect.days_after("received_on", LATEST_ABSENCE_DAY))


def _counts_query(dialect: Dialect, period: Period, today: date) -> tuple[str, dict[str, str]]:
    return _counts_sql(dialect), {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "today": today.isoformat(),
    }


def _compliance_from(
    period: Period, read: Read
) -> tuple[dict[int, ComplianceMeasures], ComplianceMeasures]:
    """Per service, and over all services (the per-service counts added up)."""
    rows = {values["service_id"]: values for values in read.dicts()}
    total: dict[str, Any] = {}
    for values in rows.values():
        for name, value in values.items():
            if name == "refs":
                total[name] = ",".join(filter(None, (total.get(name), value)))
            elif name != "service_id":
                total[name] = (total.get(name) or 0) + (value or 0)
    overall = _measures(period, total) if rows else _empty(period)
    return {sid: _measures(period, values) for sid, values in rows.items()}, overall


def _trend_query(months: tuple[date, ...], today: date) -> tuple[str, dict[str, str]]:
    end = add_months(months[-1], 1) - timedelta(days=1)
    return _MONTHLY, {
        "start": months[0].isoformat(),
        "end": end.isoformat(),
        "today": today.isoformat(),
    }


def _trend_from(
    months: tuple[date, ...], read: Read
) -> tuple[dict[int, tuple[float | None, ...]], tuple[float | None, ...]]:
    """Percentage on time per service per month, and over all services."""
    keys = [f"{m:%Y-%m}" for m in months]
    counts: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    overall: dict[str, tuple[int, int]] = {}
    for service_id, month, on_time, late in read.rows:
        counts[service_id][month] = (on_time or 0, late or 0)
        before = overall.get(month, (0, 0))
        overall[month] = (before[0] + (on_time or 0), before[1] + (late or 0))
    return (
        {sid: _percentages(by_month, keys) for sid, by_month in counts.items()},
        _percentages(overall, keys),
    )


def _reviews_query(
    period: Period, months: tuple[date, ...], today: date
) -> tuple[str, dict[str, str]]:
    last = add_months(months[-1], 1) - timedelta(days=1)
    return _REVIEWS_IN_TIME, {
        "start": min(period.start, months[0]).isoformat(),
        "end": max(period.end, last).isoformat(),
        "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(),
        "today": today.isoformat(),
    }


def _reviews_from(
    period: Period, months: tuple[date, ...], read: Read
) -> dict[int | None, tuple[ReviewTimeliness, tuple[float | None, ...]]]:
    """Per service (``None``: every plan once): the period's measure and each month's
    percentage held within 12 months."""
    tallies: dict[int | None, Counter[str]] = defaultdict(Counter)
    by_month: dict[int | None, dict[str, tuple[int, int]]] = defaultdict(dict)
    for service_id, month, *counts in read.rows:
        in_time, late, not_held, not_yet, m_in_time, m_late, m_not_held = (c or 0 for c in counts)
        tallies[service_id].update(
            held_in_time=in_time, held_late=late, not_held=not_held, not_yet_due=not_yet
        )
        by_month[service_id][month] = (m_in_time, m_late + m_not_held)
    keys = [f"{m:%Y-%m}" for m in months]
    return {
        sid: (
            timeliness_from_counts(period.start, period.end, tallies[sid]),
            _percentages(by_month[sid], keys),
        )
        for sid in tallies
    }


def _no_reviews(period: Period) -> ReviewTimeliness:
    return timeliness_from_counts(period.start, period.end, {})


def _overdue_query(today: date) -> tuple[str, dict[str, str]]:
    """Open, overdue requests per service by the rung of the ladder reached (as
    ``advice_status`` places them), counted in SQL from the ladder's calendar offsets."""
    rungs = sorted(rung_offsets(), key=lambda rung: -rung[1])
    params: dict[str, str] = {"today": today.isoformat(), "excepted": EXCEPTED}
    taken_by = last_working_day(today)  # a rung is taken on the next working day after its own
    cases = []
    for n, (title, days) in enumerate(rungs):
        params[f"title{n}"], params[f"on{n}"] = title, (taken_by - timedelta(days)).isoformat()
        cases.append(f"WHEN due_on <= :on{n} THEN :title{n}")
    sql = (
        "SELECT service_id, CASE WHEN exception_reason IS NOT NULL THEN :excepted "
        f"{' '.join(cases)} END AS step, count(*) FROM advice_requests "
        "WHERE returned_on IS NULL AND due_on < :today GROUP BY service_id, step"
    )
    return sql, params


def _overdue_from(read: Read) -> dict[int, Counter[str]]:
    steps: dict[int, Counter[str]] = defaultdict(Counter)
    for service_id, step, count in read.rows:
        steps[service_id][step] += count
    return steps


def _answers_from(read: Read) -> dict[int, dict[int, Rating]]:
    answers: dict[int, dict[int, Rating]] = defaultdict(dict)
    for assessment_id, question, rating in read.rows:
        answers[assessment_id][question] = _RATINGS[rating]
    return answers


@dataclass(frozen=True)
class _Facts:
    """What the per-service rows are made from."""

    period: Period
    now: dict[int, ComplianceMeasures]
    before: dict[int, ComplianceMeasures]
    latest: dict[int, tuple[Any, ...]]
    answers: dict[int, dict[int, Rating]]
    overdue: dict[int, Counter[str]]
    at_risk: Counter[int]
    trend: dict[int, tuple[float | None, ...]]
    acknowledged: dict[int, tuple[int, int]]
    plans: dict[int, PlanProgress]
    reviews: dict[int | None, tuple[ReviewTimeliness, tuple[float | None, ...]]]


def _service(facts: _Facts, service_id: int, name: str) -> ServiceSummary:
    latest = facts.latest.get(service_id)
    assessment_id, rag, submitted, previous, edition = latest or (None, None, None, None, None)
    ratings = facts.answers.get(assessment_id or 0, {})
    essentials = _essentials(edition) if edition else ()
    return ServiceSummary(
        service_id=service_id,
        name=name,
        latest_rag=rag,
        submitted_on=submitted,
        previous_rag=previous,
        essentials_not_met=tuple(n for n in essentials if ratings.get(n) is Rating.NO),
        compliance=facts.now.get(service_id) or _empty(facts.period),
        previous_compliance=facts.before.get(service_id) or _empty(facts.period.previous()),
        overdue_by_step=dict(facts.overdue.get(service_id, Counter())),
        reviews_at_risk=facts.at_risk.get(service_id, 0),
        trend=facts.trend.get(service_id, ()),
        nudges_posted=facts.acknowledged.get(service_id, (0, 0))[0],
        nudges_acknowledged=facts.acknowledged.get(service_id, (0, 0))[1],
        plan=facts.plans.get(service_id, PlanProgress() if latest else None),
        reviews=facts.reviews.get(service_id, (_no_reviews(facts.period), ()))[0],
        review_trend=facts.reviews.get(service_id, (None, ()))[1],
    )


def _percentages(
    by_month: dict[str, tuple[int, int]], months: list[str]
) -> tuple[float | None, ...]:
    """On time as a percentage of those counted (as ``measures_from_counts`` has it)."""
    result: list[float | None] = []
    for month in months:
        on_time, late = by_month.get(month, (0, 0))
        result.append(percent_of(on_time, on_time + late))
    return tuple(result)


def _measures(period: Period, values: dict[str, Any]) -> ComplianceMeasures:
    tally = {key: int(values[key] or 0) for key in _TALLY}
    exceptions = {reason: int(values[reason.value] or 0) for reason in ExceptionReason}
    references = sorted(str(values["refs"]).split(",")) if values["refs"] else []
    return measures_from_counts(period.start, period.end, tally, exceptions, references)


def _empty(period: Period) -> ComplianceMeasures:
    return measures_from_counts(period.start, period.end, {}, {}, [])


def _barriers(answers: dict[int, dict[int, Rating]]) -> tuple[tuple[str, int], ...]:
    titles = _theme_titles(None)
    counts: Counter[str] = Counter()
    for ratings in answers.values():
        for question, rating in ratings.items():
            if rating is not Rating.YES and question in titles:
                counts[titles[question]] += 1
    return tuple(counts.most_common())


@lru_cache
def _essentials(edition: str) -> tuple[int, ...]:
    return load_question_bank(edition).essential_numbers


@lru_cache
def _theme_titles(edition: str | None) -> dict[int, str]:
    """Each question's theme title, by question number."""
    bank = load_question_bank(edition)
    return {q.number: bank.theme(q.theme).title for q in bank.questions}
