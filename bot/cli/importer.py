"""Bulk import of advice requests and annual reviews from a case-management CSV export.

A file is imported whole or not at all: every bad row is reported with its line number and why,
and nothing is written. Re-importing the same file changes nothing. Dates may be ISO
(2026-11-02) or UK (02/11/2026). Every text column passes the one privacy screen: a case
reference, delay reason or exception narrative holding an NHS number, or over its limit, is a bad
row.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bot.cli.columns import REQUEST_COLUMNS, REVIEW_COLUMNS
from bot.storage.casework import SyncCounts
from bot.storage.errors import StorageError
from bot.storage.store import Repositories
from dialogs.commands import services_named
from ehcp_rules import (
    MAX_DELAY_REASON_LENGTH,
    MAX_NARRATIVE_LENGTH,
    AdviceOutcome,
    AdviceRequestRecord,
    AnnualReviewRecord,
    ExceptionReason,
    InvalidDatesError,
    PhaseTransfer,
    PrivacyError,
    RulesError,
    check_case_reference,
    check_request_dates,
    parse_day,
    quoted,
    screen_text,
)

# Dates that record something that has happened: never after the day of the import.
_PAST_DATES = {
    "received_on",
    "returned_on",
    "referral_on",
    "assessment_requested_on",
    "plan_issued_on",
    "last_review_on",
    "health_notified_on",
    "contribution_in_on",
    "amended_for_transfer_on",
    "exception_arose_on",
}
_DATE_COLUMNS = _PAST_DATES | {
    "expected_on",
    "la_deadline",
    "meeting_on",
    "agreed_return_on",
    "post_16_move_on",
}
# Free text kept as written (after the privacy screen), with each column's limit.
_TEXT_COLUMNS = {
    "delay_reason": MAX_DELAY_REASON_LENGTH,
    "not_provided_reason": MAX_DELAY_REASON_LENGTH,
    "exception_narrative": MAX_NARRATIVE_LENGTH,
}
_MAX_PROBLEMS_SHOWN = 50


RecordT = TypeVar("RecordT", bound=BaseModel)


class ImportRejected(StorageError):
    """The file was not imported; ``problems`` lists each bad row as (line, reason)."""

    def __init__(self, source: str, problems: list[tuple[int, str]]) -> None:
        self.problems = problems
        shown = [f"  line {line}: {reason}" for line, reason in problems[:_MAX_PROBLEMS_SHOWN]]
        more = len(problems) - _MAX_PROBLEMS_SHOWN
        if more > 0:
            shown.append(f"  ... and {more} more")
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(
            f"{source}: nothing was imported; {len(problems)} {noun} to fix:\n" + "\n".join(shown)
        )


class _RowError(ValueError):
    pass


def parse_date(text: str) -> date:
    """An ISO (2026-11-02) or UK (02/11/2026) date, as the bot reads one (``parse_day``);
    ``ValueError`` saying what is expected, the cell said back as ``quoted`` says it."""
    try:
        return parse_day(text)
    except RulesError as error:
        raise _RowError(str(error)) from None


def read_csv_rows(
    data: bytes, source: str, columns: Mapping[str, tuple[str, ...]]
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each data row; ``ImportRejected`` for a bad encoding or header."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRejected(
            source,
            [
                (
                    _line_of(data, error.start),
                    "the file is not UTF-8 text: save it as 'CSV UTF-8' and try again",
                )
            ],
        ) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    _check_header(source, header, columns)
    reader.fieldnames = header
    for row in reader:
        if None in row:
            yield reader.line_num, {"__extra__": "yes"}
            continue
        yield reader.line_num, {k: (v or "").strip() for k, v in row.items()}


def _check_header(source: str, header: list[str], columns: Mapping[str, tuple[str, ...]]) -> None:
    missing = [c for c in columns["required"] if c not in header]
    unknown = [c for c in header if c not in (*columns["required"], *columns["optional"])]
    problems = []
    if missing:
        problems.append(f"missing column(s): {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown column(s): {', '.join(unknown)} (see the README for the columns)")
    if problems:
        raise ImportRejected(source, [(1, "; ".join(problems))])


def _line_of(data: bytes, offset: int) -> int:
    return data[:offset].count(b"\n") + 1


def checked_rows(
    data: bytes,
    *,
    source: str,
    columns: Mapping[str, tuple[str, ...]],
    build: Callable[[dict[str, str]], RecordT],
    key: Callable[[RecordT], tuple[object, ...]],
    today: date,
) -> Iterator[RecordT]:
    """The file checked whole first (``ImportRejected`` with every problem found, before anything
    is yielded), then its records one at a time: a national file never sits in memory as
    records all at once."""
    problems: list[tuple[int, str]] = []
    first_seen: dict[tuple[object, ...], int] = {}
    for line, row in read_csv_rows(data, source, columns):
        record = _built(row, line, build, today, problems)
        if record is None:
            continue
        seen = first_seen.setdefault(key(record), line)
        if seen != line:
            problems.append((line, f"the same case reference and service as line {seen}"))
    if problems:
        raise ImportRejected(source, problems)
    del first_seen
    for line, row in read_csv_rows(data, source, columns):
        record = _built(row, line, build, today, problems)
        if record is not None:
            yield record


def _built(
    row: dict[str, str],
    line: int,
    build: Callable[[dict[str, str]], RecordT],
    today: date,
    problems: list[tuple[int, str]],
) -> RecordT | None:
    if "__extra__" in row:
        problems.append((line, "more values than there are columns"))
        return None
    try:
        _check_dates(row, today)
        return build(row)
    except (_RowError, PrivacyError) as error:
        problems.append((line, str(error)))
    except ValidationError as error:
        problems.append((line, _validation_message(error)))
    return None


def _check_dates(row: dict[str, str], today: date) -> None:
    for column in _DATE_COLUMNS:
        if row.get(column):
            when = parse_date(row[column])
            if column in _PAST_DATES and when > today:
                raise _RowError(f"{column} {row[column]} is in the future")
            row[column] = when.isoformat()


def _validation_message(error: ValidationError) -> str:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "row"
    return f"{field}: {first['msg'].removeprefix('Value error, ')}"


def _choice(value: str, kind: type[Any], column: str) -> Any:
    if not value:
        return None
    normal = re.sub(r"[\s-]+", "_", value.strip().lower())
    try:
        return kind(normal)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise _RowError(f"{column} {quoted(value)} is not one of: {allowed}") from None


def _flag(value: str, column: str) -> bool | None:
    lowered = value.strip().lower()
    if not lowered:
        return None
    if lowered in {"yes", "y", "true", "1"}:
        return True
    if lowered in {"no", "n", "false", "0"}:
        return False
    raise _RowError(f"{column} {quoted(value)} should be yes or no")


def request_builder(
    services: Mapping[str, int], today: date
) -> Callable[[dict[str, str]], AdviceRequestRecord]:
    """Builds an ``AdviceRequestRecord`` from one CSV row, with ``services`` (name → id, the
    name's case ignored), refusing what the bot refuses (``check_request_dates``: an open
    request received over a year back, a deadline before receipt, a clinical delay with no
    expected date, an exception with no date or outside the 6 weeks, ...)."""
    service_id_of = _finder(services)

    def build(row: dict[str, str]) -> AdviceRequestRecord:
        _screen_text_columns(row)
        service_id = service_id_of(row["service"])
        outcome = _choice(row.get("outcome", ""), AdviceOutcome, "outcome")
        if outcome is None and row.get("returned_on"):
            outcome = AdviceOutcome.RETURNED
        exception = _choice(row.get("exception_reason", ""), ExceptionReason, "exception_reason")
        if exception is not None and not row.get("exception_narrative"):
            raise _RowError("an exception needs a narrative saying why (exception_narrative)")
        fields = {k: v or None for k, v in row.items() if k in REQUEST_COLUMNS["optional"]}
        record = AdviceRequestRecord.model_validate(
            fields
            | {
                "case_ref": check_case_reference(row["case_ref"]),
                "service_id": service_id,
                "received_on": row["received_on"] or _missing("received_on"),
                "outcome": outcome,
                "exception_reason": exception,
                "team_told": _flag(row.get("team_told", ""), "team_told"),
                "known_to_service": _flag(row.get("known_to_service", ""), "known_to_service"),
            }
        )
        record.as_rule()  # the rules' own checks: a return before its request, and so on
        try:
            check_request_dates(record, today)
        except InvalidDatesError as error:
            raise _RowError(str(error)) from None
        return record

    return build


def review_builder(services: Mapping[str, int]) -> Callable[[dict[str, str]], AnnualReviewRecord]:
    """Builds an ``AnnualReviewRecord`` from one CSV row (services separated by ';')."""
    service_id_of = _finder(services)

    def build(row: dict[str, str]) -> AnnualReviewRecord:
        names = [n for n in (part.strip() for part in row["services"].split(";")) if n]
        if not names:
            raise _RowError("services is empty: name at least one service")
        fields = {k: v or None for k, v in row.items() if k in REVIEW_COLUMNS["optional"]}
        record = AnnualReviewRecord.model_validate(
            fields
            | {
                "case_ref": check_case_reference(row["case_ref"]),
                "service_ids": tuple(service_id_of(n) for n in names),
                "plan_issued_on": row["plan_issued_on"] or _missing("plan_issued_on"),
                "phase_transfer": _choice(
                    row.get("phase_transfer", ""), PhaseTransfer, "phase_transfer"
                ),
            }
        )
        record.as_rule()
        return record

    return build


def _screen_text_columns(row: dict[str, str]) -> None:
    """Each free-text column through the one privacy screen (``PrivacyError`` naming it)."""
    for column, limit in _TEXT_COLUMNS.items():
        if row.get(column):
            row[column] = screen_text(row[column], field=column, max_length=limit)


def _finder(services: Mapping[str, int]) -> Callable[[str], int]:
    """A service's id from its name as a file writes it (case and spacing aside); an unknown
    name is refused, naming the service it most likely means, so that nobody adds a second
    service for one they already have."""
    lowered = {" ".join(name.split()).lower(): sid for name, sid in services.items()}

    def service_id(name: str) -> int:
        found = lowered.get(" ".join(name.split()).lower())
        if found is None:
            raise _RowError(_unknown_service(name, list(services)))
        return found

    return service_id


def _unknown_service(name: str, known: list[str]) -> str:
    near = services_named(name, known) or difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if len(near) == 1:
        return (
            f"unknown service {quoted(name)}: did you mean '{near[0]}'? Write the name as "
            "'ehcp-bot services list' shows it"
        )
    return (
        f"unknown service {quoted(name)} ('ehcp-bot services list' shows the services; a new "
        "one is added with 'ehcp-bot services add')"
    )


def _missing(column: str) -> str:
    raise _RowError(f"{column} is empty")


def import_into(
    repos: Repositories,
    kind: str,
    data: bytes,
    *,
    source: str,
    services: dict[str, int],
    today: date,
    actor: str,
) -> SyncCounts:
    """Check a whole file of ``kind`` (``requests`` or ``reviews``), then write it."""
    if kind == "requests":
        requests = checked_rows(
            data,
            source=source,
            columns=REQUEST_COLUMNS,
            build=request_builder(services, today),
            key=lambda r: (r.service_id, r.case_ref.lower()),
            today=today,
        )
        return repos.requests.sync(requests, actor=actor)
    reviews = checked_rows(
        data,
        source=source,
        columns=REVIEW_COLUMNS,
        build=review_builder(services),
        key=lambda r: (r.case_ref.lower(),),
        today=today,
    )
    return repos.reviews.sync(reviews, actor=actor)
