"""Advice requests and annual reviews in Teams: log, record outcomes, list what needs action.

Stateless card flows: each card carries what it is about, so a stale or double-clicked card is
checked against the store and changes nothing twice.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from botbuilder.core import TurnContext
from pydantic import ValidationError

from dialogs import messages
from dialogs.cards.casework import (
    new_request_card,
    new_review_card,
    outcome_card,
    request_list_card,
    request_logged_card,
    review_list_cards,
)
from dialogs.casework_views import (
    request_summary,
    review_flag_lines,
    review_needs,
    shown_version,
    status_line,
)
from dialogs.commands import Command
from dialogs.messages import inert, said
from dialogs.policy import decision_of
from dialogs.ports import CaseworkStore, Clock, NotFoundError
from dialogs.turns import card_activity, conversation_key, person_of
from ehcp_rules import (
    MAX_DELAY_REASON_LENGTH,
    MAX_NARRATIVE_LENGTH,
    AdviceOutcome,
    AdviceRequestRecord,
    AnnualReviewRecord,
    ExceptionReason,
    InvalidDatesError,
    PhaseTransfer,
    PrivacyError,
    ReviewStatus,
    RulesError,
    Service,
    advice_status,
    check_case_reference,
    check_exception,
    check_not_provided,
    check_request_dates,
    check_transfer_entry,
    due_within_week,
    parse_day,
    review_status,
    risk_key,
    screen_text,
)

LIST_COMMANDS = {Command.OVERDUE: "overdue", Command.DUE_WEEK: "week", Command.REQUESTS: "all"}
LIST_TITLES = {
    "overdue": "Overdue requests",
    "week": "Due in the next 7 days",
    "all": "Open requests",
}


class InputProblem(ValueError):
    """A submitted value that cannot be used; the message is fit to show."""


class StaleCard(InputProblem):
    """A card no longer current (or not one this bot sent): its message already says nothing
    was changed, so it is shown as it is."""

    def __init__(self) -> None:
        super().__init__(messages.STALE_CARD)


def _date_or_none(value: Any, label: str) -> date | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return parse_day(text)
    except RulesError:
        raise InputProblem(messages.BAD_DATE.format(label=label, value=said(text))) from None


def _not_future(when: date | None, label: str, today: date) -> date | None:
    if when is not None and when > today:
        raise InputProblem(messages.FUTURE_DATE.format(label=label, when=when))
    return when


class Casework:
    """Handles the casework commands and cards for one bot."""

    def __init__(self, store: CaseworkStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def on_command(self, context: TurnContext, command: Command, argument: str) -> bool:
        """Answer a casework command; ``False`` when ``command`` is not one."""
        if command not in (
            Command.NEW_REQUEST,
            Command.RETURN,
            Command.NEW_REVIEW,
            Command.REVIEWS,
            *LIST_COMMANDS,
        ):
            return False
        services = await self._services(context)
        if services is None:
            return True
        if command is Command.NEW_REQUEST:
            await context.send_activity(
                card_activity(new_request_card(services, self._clock.today()))
            )
        elif command is Command.NEW_REVIEW:
            await context.send_activity(card_activity(new_review_card(services)))
        elif command is Command.RETURN:
            await self._return(context, argument, services)
        elif command is Command.REVIEWS:
            await self._reviews(context, services)
        else:
            await self._list(context, LIST_COMMANDS[command], argument, services, page=1)
        return True

    async def on_card(self, context: TurnContext, value: dict[str, Any]) -> bool:
        """Act on a casework card; ``False`` when the card is not one of these."""
        action = value.get("ehcp")
        handlers = {
            "log_request": self._log_request,
            "outcome_form": self._outcome_form,
            "record_outcome": self._record_outcome,
            "list_page": self._page,
            "log_review": self._log_review,
            "acknowledge": self._acknowledge,
        }
        if action not in handlers:
            return False
        services = await self._services(context)
        if services is not None:
            try:
                await handlers[str(action)](context, value, services)
            except StaleCard as stale:
                await context.send_activity(inert(stale))
            except (InputProblem, PrivacyError) as problem:
                template = (
                    messages.NOTHING_LOGGED
                    if str(action).startswith("log")
                    else messages.NOTHING_CHANGED
                )
                await context.send_activity(template.format(reason=inert(problem)))
        return True

    async def _services(self, context: TurnContext) -> list[Service] | None:
        """The services this turn may touch, as the policy found them (in a channel, only those
        the channel follows; for a card, the one its stored record belongs to)."""
        return list(decision_of(context).services) or None

    async def _log_request(
        self, context: TurnContext, value: dict[str, Any], services: list[Service]
    ) -> None:
        today = self._clock.today()
        case_ref = check_case_reference(str(value.get("case_ref", "")))
        chosen = _chosen_services(value, services)
        received = (
            _not_future(
                _date_or_none(value.get("received_on"), "Date received"), "Date received", today
            )
            or today
        )
        requested = _date_or_none(value.get("assessment_requested_on"), "Assessment request date")
        if requested is not None and requested > received:
            raise InputProblem(
                "The assessment request date is after the date health received the request."
            )
        deadline = _date_or_none(value.get("la_deadline"), "Local authority deadline")
        _checked(
            AdviceRequestRecord(
                case_ref=case_ref,
                service_id=chosen[0].id,
                received_on=received,
                la_deadline=deadline,
                assessment_requested_on=requested,
            ),
            today,
        )
        existing = await self._store.requests_by_case(case_ref, [s.id for s in chosen])
        if existing:
            names = ", ".join(r.service_name or "" for r in existing)
            raise InputProblem(
                messages.ALREADY_LOGGED.format(case_ref=inert(case_ref), services=inert(names))
            )
        known = {"yes": True, "no": False}.get(str(value.get("known_to_service", "")))
        for service in chosen:
            record = await self._store.add_request(
                AdviceRequestRecord(
                    case_ref=case_ref,
                    service_id=service.id,
                    received_on=received,
                    la_deadline=deadline,
                    assessment_requested_on=requested,
                    known_to_service=known,
                ),
                actor=person_of(context) or "",
            )
            await context.send_activity(
                card_activity(request_logged_card(record, request_summary(record, today)))
            )

    async def _return(self, context: TurnContext, argument: str, services: list[Service]) -> None:
        if not argument:
            await context.send_activity(messages.RETURN_WHICH)
            return
        try:
            case_ref = check_case_reference(argument)
        except PrivacyError as refused:
            await context.send_activity(inert(refused))
            return
        found = await self._store.requests_by_case(case_ref, [s.id for s in services])
        if not found:
            await context.send_activity(messages.NO_SUCH_CASE.format(case_ref=inert(case_ref)))
            return
        for record in found:
            await self._send_outcome_card(context, record)

    async def _outcome_form(
        self, context: TurnContext, value: dict[str, Any], services: list[Service]
    ) -> None:
        record = await self._visible_request(value, services)
        await self._send_outcome_card(context, record)

    async def _send_outcome_card(self, context: TurnContext, record: AdviceRequestRecord) -> None:
        """The outcome card; for a request already closed, the same card to correct it."""
        today = self._clock.today()
        summary = request_summary(record, today)
        await context.send_activity(card_activity(outcome_card(record, summary, today)))

    async def _record_outcome(
        self, context: TurnContext, value: dict[str, Any], services: list[Service]
    ) -> None:
        record = await self._visible_request(value, services)
        today = self._clock.today()
        closed = record.returned_on is not None
        if closed and value.get("correct") is not True:  # a card from before it was closed
            await context.send_activity(
                messages.ALREADY_RETURNED.format(
                    case_ref=inert(record.case_ref), when=record.returned_on
                )
            )
            return
        if _changed_since_shown(record, value):  # a double click, or a colleague saved since
            now = status_line(record, advice_status(record.as_rule(), today), today)
            await context.send_activity(
                messages.OUTCOME_CARD_STALE.format(case_ref=inert(record.case_ref), now=now)
            )
            return
        kind = str(value.get("outcome"))
        base = _reopened(record) if closed and kind != "no_exception" else record
        updated = _apply_outcome(base, value, today)
        saved = await self._store.update_request(updated, actor=person_of(context) or "")
        status = advice_status(saved.as_rule(), today)
        outcome = dict(messages.OUTCOME_CHOICES)[kind]
        if kind == "no_exception":  # the outcome, if any, stands
            assert record.exception_reason is not None
            reply = messages.EXCEPTION_REMOVED.format(
                case_ref=inert(saved.case_ref),
                service=inert(saved.service_name),
                regulation=record.exception_reason.regulation,
                now=status_line(saved, status, today),
            )
        elif closed:
            before = record.outcome.label if record.outcome else "returned"
            reply = messages.OUTCOME_CORRECTED.format(
                case_ref=inert(saved.case_ref),
                service=inert(saved.service_name),
                outcome=outcome,
                before=f"{before} on {record.returned_on:%d %b %Y}",
                next_step=status.next_action,
            )
        else:
            reply = messages.OUTCOME_SAVED.format(
                case_ref=inert(saved.case_ref),
                service=inert(saved.service_name),
                outcome=outcome,
                next_step=status.next_action,
            )
        await context.send_activity(reply)

    async def _visible_request(
        self, value: dict[str, Any], services: list[Service]
    ) -> AdviceRequestRecord:
        request_id = value.get("request")
        try:
            record = (
                await self._store.request(int(request_id)) if isinstance(request_id, int) else None
            )
        except NotFoundError:
            record = None
        if record is None or record.service_id not in {s.id for s in services}:
            raise StaleCard
        return record

    async def _list(
        self, context: TurnContext, key: str, argument: str, services: list[Service], *, page: int
    ) -> None:
        shown = services
        if key == "all" and argument.strip():
            shown = [s for s in services if s.name.lower() == argument.strip().lower()]
            if not shown:
                names = ", ".join(s.name for s in services)
                await context.send_activity(
                    messages.NO_SUCH_SERVICE.format(name=said(argument), names=inert(names))
                )
                return
        today = self._clock.today()
        rows = []
        for record in await self._store.open_requests([s.id for s in shown]):
            status = advice_status(record.as_rule(), today)
            if key == "overdue" and not status.days_overdue:  # past the 6 weeks, excepted too
                continue
            if key == "week" and not due_within_week(status, today):
                continue
            rows.append((risk_key(status), record, status_line(record, status, today)))
        rows.sort(key=lambda row: (row[0], row[1].case_ref))
        title = LIST_TITLES[key] + (f": {shown[0].name}" if len(shown) == 1 and argument else "")
        if not rows:
            await context.send_activity(messages.LIST_EMPTY.format(what=title.lower()))
            return
        excepted = key == "overdue" and any(r.exception_reason for _, r, _ in rows)
        card = request_list_card(
            title,
            [(r, line) for _, r, line in rows],
            page=page,
            list_key=key,
            service=argument.strip(),
            note=messages.OVERDUE_LIST_EXCEPTED if excepted else None,
        )
        await context.send_activity(card_activity(card))

    async def _page(
        self, context: TurnContext, value: dict[str, Any], services: list[Service]
    ) -> None:
        key = str(value.get("list"))
        page = value.get("page")
        if key not in LIST_TITLES or not isinstance(page, int) or page < 1:
            raise StaleCard
        await self._list(context, key, str(value.get("service", "")), services, page=page)

    async def _log_review(
        self, context: TurnContext, value: dict[str, Any], services: list[Service]
    ) -> None:
        today = self._clock.today()
        case_ref = check_case_reference(str(value.get("case_ref", "")))
        chosen = _chosen_services(value, services)
        dates = {key: _date_or_none(value.get(key), label) for key, label in _REVIEW_DATES.items()}
        for key in _PAST_REVIEW_DATES:
            _not_future(dates[key], _REVIEW_DATES[key], today)
        existing = next(
            (
                r
                for r in await self._store.reviews([s.id for s in services])
                if r.case_ref.lower() == case_ref.lower()
            ),
            None,
        )
        transfer = _transfer_fields(value)
        record = _merged_review(existing, case_ref, chosen, dates, transfer)
        try:
            if transfer or dates["post_16_move_on"]:
                check_transfer_entry(record.as_rule(), today)
            status = review_status(record.as_rule(), today)
            saved = await self._store.save_review(record, actor=person_of(context) or "")
        except ValueError as error:
            raise InputProblem(_first_error(error)) from None
        await context.send_activity(_review_reply(existing, saved, status, dates["held_on"], today))

    async def _acknowledge(
        self, context: TurnContext, value: dict[str, Any], services: list[Service]
    ) -> None:
        """Note that someone has seen a nudge posted here; the reference said back is the one
        stored when it was posted, never the card's."""
        item, step = str(value.get("item", "")), str(value.get("step", ""))
        posted = await self._store.posted_nudge(conversation_key(context), item, step)
        if posted is None:
            raise StaleCard
        reference = posted.reference or "this item"
        added = await self._store.acknowledge(
            conversation_key(context), item, step, actor=person_of(context) or ""
        )
        sender = context.activity.from_property
        who = (sender.name if sender and sender.name else None) or "Someone"
        reply = (
            messages.ACKNOWLEDGED.format(who=inert(who), reference=inert(reference))
            if added
            else (messages.ALREADY_ACKNOWLEDGED.format(reference=inert(reference)))
        )
        await context.send_activity(reply)

    async def _reviews(self, context: TurnContext, services: list[Service]) -> None:
        names = {s.id: s.name for s in services}
        rows = review_needs(await self._store.reviews(list(names)), names, self._clock.today())
        if not rows:
            await context.send_activity(messages.REVIEWS_NONE)
            return
        for each in review_list_cards(rows):
            await context.send_activity(card_activity(each))


_REVIEW_DATES = {
    "plan_issued_on": "Date the plan was first issued",
    "last_review_on": "Date of the last review",
    "meeting_on": "Date of the review meeting",
    "health_notified_on": "Date health was told",
    "contribution_in_on": "Date health's contribution went in",
    "held_on": "Date the review meeting was held",
    "post_16_move_on": "Date of the move between post-16 institutions",
    "amended_for_transfer_on": "Date the plan was amended for the transfer",
}
_PAST_REVIEW_DATES = (
    "plan_issued_on",
    "last_review_on",
    "health_notified_on",
    "contribution_in_on",
    "held_on",
    "amended_for_transfer_on",
)


def _transfer_fields(value: dict[str, Any]) -> dict[str, Any]:
    """A reg 18(1) transfer from the card: its kind and the calendar year of the move (both, or
    neither); ``InputProblem`` for a year that is not four digits."""
    kind, year = str(value.get("phase_transfer") or ""), str(value.get("transfer_year") or "")
    if not kind and not year.strip():
        return {}
    try:
        parsed = float(year)
    except ValueError:
        raise InputProblem(messages.TRANSFER_YEAR_HINT) from None
    if not parsed.is_integer():  # 2027.5, inf ("1e999"), nan: not a year
        raise InputProblem(messages.TRANSFER_YEAR_HINT)
    number = int(parsed)
    if not kind:
        raise InputProblem(messages.TRANSFER_YEAR_WITHOUT_KIND)
    try:
        return {"phase_transfer": PhaseTransfer(kind), "transfer_year": number}
    except ValueError:
        raise StaleCard from None


def _merged_review(
    existing: AnnualReviewRecord | None,
    case_ref: str,
    chosen: list[Service],
    dates: dict[str, date | None],
    transfer: dict[str, Any],
) -> AnnualReviewRecord:
    """A new review from the card, or the logged one with the card's filled-in values. A review
    recorded as held becomes the last review: the meeting, and health's notice and contribution
    for it, are then of the past period, and the card's own dates of the next meeting apply."""
    given = {key: when for key, when in dates.items() if when is not None}
    held = given.pop("held_on", None)
    if held is not None and "last_review_on" in given:
        raise InputProblem(messages.REVIEW_HELD_AND_LAST)
    if existing is None:
        if "plan_issued_on" not in given:
            raise InputProblem(messages.REVIEW_HELD_NEEDS_PLAN)
        if held is not None:
            given["last_review_on"] = held
        fields = {"case_ref": case_ref, "service_ids": tuple(s.id for s in chosen)}
        try:
            return AnnualReviewRecord.model_validate(fields | given | transfer)
        except ValueError as error:
            raise InputProblem(_first_error(error)) from None
    services = tuple(sorted(set(existing.service_ids) | {s.id for s in chosen}))
    base = existing if held is None else _held(existing, held)
    try:
        return AnnualReviewRecord.model_validate(
            base.model_dump() | given | transfer | {"service_ids": services}
        )
    except ValueError as error:
        raise InputProblem(_first_error(error)) from None


def _held(review: AnnualReviewRecord, held: date) -> AnnualReviewRecord:
    """``review`` with its meeting recorded as held on ``held``: the next 12 months run from it
    (s.44(1)); the meeting date, notice and contribution belonged to that meeting."""
    start = review.last_review_on or review.plan_issued_on
    if held <= start:
        raise InputProblem(messages.REVIEW_HELD_BEFORE.format(held=held, start=start))
    meeting = review.meeting_on if review.meeting_on and review.meeting_on > held else None
    update: dict[str, Any] = {"last_review_on": held, "meeting_on": meeting}
    if meeting is None:
        update |= {"health_notified_on": None, "contribution_in_on": None}
    return review.model_copy(update=update)


def _review_reply(
    existing: AnnualReviewRecord | None,
    saved: AnnualReviewRecord,
    status: ReviewStatus,
    held: date | None,
    today: date,
) -> str:
    """What was saved, the limit, and anything needing action now (a meeting after the limit,
    notice short, a transfer to plan for), so that a problem is seen when it is typed."""
    template = messages.REVIEW_UPDATED if existing else messages.REVIEW_LOGGED
    lines = [template.format(case_ref=inert(saved.case_ref), review_by=status.review_by)]
    if held is not None:
        lines.insert(0, messages.REVIEW_HELD.format(case_ref=inert(saved.case_ref), held=held))
    needs = review_flag_lines(saved, status, today)
    if needs:
        lines.append(messages.REVIEW_NEEDS_ACTION)
        lines.extend(f"- {need}" for need in needs)
    return "\n\n".join(lines)


def _chosen_services(value: dict[str, Any], services: list[Service]) -> list[Service]:
    wanted = {part.strip() for part in str(value.get("services", "")).split(",") if part.strip()}
    by_id = {str(s.id): s for s in services}
    if not wanted or not wanted <= set(by_id):
        raise InputProblem(messages.SERVICE_NOT_YOURS)
    return [by_id[key] for key in sorted(wanted, key=int)]


def _checked(record: AdviceRequestRecord, today: date) -> AdviceRequestRecord:
    """``record`` when its dates can be true together (``check_request_dates``), else the
    reason as an ``InputProblem``."""
    try:
        check_request_dates(record, today)
    except InvalidDatesError as problem:
        raise _problem(problem) from None
    return record


def _problem(error: InvalidDatesError) -> InputProblem:
    """A rule's reason as a sentence to show."""
    text = str(error)
    return InputProblem(text[:1].upper() + text[1:] + ".")


def _changed_since_shown(record: AdviceRequestRecord, value: dict[str, Any]) -> bool:
    """True when the card did not show ``record`` as it is stored now (or says nothing of what
    it showed: a card from before this check, or not one this bot sent)."""
    return value.get("shown") != shown_version(record)


_OUTCOME_FIELDS = {
    "returned_on": None,
    "outcome": None,
    "not_provided_reason": None,
    "referral_on": None,
    "expected_on": None,
    "team_told": None,
    "delay_reason": None,
}
"""What an outcome sets: a correction clears all of them, so that it replaces the outcome wholly
(a clinical delay's expected date or a referral's date does not outlive the outcome it was of).
A reg 8(2) exception is not an outcome but a fact about the 6 weeks: it stays unless the
correction records another, or "no exception" takes it off."""
_EXCEPTION_FIELDS = {
    "exception_reason": None,
    "exception_narrative": None,
    "exception_arose_on": None,
    "agreed_return_on": None,
}


def _reopened(record: AdviceRequestRecord) -> AdviceRequestRecord:
    """A closed request as it stood before its outcome, so that a correction starts afresh."""
    return record.model_copy(update=_OUTCOME_FIELDS)


def _apply_outcome(
    record: AdviceRequestRecord, value: dict[str, Any], today: date
) -> AdviceRequestRecord:
    kind = str(value.get("outcome", ""))
    if kind in ("returned", "not_known_referred", "not_provided"):
        # the date defaults to today, the common case
        on = _not_future(_date_or_none(value.get("on"), "The date"), "The date", today) or today
        if on < record.received_on:
            raise InputProblem(
                messages.BEFORE_RECEIVED.format(
                    label="The date", when=on, received=record.received_on
                )
            )
        if kind == "returned":
            return record.model_copy(update={"returned_on": on, "outcome": AdviceOutcome.RETURNED})
        if kind == "not_provided":
            return _not_provided(record, value, on, today)
        return record.model_copy(
            update={
                "referral_on": on,
                "known_to_service": False,
                "outcome": AdviceOutcome.NOT_KNOWN_REFERRED,
            }
        )
    if kind == "clinical_delay":
        return _checked(_clinical_delay(record, value), today)
    if kind == "exception":
        return _exception(record, value, today)
    if kind == "no_exception" and record.exception_reason is not None:
        return record.model_copy(update=_EXCEPTION_FIELDS)  # one recorded by mistake
    raise InputProblem("Choose what happened.")


def _not_provided(
    record: AdviceRequestRecord, value: dict[str, Any], on: date, today: date
) -> AdviceRequestRecord:
    reason = (
        screen_text(
            _typed(value, "not_provided_reason"),
            field="reason the advice will not be provided",
            max_length=MAX_DELAY_REASON_LENGTH,
        )
        or None
    )
    if reason is None:
        raise InputProblem(messages.OUTCOME_NEEDS_NOT_PROVIDED)
    try:
        check_not_provided(record.received_on, on, reason)
    except InvalidDatesError as problem:
        raise _problem(problem) from None
    return record.model_copy(
        update={
            "returned_on": on,
            "outcome": AdviceOutcome.NOT_PROVIDED,
            "not_provided_reason": reason,
        }
    )


def _clinical_delay(record: AdviceRequestRecord, value: dict[str, Any]) -> AdviceRequestRecord:
    expected = _date_or_none(value.get("expected_on"), "Expected date")
    told = {"yes": True, "no": False}.get(str(value.get("team_told", "")))
    if expected is None or told is None:
        raise InputProblem(messages.OUTCOME_NEEDS_DELAY)
    if expected < record.received_on:
        raise InputProblem(
            messages.BEFORE_RECEIVED.format(
                label="Expected date", when=expected, received=record.received_on
            )
        )
    reason = (
        screen_text(
            _typed(value, "delay_reason"),
            field="delay reason",
            max_length=MAX_DELAY_REASON_LENGTH,
        )
        or None
    )
    return record.model_copy(
        update={
            "outcome": AdviceOutcome.CLINICAL_DELAY,
            "expected_on": expected,
            "team_told": told,
            "delay_reason": reason,
        }
    )


def _exception(
    record: AdviceRequestRecord, value: dict[str, Any], today: date
) -> AdviceRequestRecord:
    try:
        reason = ExceptionReason(str(value.get("exception_reason", "")))
    except ValueError:
        raise InputProblem(messages.OUTCOME_NEEDS_EXCEPTION) from None
    narrative = screen_text(
        _typed(value, "narrative"),
        field="exception narrative",
        max_length=MAX_NARRATIVE_LENGTH,
    )
    if not narrative:
        raise InputProblem(messages.OUTCOME_NEEDS_EXCEPTION)
    arose = _date_or_none(value.get("exception_arose_on"), "Date the circumstance arose")
    agreed = _date_or_none(value.get("agreed_return_on"), "Agreed return date")
    try:
        check_exception(record.received_on, arose, agreed, today, reason)
    except InvalidDatesError as problem:
        raise _problem(problem) from None
    return record.model_copy(
        update={
            "exception_reason": reason,
            "exception_narrative": narrative,
            "exception_arose_on": arose,
            "agreed_return_on": agreed,
        }
    )


def _typed(value: dict[str, Any], key: str) -> str:
    """A card's free-text input as typed: Teams sends text inputs as strings, so anything else
    (a list, an object, a number) is a card this bot did not send, refused rather than stored
    as its Python spelling."""
    text = value.get(key)
    if text is None:
        return ""
    if not isinstance(text, str):
        raise InputProblem(messages.NOT_TEXT)
    return text


def _first_error(error: ValueError) -> str:
    if isinstance(error, ValidationError):
        message = str(error.errors()[0]["msg"]).removeprefix("Value error, ")
    else:
        message = str(error)
    message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "?", "!")) else message + "."
