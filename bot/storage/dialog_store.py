"""The dialogs' storage ports (``dialogs.ports``) over the SQLite repositories."""

from __future__ import annotations

from datetime import date

from bot.storage.store import Repositories, Store
from dialogs.ports import PostedNudge
from ehcp_rules import (
    ActionItem,
    ActionProgress,
    AdviceRequestRecord,
    AnnualReviewRecord,
    Assessment,
    Period,
    Rating,
    RoleGrant,
    Service,
    StoredAnswer,
    Summary,
)


class SqliteDialogStore:
    """Every storage port the dialogs declare, each call run on the database's own thread so a
    turn never blocks the event loop."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def roles_of(self, object_id: str) -> list[RoleGrant]:
        return await self._store.run(lambda r: r.people.roles_of(object_id))

    async def service(self, service_id: int) -> Service:
        return await self._store.run(lambda r: r.services.get(service_id))

    async def start_or_resume_assessment(
        self, service_id: int, *, edition: str, actor: str
    ) -> tuple[Assessment, bool]:
        return await self._store.run(
            lambda r: r.assessments.start_or_resume(service_id, edition=edition, actor=actor)
        )

    async def assessment(self, assessment_id: int) -> Assessment:
        return await self._store.run(lambda r: r.assessments.get(assessment_id))

    async def assessment_in_progress(self, service_id: int) -> Assessment | None:
        return await self._store.run(lambda r: r.assessments.in_progress(service_id))

    async def last_submitted(self, service_id: int) -> Assessment | None:
        submitted = await self._store.run(lambda r: r.assessments.submitted(service_id))
        return submitted[0] if submitted else None

    async def answers(self, assessment_id: int) -> dict[int, StoredAnswer]:
        return await self._store.run(lambda r: r.assessments.answers(assessment_id))

    async def record_answer(
        self, assessment_id: int, question: int, rating: Rating, comment: str, *, actor: str
    ) -> StoredAnswer:
        return await self._store.run(
            lambda r: r.assessments.record_answer(
                assessment_id, question, rating, comment, actor=actor
            )
        )

    async def submit_assessment(self, assessment_id: int, *, actor: str) -> Assessment:
        return await self._store.run(lambda r: r.assessments.submit(assessment_id, actor=actor))

    async def actions(self, assessment_id: int) -> list[ActionItem]:
        return await self._store.run(lambda r: r.assessments.actions(assessment_id))

    async def update_action(
        self,
        assessment_id: int,
        question: int,
        *,
        owner: str | None,
        target_date: date | None,
        progress: ActionProgress,
        actor: str,
        action: str | None,
        workstream: str | None,
    ) -> ActionItem:
        return await self._store.run(
            lambda r: r.assessments.update_action(
                assessment_id,
                question,
                owner=owner,
                target_date=target_date,
                progress=progress,
                actor=actor,
                action=action,
                workstream=workstream,
            )
        )

    async def visible_services(self, object_id: str) -> list[Service]:
        return await self._store.run(lambda r: _visible(r, object_id))

    async def add_request(self, record: AdviceRequestRecord, *, actor: str) -> AdviceRequestRecord:
        return await self._store.run(lambda r: r.requests.add(record, actor=actor))

    async def request(self, request_id: int) -> AdviceRequestRecord:
        return await self._store.run(lambda r: r.requests.get(request_id))

    async def requests_by_case(
        self, case_ref: str, service_ids: list[int]
    ) -> list[AdviceRequestRecord]:
        return await self._store.run(lambda r: r.requests.find(case_ref, service_ids))

    async def update_request(
        self, record: AdviceRequestRecord, *, actor: str
    ) -> AdviceRequestRecord:
        return await self._store.run(lambda r: r.requests.update(record, actor=actor))

    async def open_requests(self, service_ids: list[int]) -> list[AdviceRequestRecord]:
        return await self._store.run(lambda r: r.requests.open_for(service_ids))

    async def save_review(self, record: AnnualReviewRecord, *, actor: str) -> AnnualReviewRecord:
        return await self._store.run(lambda r: r.reviews.save(record, actor=actor))

    async def reviews(self, service_ids: list[int]) -> list[AnnualReviewRecord]:
        return await self._store.run(lambda r: r.reviews.for_services(service_ids))

    async def acknowledge(
        self, conversation_id: str, item_key: str, step: str, *, actor: str
    ) -> bool:
        return await self._store.run(
            lambda r: r.nudges.acknowledge(conversation_id, item_key, step, actor=actor)
        )

    async def all_services(self) -> list[Service]:
        return await self._store.run(lambda r: r.services.all())

    async def posted_nudge(
        self, conversation_id: str, item_key: str, step: str
    ) -> PostedNudge | None:
        return await self._store.run(lambda r: r.nudges.posted(conversation_id, item_key, step))

    async def find_service(self, name: str) -> Service | None:
        return await self._store.run(lambda r: r.services.find(name))

    async def subscribe(self, conversation_id: str, service_id: int | None, *, actor: str) -> bool:
        return await self._store.run(
            lambda r: r.channels.subscribe(conversation_id, service_id, actor=actor)
        )

    async def unsubscribe(
        self, conversation_id: str, service_id: int | None, *, actor: str
    ) -> bool:
        return await self._store.run(
            lambda r: r.channels.unsubscribe(conversation_id, service_id, actor=actor)
        )

    async def subscribed_services(self, conversation_id: str) -> list[str | None]:
        subscriptions = await self._store.run(lambda r: r.channels.subscriptions(conversation_id))
        return [s.service_name for s in subscriptions]

    async def subscribed_service_ids(self, conversation_id: str) -> list[int | None]:
        subscriptions = await self._store.run(lambda r: r.channels.subscriptions(conversation_id))
        return [s.service_id for s in subscriptions]

    async def set_cadence(self, conversation_id: str, *, weekday: int | None, actor: str) -> None:
        await self._store.run(
            lambda r: r.channels.set_cadence(conversation_id, weekday=weekday, actor=actor)
        )

    async def pause_until(self, conversation_id: str, until: date | None, *, actor: str) -> None:
        day = until.isoformat() if until else None
        await self._store.run(lambda r: r.channels.pause_until(conversation_id, day, actor=actor))

    async def summary(self, period: Period, today: date) -> Summary:
        return await self._store.run(lambda r: r.summaries.summary(period, today))


def _visible(repos: Repositories, object_id: str) -> list[Service]:
    grants = repos.people.roles_of(object_id)
    if any(not g.role.needs_service for g in grants):
        return repos.services.all()
    ids = {g.service_id for g in grants if g.service_id is not None}
    return [s for s in repos.services.all() if s.id in ids]
