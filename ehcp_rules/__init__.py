"""ehcp_rules: the pure rules of the EHCP assistant.

No I/O beyond reading its own data files, no bot framework, no clock: every function that depends
on "today" takes it as an argument. The names in ``__all__`` are the public API.
"""

from ehcp_rules.advice import (
    AdviceRequest,
    AdviceState,
    AdviceStatus,
    ExceptionReason,
    advice_status,
)
from ehcp_rules.compliance import ComplianceMeasures, compliance, month_period
from ehcp_rules.dates import (
    add_months,
    add_working_days,
    is_bank_holiday,
    is_working_day,
    months_period_end,
    next_working_day,
)
from ehcp_rules.errors import DataFileError, InvalidAnswerError, InvalidDatesError, RulesError
from ehcp_rules.escalation import (
    ADVICE_PERIOD,
    EscalationLadder,
    EscalationStage,
    EscalationStep,
    advice_due_date,
    escalation_schedule,
    load_escalation_ladder,
    parse_escalation_ladder,
)
from ehcp_rules.needs_assessment import (
    AssessmentMilestones,
    assessment_milestones,
    assessment_week,
    draft_comments_close,
)
from ehcp_rules.question_bank import (
    DEFAULT_EDITION,
    Criterion,
    Question,
    QuestionBank,
    Theme,
    available_editions,
    load_question_bank,
    parse_question_bank,
)
from ehcp_rules.rag import RAG_RULES, RagResult, join_numbers, normalise_answers, rate
from ehcp_rules.ratings import Rag, Rating
from ehcp_rules.reviews import (
    AnnualReview,
    PhaseTransfer,
    ReviewFlag,
    ReviewStatus,
    circulate_advice_by,
    health_notice_by,
    phase_transfer_deadline,
    review_by,
    review_status,
)

__all__ = [
    "ADVICE_PERIOD",
    "DEFAULT_EDITION",
    "RAG_RULES",
    "AdviceRequest",
    "AdviceState",
    "AdviceStatus",
    "AnnualReview",
    "AssessmentMilestones",
    "ComplianceMeasures",
    "Criterion",
    "DataFileError",
    "EscalationLadder",
    "EscalationStage",
    "EscalationStep",
    "ExceptionReason",
    "InvalidAnswerError",
    "InvalidDatesError",
    "PhaseTransfer",
    "Question",
    "QuestionBank",
    "Rag",
    "RagResult",
    "Rating",
    "ReviewFlag",
    "ReviewStatus",
    "RulesError",
    "Theme",
    "add_months",
    "add_working_days",
    "advice_due_date",
    "advice_status",
    "assessment_milestones",
    "assessment_week",
    "available_editions",
    "circulate_advice_by",
    "compliance",
    "draft_comments_close",
    "escalation_schedule",
    "health_notice_by",
    "is_bank_holiday",
    "is_working_day",
    "join_numbers",
    "load_escalation_ladder",
    "load_question_bank",
    "month_period",
    "months_period_end",
    "next_working_day",
    "normalise_answers",
    "parse_escalation_ladder",
    "parse_question_bank",
    "phase_transfer_deadline",
    "rate",
    "review_by",
    "review_status",
]
