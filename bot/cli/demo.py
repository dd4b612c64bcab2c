"""A small, realistic demo data set, dated around "today", so a newcomer sees everything at once.

Services, people with each role, requests in every state (and a year of history for the
compliance figures), reviews needing action, a submitted assessment and one in progress.
Every case reference is made up (DEMO-...); no real person is named.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from bot.storage.store import Repositories
from ehcp_rules import (
    ActionProgress,
    AdviceOutcome,
    AdviceRequestRecord,
    AnnualReviewRecord,
    ExceptionReason,
    PhaseTransfer,
    Rating,
    Role,
    phase_transfer_deadline,
)

DEMO_PROVIDER = "Northfield Community Health NHS Trust (demo)"
SERVICES = (
    "Community Paediatrics",
    "Children's Speech and Language Therapy",
    "Children's Occupational Therapy",
    "CAMHS",
)
DEMO_PEOPLE = (
    ("00000000-0000-4000-8000-000000000001", "Demo DCO", Role.DCO, None),
    ("00000000-0000-4000-8000-000000000002", "Demo SPOC (SLT)", Role.SPOC, SERVICES[1]),
    (
        "00000000-0000-4000-8000-000000000003",
        "Demo practitioner (Paediatrics)",
        Role.PRACTITIONER,
        SERVICES[0],
    ),
    ("00000000-0000-4000-8000-000000000004", "Demo administrator", Role.ADMIN, None),
)
ACTOR = "demo"
DEMO_CONNECTOR = "http://127.0.0.1:9/demo-connector/"
"""Where the demo channels' nudges would be posted: a closed port on this machine, so that a sweep
run on the demo without ``--dry-run`` posts nowhere (and says it could not deliver)."""
DEMO_CHANNELS = (
    ("19:demo-all-services@thread.tacv2", "EHCP nudges (demo: every service)", None, None),
    ("19:demo-slt-team@thread.tacv2", "SLT team (demo: weekly on Monday)", SERVICES[1], 0),
)
"""Channels the demo subscribes (conversation id, name, service or every one, weekday or daily),
so that ``ehcp-bot nudges --dry-run`` shows a digest at once."""


class DemoRefused(Exception):
    """The database already holds data; the demo only loads into an empty one."""


def load_demo(repos: Repositories, today: date) -> dict[str, int]:
    """Load the demo data into an empty database; counts of what was added."""
    if repos.services.all():
        raise DemoRefused(
            "This database already has services; the demo loads only into a new one "
            "(use --db demo.db)."
        )
    with repos.db.atomic():
        ids = [repos.services.add(n, provider=DEMO_PROVIDER, actor=ACTOR).id for n in SERVICES]
        for object_id, name, role, service in DEMO_PEOPLE:
            repos.people.grant(object_id, role, service=service, display_name=name, actor=ACTOR)
        requests = _current_requests(ids, today) + _history(ids, today)
        repos.requests.sync(requests, actor=ACTOR)
        repos.reviews.sync(_reviews(ids, today), actor=ACTOR)
        for held in _reviews_held(ids, today):  # recorded as held after they were logged
            repos.reviews.save(held, actor=ACTOR)
        _assessments(repos, ids, today)
        _channels(repos, dict(zip(SERVICES, ids, strict=True)))
    return {
        "services": len(ids),
        "people": len(DEMO_PEOPLE),
        "requests": len(requests),
        "reviews": len(_reviews(ids, today)),
        "channels": len(DEMO_CHANNELS),
    }


def _channels(repos: Repositories, ids: dict[str, int]) -> None:
    for conversation, name, service, weekday in DEMO_CHANNELS:
        reference = {
            "bot": {"id": "28:ehcp-demo", "name": "EHCP assistant"},
            "conversation": {"id": conversation, "conversationType": "channel"},
            "channelId": "msteams",
            "serviceUrl": DEMO_CONNECTOR,
        }
        repos.channels.remember(
            conversation, kind="channel", team_id="19:demo-team", name=name, reference=reference
        )
        repos.channels.subscribe(conversation, ids[service] if service else None, actor=ACTOR)
        if weekday is not None:
            repos.channels.set_cadence(conversation, weekday=weekday, actor=ACTOR)


def _request(ref: str, service_id: int, received: date, **extra: object) -> AdviceRequestRecord:
    return AdviceRequestRecord.model_validate(
        {"case_ref": ref, "service_id": service_id, "received_on": received, **extra}
    )


def _current_requests(ids: list[int], today: date) -> list[AdviceRequestRecord]:

    def day(days_ago: int) -> date:
        return today - timedelta(days=days_ago)

    paeds, slt, ot, camhs = ids
    return [
        _request("DEMO-1001", paeds, day(10)),
        _request("DEMO-1002", slt, day(40)),  # due in 2 days
        _request("DEMO-1003", ot, day(42)),  # due today
        _request("DEMO-1004", slt, day(45)),  # overdue: chase
        _request("DEMO-1005", camhs, day(57)),  # escalation 1
        _request("DEMO-1006", paeds, day(72)),  # escalation 2
        _request(
            "DEMO-1007",
            ot,
            day(30),
            outcome=AdviceOutcome.NOT_KNOWN_REFERRED,
            referral_on=day(25),
            known_to_service=False,
        ),
        _request(
            "DEMO-1008",
            camhs,
            day(48),
            outcome=AdviceOutcome.CLINICAL_DELAY,
            expected_on=today + timedelta(days=10),
            team_told=True,
        ),
        _request(
            "DEMO-1009",
            slt,
            day(50),
            exception_reason=ExceptionReason.ABSENT_FROM_AREA,
            exception_narrative="Family abroad for five weeks over the assessment period.",
            exception_arose_on=day(40),
            agreed_return_on=today + timedelta(days=5),  # nudged this week
        ),
        _request(
            "DEMO-1010",
            paeds,
            day(85),
            outcome=AdviceOutcome.NOT_PROVIDED,
            returned_on=day(3),  # after escalation 2 (day 15 before today, or soon after)
            not_provided_reason="Head of service: the advice is already in the current plan.",
        ),
    ]


def _history(ids: list[int], today: date) -> list[AdviceRequestRecord]:
    """A year of returned requests: most on time, some late, a few exceptions."""
    chance = random.Random(2026)
    records = []
    for number in range(1, 241):
        received = today - timedelta(days=chance.randint(60, 420))
        late = chance.random() < 0.22
        returned = received + timedelta(
            days=chance.randint(43, 70) if late else chance.randint(20, 42)
        )
        excepted = late and chance.random() < 0.25
        records.append(
            _request(
                f"DEMO-{number:04d}",
                chance.choice(ids),
                received,
                returned_on=returned,
                outcome=AdviceOutcome.RETURNED,
                exception_reason=ExceptionReason.MISSED_APPOINTMENT if excepted else None,
                exception_narrative="Two appointments offered and not attended."
                if excepted
                else None,
                exception_arose_on=received + timedelta(days=20) if excepted else None,
                agreed_return_on=returned if excepted else None,
            )
        )
    return records


def _reviews(ids: list[int], today: date) -> list[AnnualReviewRecord]:
    paeds, slt, ot, camhs = ids

    def review(
        ref: str, services: tuple[int, ...], issued_days_ago: int, **extra: object
    ) -> AnnualReviewRecord:
        return AnnualReviewRecord.model_validate(
            {
                "case_ref": ref,
                "service_ids": services,
                "plan_issued_on": today - timedelta(days=issued_days_ago),
                **extra,
            }
        )

    return [
        review("DEMO-R001", (slt,), 330, meeting_on=today + timedelta(days=28)),
        review(
            "DEMO-R002",
            (paeds, ot),
            350,
            meeting_on=today + timedelta(days=10),
            health_notified_on=today - timedelta(days=40),
        ),
        review("DEMO-R003", (camhs,), 380),  # past its 12 months
        review(
            "DEMO-R004",
            (slt, paeds),
            200,
            phase_transfer=PhaseTransfer.SCHOOL,
            transfer_year=_next_transfer_year(PhaseTransfer.SCHOOL, today),
        ),
        review("DEMO-R005", (ot,), 100, meeting_on=today + timedelta(days=120)),
        *(held.model_copy(update={"last_review_on": None}) for held in _reviews_held(ids, today)),
    ]


def _reviews_held(ids: list[int], today: date) -> list[AnnualReviewRecord]:
    """Reviews recorded as held, in time and late: what the measure of reviews within 12 months
    (seed 003) counts."""
    paeds, slt, _, camhs = ids
    return [
        AnnualReviewRecord(
            case_ref=ref,
            service_ids=services,
            plan_issued_on=today - timedelta(days=issued),
            last_review_on=today - timedelta(days=held),
        )
        for ref, services, issued, held in (
            ("DEMO-R006", (slt,), 420, 70),  # within its 12 months
            ("DEMO-R007", (paeds,), 400, 20),  # some 2 weeks after them
            ("DEMO-R008", (camhs, paeds), 390, 45),
        )
    ]


def _next_transfer_year(transfer: PhaseTransfer, today: date) -> int:
    """The next calendar year whose reg 18 deadline for ``transfer`` is still ahead."""
    this_year = phase_transfer_deadline(transfer, today.year)
    return today.year if today < this_year else today.year + 1


def _assessments(repos: Repositories, ids: list[int], today: date) -> None:
    ratings = {
        4: Rating.NO,
        6: Rating.EMERGING,
        10: Rating.NO,
        12: Rating.EMERGING,
        19: Rating.EMERGING,
        22: Rating.EMERGING,
    }
    done, _ = repos.assessments.start_or_resume(ids[0], edition="east-of-england", actor=ACTOR)
    for question in range(1, 24):
        rating = ratings.get(question, Rating.YES)
        comment = "" if question == 13 else f"Demo evidence for question {question}."
        repos.assessments.record_answer(done.id, question, rating, comment, actor=ACTOR)
    repos.assessments.submit(done.id, actor=ACTOR)
    _plan(repos, done.id, today)
    started, _ = repos.assessments.start_or_resume(ids[1], edition="east-of-england", actor=ACTOR)
    for question in range(1, 12):
        rating = Rating.EMERGING if question % 4 == 0 else Rating.YES
        repos.assessments.record_answer(started.id, question, rating, "Demo evidence.", actor=ACTOR)


def _plan(repos: Repositories, assessment_id: int, today: date) -> None:
    """Some of the plan kept up already: one action on track, one late, the rest not started."""
    repos.assessments.update_action(
        assessment_id,
        4,
        action="Report 6-week returns monthly from the case-management system to the DCO.",
        owner="Service manager",
        workstream="Assessment and Planning",
        target_date=today + timedelta(days=90),
        progress=ActionProgress.ON_TRACK,
        actor=ACTOR,
    )
    repos.assessments.update_action(
        assessment_id,
        10,
        action="Add SEND compliance sign-off to the annual appraisal checklist.",
        owner="Clinical lead",
        workstream="Workforce Development and Performance",
        target_date=today - timedelta(days=7),
        progress=ActionProgress.NOT_ON_TRACK,
        actor=ACTOR,
    )
