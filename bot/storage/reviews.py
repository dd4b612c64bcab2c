"""Annual reviews of plans, one per case reference and the services involved, and the query
that finds the plans at risk.

SQL here that mirrors a rule of ``ehcp_rules`` (each takes the rule's constants from there, and a
randomised test holds it equal to the rule):

- ``AT_RISK_SQL`` mirrors ``review_status``: its flags, the 12 months (``review_by``, kept with
  each plan), the notice windows (``HEALTH_NOTICE``, ``ADVICE_CIRCULATION``,
  ``NO_MEETING_WARNING``, ``PHASE_TRANSFER_WARNING``) and the transfer's last day
  (``transfer_last_day``, kept with each plan) — ``tests/storage/test_reviews_at_risk.py``;
- ``reviews_held`` keeps each review recorded as held (the period it closed): what the measure
  of reviews within 12 months counts (``bot.storage.summary``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlite_utils

from bot.storage.audit import AuditLog, stamp
from bot.storage.casework import (
    SYNC_BATCH,
    SyncCounts,
    batches,
    case_reference,
    stored_fields,
    updated,
)
from bot.storage.dialect import Dialect, dialect_of, execute_many, insert_returning_ids
from bot.storage.reads import read_soon
from dialogs.ports import Clock
from ehcp_rules import AnnualReviewRecord, PhaseTransfer, review_by
from ehcp_rules.reviews import (
    ADVICE_CIRCULATION,
    HEALTH_NOTICE,
    NO_MEETING_WARNING,
    PHASE_TRANSFER_WARNING,
    transfer_last_day,
)

_REVIEW_FIELDS = (
    "case_ref",
    "plan_issued_on",
    "last_review_on",
    "meeting_on",
    "health_notified_on",
    "contribution_in_on",
    "phase_transfer",
    "transfer_year",
    "amended_for_transfer_on",
    "post_16_move_on",
)


AT_RISK_SQL = """
SELECT id FROM (
  SELECT id, health_notified_on AS told, notice_days, contribution_in_on,
    amended_for_transfer_on, transfer_by, anchor_review_by AS deadline,
    -- a meeting on the day the last review was held is that review
    CASE WHEN meeting_on != coalesce(last_review_on, plan_issued_on) THEN meeting_on END
      AS meeting
  FROM annual_reviews
  -- only these can be flagged: the 12 months end within 8 weeks; or a meeting is set; or a
  -- phase transfer is not yet done
  WHERE anchor_review_by <= :no_meeting_from OR meeting_on IS NOT NULL
    OR (transfer_by IS NOT NULL AND amended_for_transfer_on IS NULL)) AS candidates
WHERE :today > deadline
  OR (meeting IS NULL AND deadline <= :no_meeting_from)
  OR meeting > deadline
  OR meeting < :today
  OR (meeting >= :today AND told IS NULL AND meeting <= :in6weeks)
  OR (meeting >= :today AND notice_days < :health_notice_days)
  OR (meeting >= :today AND contribution_in_on IS NULL AND meeting <= :in2weeks)
  OR (amended_for_transfer_on IS NULL AND transfer_by <= :transfer_from)
"""
"""The reviews that ``ehcp_rules.review_status`` flags on ``:today``, as one SQL query, so that
counting them over 640,000 plans never loads the plans into Python. Each line is one flag of
``ehcp_rules.reviews`` (12 months from the last review held or the plan; no meeting date within
8 weeks of the limit; a meeting after the limit, or past and not recorded as held; 6 weeks'
notice, not given or given short; 2 weeks for advice; 20 weeks before a transfer's last day); a
property test holds the two equal. The end of the 12 months, the transfer's last day and the
notice health had are kept with each plan when it is written (``derived_review_columns``), so
the query compares values rather than computing them for each of 640,000 plans."""


def at_risk_params(today: date) -> dict[str, str | int]:
    """``AT_RISK_SQL``'s parameters: today, and the days the windows end (ISO dates compare as
    text, so each window is a plain comparison)."""
    return {
        "today": today.isoformat(),
        "in2weeks": (today + ADVICE_CIRCULATION).isoformat(),
        "in6weeks": (today + HEALTH_NOTICE).isoformat(),
        "no_meeting_from": (today + NO_MEETING_WARNING).isoformat(),
        "transfer_from": (today + PHASE_TRANSFER_WARNING).isoformat(),
        "health_notice_days": HEALTH_NOTICE.days,
    }


def at_risk_counts_query(today: date) -> tuple[str, dict[str, str | int]]:
    """One query for the reviews needing action per service, and how many reviews in all (a
    review shared by two services counts once in all)."""
    return (
        f"WITH risk AS MATERIALIZED ({AT_RISK_SQL}) "
        "SELECT NULL, count(*) FROM risk UNION ALL "
        "SELECT service_id, count(*) FROM review_services "
        "WHERE review_id IN (SELECT id FROM risk) GROUP BY service_id",
        at_risk_params(today),
    )


def at_risk_counts_from(rows: Sequence[tuple[Any, ...]]) -> tuple[dict[int, int], int]:
    """``at_risk_counts_query``'s rows: per service, and the total."""
    per_service = {int(service): int(n) for service, n in rows if service is not None}
    total = next(int(n) for service, n in rows if service is None)
    return per_service, total


def screened_review(record: AnnualReviewRecord) -> AnnualReviewRecord:
    """A review as it may be written: its case reference through the privacy screen."""
    return updated(record, {"case_ref": case_reference(record.case_ref)})


@dataclass(frozen=True)
class _Logged:
    """A review as stored: its id, fields (``_REVIEW_FIELDS``) and services, in order."""

    id: int
    fields: dict[str, Any]
    services: tuple[int, ...]


class AnnualReviewRepository:
    """Annual reviews of plans, one per case reference, with the services involved."""

    def __init__(self, db: sqlite_utils.Database, audit: AuditLog, *, clock: Clock) -> None:
        self._db = db
        self._dialect = dialect_of(db)
        self._audit = audit
        self._clock = clock

    def sync(self, records: Iterable[AnnualReviewRecord], *, actor: str) -> SyncCounts:
        """Add or update many reviews in one transaction; unchanged rows are left alone.

        In batches, as requests are (``AdviceRequestRepository.sync``): each batch's cases read
        in one query with their services, its new reviews written together. One at a time, a
        review took four or five round trips, and 640,000 plans over ten minutes on PostgreSQL."""
        counts = SyncCounts()
        with self._db.atomic():
            for batch in batches(records, SYNC_BATCH):
                self._sync_batch([screened_review(r) for r in batch], actor, counts)
            if counts.added or counts.updated:
                self._audit.record(
                    actor, "reviews imported", "annual_review", None, **counts.model_dump()
                )
        return counts

    def save(self, record: AnnualReviewRecord, *, actor: str) -> AnnualReviewRecord:
        """Log a plan's review, or update the one logged for its case by any of the services the
        change names; audited when it changed. A case logged only by other services is logged
        again, separately, for these: what another service keeps is neither changed nor told."""
        record = screened_review(record)
        with self._db.atomic():
            review_id, outcome, held = self._upsert(record, actor)
            if outcome != "unchanged":
                self._audit.record(actor, f"review {outcome}", "annual_review", record.case_ref)
            if held is not None:
                self._audit.record(
                    actor, "review held", "annual_review", record.case_ref, held_on=held
                )
        return self._select_reviews("WHERE r.id = ?", [review_id])[0]

    def find(
        self, case_ref: str, service_ids: Sequence[int] | None = None
    ) -> AnnualReviewRecord | None:
        """The review logged for a case (case ignored) by any of ``service_ids`` (``None``: by
        any service), if any."""
        review_id = self._review_id(case_ref, service_ids)
        if review_id is None:
            return None
        return self._select_reviews("WHERE r.id = ?", [review_id])[0]

    def _review_id(self, case_ref: str, service_ids: Sequence[int] | None) -> int | None:
        where, params = "", []
        if service_ids is not None:
            marks = ",".join("?" for _ in service_ids) or "NULL"
            # correlated, so only the rows of this case are looked at (an IN over every review
            # of the services made an import of 640,000 plans 25 times slower)
            where = (
                "AND EXISTS (SELECT 1 FROM review_services s WHERE s.review_id = annual_reviews.id "
                f"AND s.service_id IN ({marks}))"
            )
            params = list(service_ids)
        row = self._db.execute(
            "SELECT id FROM annual_reviews "
            f"WHERE {self._dialect.nocase('case_ref')} = {self._dialect.nocase('?')} {where} "
            "ORDER BY id LIMIT 1",
            [case_ref, *params],
        ).fetchone()
        return None if row is None else int(row[0])

    def for_services(self, service_ids: Sequence[int] | None = None) -> list[AnnualReviewRecord]:
        """Reviews involving any of the given services (``None``: every review)."""
        if service_ids is None:
            return self._select_reviews("", [])
        marks = ",".join("?" for _ in service_ids) or "NULL"
        return self._select_reviews(
            f"WHERE r.id IN (SELECT review_id FROM review_services WHERE service_id IN ({marks}))",
            list(service_ids),
        )

    def needing_action(self, today: date) -> list[AnnualReviewRecord]:
        """The reviews with a flag on ``today`` (``AT_RISK_SQL``), found by SQL over every plan."""
        return self._select_reviews(f"WHERE r.id IN ({AT_RISK_SQL})", at_risk_params(today))

    def needing_action_soon(self, today: date) -> Callable[[], list[AnnualReviewRecord]]:
        """``needing_action``, read on its own connection while the caller does other work; the
        function returned waits for it."""
        where = f"WHERE r.id IN ({AT_RISK_SQL})"
        pending = read_soon(self._db, _reviews_sql(self._dialect, where), at_risk_params(today))
        return lambda: [_review_from_row(row) for row in pending.result().rows]

    def at_risk_counts(self, today: date) -> tuple[dict[int, int], int]:
        """Reviews needing action per service, and how many reviews that is in all: one pass."""
        return at_risk_counts_from(self._db.execute(*at_risk_counts_query(today)).fetchall())

    def _select_reviews(self, where: str, params: Any) -> list[AnnualReviewRecord]:
        rows = self._db.execute(_reviews_sql(self._dialect, where), params).fetchall()
        return [_review_from_row(row) for row in rows]

    def _sync_batch(
        self, records: list[AnnualReviewRecord], actor: str, counts: SyncCounts
    ) -> None:
        if not all(r.case_ref.isascii() for r in records):
            # how a letter beyond ASCII folds is the database's to say (SQLite folds ASCII
            # alone, PostgreSQL by its locale): each such batch a review at a time, as ``save``
            for record in records:
                _, outcome, _ = self._upsert(record, actor)
                setattr(counts, outcome, getattr(counts, outcome) + 1)
            return
        logged = self._logged({r.case_ref.lower() for r in records})
        seen: set[str] = set()
        new: list[AnnualReviewRecord] = []
        for record in records:
            case = record.case_ref.lower()  # ASCII: folded as both databases fold it
            if case in seen:  # a case twice in one batch: the first is written first
                self._add(new, actor)
                new = []
                _, outcome, _ = self._upsert(record, actor)
            else:
                seen.add(case)
                services = set(record.service_ids)
                found = next((x for x in logged.get(case, ()) if services & set(x.services)), None)
                if found is None:
                    new.append(record)
                    outcome = "added"
                else:
                    _, outcome, _ = self._update(found, record, actor)
            setattr(counts, outcome, getattr(counts, outcome) + 1)
        self._add(new, actor)

    def _logged(self, cases: set[str]) -> dict[str, list[_Logged]]:
        """The reviews logged for these cases (folded to lower case), each with its fields and
        services, in the order of their ids (``_review_id`` takes the first that matches)."""
        if not cases:
            return {}
        nocase = self._dialect.nocase
        rows = self._db.execute(
            f"SELECT a.id, {', '.join(f'a.{f}' for f in _REVIEW_FIELDS)}, s.service_id "
            "FROM annual_reviews a LEFT JOIN review_services s ON s.review_id = a.id "
            f"WHERE {nocase('a.case_ref')} IN ({', '.join(nocase('?') for _ in cases)}) "
            "ORDER BY a.id, s.service_id",
            sorted(cases),
        ).fetchall()
        found: dict[str, list[_Logged]] = {}
        for row in rows:
            fields = dict(zip(_REVIEW_FIELDS, row[1:-1], strict=True))
            reviews = found.setdefault(fields["case_ref"].lower(), [])
            if not reviews or reviews[-1].id != row[0]:
                reviews.append(_Logged(int(row[0]), fields, ()))
            if row[-1] is not None:
                last = reviews[-1]
                reviews[-1] = _Logged(last.id, last.fields, (*last.services, int(row[-1])))
        return found

    def _add(self, records: list[AnnualReviewRecord], actor: str) -> list[int]:
        """Write new reviews and their services, together; their ids."""
        if not records:
            return []
        now = stamp(self._clock)
        rows = [
            stored_fields(r, _REVIEW_FIELDS)
            | derived_review_columns(r)
            | {"created_by": actor, "created_at": now, "updated_at": now}
            for r in records
        ]
        columns = list(rows[0])
        ids = insert_returning_ids(
            self._db,
            f"INSERT INTO annual_reviews ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)}) RETURNING id",
            [[row[c] for c in columns] for row in rows],
        )
        execute_many(
            self._db,
            "INSERT INTO review_services (review_id, service_id) VALUES (?, ?)",
            [
                (review_id, service_id)
                for review_id, record in zip(ids, records, strict=True)
                for service_id in sorted(set(record.service_ids))
            ],
        )
        return ids

    def _upsert(self, record: AnnualReviewRecord, actor: str) -> tuple[int, str, date | None]:
        """Add the review, or update the one its services already logged for the case; with the
        day a review was held when the update moves the last review on (kept in
        ``reviews_held`` with the period it closed)."""
        existing = self._review_id(record.case_ref, record.service_ids)
        if existing is None:
            (added,) = self._add([record], actor)
            return added, "added", None
        row = self._db.execute(
            f"SELECT id, {', '.join(_REVIEW_FIELDS)} FROM annual_reviews WHERE id = ?",
            [existing],
        ).fetchone()
        found = _Logged(
            existing, dict(zip(_REVIEW_FIELDS, row[1:], strict=True)), self._services(existing)
        )
        return self._update(found, record, actor)

    def _update(
        self, found: _Logged, record: AnnualReviewRecord, actor: str
    ) -> tuple[int, str, date | None]:
        """Update the review ``found`` to ``record``, unless they are the same."""
        review_id, stored = found.id, found.fields
        wanted = stored_fields(record, _REVIEW_FIELDS)
        if stored == wanted and found.services == tuple(sorted(record.service_ids)):
            return review_id, "unchanged", None
        changed = wanted | derived_review_columns(record)
        sets = ", ".join(f"{column} = ?" for column in changed)
        self._db.execute(
            f"UPDATE annual_reviews SET {sets}, updated_at = ? WHERE id = ?",
            [*changed.values(), stamp(self._clock), review_id],
        )
        self._set_services(review_id, record.service_ids)
        return review_id, "updated", self._record_held(review_id, stored, record, actor)

    def _record_held(
        self, review_id: int, stored: dict[str, Any], record: AnnualReviewRecord, actor: str
    ) -> date | None:
        """Keep the review held when ``record`` moves the last review on from what was stored:
        the period it closed (from the last review or the plan), that period's limit, and the
        day held."""
        before = date.fromisoformat(stored["last_review_on"] or stored["plan_issued_on"])
        held = record.last_review_on
        if held is None or held <= before:
            return None
        self._db.execute(
            "INSERT INTO reviews_held (review_id, period_start, review_by, held_on, recorded_by, "
            "recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
            [
                review_id,
                before.isoformat(),
                review_by(before).isoformat(),
                held.isoformat(),
                actor,
                stamp(self._clock),
            ],
        )
        return held

    def _services(self, review_id: int) -> tuple[int, ...]:
        rows = self._db.execute(
            "SELECT service_id FROM review_services WHERE review_id = ? ORDER BY service_id",
            [review_id],
        ).fetchall()
        return tuple(int(r[0]) for r in rows)

    def _set_services(self, review_id: int, service_ids: Sequence[int]) -> None:
        self._db.execute("DELETE FROM review_services WHERE review_id = ?", [review_id])
        for service_id in sorted(set(service_ids)):
            self._db.execute(
                "INSERT INTO review_services (review_id, service_id) VALUES (?, ?)",
                [review_id, service_id],
            )


def _reviews_sql(dialect: Dialect, where: str) -> str:
    columns = ", ".join(f"r.{f}" for f in _REVIEW_FIELDS)
    return (
        f"SELECT r.id, {dialect.group_concat('rs.service_id')}, {columns} "
        "FROM annual_reviews r "
        f"JOIN review_services rs ON rs.review_id = r.id {where} "
        "GROUP BY r.id ORDER BY r.case_ref"
    )


def _review_from_row(row: Sequence[Any]) -> AnnualReviewRecord:
    """A review as stored, its dates read back. Built through the constructor, which checks only
    the fields' types: with pydantic 2.14 that takes half the time ``model_construct`` does, which
    matters when the sweep reads 100,000."""
    rid, services, case_ref, plan, last, meeting, notified, contribution, phase, year = row[:10]
    amended, move = row[10:]
    return AnnualReviewRecord(
        id=rid,
        case_ref=case_ref,
        service_ids=_service_ids(services),
        plan_issued_on=date.fromisoformat(plan),
        last_review_on=_day(last),
        meeting_on=_day(meeting),
        health_notified_on=_day(notified),
        contribution_in_on=_day(contribution),
        phase_transfer=PhaseTransfer(phase) if phase else None,
        transfer_year=year,
        amended_for_transfer_on=_day(amended),
        post_16_move_on=_day(move),
    )


def _service_ids(joined: object) -> tuple[int, ...]:
    """The services of a review as ``group_concat`` joins them, in order (most have one)."""
    if isinstance(joined, int):
        return (joined,)
    text = str(joined)
    if "," not in text:
        return (int(text),)
    return tuple(sorted(int(s) for s in text.split(",")))


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def derived_review_columns(record: AnnualReviewRecord) -> dict[str, str | int | None]:
    """What ``AT_RISK_SQL`` compares, kept with the plan when it is written: the last day of the
    12 months from the last review held (or the plan), and from the meeting; the last day for
    the amended plan of a transfer; and how many days' notice of its meeting health had."""
    anchor = record.last_review_on or record.plan_issued_on
    transfer = transfer_last_day(record)  # without validating again: an import writes 640,000
    told, meeting = record.health_notified_on, record.meeting_on
    return {
        "anchor_review_by": review_by(anchor).isoformat(),
        "meeting_review_by": review_by(meeting).isoformat() if meeting else None,
        "transfer_by": transfer.isoformat() if transfer else None,
        "notice_days": (meeting - told).days if meeting and told else None,
    }
