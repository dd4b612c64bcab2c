"""The last gate: every free-text column a repository writes is screened, whichever path the text
came by (a card, the chat, the importer, the command line) — an NHS number written any way is
refused and nothing is written; ordinary text and case references are kept."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.storage.dialect import dialect_of
from bot.storage.store import Repositories, Store
from ehcp_rules import (
    ActionProgress,
    AdviceOutcome,
    AdviceRequestRecord,
    AnnualReviewRecord,
    ExceptionReason,
    PrivacyError,
    Rating,
    Role,
    Service,
)
from tests.nhs_numbers import texts_with_nhs_numbers

from .conftest import ACTOR

SAM = "3f2b1c4e-8a9d-4e7f-9b1a-2c3d4e5f6a7b"
KEPT = "LA-2026-0001"
RECEIVED = date(2026, 10, 1)


@dataclass(frozen=True)
class Ids:
    service: int
    request: int
    in_progress: int
    submitted: int


@dataclass(frozen=True)
class Column:
    """One free-text column and the repository call that writes it, and reads it back."""

    name: str
    write: Callable[[Repositories, Ids, str], object]
    read: Callable[[Repositories, Ids, str], str | None]
    case_reference: bool = False


def _request(
    ids: Ids, case_ref: str = KEPT, fields: dict[str, object] | None = None
) -> AdviceRequestRecord:
    return AdviceRequestRecord.model_validate(
        {"case_ref": case_ref, "service_id": ids.service, "received_on": RECEIVED, **(fields or {})}
    )


def _delayed(text: str) -> dict[str, object]:
    return {
        "outcome": AdviceOutcome.CLINICAL_DELAY,
        "expected_on": date(2026, 12, 20),
        "team_told": True,
        "delay_reason": text,
    }


def _excepted(text: str) -> dict[str, object]:
    return {"exception_reason": ExceptionReason.MISSED_APPOINTMENT, "exception_narrative": text}


def _not_provided(text: str) -> dict[str, object]:
    return {
        "outcome": AdviceOutcome.NOT_PROVIDED,
        "returned_on": date(2027, 1, 20),
        "not_provided_reason": text,
    }


def _review(ids: Ids, case_ref: str) -> AnnualReviewRecord:
    return AnnualReviewRecord(
        case_ref=case_ref, service_ids=(ids.service,), plan_issued_on=date(2026, 1, 5)
    )


def _kept(r: Repositories, ids: Ids) -> AdviceRequestRecord:
    return r.requests.get(ids.request)


def _request_ref(r: Repositories, ids: Ids, text: str) -> str | None:
    return r.requests.find(text)[0].case_ref


def _review_ref(r: Repositories, ids: Ids, text: str) -> str | None:
    found = r.reviews.find(text)
    return None if found is None else found.case_ref


COLUMNS = (
    Column(
        "advice_requests.case_ref (logged)",
        lambda r, ids, text: r.requests.add(_request(ids, text), actor=ACTOR),
        _request_ref,
        case_reference=True,
    ),
    Column(
        "advice_requests.case_ref (imported)",
        lambda r, ids, text: r.requests.sync([_request(ids, text)], actor=ACTOR),
        _request_ref,
        case_reference=True,
    ),
    Column(
        "advice_requests.delay_reason (outcome)",
        lambda r, ids, text: r.requests.update(
            _kept(r, ids).model_copy(update=_delayed(text)), actor=ACTOR
        ),
        lambda r, ids, text: _kept(r, ids).delay_reason,
    ),
    Column(
        "advice_requests.delay_reason (imported)",
        lambda r, ids, text: r.requests.sync([_request(ids, fields=_delayed(text))], actor=ACTOR),
        lambda r, ids, text: _kept(r, ids).delay_reason,
    ),
    Column(
        "advice_requests.exception_narrative (outcome)",
        lambda r, ids, text: r.requests.update(
            _kept(r, ids).model_copy(update=_excepted(text)), actor=ACTOR
        ),
        lambda r, ids, text: _kept(r, ids).exception_narrative,
    ),
    Column(
        "advice_requests.exception_narrative (imported)",
        lambda r, ids, text: r.requests.sync([_request(ids, fields=_excepted(text))], actor=ACTOR),
        lambda r, ids, text: _kept(r, ids).exception_narrative,
    ),
    Column(
        "advice_requests.not_provided_reason (outcome)",
        lambda r, ids, text: r.requests.update(
            _kept(r, ids).model_copy(update=_not_provided(text)), actor=ACTOR
        ),
        lambda r, ids, text: _kept(r, ids).not_provided_reason,
    ),
    Column(
        "advice_requests.not_provided_reason (imported)",
        lambda r, ids, text: r.requests.sync(
            [_request(ids, fields=_not_provided(text))], actor=ACTOR
        ),
        lambda r, ids, text: _kept(r, ids).not_provided_reason,
    ),
    Column(
        "annual_reviews.case_ref (logged)",
        lambda r, ids, text: r.reviews.save(_review(ids, text), actor=ACTOR),
        _review_ref,
        case_reference=True,
    ),
    Column(
        "annual_reviews.case_ref (imported)",
        lambda r, ids, text: r.reviews.sync([_review(ids, text)], actor=ACTOR),
        _review_ref,
        case_reference=True,
    ),
    Column(
        "answers.comment",
        lambda r, ids, text: r.assessments.record_answer(
            ids.in_progress, 1, Rating.YES, text, actor=SAM
        ),
        lambda r, ids, text: r.assessments.answers(ids.in_progress)[1].comment,
    ),
    Column(
        "actions.owner",
        lambda r, ids, text: r.assessments.update_action(
            ids.submitted,
            4,
            owner=text,
            target_date=None,
            progress=ActionProgress.ON_TRACK,
            actor=SAM,
        ),
        lambda r, ids, text: r.assessments.actions(ids.submitted)[0].owner,
    ),
    Column(
        "services.name",
        lambda r, ids, text: r.services.add(text, provider=None, actor=ACTOR),
        lambda r, ids, text: getattr(r.services.find(text), "name", None),
    ),
    Column(
        "services.provider",
        lambda r, ids, text: r.services.add("Orthoptics", provider=text, actor=ACTOR),
        lambda r, ids, text: r.services.named("Orthoptics").provider,
    ),
    Column(
        "people.display_name",
        lambda r, ids, text: r.people.grant(
            SAM, Role.DCO, service=None, display_name=text, actor=ACTOR
        ),
        lambda r, ids, text: r.people.roles_of(SAM)[0].display_name,
    ),
)


def _world(r: Repositories, service: Service) -> Ids:
    """A request, a submitted assessment with one action (question 4), one in progress."""
    request = r.requests.add(
        AdviceRequestRecord(case_ref=KEPT, service_id=service.id, received_on=RECEIVED),
        actor=ACTOR,
    )
    submitted, _ = r.assessments.start_or_resume(service.id, edition="east-of-england", actor=SAM)
    for number in range(1, 24):
        rating = Rating.NO if number == 4 else Rating.YES
        r.assessments.record_answer(submitted.id, number, rating, "", actor=SAM)
    r.assessments.submit(submitted.id, actor=SAM)
    started, _ = r.assessments.start_or_resume(service.id, edition="east-of-england", actor=SAM)
    assert request.id is not None
    return Ids(service.id, request.id, started.id, submitted.id)


@pytest.fixture
def ids(store: Store, slt: Service) -> Ids:
    return store.call(lambda r: _world(r, slt))


def _everything(r: Repositories) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, on either database."""
    if dialect_of(r.db).name == "sqlite":
        listed = "SELECT name FROM sqlite_master WHERE type = 'table'"
    else:
        listed = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
    tables = sorted(row[0] for row in r.db.execute(listed).fetchall())
    return {
        t: sorted(map(tuple, r.db.execute(f"SELECT * FROM {t}").fetchall()), key=repr)
        for t in tables
    }


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts_with_nhs_numbers(), column=st.sampled_from(COLUMNS))
def test_an_nhs_number_written_any_way_is_refused_in_every_column_and_nothing_is_written(
    store: Store, ids: Ids, text: str, column: Column
) -> None:
    before = store.call(_everything)

    with pytest.raises(PrivacyError, match="NHS number"):
        store.call(lambda r: column.write(r, ids, text))

    assert store.call(_everything) == before, column.name


@pytest.mark.parametrize("column", COLUMNS, ids=lambda c: c.name)
def test_ordinary_text_and_case_references_are_kept_in_every_column(
    store: Store, ids: Ids, column: Column
) -> None:
    text = (
        "LA-2026-0142"
        if column.case_reference
        else "Lead: Dr A. Patel, ext. 4412 \u2013 reviewed 02/11/2026"
    )

    store.call(lambda r: column.write(r, ids, f" {text}\u200b "))

    assert store.call(lambda r: column.read(r, ids, text)) == text


@pytest.mark.parametrize("column", COLUMNS, ids=lambda c: c.name)
def test_every_column_has_a_length_limit(store: Store, ids: Ids, column: Column) -> None:
    with pytest.raises(PrivacyError, match="characters long; the limit is"):
        store.call(lambda r: column.write(r, ids, "A1" * 1001))
