"""The self-assessment conversation: choose the service, then one card per question.

See ``self_assessment_dialog.md`` for the diagram. Every answer is saved the moment it arrives
(through the ``AssessmentStore`` port); the dialog keeps only where the person is.
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import TurnContext
from botbuilder.dialogs import (
    ComponentDialog,
    Dialog,
    DialogTurnResult,
    WaterfallDialog,
    WaterfallStepContext,
)

from dialogs import messages
from dialogs.action_plan import ActionPlans
from dialogs.cards.assessment import (
    answered_card,
    question_card,
    result_card,
    review_card,
)
from dialogs.cards.elements import ACTION_KEY, Element
from dialogs.cards.general import choose_service_card, start_again_card
from dialogs.commands import Command, did_you_mean, parse_command
from dialogs.help import personal_help
from dialogs.messages import inert
from dialogs.policy import Policy
from dialogs.ports import AssessmentStore, Clock, ConflictError
from dialogs.progress import AssessmentProgress, Mode, next_unanswered
from dialogs.status import send_status
from dialogs.turns import card_activity, person_of, submitted_value, update_card
from ehcp_rules import (
    DEFAULT_EDITION,
    PrivacyError,
    Rating,
    Service,
    StoredAnswer,
    join_numbers,
    load_question_bank,
    rate,
)


class SelfAssessmentDialog(ComponentDialog):
    """Runs one person through their service's self-assessment."""

    ID = "SelfAssessmentDialog"
    _START = "SelfAssessmentDialog.start"
    _LOOP = "SelfAssessmentDialog.loop"

    def __init__(self, store: AssessmentStore, clock: Clock, policy: Policy) -> None:
        super().__init__(self.ID)
        self._store = store
        self._clock = clock
        self._policy = policy
        self.add_dialog(
            WaterfallDialog(self._START, [self.choose_service_step, self.open_assessment_step])
        )
        self.add_dialog(WaterfallDialog(self._LOOP, [self.show_card_step, self.handle_reply_step]))
        self.initial_dialog_id = self._START

    async def choose_service_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        """Find the person's services; ask which when there are several."""
        object_id = person_of(step.context)
        if object_id is None:
            await step.context.send_activity(messages.UNKNOWN_USER)
            return await step.end_dialog()
        services = await self._services_of(object_id)
        if not services:
            await step.context.send_activity(messages.NO_ROLE.format(object_id=object_id))
            return await step.end_dialog()
        if len(services) == 1:
            return await step.next(services[0].id)
        step.values["choices"] = [s.id for s in services]
        await step.context.send_activity(card_activity(choose_service_card(services)))
        return Dialog.end_of_turn

    async def open_assessment_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        """Start or resume the chosen service's assessment and show the right question."""
        service_id = step.result if isinstance(step.result, int) else self._chosen(step)
        if service_id is None:
            await step.context.send_activity(messages.NOT_YOUR_SERVICE)
            return await step.replace_dialog(self._START)
        actor = person_of(step.context) or ""
        service = await self._store.service(service_id)
        if not (step.options or {}).get("new") and await self._ask_first(step.context, service):
            return await step.end_dialog()
        assessment, created = await self._store.start_or_resume_assessment(
            service_id, edition=DEFAULT_EDITION, actor=actor
        )
        bank = load_question_bank(assessment.edition)
        answers = await self._answers(step.context, assessment.id)
        first = next_unanswered(bank, answers)
        progress = AssessmentProgress(
            assessment_id=assessment.id,
            service_id=service_id,
            service=service.name,
            edition=assessment.edition,
            question=first or 1,
            mode=Mode.QUESTION if first else Mode.REVIEW,
        )
        text = messages.STARTED if created else messages.RESUMED
        await step.context.send_activity(
            text.format(
                service=inert(service.name),
                total=len(bank),
                answered=len(answers),
                question=first or "—",
            )
        )
        return await step.replace_dialog(self._LOOP, progress.model_dump(mode="json"))

    async def _ask_first(self, context: TurnContext, service: Service) -> bool:
        """With none in progress and one already submitted, say when and ask before starting a
        new 23 questions (``start new assessment`` starts it); ``False`` when there is nothing
        to ask."""
        if await self._store.assessment_in_progress(service.id) is not None:
            return False
        last = await self._store.last_submitted(service.id)
        if last is None or last.submitted_at is None or last.rag is None:
            return False
        when = last.submitted_at.astimezone(self._clock.zone).date()
        card = start_again_card(service.name, when, last.rag.label)
        await context.send_activity(card_activity(card))
        return True

    async def show_card_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        """Show the current question (or the review) and wait for the reply."""
        progress = AssessmentProgress.model_validate(step.options)
        if not progress.quiet:
            card = await self._card_for(step.context, progress)
            await step.context.send_activity(card_activity(card))
        progress.notice, progress.quiet = None, False
        progress.typed_rating = progress.typed_comment = None  # shown once, on that card
        progress.shown_at = self._clock.now().isoformat()
        step.values["progress"] = progress.model_dump(mode="json")
        return Dialog.end_of_turn

    async def handle_reply_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        """Act on a card submission or a typed command, then show what comes next."""
        progress = AssessmentProgress.model_validate(step.values["progress"])
        if not await self._policy.may_work_on(person_of(step.context) or "", progress.service_id):
            await step.context.send_activity(
                messages.NO_LONGER_MEMBER.format(service=inert(progress.service))
            )
            return await step.end_dialog()
        value = submitted_value(step.context)
        if value is not None:
            following = await self._on_card(step.context, progress, value)
        else:
            following = await self._on_text(step.context, progress)
        if following is None:
            return await step.end_dialog()
        return await step.replace_dialog(self._LOOP, following.model_dump(mode="json"))

    async def _on_card(
        self, context: TurnContext, progress: AssessmentProgress, value: dict[str, Any]
    ) -> AssessmentProgress | None:
        action = value.get(ACTION_KEY)
        if value.get("assessment") != progress.assessment_id:
            await context.send_activity(messages.STALE_CARD)
            return progress
        if action == "answer":
            return await self._on_answer(context, progress, value)
        if action == "submit":
            return await self._on_submit(context, progress)
        return await self._navigate(context, progress, str(action), value.get("question"))

    async def _on_text(
        self, context: TurnContext, progress: AssessmentProgress
    ) -> AssessmentProgress | None:
        command = parse_command(context.activity.text)
        if command is Command.STATUS:
            await send_status(context, self._store, person_of(context) or "", clock=self._clock)
            return progress.model_copy(update={"quiet": True})
        if command is Command.HELP:
            notice = f"You're in the middle of the self-assessment for {progress.service}."
            await context.send_activity(card_activity(personal_help(context, notice)))
            return progress.model_copy(update={"quiet": True})
        if command in (Command.START, Command.RESUME, Command.START_NEW):
            return await self._navigate(context, progress, "continue", None)
        if command is Command.UNKNOWN:
            suggestion = did_you_mean(context.activity.text)
            said = messages.TYPE_IN_CARD.format(question=progress.question)
            if suggestion:
                said = messages.DID_YOU_MEAN_HERE.format(suggestion=suggestion) + " " + said
            await context.send_activity(said)
            return progress.model_copy(update={"quiet": True})
        action = {Command.SUBMIT: "review"}.get(command, command.value)
        return await self._navigate(context, progress, action, progress.question)

    async def _navigate(
        self, context: TurnContext, progress: AssessmentProgress, action: str, question: object
    ) -> AssessmentProgress | None:
        if action == "pause":
            await context.send_activity(messages.PAUSED.format(question=progress.question))
            return None
        target = await self._target(context, progress, action, question)
        if target is None:
            await context.send_activity(messages.STALE_QUESTION)
            return progress
        return target

    async def _target(
        self, context: TurnContext, progress: AssessmentProgress, action: str, question: object
    ) -> AssessmentProgress | None:
        """Where Back, Skip, Change, Continue or Review lead; ``None`` for a stale button."""
        bank = load_question_bank(progress.edition)
        review = progress.model_copy(update={"mode": Mode.REVIEW})
        if action == "review":
            return review
        if action == "continue":
            first = next_unanswered(bank, await self._answers(context, progress.assessment_id))
            return _at(progress, first) if first else review
        if action == "change" and isinstance(question, int) and 1 <= question <= len(bank):
            return _at(progress, question)
        return _step(progress, action, question, len(bank))

    async def _on_answer(
        self, context: TurnContext, progress: AssessmentProgress, value: dict[str, Any]
    ) -> AssessmentProgress | None:
        if progress.mode is not Mode.QUESTION or value.get("question") != progress.question:
            await context.send_activity(messages.STALE_QUESTION)
            return progress
        sent = value.get("comment")
        comment = sent if isinstance(sent, str) else ""
        try:
            rating = Rating(str(value.get("rating", "")).strip().lower())
        except ValueError:
            return _kept(progress, messages.CHOOSE_RATING, None, comment)
        if "comment" not in value:  # not sent: what is stored stays (a save changes what was sent)
            stored = (await self._answers(context, progress.assessment_id)).get(progress.question)
            comment = stored.comment if stored and stored.comment else ""
        elif sent is not None and not isinstance(sent, str):  # a list or a number: no card
            return _kept(progress, messages.COMMENT_NOT_TEXT, rating.value, "")
        try:
            saved = await self._store.record_answer(
                progress.assessment_id,
                progress.question,
                rating,
                comment or "",
                actor=person_of(context) or "",
            )
        except PrivacyError as refused:
            return _kept(progress, str(refused), rating.value, comment)
        except ConflictError as conflict:
            await context.send_activity(str(conflict))
            return None
        context.turn_state.pop(_answers_key(progress.assessment_id), None)
        if _overwritten(saved, progress):
            await context.send_activity(messages.OVERWROTE.format(who=messages.ANOTHER_PERSON))
        return await self._after_answer(context, progress, saved)

    async def _after_answer(
        self, context: TurnContext, progress: AssessmentProgress, saved: Any
    ) -> AssessmentProgress:
        bank = load_question_bank(progress.edition)
        answers = await self._answers(context, progress.assessment_id)
        await update_card(context, answered_card(bank, saved, answered=len(answers)))
        following = next_unanswered(bank, answers, after=progress.question)
        update: dict[str, Any] = {"notice": None, "typed_rating": None, "typed_comment": None}
        if not saved.comment and not progress.evidence_prompted:
            update |= {"notice": messages.NO_EVIDENCE_PROMPT, "evidence_prompted": True}
        if following is None:
            return progress.model_copy(update=update | {"mode": Mode.REVIEW})
        return _at(progress, following).model_copy(update=update)

    async def _on_submit(
        self, context: TurnContext, progress: AssessmentProgress
    ) -> AssessmentProgress | None:
        if progress.mode is not Mode.REVIEW:
            await context.send_activity(messages.STALE_QUESTION)
            return progress
        bank = load_question_bank(progress.edition)
        answers = await self._store.answers(progress.assessment_id)
        result = rate(
            bank,
            {n: a.rating for n, a in answers.items()},
            {n: a.comment for n, a in answers.items()},
        )
        if result.unanswered:
            await context.send_activity(
                messages.NOT_COMPLETE.format(
                    questions=_questions(result.unanswered),
                    need="needs" if len(result.unanswered) == 1 else "need",
                )
            )
            return progress
        try:
            submitted = await self._store.submit_assessment(
                progress.assessment_id, actor=person_of(context) or ""
            )
        except ConflictError as conflict:
            await context.send_activity(str(conflict))
            return None
        await context.send_activity(card_activity(result_card(result, service=progress.service)))
        for plan in await ActionPlans(self._store, self._clock).plan_cards(context, submitted):
            await context.send_activity(card_activity(plan))
        return None

    async def _card_for(self, context: TurnContext, progress: AssessmentProgress) -> Element:
        bank = load_question_bank(progress.edition)
        answers = await self._answers(context, progress.assessment_id)
        if progress.mode is Mode.REVIEW:
            result = rate(
                bank,
                {n: a.rating for n, a in answers.items()},
                {n: a.comment for n, a in answers.items()},
            )
            return review_card(
                bank,
                answers,
                result,
                assessment_id=progress.assessment_id,
                service=progress.service,
            )
        return question_card(
            bank,
            progress.question,
            assessment_id=progress.assessment_id,
            answers=answers,
            service=progress.service,
            notice=progress.notice,
            typed=(progress.typed_rating, progress.typed_comment),
        )

    async def _answers(self, context: TurnContext, assessment_id: int) -> dict[int, StoredAnswer]:
        """The assessment's answers, read once a turn (and again after this turn saves one)."""
        key = _answers_key(assessment_id)
        answers: dict[int, StoredAnswer] | None = context.turn_state.get(key)
        if answers is None:
            answers = await self._store.answers(assessment_id)
            context.turn_state[key] = answers
        return answers

    async def _services_of(self, object_id: str) -> list[Service]:
        grants = await self._store.roles_of(object_id)
        ids = sorted({g.service_id for g in grants if g.service_id is not None})
        return [await self._store.service(service_id) for service_id in ids]

    @staticmethod
    def _chosen(step: WaterfallStepContext) -> int | None:
        value = submitted_value(step.context) or {}
        chosen = value.get("service") if value.get(ACTION_KEY) == "choose_service" else None
        return chosen if chosen in step.values.get("choices", []) else None


def _step(
    progress: AssessmentProgress, action: str, question: object, total: int
) -> AssessmentProgress | None:
    """Back or Skip from the question on show; ``None`` when the button is from another card."""
    current = progress.question
    if progress.mode is not Mode.QUESTION or question != current:
        return None
    if action == "back":
        return _at(progress, max(1, current - 1))
    if action == "skip" and current < total:
        return _at(progress, current + 1)
    if action == "skip":
        return progress.model_copy(update={"mode": Mode.REVIEW})
    return None


def _kept(
    progress: AssessmentProgress, notice: str, rating: str | None, comment: str | None
) -> AssessmentProgress:
    """The same question again, saying why it was not saved, with what was typed and chosen."""
    return progress.model_copy(
        update={"notice": notice, "typed_rating": rating, "typed_comment": comment or None}
    )


def _answers_key(assessment_id: int) -> str:
    return f"{__name__}.answers.{assessment_id}"


def _at(progress: AssessmentProgress, question: int) -> AssessmentProgress:
    return progress.model_copy(update={"question": question, "mode": Mode.QUESTION})


def _overwritten(saved: StoredAnswer, progress: AssessmentProgress) -> bool:
    """Someone else answered this question after it was shown to this person."""
    if saved.previous_at is None or progress.shown_at is None:
        return False
    if saved.previous_by == saved.answered_by:
        return False
    return saved.previous_at.isoformat() > progress.shown_at


def _questions(numbers: tuple[int, ...]) -> str:
    """``Question 5``, ``Questions 5 and 9``."""
    return f"{'Question' if len(numbers) == 1 else 'Questions'} {join_numbers(numbers)}"
