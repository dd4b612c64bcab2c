"""What the dialogs need from storage, declared here and implemented by ``bot``.

The dialogs never import ``bot``: they are given an object satisfying these protocols, and catch
the errors declared here, which the storage raises.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Protocol, runtime_checkable

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


class StoreError(Exception):
    """A storage problem the person can act on; the message is fit to show them."""


class NotFoundError(StoreError):
    """A named thing (a service, a person, a request) does not exist."""


class ConflictError(StoreError):
    """A change that contradicts what is stored (a duplicate, a finished assessment)."""


class InvalidInputError(StoreError):
    """Input that cannot be stored as given (a malformed id, a role without its service)."""


@runtime_checkable
class AssessmentStore(Protocol):
    """People's roles and the self-assessment: what the self-assessment dialog reads and writes."""

    async def roles_of(self, object_id: str) -> list[RoleGrant]:
        """Every role this person holds."""
        ...

    async def service(self, service_id: int) -> Service:
        """One service."""
        ...

    async def start_or_resume_assessment(
        self, service_id: int, *, edition: str, actor: str
    ) -> tuple[Assessment, bool]:
        """The service's assessment in progress, or a new one; and whether it was created."""
        ...

    async def assessment(self, assessment_id: int) -> Assessment:
        """One assessment."""
        ...

    async def assessment_in_progress(self, service_id: int) -> Assessment | None:
        """The service's assessment in progress, if any (starts nothing)."""
        ...

    async def last_submitted(self, service_id: int) -> Assessment | None:
        """The service's most recently submitted assessment, if any."""
        ...

    async def answers(self, assessment_id: int) -> dict[int, StoredAnswer]:
        """The current answer to each answered question."""
        ...

    async def record_answer(
        self, assessment_id: int, question: int, rating: Rating, comment: str, *, actor: str
    ) -> StoredAnswer:
        """Keep an answer; ``ConflictError`` once submitted."""
        ...

    async def submit_assessment(self, assessment_id: int, *, actor: str) -> Assessment:
        """Rate and submit a complete assessment, opening its action plan."""
        ...

    async def actions(self, assessment_id: int) -> list[ActionItem]:
        """The action plan."""
        ...

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
        """Set what an action will do, its lead, workstream, target date and progress."""
        ...


class Clock(Protocol):
    """The one clock (``bot.clock``): "now" for timestamps, "today" for deadlines, and the zone
    (``EHCP_TIMEZONE``) in which a moment falls on a day."""

    @property
    def zone(self) -> tzinfo:
        """Where the deadlines are counted."""
        ...

    def now(self) -> datetime:
        """Now, as an aware time in UTC."""
        ...

    def today(self) -> date:
        """Today's date where the deadlines are counted (Europe/London by default)."""
        ...


@runtime_checkable
class CaseworkStore(Protocol):
    """Advice requests and annual reviews: what the casework commands read and write."""

    async def visible_services(self, object_id: str) -> list[Service]:
        """The services this person works with: their own, or every one for a DCO or admin."""
        ...

    async def add_request(self, record: AdviceRequestRecord, *, actor: str) -> AdviceRequestRecord:
        """Log a request; ``ConflictError`` when the service already has the case."""
        ...

    async def request(self, request_id: int) -> AdviceRequestRecord:
        """One request; ``NotFoundError`` when there is none."""
        ...

    async def requests_by_case(
        self, case_ref: str, service_ids: list[int]
    ) -> list[AdviceRequestRecord]:
        """Requests with this case reference in these services."""
        ...

    async def update_request(
        self, record: AdviceRequestRecord, *, actor: str
    ) -> AdviceRequestRecord:
        """Save a request's outcome."""
        ...

    async def open_requests(self, service_ids: list[int]) -> list[AdviceRequestRecord]:
        """Requests still owed, in these services."""
        ...

    async def save_review(self, record: AnnualReviewRecord, *, actor: str) -> AnnualReviewRecord:
        """Log a plan's annual review, or update the one logged for its case."""
        ...

    async def reviews(self, service_ids: list[int]) -> list[AnnualReviewRecord]:
        """Reviews involving any of these services."""
        ...

    async def acknowledge(
        self, conversation_id: str, item_key: str, step: str, *, actor: str
    ) -> bool:
        """Note that someone has seen a nudge; ``False`` when they already had."""
        ...

    async def posted_nudge(
        self, conversation_id: str, item_key: str, step: str
    ) -> PostedNudge | None:
        """The nudge item posted to this conversation at this step, if it was."""
        ...


@runtime_checkable
class SubscriptionStore(Protocol):
    """Which services' nudges a channel gets: what the channel commands read and write."""

    async def roles_of(self, object_id: str) -> list[RoleGrant]:
        """Every role this person holds."""
        ...

    async def find_service(self, name: str) -> Service | None:
        """The service with this name (case ignored), if any."""
        ...

    async def subscribe(self, conversation_id: str, service_id: int | None, *, actor: str) -> bool:
        """Bind the channel to a service (``None``: all); ``False`` when it already was."""
        ...

    async def unsubscribe(
        self, conversation_id: str, service_id: int | None, *, actor: str
    ) -> bool:
        """Unbind; ``False`` when it was not bound."""
        ...

    async def subscribed_services(self, conversation_id: str) -> list[str | None]:
        """The names of the services the channel gets nudges for (``None``: every service)."""
        ...

    async def subscribed_service_ids(self, conversation_id: str) -> list[int | None]:
        """The ids of the services the channel gets nudges for (``None``: every service)."""
        ...

    async def set_cadence(self, conversation_id: str, *, weekday: int | None, actor: str) -> None:
        """Daily (``weekday`` ``None``), or weekly on ``weekday`` (0 Monday .. 4 Friday)."""
        ...

    async def pause_until(self, conversation_id: str, until: date | None, *, actor: str) -> None:
        """Pause the channel's nudges until a day (``None``: resume now)."""
        ...


@runtime_checkable
class SummaryStore(Protocol):
    """The DCO summary: roles, and the summary for a period."""

    async def roles_of(self, object_id: str) -> list[RoleGrant]:
        """Every role this person holds."""
        ...

    async def summary(self, period: Period, today: date) -> Summary:
        """Every service's summary for the period."""
        ...

    async def all_services(self) -> list[Service]:
        """Every service, by name."""
        ...

    async def find_service(self, name: str) -> Service | None:
        """The service with this name (case ignored), if any."""
        ...

    async def service(self, service_id: int) -> Service:
        """One service; ``NotFoundError`` if there is none."""
        ...

    async def assessment(self, assessment_id: int) -> Assessment:
        """One assessment; ``NotFoundError`` if there is none."""
        ...

    async def last_submitted(self, service_id: int) -> Assessment | None:
        """The service's most recently submitted assessment, if any."""
        ...

    async def answers(self, assessment_id: int) -> dict[int, StoredAnswer]:
        """The current answer to each answered question."""
        ...

    async def actions(self, assessment_id: int) -> list[ActionItem]:
        """The action plan."""
        ...

    async def open_requests(self, service_ids: list[int]) -> list[AdviceRequestRecord]:
        """Requests still owed, in these services."""
        ...

    async def reviews(self, service_ids: list[int]) -> list[AnnualReviewRecord]:
        """Reviews involving any of these services."""
        ...


@dataclass(frozen=True)
class PostedNudge:
    """A nudge item as it was posted to a conversation: the service it was about and the
    reference it showed (a case reference, a service), both as stored when it was posted."""

    service_id: int | None
    reference: str | None


@runtime_checkable
class PolicyStore(Protocol):
    """What the policy reads to decide a turn: roles, and the records cards name."""

    async def roles_of(self, object_id: str) -> list[RoleGrant]:
        """Every role this person holds."""
        ...

    async def all_services(self) -> list[Service]:
        """Every service."""
        ...

    async def subscribed_service_ids(self, conversation_id: str) -> list[int | None]:
        """The ids of the services the conversation follows (``None``: every service)."""
        ...

    async def service(self, service_id: int) -> Service:
        """One service; ``NotFoundError`` if there is none."""
        ...

    async def find_service(self, name: str) -> Service | None:
        """The service with this name (case ignored), if any."""
        ...

    async def assessment(self, assessment_id: int) -> Assessment:
        """One assessment; ``NotFoundError`` if there is none."""
        ...

    async def request(self, request_id: int) -> AdviceRequestRecord:
        """One request; ``NotFoundError`` if there is none."""
        ...

    async def posted_nudge(
        self, conversation_id: str, item_key: str, step: str
    ) -> PostedNudge | None:
        """The nudge item posted to this conversation at this step, if it was."""
        ...


@dataclass(frozen=True)
class FileLink:
    """A file handed to someone: where to fetch it, its name, and how long the link works
    (``None`` for a file written to this machine's disk by ``ehcp-bot chat``)."""

    url: str
    filename: str
    lifetime: timedelta | None


class Reports(Protocol):
    """Charts and exports, rendered and published by ``bot``."""

    async def chart(self, summary: Summary, *, owner: str) -> FileLink | None:
        """The summary's chart as a PNG for ``owner``, or ``None`` where images cannot be
        served."""
        ...

    async def summary_export(self, summary: Summary, file_format: str, *, owner: str) -> FileLink:
        """The summary as ``xlsx``, ``csv`` or ``json``, for ``owner``."""
        ...

    async def assessment_export(
        self,
        service: Service,
        assessment: Assessment,
        answers: dict[int, StoredAnswer],
        actions: list[ActionItem],
        *,
        owner: str,
    ) -> FileLink:
        """A submitted self-assessment as XLSX in the tool's own layout, for ``owner``."""
        ...
