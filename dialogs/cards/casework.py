"""Cards for advice requests and annual reviews: log one, record an outcome, see what is open."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from dialogs import messages
from dialogs.cards.elements import Element, card, facts, heading, plain, runs, submit, text, title
from dialogs.cards.limits import pack
from dialogs.casework_views import shown_version
from ehcp_rules import (
    MAX_CASE_REFERENCE_LENGTH,
    MAX_DELAY_REASON_LENGTH,
    MAX_NARRATIVE_LENGTH,
    AdviceOutcome,
    AdviceRequestRecord,
    ExceptionReason,
    PhaseTransfer,
    Service,
    escalation_schedule,
)
from ehcp_rules.dates import EARLIEST_DAY, LATEST_DAY

PAGE_SIZE = 10
_YES_NO = [{"title": "Yes", "value": "yes"}, {"title": "No", "value": "no"}]


def _date(
    input_id: str, label: str, *, value: date | None = None, required: bool = False
) -> Element:
    element: Element = {"type": "Input.Date", "id": input_id, "label": label}
    if value is not None:
        element["value"] = value.isoformat()
    if required:
        element |= {"isRequired": True, "errorMessage": f"{label} is needed."}
    return element


def _services_input(services: list[Service], label: str) -> Element:
    element: Element = {
        "type": "Input.ChoiceSet",
        "id": "services",
        "label": label,
        "isMultiSelect": True,
        "style": "expanded",
        "isRequired": True,
        "errorMessage": "Choose at least one service.",
        "choices": [{"title": s.name, "value": str(s.id)} for s in services],
    }
    if len(services) == 1:
        element["value"] = str(services[0].id)
    return element


def _case_ref_input() -> Element:
    return {
        "type": "Input.Text",
        "id": "case_ref",
        "label": messages.CASE_REF_LABEL,
        "placeholder": "e.g. LA-2026-0142",
        "maxLength": MAX_CASE_REFERENCE_LENGTH,
        "isRequired": True,
        "errorMessage": "A case reference is needed.",
    }


def new_request_card(services: list[Service], today: date) -> Element:
    """Log a request for health advice."""
    return card(
        [
            heading("Log a request for health advice"),
            text(messages.NO_NAMES, isSubtle=True, size="Small"),
            _case_ref_input(),
            _services_input(services, "Service(s) asked for advice"),
            _date("received_on", "Date health received the request", value=today, required=True),
            _date("la_deadline", "The local authority's own deadline (optional)"),
            _date(
                "assessment_requested_on",
                "When the local authority received the assessment request (optional: shows the "
                "week of the 20)",
            ),
            {
                "type": "Input.ChoiceSet",
                "id": "known_to_service",
                "label": "Is the child known to the service?",
                "style": "expanded",
                "choices": [*_YES_NO, {"title": "Not sure", "value": ""}],
            },
        ],
        [submit("Log request", "log_request", inputs=True)],
    )


def request_logged_card(record: AdviceRequestRecord, summary: list[tuple[str, str]]) -> Element:
    """What was logged, when advice is due, and a button to record the outcome."""
    return card(
        [
            title(
                "Logged: {ref} — {service}",
                {"ref": record.case_ref, "service": record.service_name or ""},
            ),
            facts(summary),
        ],
        [submit("Record outcome", "outcome_form", {"request": record.id})],
    )


def outcome_card(
    record: AdviceRequestRecord, summary: list[tuple[str, str]], today: date
) -> Element:
    """Record what happened: returned, not known (referred), clinical delay, an exception, or
    (at escalation 2) advice will not be provided. For a request already closed, the same card
    corrects its outcome. "Advice will not be provided" is offered only once escalation 2 is
    reached (seed 002), or to correct a request closed that way; the server checks it again."""
    reached = escalation_schedule(record.received_on)[-1].on <= today
    at_escalation_2 = reached or record.outcome is AdviceOutcome.NOT_PROVIDED
    body: list[Element] = [
        title(
            "Outcome: {ref} — {service}",
            {"ref": record.case_ref, "service": record.service_name or ""},
        ),
        facts(summary),
    ]
    if record.returned_on is not None:
        done = record.outcome.label if record.outcome else "Advice returned"
        body.append(
            text(
                messages.OUTCOME_CORRECTING.format(outcome=done, when=record.returned_on),
                weight="Bolder",
            )
        )
    body.extend(
        [
            {
                "type": "Input.ChoiceSet",
                "id": "outcome",
                "label": "What happened",
                "style": "expanded",
                "isRequired": True,
                "errorMessage": "Choose what happened.",
                "choices": [
                    {"title": title, "value": value}
                    for value, title in messages.OUTCOME_CHOICES
                    if (value != "not_provided" or at_escalation_2)
                    and (value != "no_exception" or record.exception_reason is not None)
                ],
            },
            _date(
                "on",
                "Date advice returned, referral made, or health said it will not be provided"
                if at_escalation_2
                else "Date advice returned, or referral made",
                value=today,
            ),
            *_delay_inputs(),
            *_exception_inputs(),
            *(_not_provided_inputs() if at_escalation_2 else []),
        ]
    )
    data: dict[str, object] = {"request": record.id, "shown": shown_version(record)}
    if record.returned_on is not None:
        data["correct"] = True
    return card(body, [submit("Save outcome", "record_outcome", data, inputs=True)])


def _not_provided_inputs() -> list[Element]:
    return [
        text(
            "If, at escalation 2, the advice will not be provided:", weight="Bolder", separator=True
        ),
        text(messages.NOT_PROVIDED_HOW, isSubtle=True, size="Small"),
        {
            "type": "Input.Text",
            "id": "not_provided_reason",
            "label": "Why it will not be provided (about the service, no names; needed for this "
            "outcome)",
            "maxLength": MAX_DELAY_REASON_LENGTH,
        },
    ]


def _delay_inputs() -> list[Element]:
    return [
        text("If it will take longer for clinical reasons:", weight="Bolder", separator=True),
        {
            "type": "Input.Text",
            "id": "delay_reason",
            "label": "Reason (about the service, no names)",
            "maxLength": MAX_DELAY_REASON_LENGTH,
        },
        _date(
            "expected_on", "Expected date the requesting team was given (needed for this outcome)"
        ),
        {
            "type": "Input.ChoiceSet",
            "id": "team_told",
            "label": "Was the requesting team told?",
            "style": "expanded",
            "choices": _YES_NO,
        },
    ]


def _exception_inputs() -> list[Element]:
    return [
        text("If an exception under reg 8(2) applies:", weight="Bolder", separator=True),
        text(messages.EXCEPTION_HEADS, isSubtle=True, size="Small"),
        {
            "type": "Input.ChoiceSet",
            "id": "exception_reason",
            "label": "Which exception (reg 8(2), in its words)",
            "style": "expanded",
            "choices": [
                {"title": f"({r.regulation[-2]}) {r.label}", "value": r.value}
                for r in ExceptionReason
            ],
        },
        _date(
            "exception_arose_on",
            "Date the circumstance arose (within the 6 weeks; needed for this outcome)",
        ),
        _date(
            "agreed_return_on",
            "Return date agreed with the requesting team (needed for this outcome)",
        ),
        {
            "type": "Input.Text",
            "id": "narrative",
            "label": "Narrative: why it applies",
            "isMultiline": True,
            "maxLength": MAX_NARRATIVE_LENGTH,
        },
    ]


def request_list_card(
    heading_text: str,
    rows: list[tuple[AdviceRequestRecord, str]],
    *,
    page: int,
    list_key: str,
    service: str = "",
    note: str | None = None,
) -> Element:
    """One page of requests, greatest risk first; each row opens its outcome card; ``note``
    says what else the list holds (excepted requests in the overdue list)."""
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(page, pages)  # an old card, or a forged one, for a page no longer there
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    body = [
        title("{text}", {"text": heading_text}),
        text(f"{_requests(len(rows))} · page {page} of {pages}", isSubtle=True, size="Small"),
    ]
    if note:
        body.append(text(note, isSubtle=True, size="Small"))
    for record, state in shown:
        body.append(
            {
                "type": "ColumnSet",
                "separator": True,
                "selectAction": submit("Record outcome", "outcome_form", {"request": record.id}),
                "columns": [
                    {
                        "type": "Column",
                        "width": "stretch",
                        "items": [
                            runs(
                                "**{ref}** · {service}",
                                {"ref": record.case_ref, "service": record.service_name or ""},
                            ),
                            plain(state, size="Small", isSubtle=True),
                        ],
                    },
                ],
            }
        )
    body.append(text("Select a request to record its outcome.", isSubtle=True, size="Small"))
    actions = []
    data = {"list": list_key, "service": service}
    if page > 1:
        actions.append(submit("Previous", "list_page", data | {"page": page - 1}))
    if page < pages:
        actions.append(submit("Next", "list_page", data | {"page": page + 1}))
    return card(body, actions)


def _requests(count: int) -> str:
    return "1 request" if count == 1 else f"{count} requests"


def new_review_card(services: list[Service]) -> Element:
    """Log a plan's annual review, record one as held, or note a phase transfer (reg 18)."""
    return card(
        [
            heading("Log or update an annual review"),
            text(messages.NO_NAMES, isSubtle=True, size="Small"),
            text(messages.REVIEW_UPDATE_HINT, isSubtle=True, size="Small"),
            _case_ref_input(),
            _services_input(services, "Services involved"),
            _date("plan_issued_on", "Date the plan was first issued (needed for a new one)"),
            _date("last_review_on", "Date of the last review held (if any)"),
            _date("meeting_on", "Date of the next review meeting (if set)"),
            _date("health_notified_on", "Date health practitioners were told (if they were)"),
            _date("contribution_in_on", "Date health's contribution went in (if it has)"),
            text(messages.REVIEW_HELD_HINT, weight="Bolder", separator=True),
            _date("held_on", "Date the review meeting was held (once it has been)"),
            text(messages.TRANSFER_HINT, weight="Bolder", separator=True),
            {
                "type": "Input.ChoiceSet",
                "id": "phase_transfer",
                "label": "Phase transfer within 12 months (reg 18(1))",
                "style": "expanded",
                "choices": [
                    {"title": "None", "value": ""},
                    *(
                        {"title": kind.label.capitalize(), "value": kind.value}
                        for kind in PhaseTransfer
                    ),
                ],
            },
            {
                "type": "Input.Number",
                "id": "transfer_year",
                "label": messages.TRANSFER_YEAR_LABEL,
                "min": EARLIEST_DAY.year,
                "max": LATEST_DAY.year,
                "errorMessage": messages.TRANSFER_YEAR_HINT,
            },
            _date("post_16_move_on", "Or: date of a move between post-16 institutions (reg 18(2))"),
            _date("amended_for_transfer_on", "Date the plan was amended for the transfer"),
        ],
        [submit("Log review", "log_review", inputs=True)],
    )


def review_list_card(rows: Sequence[tuple[str, str, list[str]]], part: int = 0) -> Element:
    """Reviews needing action: case, services, and what needs doing."""
    body = [heading("Annual reviews needing action" + (" (continued)" if part else ""))]
    for case_ref, services, needs in rows:
        body.append(runs("**{ref}** · {services}", {"ref": case_ref, "services": services}))
        body.extend(plain(f"• {need}") for need in needs)
    return card(body)


def review_list_cards(rows: list[tuple[str, str, list[str]]]) -> list[Element]:
    """:func:`review_list_card` over as many cards as keep each within Teams' size limit."""
    return [built for _, built in pack(rows, review_list_card)]
