"""What is kept about services, people, assessments and actions: plain data, no behaviour."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from ehcp_rules.advice import AdviceRequest, ExceptionReason
from ehcp_rules.ratings import Rag, Rating
from ehcp_rules.reviews import AnnualReview, PhaseTransfer
from ehcp_rules.roles import Role


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True)


class Service(_Record):
    """A provider service (a community SLT team, CAMHS, ...)."""

    id: int
    name: str
    provider: str | None = None


class RoleGrant(_Record):
    """One role held by one person, for one service or for all."""

    object_id: str
    display_name: str | None
    role: Role
    service_id: int | None
    service_name: str | None


class AssessmentStatus(StrEnum):
    """Where a self-assessment is in its life."""

    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


class Assessment(_Record):
    """One run of the self-assessment by one service."""

    id: int
    service_id: int
    edition: str
    status: AssessmentStatus
    started_by: str
    started_at: datetime
    submitted_by: str | None = None
    submitted_at: datetime | None = None
    rag: Rag | None = None


class StoredAnswer(_Record):
    """The current answer to one question (history keeps every earlier one). An answer just
    recorded also says who gave the one it replaced, and when (read in the same transaction)."""

    question: int
    rating: Rating
    comment: str
    answered_by: str
    answered_at: datetime
    previous_by: str | None = None
    previous_at: datetime | None = None


class ActionProgress(StrEnum):
    """Progress of an action-plan item (seed 003's RAG rating key)."""

    COMPLETED = "completed"
    ON_TRACK = "on_track"
    NOT_ON_TRACK = "not_on_track"
    NOT_STARTED = "not_started"

    @property
    def label(self) -> str:
        """The key's words."""
        return _PROGRESS_LABELS[self]


_PROGRESS_LABELS = {
    ActionProgress.COMPLETED: "Completed",
    ActionProgress.ON_TRACK: "On track",
    ActionProgress.NOT_ON_TRACK: "Not on track (risk to implementation)",
    ActionProgress.NOT_STARTED: "Not started",
}


class ProgressChange(_Record):
    """An action's progress rating from a day on: one step of its history."""

    progress: ActionProgress
    on: date


class ActionItem(_Record):
    """An action for a No or Emerging answer, as seed 003's action plan keeps one: what will be
    done (``action``), who leads it (``owner``) and in which workstream, when it will be
    completed (``target_date``) and its progress rating, with every earlier rating
    (``history``, oldest first)."""

    question: int
    rating: Rating
    owner: str | None
    target_date: date | None
    progress: ActionProgress
    action: str | None = None
    workstream: str | None = None
    history: tuple[ProgressChange, ...] = ()


class AdviceOutcome(StrEnum):
    """How a request for health advice was answered (seed 000 Q8; seed 001)."""

    RETURNED = "returned"
    NOT_KNOWN_REFERRED = "not_known_referred"
    CLINICAL_DELAY = "clinical_delay"
    NOT_PROVIDED = "not_provided"

    @property
    def label(self) -> str:
        """Plain words for the outcome."""
        return _OUTCOME_LABELS[self]


_OUTCOME_LABELS = {
    AdviceOutcome.RETURNED: "Advice returned",
    AdviceOutcome.NOT_KNOWN_REFERRED: "Not known to the service: referral made, advice to follow",
    AdviceOutcome.CLINICAL_DELAY: "Will take longer for clinical reasons",
    AdviceOutcome.NOT_PROVIDED: "Advice will not be provided (decided at escalation 2)",
}


class AdviceRequestRecord(_Record):
    """A request for health advice as kept: the case reference, never a name."""

    id: int | None = None
    case_ref: str
    service_id: int
    service_name: str | None = None
    received_on: date
    la_deadline: date | None = None
    assessment_requested_on: date | None = None
    known_to_service: bool | None = None
    returned_on: date | None = None
    outcome: AdviceOutcome | None = None
    referral_on: date | None = None
    expected_on: date | None = None
    team_told: bool | None = None
    delay_reason: str | None = None
    exception_reason: ExceptionReason | None = None
    exception_narrative: str | None = None
    exception_arose_on: date | None = None
    agreed_return_on: date | None = None
    not_provided_reason: str | None = None

    def as_rule(self) -> AdviceRequest:
        """What the rules need of it."""
        delayed = self.outcome is AdviceOutcome.CLINICAL_DELAY
        return AdviceRequest(
            received_on=self.received_on,
            returned_on=self.returned_on,
            exception=self.exception_reason,
            exception_arose_on=self.exception_arose_on,
            agreed_return_on=self.agreed_return_on,
            expected_on=self.expected_on if delayed else None,
            not_provided=self.outcome is AdviceOutcome.NOT_PROVIDED,
            reference=self.case_ref,
        )


class AnnualReviewRecord(_Record):
    """A plan's annual review cycle as kept, with the services asked to contribute."""

    id: int | None = None
    case_ref: str
    service_ids: tuple[int, ...]
    plan_issued_on: date
    last_review_on: date | None = None
    meeting_on: date | None = None
    health_notified_on: date | None = None
    contribution_in_on: date | None = None
    phase_transfer: PhaseTransfer | None = None
    transfer_year: int | None = None
    amended_for_transfer_on: date | None = None
    post_16_move_on: date | None = None

    def as_rule(self) -> AnnualReview:
        """What the rules need of it."""
        return AnnualReview(
            plan_issued_on=self.plan_issued_on,
            last_review_on=self.last_review_on,
            meeting_on=self.meeting_on,
            health_notified_on=self.health_notified_on,
            contribution_in_on=self.contribution_in_on,
            phase_transfer=self.phase_transfer,
            transfer_year=self.transfer_year,
            amended_for_transfer_on=self.amended_for_transfer_on,
            post_16_move_on=self.post_16_move_on,
            reference=self.case_ref,
        )
