"""Health advice requests and annual reviews.

SQL here that mirrors a rule of ``ehcp_rules`` (each takes the rule's constants from there, and a
randomised test holds it equal to the rule):

- ``AT_RISK_SQL`` mirrors ``review_status``: its flags, the 12 months (``review_by``, kept with
  each plan), the notice windows (``HEALTH_NOTICE``, ``ADVICE_CIRCULATION``,
  ``NO_MEETING_WARNING``, ``PHASE_TRANSFER_WARNING``) and the transfer's last day
  (``transfer_last_day``, kept with each plan) — ``tests/storage/test_reviews_at_risk.py``;
- ``reviews_held`` keeps each review recorded as held (the period it closed): what the measure
  of reviews within 12 months counts (``bot.storage.summary``);
- ``open_due_by`` is the sweep's pre-filter for ``plan_nudges`` (owed; due, or for an exception
  agreed, within ``DUE_SOON``; a clinical delay past its expected date) —
  ``tests/storage/test_requests_to_nudge.py``;
- ``due_on`` is ``advice_due_date``, worked out in Python when a request is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any, TypeVar

import sqlite_utils
from pydantic import BaseModel

from bot.storage.audit import AuditLog, stamp
from bot.storage.dialect import Dialect, dialect_of, execute_many
from bot.storage.errors import ConflictError, NotFoundError
from bot.storage.reads import read_soon
from bot.storage.screen import optional_text
from dialogs.ports import Clock
from ehcp_rules import (
    MAX_CASE_REFERENCE_LENGTH,
    MAX_DELAY_REASON_LENGTH,
    MAX_NARRATIVE_LENGTH,
    AdviceRequestRecord,
    AnnualReviewRecord,
    PhaseTransfer,
    advice_due_date,
    review_by,
    screen_text,
)
from ehcp_rules.reviews import (
    ADVICE_CIRCULATION,
    HEALTH_NOTICE,
    NO_MEETING_WARNING,
    PHASE_TRANSFER_WARNING,
    transfer_last_day,
)

_REQUEST_FIELDS = (
    "case_ref",
    "service_id",
    "received_on",
    "la_deadline",
    "assessment_requested_on",
    "known_to_service",
    "returned_on",
    "outcome",
    "referral_on",
    "expected_on",
    "team_told",
    "delay_reason",
    "exception_reason",
    "exception_narrative",
    "exception_arose_on",
    "agreed_return_on",
    "not_provided_reason",
)
_NEW_ROW_FIELDS = ("due_on", "created_by", "created_at", "updated_at")
"""The columns a new request's row has besides its fields (``_new_values``' order)."""
SYNC_BATCH = 500
"""Requests read and written together by ``sync`` (two parameters each in one lookup)."""
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


class SyncCounts(BaseModel):
    """What a bulk import did: rows added, changed, and already as the file says."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0


def screened_request(record: AdviceRequestRecord) -> AdviceRequestRecord:
    """A request as it may be written: its case reference, delay reason and exception narrative
    through the privacy screen (``PrivacyError`` naming the field otherwise)."""
    screened = {
        "case_ref": _case_ref(record.case_ref),
        "delay_reason": optional_text(
            record.delay_reason, field="delay reason", max_length=MAX_DELAY_REASON_LENGTH
        ),
        "exception_narrative": optional_text(
            record.exception_narrative, field="exception narrative", max_length=MAX_NARRATIVE_LENGTH
        ),
        "not_provided_reason": optional_text(
            record.not_provided_reason,
            field="reason the advice will not be provided",
            max_length=MAX_DELAY_REASON_LENGTH,
        ),
    }
    return _updated(record, screened)


def screened_review(record: AnnualReviewRecord) -> AnnualReviewRecord:
    """A review as it may be written: its case reference through the privacy screen."""
    return _updated(record, {"case_ref": _case_ref(record.case_ref)})


RecordT = TypeVar("RecordT", bound=BaseModel)
R = TypeVar("R")


def _updated(record: RecordT, values: dict[str, Any]) -> RecordT:
    """``record`` with ``values``; the record itself when they are what it holds already (an
    import of 640,000 plans copies none)."""
    if all(getattr(record, field) == value for field, value in values.items()):
        return record
    return record.model_copy(update=values)


_REPLACEABLE = (
    "exception_reason",
    "exception_arose_on",
    "agreed_return_on",
    "expected_on",
    "referral_on",
)


def _replaced(before: AdviceRequestRecord, after: AdviceRequestRecord) -> dict[str, Any]:
    """What an update took away or changed of an exception, a clinical delay or a referral, for
    the audit (``was_exception_reason``…): a correction replaces an outcome wholly."""
    return {
        f"was_{name}": getattr(before, name)
        for name in _REPLACEABLE
        if getattr(before, name) is not None and getattr(before, name) != getattr(after, name)
    }


def _case_ref(case_ref: str) -> str:
    return screen_text(case_ref, field="case reference", max_length=MAX_CASE_REFERENCE_LENGTH)


def _batches(items: Iterable[R], size: int) -> Iterable[list[R]]:
    """``items`` in lists of ``size`` (the last, what is left)."""
    batch: list[R] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _stored(record: BaseModel, fields: Sequence[str]) -> dict[str, Any]:
    dumped = record.model_dump(mode="json")
    return {field: dumped[field] for field in fields}


class AdviceRequestRepository:
    """Requests for health advice, one per case reference and service."""

    def __init__(self, db: sqlite_utils.Database, audit: AuditLog, *, clock: Clock) -> None:
        self._db = db
        self._dialect = dialect_of(db)
        self._audit = audit
        self._clock = clock

    def add(self, record: AdviceRequestRecord, *, actor: str) -> AdviceRequestRecord:
        """Log a new request; ``ConflictError`` when the service already has that case."""
        record = screened_request(record)
        with self._db.atomic():
            if self._row_id(record.service_id, record.case_ref) is not None:
                raise ConflictError(
                    f"{record.case_ref} is already logged for this service: use 'return "
                    f"{record.case_ref}' to record its outcome."
                )
            request_id = self._insert(record, actor)
            self._audit.record(actor, "request logged", "advice_request", request_id)
        return self.get(request_id)

    def sync(self, records: Iterable[AdviceRequestRecord], *, actor: str) -> SyncCounts:
        """Add or update many requests in one transaction; unchanged rows are left alone.

        In batches: each batch's requests already logged are read in one query, and its new ones
        written in one ``execute_many`` (a round trip per request, two per row, made an import of
        160,000 requests into PostgreSQL take 94 s)."""
        counts = SyncCounts()
        with self._db.atomic():
            for batch in _batches(records, SYNC_BATCH):
                self._sync_batch([screened_request(r) for r in batch], actor, counts)
            if counts.added or counts.updated:
                self._audit.record(
                    actor, "requests imported", "advice_request", None, **counts.model_dump()
                )
        return counts

    def _sync_batch(
        self, records: list[AdviceRequestRecord], actor: str, counts: SyncCounts
    ) -> None:
        logged = self._logged(records)
        new: dict[tuple[int, str], list[Any]] = {}
        for record in records:
            key = (record.service_id, record.case_ref)
            if key in new:  # the same case twice in one batch: the first is written first
                self._write_new(list(new.values()))
                new.clear()
                logged |= self._logged([record])
            found = logged.get(key)
            if found is None:
                new[key] = list(self._new_values(record, actor).values())
                counts.added += 1
            elif self._update_if_changed(found[0], record, found[1]):
                counts.updated += 1
            else:
                counts.unchanged += 1
        self._write_new(list(new.values()))

    def _logged(
        self, records: Sequence[AdviceRequestRecord]
    ) -> dict[tuple[int, str], tuple[int, dict[str, Any]]]:
        """The requests already logged for these (service, case reference) pairs: each one's id
        and stored fields, in one query."""
        if not records:
            return {}
        pairs = ", ".join("(?, ?)" for _ in records)
        rows = self._db.execute(
            f"SELECT r.id, {', '.join(f'r.{f}' for f in _REQUEST_FIELDS)} "
            f"FROM (VALUES {pairs}) AS k JOIN advice_requests r "
            "ON r.service_id = k.column1 AND r.case_ref = k.column2",
            [value for r in records for value in (r.service_id, r.case_ref)],
        ).fetchall()
        found = {}
        for row in rows:
            fields = dict(zip(_REQUEST_FIELDS, row[1:], strict=True))
            found[(fields["service_id"], fields["case_ref"])] = (int(row[0]), fields)
        return found

    def _write_new(self, rows: list[list[Any]]) -> None:
        columns = (*_REQUEST_FIELDS, *_NEW_ROW_FIELDS)
        marks = ", ".join("?" for _ in columns)
        execute_many(
            self._db,
            f"INSERT INTO advice_requests ({', '.join(columns)}) VALUES ({marks})",
            rows,
        )

    def get(self, request_id: int) -> AdviceRequestRecord:
        """One request by id; ``NotFoundError`` when there is none."""
        found = self._select("WHERE r.id = ?", [request_id])
        if not found:
            raise NotFoundError(f"There is no request number {request_id}.")
        return found[0]

    def update(self, record: AdviceRequestRecord, *, actor: str) -> AdviceRequestRecord:
        """Save a request's changed outcome fields, audited; a change to a request already closed
        (returned, or not provided) is audited as a correction, with what it was."""
        record = screened_request(record)
        if record.id is None:
            raise NotFoundError("That request has not been logged.")
        with self._db.atomic():
            before = self.get(record.id)
            if self._update_if_changed(record.id, record):
                corrected = before.returned_on is not None  # a closed request's outcome changed
                self._audit.record(
                    actor,
                    "request outcome corrected" if corrected else "request updated",
                    "advice_request",
                    record.id,
                    outcome=record.outcome,
                    returned_on=record.returned_on,
                    exception=record.exception_reason,
                    **(
                        {"was_outcome": before.outcome, "was_returned_on": before.returned_on}
                        if corrected
                        else {}
                    ),
                    **_replaced(before, record),
                )
        return self.get(record.id)

    def find(
        self, case_ref: str, service_ids: Sequence[int] | None = None
    ) -> list[AdviceRequestRecord]:
        """Requests with this case reference (case ignored), in the given services or all."""
        where, params = _services_clause(service_ids)
        nocase = self._dialect.nocase
        return self._select(
            f"WHERE {nocase('r.case_ref')} = {nocase('?')} {where}", [case_ref, *params]
        )

    def open_for(self, service_ids: Sequence[int] | None = None) -> list[AdviceRequestRecord]:
        """Requests not yet returned, in the given services (``None``: every service)."""
        where, params = _services_clause(service_ids)
        return self._select(f"WHERE r.returned_on IS NULL {where}", params)

    def open_due_by(self, day: date, today: date) -> list[AdviceRequestRecord]:
        """Requests received by ``today``, still owed, and due by ``day`` — without a reg 8(2)
        exception, due on their 6-week date; with one, on the return date agreed — or a
        clinical delay whose expected date has passed: the only ones a nudge can be about.
        (``unindexed``, SQLite's ``+r.due_on``, keeps it from walking the due-date index over
        every request ever due: the covering index, which knows which are returned, is read
        instead, and only the open ones are fetched.)"""
        return self._select(
            "WHERE r.returned_on IS NULL AND r.received_on <= :today AND ("
            f"(r.exception_reason IS NULL AND {self._dialect.unindexed('r.due_on')} <= :day) "
            "OR (r.exception_reason IS NOT NULL AND r.agreed_return_on <= :day) "
            "OR (r.exception_reason IS NULL AND r.outcome = 'clinical_delay' "
            "AND r.expected_on < :today))",
            {"day": day.isoformat(), "today": today.isoformat()},
        )

    def find_all_for(self, service_id: int) -> list[AdviceRequestRecord]:
        """Every request of one service, returned or not."""
        return self._select("WHERE r.service_id = ?", [service_id])

    def overdue_on(self, today: date) -> list[AdviceRequestRecord]:
        """Requests still owed whose due date has passed (the open-request index serves this)."""
        return self._select("WHERE r.returned_on IS NULL AND r.due_on < ?", [today.isoformat()])

    def count(self) -> int:
        """How many requests are kept."""
        return int(self._db.execute("SELECT count(*) FROM advice_requests").fetchone()[0])

    def _row_id(self, service_id: int, case_ref: str) -> int | None:
        row = self._db.execute(
            "SELECT id FROM advice_requests WHERE service_id = ? AND case_ref = ?",
            [service_id, case_ref],
        ).fetchone()
        return None if row is None else int(row[0])

    def _insert(self, record: AdviceRequestRecord, actor: str) -> int:
        values = self._new_values(record, actor)
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        (request_id,) = self._db.execute(
            f"INSERT INTO advice_requests ({columns}) VALUES ({marks}) RETURNING id",
            list(values.values()),
        ).fetchone()
        return int(request_id)

    def _new_values(self, record: AdviceRequestRecord, actor: str) -> dict[str, Any]:
        """A new request's row, in the order ``_REQUEST_FIELDS`` then ``_NEW_ROW_FIELDS``."""
        now = stamp(self._clock)
        return _stored(record, _REQUEST_FIELDS) | {
            "due_on": advice_due_date(record.received_on).isoformat(),
            "created_by": actor,
            "created_at": now,
            "updated_at": now,
        }

    def _update_if_changed(
        self,
        request_id: int,
        record: AdviceRequestRecord,
        stored: dict[str, Any] | None = None,
    ) -> bool:
        """Write ``record``'s fields over the request's, unless they are what is stored (as
        ``stored``, when the caller has read them)."""
        wanted = _stored(record, _REQUEST_FIELDS)
        if stored is None:
            row = self._db.execute(
                f"SELECT {', '.join(_REQUEST_FIELDS)} FROM advice_requests WHERE id = ?",
                [request_id],
            ).fetchone()
            stored = dict(zip(_REQUEST_FIELDS, row, strict=True))
        if stored == wanted:
            return False
        wanted |= {
            "due_on": advice_due_date(record.received_on).isoformat(),
            "updated_at": stamp(self._clock),
        }
        sets = ", ".join(f"{column} = ?" for column in wanted)
        self._db.execute(
            f"UPDATE advice_requests SET {sets} WHERE id = ?", [*wanted.values(), request_id]
        )
        return True

    def _select(self, where: str, params: Any) -> list[AdviceRequestRecord]:
        columns = ", ".join(f"r.{f}" for f in _REQUEST_FIELDS)
        cursor = self._db.execute(
            f"SELECT r.id, s.name, {columns} FROM advice_requests r "
            f"JOIN services s ON s.id = r.service_id {where} ORDER BY r.due_on, r.case_ref",
            params,
        )
        keys = ("id", "service_name", *_REQUEST_FIELDS)
        return [
            AdviceRequestRecord.model_validate(dict(zip(keys, row, strict=True)))
            for row in cursor.fetchall()
        ]


class AnnualReviewRepository:
    """Annual reviews of plans, one per case reference, with the services involved."""

    def __init__(self, db: sqlite_utils.Database, audit: AuditLog, *, clock: Clock) -> None:
        self._db = db
        self._dialect = dialect_of(db)
        self._audit = audit
        self._clock = clock

    def sync(self, records: Iterable[AnnualReviewRecord], *, actor: str) -> SyncCounts:
        """Add or update many reviews in one transaction; unchanged rows are left alone."""
        counts = SyncCounts()
        with self._db.atomic():
            for record in records:
                _, outcome, _ = self._upsert(screened_review(record), actor)
                setattr(counts, outcome, getattr(counts, outcome) + 1)
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

    def _upsert(self, record: AnnualReviewRecord, actor: str) -> tuple[int, str, date | None]:
        """Add the review, or update the one its services already logged for the case; with the
        day a review was held when the update moves the last review on (kept in
        ``reviews_held`` with the period it closed)."""
        wanted = _stored(record, _REVIEW_FIELDS)
        derived = derived_review_columns(record)
        existing = self._review_id(record.case_ref, record.service_ids)
        row = None
        if existing is not None:
            row = self._db.execute(
                f"SELECT id, {', '.join(_REVIEW_FIELDS)} FROM annual_reviews WHERE id = ?",
                [existing],
            ).fetchone()
        if row is None:
            now = stamp(self._clock)
            values = wanted | derived | {"created_by": actor, "created_at": now, "updated_at": now}
            (added,) = self._db.execute(
                f"INSERT INTO annual_reviews ({', '.join(values)}) "
                f"VALUES ({', '.join('?' for _ in values)}) RETURNING id",
                list(values.values()),
            ).fetchone()
            self._set_services(added, record.service_ids)
            return added, "added", None
        review_id = int(row[0])
        stored = dict(zip(_REVIEW_FIELDS, row[1:], strict=True))
        if stored == wanted and self._services(review_id) == tuple(sorted(record.service_ids)):
            return review_id, "unchanged", None
        changed = wanted | derived
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
    """A review as stored (written through the validated record, so each value is already of
    its field's type once dates are read back): built without validating it all again, which
    matters when the sweep reads tens of thousands."""
    rid, services, case_ref, plan, last, meeting, notified, contribution, phase, year = row[:10]
    amended, move = row[10:]
    return AnnualReviewRecord.model_construct(
        id=rid,
        case_ref=case_ref,
        service_ids=tuple(sorted(int(s) for s in str(services).split(","))),
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


def _services_clause(service_ids: Sequence[int] | None) -> tuple[str, list[Any]]:
    if service_ids is None:
        return "", []
    marks = ",".join("?" for _ in service_ids) or "NULL"
    return f"AND r.service_id IN ({marks})", list(service_ids)
