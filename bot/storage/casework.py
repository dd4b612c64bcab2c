"""Health advice requests (annual reviews are ``bot.storage.reviews``), and what both kinds of
casework share: the screen a record passes before it is written, and the counts of an import.

SQL here that mirrors a rule of ``ehcp_rules`` (each takes the rule's constants from there, and a
randomised test holds it equal to the rule):

- ``open_due_by`` is the sweep's pre-filter for ``plan_nudges`` (owed; due, or for an exception
  agreed, within ``DUE_SOON``; a clinical delay past its expected date) —
  ``tests/storage/test_requests_to_nudge.py``;
- ``due_on`` is ``advice_due_date``, worked out in Python when a request is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, TypeVar

import sqlite_utils
from pydantic import BaseModel

from bot.storage.audit import AuditLog, stamp
from bot.storage.dialect import dialect_of, execute_many
from bot.storage.errors import ConflictError, NotFoundError
from bot.storage.screen import optional_text
from dialogs.ports import Clock
from ehcp_rules import (
    MAX_CASE_REFERENCE_LENGTH,
    MAX_DELAY_REASON_LENGTH,
    MAX_NARRATIVE_LENGTH,
    AdviceRequestRecord,
    advice_due_date,
    screen_text,
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


class SyncCounts(BaseModel):
    """What a bulk import did: rows added, changed, and already as the file says."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0


def screened_request(record: AdviceRequestRecord) -> AdviceRequestRecord:
    """A request as it may be written: its case reference, delay reason and exception narrative
    through the privacy screen (``PrivacyError`` naming the field otherwise)."""
    screened = {
        "case_ref": case_reference(record.case_ref),
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
    return updated(record, screened)


RecordT = TypeVar("RecordT", bound=BaseModel)
R = TypeVar("R")


def updated(record: RecordT, values: dict[str, Any]) -> RecordT:
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


def case_reference(case_ref: str) -> str:
    return screen_text(case_ref, field="case reference", max_length=MAX_CASE_REFERENCE_LENGTH)


def batches(items: Iterable[R], size: int) -> Iterable[list[R]]:
    """``items`` in lists of ``size`` (the last, what is left)."""
    batch: list[R] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def stored_fields(record: BaseModel, fields: Sequence[str]) -> dict[str, Any]:
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
            for batch in batches(records, SYNC_BATCH):
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
        seen: set[tuple[int, str]] = set()
        for record in records:
            key = (record.service_id, record.case_ref)
            if key in seen:  # the same case twice in one batch: read again as the first left it
                self._write_new(list(new.values()))
                new.clear()
                logged |= self._logged([record])
            seen.add(key)
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
        return stored_fields(record, _REQUEST_FIELDS) | {
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
        wanted = stored_fields(record, _REQUEST_FIELDS)
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


def _services_clause(service_ids: Sequence[int] | None) -> tuple[str, list[Any]]:
    if service_ids is None:
        return "", []
    marks = ",".join("?" for _ in service_ids) or "NULL"
    return f"AND r.service_id IN ({marks})", list(service_ids)
