"""The SQLite implementation of the dialogs' storage port."""

from __future__ import annotations

from bot.storage.dialog_store import SqliteDialogStore
from bot.storage.store import Store
from dialogs.ports import (
    AssessmentStore,
    CaseworkStore,
    ConflictError,
    SubscriptionStore,
    SummaryStore,
)
from ehcp_rules import Rating, Role, Service

SAM = "3f2b1c4e-8a9d-4e7f-9b1a-2c3d4e5f6a7b"


def test_it_satisfies_every_port_the_dialogs_declare(store: Store) -> None:
    port = SqliteDialogStore(store)

    for protocol in (AssessmentStore, CaseworkStore, SubscriptionStore, SummaryStore):
        assert isinstance(port, protocol), protocol.__name__


async def test_a_whole_assessment_through_the_port(store: Store, slt: Service) -> None:
    store.call(
        lambda r: r.people.grant(
            SAM, Role.PRACTITIONER, service=slt.name, display_name="Sam", actor="admin"
        )
    )
    port = SqliteDialogStore(store)

    (grant,) = await port.roles_of(SAM)
    assessment, created = await port.start_or_resume_assessment(
        grant.service_id or 0, edition="east-of-england", actor=SAM
    )
    for number in range(1, 24):
        await port.record_answer(assessment.id, number, Rating.YES, "evidence", actor=SAM)
    submitted = await port.submit_assessment(assessment.id, actor=SAM)

    assert created
    assert submitted.rag == "green"
    assert await port.actions(assessment.id) == []
    try:
        await port.record_answer(assessment.id, 1, Rating.NO, "", actor=SAM)
    except ConflictError as error:
        assert "already been submitted" in str(error)
    else:
        raise AssertionError("a submitted assessment accepted an answer")
