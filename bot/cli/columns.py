"""The columns of the CSV files ``ehcp-bot import`` reads (named in its ``--help`` too)."""

from __future__ import annotations

REQUEST_COLUMNS = {
    "required": ("case_ref", "service", "received_on"),
    "optional": (
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
        "la_deadline",
        "assessment_requested_on",
        "known_to_service",
    ),
}
REVIEW_COLUMNS = {
    "required": ("case_ref", "services", "plan_issued_on"),
    "optional": (
        "last_review_on",
        "meeting_on",
        "health_notified_on",
        "contribution_in_on",
        "phase_transfer",
        "transfer_year",
        "amended_for_transfer_on",
        "post_16_move_on",
    ),
}
