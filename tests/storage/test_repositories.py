"""Repositories: services, roles, assessments with history, the action plan, the audit trail."""

from __future__ import annotations

from datetime import date

import pytest

from bot.storage.errors import ConflictError, InvalidInputError, NotFoundError
from bot.storage.store import Repositories, Store
from ehcp_rules import (
    ActionProgress,
    AdviceRequestRecord,
    AssessmentStatus,
    PrivacyError,
    Rag,
    Rating,
    Role,
    Service,
)

from .conftest import ACTOR

SAM = "3f2b1c4e-8a9d-4e7f-9b1a-2c3d4e5f6a7b"
ALEX = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"


def test_service_names_are_unique_ignoring_case_and_spacing(store: Store, slt: Service) -> None:
    with pytest.raises(ConflictError, match="already a service"):
        store.call(lambda r: r.services.add("children's  slt", provider=None, actor=ACTOR))

    assert store.call(lambda r: r.services.named("CHILDREN'S SLT")) == slt


def test_an_unknown_service_is_named_with_the_known_ones(store: Store, slt: Service) -> None:
    with pytest.raises(NotFoundError, match=r"no service called 'OT' \(known: Children's SLT\)"):
        store.call(lambda r: r.services.named("OT"))


def test_roles_are_granted_once_and_listed_with_their_service(store: Store, slt: Service) -> None:
    for _ in range(2):
        store.call(
            lambda r: r.people.grant(
                SAM.upper(), Role.SPOC, service="children's slt", display_name="Sam", actor=ACTOR
            )
        )
    store.call(
        lambda r: r.people.grant(ALEX, Role.DCO, service=None, display_name=None, actor=ACTOR)
    )

    grants = store.call(lambda r: r.people.all_grants())

    assert [(g.object_id, g.role, g.service_name) for g in grants] == [
        (ALEX, Role.DCO, None),
        (SAM, Role.SPOC, "Children's SLT"),
    ]
    audited = store.call(lambda r: r.audit.entries(entity="person"))
    assert [e.action for e in audited] == ["role granted", "role granted"]


@pytest.mark.parametrize(
    ("object_id", "role", "service", "error", "message"),
    [
        ("sam", Role.SPOC, "Children's SLT", InvalidInputError, "not an Entra ID object id"),
        (SAM, Role.SPOC, None, InvalidInputError, "is for one service"),
        (SAM, Role.DCO, "Children's SLT", InvalidInputError, "covers every service"),
        (SAM, Role.PRACTITIONER, "Orthoptics", NotFoundError, "no service called"),
    ],
)
def test_a_bad_grant_is_refused_and_writes_nothing(
    store: Store,
    slt: Service,
    object_id: str,
    role: Role,
    service: str | None,
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error, match=message):
        store.call(
            lambda r: r.people.grant(
                object_id, role, service=service, display_name=None, actor=ACTOR
            )
        )

    assert store.call(lambda r: r.people.all_grants()) == []


def test_revoking_a_role_not_held_says_so(store: Store, slt: Service) -> None:
    with pytest.raises(NotFoundError, match="does not hold the role dco"):
        store.call(lambda r: r.people.revoke(SAM, Role.DCO, service=None, actor=ACTOR))


def test_one_assessment_in_progress_per_service_shared_by_its_people(
    store: Store, slt: Service
) -> None:
    first, created = store.call(
        lambda r: r.assessments.start_or_resume(slt.id, edition="east-of-england", actor=SAM)
    )
    second, created_again = store.call(
        lambda r: r.assessments.start_or_resume(slt.id, edition="east-of-england", actor=ALEX)
    )

    assert (created, created_again) == (True, False)
    assert first.id == second.id


def test_every_answer_is_kept_the_latest_is_current_and_records_who(
    store: Store, slt: Service
) -> None:
    assessment, _ = store.call(
        lambda r: r.assessments.start_or_resume(slt.id, edition="east-of-england", actor=SAM)
    )
    store.call(lambda r: r.assessments.record_answer(assessment.id, 7, Rating.NO, "", actor=SAM))
    store.call(
        lambda r: r.assessments.record_answer(
            assessment.id, 7, Rating.EMERGING, "Escalation policy drafted", actor=ALEX
        )
    )

    current = store.call(lambda r: r.assessments.answers(assessment.id))
    history = store.call(lambda r: r.assessments.history(assessment.id, 7))

    assert current[7].rating is Rating.EMERGING
    assert current[7].answered_by == ALEX
    assert [(a.rating, a.answered_by) for a in history] == [
        (Rating.NO, SAM),
        (Rating.EMERGING, ALEX),
    ]


@pytest.mark.parametrize(
    ("comment", "message"),
    [("x" * 2001, "the limit is 2,000"), ("Seen 943 476 5919 in clinic", "NHS number")],
)
def test_a_comment_too_long_or_with_an_nhs_number_is_refused(
    store: Store, slt: Service, comment: str, message: str
) -> None:
    assessment, _ = store.call(
        lambda r: r.assessments.start_or_resume(slt.id, edition="east-of-england", actor=SAM)
    )

    with pytest.raises(PrivacyError, match=message):
        store.call(
            lambda r: r.assessments.record_answer(assessment.id, 1, Rating.YES, comment, actor=SAM)
        )

    assert store.call(lambda r: r.assessments.answers(assessment.id)) == {}


def test_submitting_rates_the_assessment_and_opens_an_action_per_no_and_emerging(
    store: Store, slt: Service
) -> None:
    assessment, _ = store.call(
        lambda r: r.assessments.start_or_resume(slt.id, edition="east-of-england", actor=SAM)
    )
    ratings = {n: Rating.YES for n in range(1, 24)} | {4: Rating.NO, 11: Rating.EMERGING}

    def answer(r: Repositories) -> None:
        for number, rating in ratings.items():
            r.assessments.record_answer(assessment.id, number, rating, "evidence", actor=SAM)

    store.call(answer)

    submitted = store.call(lambda r: r.assessments.submit(assessment.id, actor=SAM))
    store.call(
        lambda r: r.assessments.update_action(
            assessment.id,
            4,
            owner="Service lead",
            target_date=date(2027, 3, 31),
            progress=ActionProgress.ON_TRACK,
            actor=SAM,
        )
    )
    actions = store.call(lambda r: r.assessments.actions(assessment.id))

    assert submitted.status is AssessmentStatus.SUBMITTED
    assert submitted.rag is Rag.RED
    assert [(a.question, a.rating, a.progress) for a in actions] == [
        (4, Rating.NO, ActionProgress.ON_TRACK),
        (11, Rating.EMERGING, ActionProgress.NOT_STARTED),
    ]
    assert actions[0].target_date == date(2027, 3, 31)


def test_a_submitted_assessment_cannot_change_or_be_submitted_twice(
    store: Store, slt: Service
) -> None:
    assessment, _ = store.call(
        lambda r: r.assessments.start_or_resume(slt.id, edition="east-of-england", actor=SAM)
    )

    def answer(r: Repositories) -> None:
        for number in range(1, 24):
            r.assessments.record_answer(assessment.id, number, Rating.YES, "", actor=SAM)

    store.call(answer)
    store.call(lambda r: r.assessments.submit(assessment.id, actor=SAM))

    with pytest.raises(ConflictError, match="already been submitted"):
        store.call(lambda r: r.assessments.submit(assessment.id, actor=SAM))
    with pytest.raises(ConflictError, match="already been submitted"):
        store.call(
            lambda r: r.assessments.record_answer(assessment.id, 1, Rating.NO, "", actor=SAM)
        )
    assert store.call(lambda r: r.assessments.in_progress(slt.id)) is None


def test_an_incomplete_assessment_cannot_be_submitted(store: Store, slt: Service) -> None:
    assessment, _ = store.call(
        lambda r: r.assessments.start_or_resume(slt.id, edition="east-of-england", actor=SAM)
    )
    store.call(lambda r: r.assessments.record_answer(assessment.id, 1, Rating.YES, "", actor=SAM))

    with pytest.raises(ConflictError, match=r"Questions 2, 3, .* and 23 are not answered"):
        store.call(lambda r: r.assessments.submit(assessment.id, actor=SAM))


def test_a_request_is_logged_once_per_service_and_case(store: Store, slt: Service) -> None:
    record = AdviceRequestRecord(
        case_ref="LA-2026-0142", service_id=slt.id, received_on=date(2026, 11, 2)
    )
    store.call(lambda r: r.requests.add(record, actor=SAM))

    with pytest.raises(ConflictError, match="already logged"):
        store.call(lambda r: r.requests.add(record, actor=SAM))
    found = store.call(lambda r: r.requests.find("la-2026-0142", [slt.id]))
    assert [(f.case_ref, f.service_name) for f in found] == [("LA-2026-0142", "Children's SLT")]
    assert store.call(lambda r: r.requests.open_for([slt.id + 1])) == []


def test_lists_are_in_the_same_order_on_both_databases(store: Store) -> None:
    """Names sorted ignoring case, and an empty service ("all services", or a role held for
    none) first, as SQLite sorts them: PostgreSQL's own order would put capitals first and
    empty values last."""
    dco = "0a1b2c3d-0000-4000-8000-000000000001"
    reference = {"conversation": {"id": "19:c"}, "serviceUrl": "http://127.0.0.1:9/"}

    def fill(r: Repositories) -> None:
        for name in ("physiotherapy", "CAMHS", "audiology"):
            r.services.add(name, provider=None, actor=ACTOR)
        r.people.grant(dco, Role.SPOC, service="physiotherapy", display_name="Dee", actor=ACTOR)
        r.people.grant(dco, Role.SPOC, service="audiology", display_name="Dee", actor=ACTOR)
        r.people.grant(dco, Role.DCO, service=None, display_name="Dee", actor=ACTOR)
        r.channels.remember(
            "19:c", kind="channel", team_id="t", name="General", reference=reference
        )
        r.channels.remember("19:d", kind="channel", team_id="t", name=None, reference=reference)
        for service in ("physiotherapy", "audiology", None):
            sid = r.services.named(service).id if service else None
            r.channels.subscribe("19:c", sid, actor=ACTOR)
        r.channels.subscribe("19:d", r.services.named("CAMHS").id, actor=ACTOR)

    store.call(fill)

    services = store.call(lambda r: [s.name for s in r.services.all()])
    grants = store.call(lambda r: [(g.role, g.service_name) for g in r.people.all_grants()])
    subscriptions = store.call(
        lambda r: [(s.channel_name, s.service_name) for s in r.channels.subscriptions()]
    )
    assert services == ["audiology", "CAMHS", "physiotherapy"]
    assert grants == [(Role.DCO, None), (Role.SPOC, "audiology"), (Role.SPOC, "physiotherapy")]
    assert subscriptions == [
        (None, "CAMHS"),
        ("General", None),
        ("General", "audiology"),
        ("General", "physiotherapy"),
    ]
