"""Self-assessments: every answer kept (the latest is current), submission and the action plan."""

from __future__ import annotations

from datetime import date, datetime

import sqlite_utils

from bot.storage.audit import AuditLog, local_day, stamp
from bot.storage.errors import ConflictError, InvalidInputError, NotFoundError
from bot.storage.screen import optional_text
from dialogs.ports import Clock
from ehcp_rules import (
    MAX_ACTION_LENGTH,
    MAX_OWNER_LENGTH,
    MAX_WORKSTREAM_LENGTH,
    ActionItem,
    ActionProgress,
    Assessment,
    AssessmentStatus,
    ProgressChange,
    Rating,
    StoredAnswer,
    clean_comment,
    join_numbers,
    load_question_bank,
    rate,
)

_ASSESSMENT_COLUMNS = (
    "id, service_id, edition, status, started_by, started_at, submitted_by, submitted_at, rag"
)


class AssessmentRepository:
    """Assessments, answers and actions; each change audited in its own transaction."""

    def __init__(self, db: sqlite_utils.Database, audit: AuditLog, *, clock: Clock) -> None:
        self._db = db
        self._audit = audit
        self._clock = clock

    def start_or_resume(
        self, service_id: int, *, edition: str, actor: str
    ) -> tuple[Assessment, bool]:
        """The service's assessment in progress, or a new one; and whether it was created."""
        with self._db.atomic():
            current = self.in_progress(service_id)
            if current is not None:
                return current, False
            (assessment_id,) = self._db.execute(
                "INSERT INTO assessments (service_id, edition, status, started_by, started_at) "
                "VALUES (?, ?, 'in_progress', ?, ?) RETURNING id",
                [service_id, edition, actor, stamp(self._clock)],
            ).fetchone()
            self._audit.record(actor, "assessment started", "assessment", assessment_id)
        return self.get(assessment_id), True

    def get(self, assessment_id: int) -> Assessment:
        """One assessment; ``NotFoundError`` when there is none."""
        row = self._db.execute(
            f"SELECT {_ASSESSMENT_COLUMNS} FROM assessments WHERE id = ?", [assessment_id]
        ).fetchone()
        if row is None:
            raise NotFoundError(f"There is no assessment number {assessment_id}.")
        return _assessment(row)

    def in_progress(self, service_id: int) -> Assessment | None:
        """The service's assessment in progress, if any."""
        row = self._db.execute(
            f"SELECT {_ASSESSMENT_COLUMNS} FROM assessments "
            "WHERE service_id = ? AND status = 'in_progress'",
            [service_id],
        ).fetchone()
        return None if row is None else _assessment(row)

    def submitted(self, service_id: int) -> list[Assessment]:
        """The service's submitted assessments, newest first (the trend over time)."""
        rows = self._db.execute(
            f"SELECT {_ASSESSMENT_COLUMNS} FROM assessments "
            "WHERE service_id = ? AND status = 'submitted' ORDER BY submitted_at DESC, id DESC",
            [service_id],
        ).fetchall()
        return [_assessment(row) for row in rows]

    def record_answer(
        self, assessment_id: int, question: int, rating: Rating, comment: str, *, actor: str
    ) -> StoredAnswer:
        """Keep an answer (history keeps earlier ones); refused once the assessment is submitted."""
        with self._db.atomic():
            assessment = self.get(assessment_id)
            bank = load_question_bank(assessment.edition)
            if not 1 <= question <= len(bank):
                raise InvalidInputError(
                    f"There is no question {question}: questions are 1 to {len(bank)}."
                )
            text = clean_comment(comment)
            _still_open(assessment)
            before = self._db.execute(
                "SELECT answered_by, answered_at FROM answers WHERE assessment_id = ? AND "
                "question = ? ORDER BY id DESC LIMIT 1",
                [assessment_id, question],
            ).fetchone()
            answered_at = stamp(self._clock)
            self._db.execute(
                "INSERT INTO answers (assessment_id, question, rating, comment, answered_by, "
                "answered_at) VALUES (?, ?, ?, ?, ?, ?)",
                [assessment_id, question, rating.value, text, actor, answered_at],
            )
            self._audit.record(
                actor,
                "answer recorded",
                "assessment",
                assessment_id,
                question=question,
                rating=rating.value,
                with_comment=bool(text),
            )
        saved = _answer((question, rating.value, text, actor, answered_at))
        if before is None:
            return saved
        return saved.model_copy(
            update={"previous_by": before[0], "previous_at": datetime.fromisoformat(before[1])}
        )

    def answers(self, assessment_id: int) -> dict[int, StoredAnswer]:
        """The current answer to each answered question."""
        rows = self._db.execute(
            "SELECT question, rating, comment, answered_by, answered_at FROM answers "
            "WHERE id IN (SELECT max(id) FROM answers WHERE assessment_id = ? GROUP BY question)",
            [assessment_id],
        ).fetchall()
        return {row[0]: _answer(row) for row in rows}

    def history(self, assessment_id: int, question: int) -> list[StoredAnswer]:
        """Every answer ever given to one question, oldest first."""
        rows = self._db.execute(
            "SELECT question, rating, comment, answered_by, answered_at FROM answers "
            "WHERE assessment_id = ? AND question = ? ORDER BY id",
            [assessment_id, question],
        ).fetchall()
        return [_answer(row) for row in rows]

    def submit(self, assessment_id: int, *, actor: str) -> Assessment:
        """Submit a complete assessment: rate it and open an action for every No and Emerging."""
        with self._db.atomic():
            assessment = self._require_in_progress(assessment_id)
            answers = self.answers(assessment_id)
            result = rate(
                load_question_bank(assessment.edition), {n: a.rating for n, a in answers.items()}
            )
            if result.unanswered or result.rag is None:
                raise ConflictError(
                    f"Questions {join_numbers(result.unanswered)} are not answered yet."
                )
            self._db.execute(
                "UPDATE assessments SET status = 'submitted', submitted_by = ?, submitted_at = ?, "
                "rag = ? WHERE id = ?",
                [actor, stamp(self._clock), result.rag.value, assessment_id],
            )
            for number, answer in sorted(answers.items()):
                if answer.rating is not Rating.YES:
                    self._db.execute(
                        "INSERT INTO actions (assessment_id, question, updated_by, updated_at) "
                        "VALUES (?, ?, ?, ?)",
                        [assessment_id, number, actor, stamp(self._clock)],
                    )
                    self._progress_changed(assessment_id, number, ActionProgress.NOT_STARTED, actor)
            self._audit.record(
                actor, "assessment submitted", "assessment", assessment_id, rag=result.rag.value
            )
        return self.get(assessment_id)

    def actions(self, assessment_id: int) -> list[ActionItem]:
        """The action plan: one item per No or Emerging answer, by question, each with its
        progress history (oldest first)."""
        rows = self._db.execute(
            "SELECT a.question, ans.rating, a.owner, a.target_date, a.progress, a.action, "
            "a.workstream FROM actions a "
            "JOIN answers ans ON ans.id = (SELECT max(id) FROM answers "
            "  WHERE assessment_id = a.assessment_id AND question = a.question) "
            "WHERE a.assessment_id = ? ORDER BY a.question",
            [assessment_id],
        ).fetchall()
        history = self._history(assessment_id)
        return [
            ActionItem(
                question=r[0],
                rating=Rating(r[1]),
                owner=r[2],
                target_date=r[3],
                progress=ActionProgress(r[4]),
                action=r[5],
                workstream=r[6],
                history=tuple(history.get(r[0], ())),
            )
            for r in rows
        ]

    def _history(self, assessment_id: int) -> dict[int, list[ProgressChange]]:
        rows = self._db.execute(
            "SELECT question, progress, changed_at FROM action_progress "
            "WHERE assessment_id = ? ORDER BY question, id",
            [assessment_id],
        ).fetchall()
        history: dict[int, list[ProgressChange]] = {}
        for question, progress, changed_at in rows:
            history.setdefault(question, []).append(
                ProgressChange(
                    progress=ActionProgress(progress), on=local_day(changed_at, self._clock)
                )
            )
        return history

    def update_action(
        self,
        assessment_id: int,
        question: int,
        *,
        owner: str | None,
        target_date: date | None,
        progress: ActionProgress,
        actor: str,
        action: str | None = None,
        workstream: str | None = None,
    ) -> ActionItem:
        """Set what an action will do, its lead, workstream (each screened, ``PrivacyError``),
        target date and progress; a change of progress is kept in its history."""
        text = optional_text(action, field="action", max_length=MAX_ACTION_LENGTH)
        owner = optional_text(owner, field="action lead", max_length=MAX_OWNER_LENGTH)
        workstream = optional_text(workstream, field="workstream", max_length=MAX_WORKSTREAM_LENGTH)
        with self._db.atomic():
            before = self._db.execute(
                "SELECT progress FROM actions WHERE assessment_id = ? AND question = ?",
                [assessment_id, question],
            ).fetchone()
            if before is None:
                raise NotFoundError(f"Question {question} has no action in this plan.")
            self._db.execute(
                "UPDATE actions SET owner = ?, target_date = ?, progress = ?, action = ?, "
                "workstream = ?, updated_by = ?, updated_at = ? "
                "WHERE assessment_id = ? AND question = ?",
                [
                    owner,
                    target_date.isoformat() if target_date else None,
                    progress.value,
                    text,
                    workstream,
                    actor,
                    stamp(self._clock),
                    assessment_id,
                    question,
                ],
            )
            if before[0] != progress.value:
                self._progress_changed(assessment_id, question, progress, actor)
            self._audit.record(
                actor,
                "action updated",
                "assessment",
                assessment_id,
                question=question,
                progress=progress.value,
            )
        return next(a for a in self.actions(assessment_id) if a.question == question)

    def _progress_changed(
        self, assessment_id: int, question: int, progress: ActionProgress, actor: str
    ) -> None:
        self._db.execute(
            "INSERT INTO action_progress (assessment_id, question, progress, changed_by, "
            "changed_at) VALUES (?, ?, ?, ?, ?)",
            [assessment_id, question, progress.value, actor, stamp(self._clock)],
        )

    def _require_in_progress(self, assessment_id: int) -> Assessment:
        return _still_open(self.get(assessment_id))


def _still_open(assessment: Assessment) -> Assessment:
    if assessment.status is not AssessmentStatus.IN_PROGRESS:
        raise ConflictError("This assessment has already been submitted; it cannot change.")
    return assessment


def _assessment(row: tuple[object, ...]) -> Assessment:
    keys = _ASSESSMENT_COLUMNS.split(", ")
    return Assessment.model_validate(dict(zip(keys, row, strict=True)))


def _answer(row: tuple[object, ...]) -> StoredAnswer:
    return StoredAnswer.model_validate(
        dict(zip(("question", "rating", "comment", "answered_by", "answered_at"), row, strict=True))
    )
