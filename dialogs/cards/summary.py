"""The DCO's compliance summary card: overall figures, every service, the common barriers."""

from __future__ import annotations

from datetime import date

from dialogs import messages
from dialogs.cards.elements import (
    RAG_COLOURS,
    Element,
    card,
    facts,
    heading,
    runs,
    submit,
    text,
)
from dialogs.cards.limits import fits
from dialogs.ports import FileLink
from ehcp_rules import (
    ComplianceMeasures,
    Period,
    PlanProgress,
    ReviewTimeliness,
    ServiceSummary,
    Summary,
    counted,
)

MAX_SERVICES_SHOWN = 25
SERVICES_SHOWN = (MAX_SERVICES_SHOWN, 20, 15, 10, 5, 0)
"""How many services the card lists, tried in turn until it fits."""


def _exceptions(measures: ComplianceMeasures) -> str:
    if not measures.exceptions:
        return "0"
    parts = ", ".join(
        f"{messages.EXCEPTION_SHORT[reason.value]} {n}" for reason, n in measures.exceptions.items()
    )
    return f"{sum(measures.exceptions.values())} ({parts})"


def _on_time(measures: ComplianceMeasures) -> str:
    """``62.5% of 8 due`` on time, or ``nothing due`` when no request fell due in the period."""
    counted = _counted(measures)
    if not counted:
        return "nothing due"
    return f"{messages.percent(measures.percent_on_time)} of {counted} due"


def _counted(measures: ComplianceMeasures) -> int:
    return measures.on_time + measures.late + measures.open_overdue


def summary_card(summary: Summary, *, chart: FileLink | None, exports: bool) -> Element:
    """One card for a period; services riskiest first, up to 25 (the export has them all; fewer
    when their names are long enough to take the card past Teams' size limit), each opening its
    detail; the chart when there is one; export buttons where ``exports``."""
    built: Element = {}
    for shown in SERVICES_SHOWN:
        built = _summary_card(summary, chart=chart, exports=exports, shown=shown)
        if fits(built):
            break
    return built


def _summary_card(
    summary: Summary, *, chart: FileLink | None, exports: bool, shown: int
) -> Element:
    overall, before = summary.overall, summary.overall_previous
    body = [
        heading(messages.SUMMARY_TITLE.format(period=summary.period.label)),
        text(
            messages.SUMMARY_HEADLINE.format(
                on_time=messages.percent(overall.percent_on_time),
                without=messages.percent(overall.percent_on_time_excluding_exceptions),
                previous=summary.previous.label,
                before=messages.percent(before.percent_on_time),
            )
        ),
        *_so_far(summary),
        facts(
            [
                ("Due", str(overall.due)),
                ("On time", str(overall.on_time)),
                ("Late", str(overall.late)),
                ("Open and overdue", str(overall.open_overdue)),
                ("Not yet due", str(overall.not_yet_due)),
                ("Exceptions", _exceptions(overall)),
                ("Requests received", str(overall.received)),
            ]
        ),
        text("Overdue now", weight="Bolder", separator=True),
        facts(
            sorted(((step, str(n)) for step, n in summary.overdue_by_step.items()))
            or [("None", "")]
        ),
        text(review_words(summary.overall_reviews), separator=True),
        text(messages.SUMMARY_REVIEWS.format(count=summary.reviews_at_risk)),
    ]
    if summary.nudges_posted:
        body.append(
            text(
                messages.SUMMARY_NUDGES.format(
                    acknowledged=summary.nudges_acknowledged, posted=summary.nudges_posted
                )
            )
        )
    if summary.barriers:
        common = ", ".join(f"{theme} ({n})" for theme, n in summary.barriers[:3])
        body.append(text(messages.SUMMARY_BARRIERS.format(themes=common), separator=True))
    if chart is not None:
        body.append(
            {
                "type": "Image",
                "url": chart.url,
                "altText": messages.CHART_ALT,
                "size": "Stretch",
                "separator": True,
                "selectAction": {"type": "Action.OpenUrl", "title": "Open chart", "url": chart.url},
            }
        )
    body.append(text("Services", weight="Bolder", separator=True))
    body.append(text(messages.SUMMARY_SELECT, size="Small", isSubtle=True, spacing="None"))
    ordered = summary.by_risk()
    body.extend(_service_row(service, summary) for service in ordered[:shown])
    if len(ordered) > shown:
        body.append(
            text(
                messages.SUMMARY_MORE.format(more=counted(len(ordered) - shown, "more service")),
                isSubtle=True,
            )
        )
    period = f"{summary.period.start} to {summary.period.end}"
    actions = (
        [
            submit("Export to Excel", "summary_export", {"format": "xlsx", "period": period}),
            submit("Export CSV", "summary_export", {"format": "csv", "period": period}),
            submit("Export JSON", "summary_export", {"format": "json", "period": period}),
        ]
        if exports
        else None
    )
    return card(body, actions)


def review_words(measure: ReviewTimeliness | None) -> str:
    """Seed 003's measure in a sentence: the percentage held within 12 months and its counts."""
    if measure is None or not measure.counted:
        return messages.SUMMARY_REVIEWS_NONE_DUE.format(
            not_yet_due=measure.not_yet_due if measure else 0
        )
    return messages.SUMMARY_REVIEWS_IN_TIME.format(
        percent=messages.percent(measure.percent_in_time),
        in_time=measure.held_in_time,
        counted=measure.counted,
        late=measure.held_late,
        not_held=measure.not_held,
        not_yet_due=measure.not_yet_due,
    )


def service_review_words(measure: ReviewTimeliness | None) -> str:
    """A service's reviews within 12 months, short (empty when none fell due)."""
    if measure is None or not measure.counted:
        return ""
    return messages.SERVICE_REVIEWS_IN_TIME.format(
        percent=messages.percent(measure.percent_in_time), counted=measure.counted
    )


def assessed_words(service: ServiceSummary, today: date) -> str:
    """``assessed 01 Dec 2026``, ``no self-assessment yet`` or ``last assessed over 12 months
    ago (01 Nov 2025)``."""
    age = service.assessment_age(today)
    if service.submitted_on is None:
        return messages.NEVER_ASSESSED_SHORT
    if age != f"{service.submitted_on:%d %b %Y}":
        return messages.ASSESSED_LONG_AGO.format(on=service.submitted_on)
    return messages.ASSESSED_ON.format(on=service.submitted_on)


def plan_words(plan: PlanProgress | None) -> str:
    """``plan: 2 of 6 actions completed, 1 past its date, 3 without a lead``; empty with no
    plan or no actions."""
    if plan is None or not plan.total:
        return ""
    words = messages.PLAN_SHORT.format(done=plan.completed, actions=counted(plan.total, "action"))
    if plan.past_target:
        words += messages.PLAN_SHORT_PAST.format(count=plan.past_target)
    if plan.without_lead:
        words += messages.PLAN_SHORT_UNLED.format(count=plan.without_lead)
    return words


def _so_far(summary: Summary) -> list[Element]:
    """This month so far, beside a period that is over (the default: last month)."""
    if summary.so_far is None or summary.overall_so_far is None:
        return []
    return [text(so_far_line(summary.so_far, summary.overall_so_far), isSubtle=True)]


def so_far_line(period: Period, measures: ComplianceMeasures) -> str:
    """``December 2026 so far (to 01 Dec): 50.0% of 2 due returned on time.``"""
    counted = _counted(measures)
    if not counted:
        return messages.SO_FAR_NOTHING.format(period=period.label, to=period.end)
    return messages.SO_FAR.format(
        period=period.label,
        to=period.end,
        on_time=messages.percent(measures.percent_on_time),
        counted=counted,
    )


def _service_row(service: ServiceSummary, summary: Summary) -> Element:
    rag = service.latest_rag.label if service.latest_rag else "No assessment"
    colour = RAG_COLOURS[service.latest_rag.value] if service.latest_rag else "Default"
    age = assessed_words(service, summary.today) if service.latest_rag else ""
    change = messages.CHANGE_WORDS.get(service.change, "")
    plan = plan_words(service.plan)
    nudges = (
        f"Nudges acknowledged: {service.nudges_acknowledged} of {service.nudges_posted}"
        if service.nudges_posted
        else ""
    )
    not_met = (
        f"Essentials not met: {', '.join(map(str, service.essentials_not_met))}"
        if service.essentials_not_met
        else ""
    )
    compliance = service.compliance
    facts = " · ".join(
        p
        for p in (
            f"{age}{change}",
            not_met,
            plan,
            service_review_words(service.reviews).capitalize(),
            nudges,
        )
        if p
    )
    return {
        "type": "ColumnSet",
        "separator": True,
        "selectAction": submit("Details", "summary_detail", {"service": service.service_id}),
        "columns": [
            {
                "type": "Column",
                "width": "stretch",
                "items": [
                    runs("**{name}**", {"name": service.name}),
                    # the facts beside the rating; none for a service never assessed, whose
                    # rating column already says so
                    *([text(facts, size="Small", isSubtle=True, spacing="None")] if facts else []),
                ],
            },
            {
                "type": "Column",
                "width": "auto",
                "items": [text(rag, color=colour, weight="Bolder")],
            },
            {
                "type": "Column",
                "width": "auto",
                "items": [text(_on_time(compliance))],
            },
        ],
    }


def download_card(link: FileLink) -> Element:
    """A file ready to open: a link that expires, or (in ``ehcp-bot chat``) where it was saved."""
    if link.lifetime is None:
        return card([runs(messages.DOWNLOAD_SAVED, {"filename": link.filename, "url": link.url})])
    hours = link.lifetime.total_seconds() / 3600
    lifetime = f"{hours:g} hour{'s' if hours != 1 else ''}"
    return card(
        [
            heading(messages.DOWNLOAD_TITLE),
            runs(messages.DOWNLOAD_LINK, {"filename": link.filename, "lifetime": lifetime}),
        ],
        [{"type": "Action.OpenUrl", "title": f"Download {link.filename}", "url": link.url}],
    )
