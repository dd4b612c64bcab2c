"""What the nudge sweep reads (open work per service) and writes (what was posted, and when)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date

import sqlite_utils

from bot.storage.audit import AuditLog, local_day, stamp
from bot.storage.casework import AdviceRequestRepository
from bot.storage.dialect import dialect_of
from bot.storage.reviews import AnnualReviewRepository
from dialogs.ports import Clock, PostedNudge
from ehcp_rules import (
    ActionProgress,
    AdviceRequestRecord,
    AnnualReviewRecord,
    LateAction,
    StaleAssessment,
    StalledAssessment,
    UnledPlan,
    load_question_bank,
)
from ehcp_rules.nudges import DUE_SOON

PENDING = "(pending)"
INTERRUPTED = "(interrupted)"
"""``sent_nudges.activity_id`` while a post is under way, and after a sweep died during one."""


class NudgeRepository:
    """The sweep's reads and writes; posting is recorded in one transaction with its activity id."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        audit: AuditLog,
        requests: AdviceRequestRepository,
        reviews: AnnualReviewRepository,
        *,
        clock: Clock,
    ) -> None:
        self._db = db
        self._dialect = dialect_of(db)
        self._audit = audit
        self._clock = clock
        self._requests = requests
        self._reviews = reviews

    def requests_to_nudge(self, today: date) -> list[AdviceRequestRecord]:
        """Requests that can be nudged today: owed, no exception, due within ``DUE_SOON``."""
        return self._requests.open_due_by(today + DUE_SOON, today)

    def reviews_needing_action_soon(self, today: date) -> Callable[[], list[AnnualReviewRecord]]:
        """The same, read while the caller gets on with other work (call to wait for it)."""
        return self._reviews.needing_action_soon(today)

    def assessments(self, service_ids: Sequence[int]) -> list[StaleAssessment]:
        """Each service and the day it last submitted its self-assessment (``None``: never)."""
        rows = {
            service_id: local_day(submitted, self._clock)
            for service_id, submitted in self._db.execute(
                "SELECT service_id, max(submitted_at) FROM assessments "
                "WHERE status = 'submitted' GROUP BY service_id"
            ).fetchall()
        }
        return [StaleAssessment(service_id=s, last_submitted=rows.get(s)) for s in service_ids]

    def late_actions(self, service_ids: Sequence[int]) -> list[LateAction]:
        """Actions of each service's latest submitted plan with a target date, not completed."""
        marks = ",".join("?" for _ in service_ids) or "NULL"
        rows = self._db.execute(
            "SELECT a.service_id, x.assessment_id, x.question, x.target_date, x.progress "
            "FROM actions x JOIN assessments a ON a.id = x.assessment_id "
            "WHERE x.target_date IS NOT NULL AND x.progress != ? AND a.id IN ("
            "  SELECT id FROM (SELECT id, submitted_at, max(submitted_at) OVER ("
            "    PARTITION BY service_id) AS latest FROM assessments WHERE status = 'submitted') "
            f"  AS submitted WHERE submitted_at = latest) AND a.service_id IN ({marks})",
            [ActionProgress.COMPLETED.value, *service_ids],
        ).fetchall()
        return [
            LateAction(
                service_id=r[0],
                assessment_id=r[1],
                question=r[2],
                target_date=r[3],
                progress=ActionProgress(r[4]),
            )
            for r in rows
        ]

    def unled_plans(self, service_ids: Sequence[int]) -> list[UnledPlan]:
        """Each service's latest submitted plan that has an action with no lead."""
        marks = ",".join("?" for _ in service_ids) or "NULL"
        rows = self._db.execute(
            "SELECT a.service_id, a.id, a.submitted_at, "
            "count(*) FILTER (WHERE x.owner IS NULL OR trim(x.owner) = ''), count(*) "
            "FROM actions x JOIN assessments a ON a.id = x.assessment_id WHERE a.id IN ("
            "  SELECT id FROM (SELECT id, submitted_at, max(submitted_at) OVER ("
            "    PARTITION BY service_id) AS latest FROM assessments WHERE status = 'submitted') "
            f"  AS submitted WHERE submitted_at = latest) AND a.service_id IN ({marks}) "
            "GROUP BY a.id "
            "HAVING count(*) FILTER (WHERE x.owner IS NULL OR trim(x.owner) = '') > 0",
            list(service_ids),
        ).fetchall()
        return [
            UnledPlan(
                service_id=r[0],
                assessment_id=r[1],
                submitted_on=local_day(r[2], self._clock),
                without_lead=r[3],
                actions=r[4],
            )
            for r in rows
        ]

    def stalled_assessments(self) -> list[StalledAssessment]:
        """Every assessment in progress: who answered, how far, when last touched."""
        rows = self._db.execute(
            "SELECT a.id, a.service_id, a.edition, "
            f"{self._dialect.group_concat('x.answered_by', distinct=True)}, "
            f"{self._dialect.group_concat('x.question', distinct=True)}, max(x.answered_at) "
            "FROM assessments a JOIN answers x ON x.assessment_id = a.id "
            "WHERE a.status = 'in_progress' GROUP BY a.id"
        ).fetchall()
        stalled = []
        for assessment_id, service_id, edition, people, questions, last in rows:
            answered = {int(q) for q in str(questions).split(",")}
            total = len(load_question_bank(edition))
            first = next((n for n in range(1, total + 1) if n not in answered), total)
            stalled.append(
                StalledAssessment(
                    assessment_id=assessment_id,
                    service_id=service_id,
                    people=tuple(sorted(str(people).split(","))),
                    answered=len(answered),
                    total=total,
                    first_unanswered=first,
                    last_answer_on=local_day(last, self._clock),
                )
            )
        return stalled

    def people_to_tell(self, service_ids: Sequence[int]) -> list[str]:
        """The SPOCs of these services and every DCO: who hears when a channel is gone."""
        marks = ",".join("?" for _ in service_ids) or "NULL"
        rows = self._db.execute(
            "SELECT DISTINCT object_id FROM roles WHERE role = 'dco' OR "
            f"(role = 'spoc' AND service_id IN ({marks})) ORDER BY object_id",
            list(service_ids),
        ).fetchall()
        return [row[0] for row in rows]

    def sent(self, conversation_id: str) -> set[tuple[str, str]]:
        """(item, step) pairs already posted to this conversation."""
        rows = self._db.execute(
            "SELECT item_key, step FROM sent_nudges WHERE conversation_id = ?", [conversation_id]
        ).fetchall()
        return {(row[0], row[1]) for row in rows}

    def last_sent(self, conversation_id: str) -> date | None:
        """The last day a digest was posted to this conversation."""
        row = self._db.execute(
            "SELECT max(sent_on) FROM sent_nudges WHERE conversation_id = ?", [conversation_id]
        ).fetchone()
        return date.fromisoformat(row[0]) if row and row[0] else None

    def hold(
        self,
        conversation_id: str,
        items: Sequence[tuple[str, str]],
        *,
        day: date,
        about: Mapping[tuple[str, str], tuple[int | None, str | None]] | None = None,
    ) -> list[tuple[str, str]]:
        """Claim (item, step) pairs as about to be posted, before posting, so that if the process
        dies mid-post they are not posted again (Teams may already show them); the pairs claimed
        now. A pair already posted, or held by a sweep running at the same moment, is not.
        ``about`` gives each pair's service and the reference it shows, kept with it."""
        claimed = []
        with self._db.atomic():
            for key, step in items:
                service_id, reference = (about or {}).get((key, step), (None, None))
                added = self._db.execute(
                    "INSERT INTO sent_nudges (conversation_id, item_key, step, sent_on, "
                    "activity_id, service_id, reference) VALUES (?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    [conversation_id, key, step, day.isoformat(), PENDING, service_id, reference],
                ).rowcount
                if added:
                    claimed.append((key, step))
        return claimed

    def confirm(
        self, conversation_id: str, items: Sequence[tuple[str, str]], *, activity_id: str
    ) -> None:
        """Teams accepted the post: keep its activity id."""
        with self._db.atomic():
            for key, step in items:
                self._db.execute(
                    "UPDATE sent_nudges SET activity_id = ? WHERE conversation_id = ? "
                    "AND item_key = ? AND step = ? AND activity_id = ?",
                    [activity_id, conversation_id, key, step, PENDING],
                )

    def release(self, conversation_id: str, items: Sequence[tuple[str, str]]) -> None:
        """The post failed: forget the hold, so the next sweep tries again."""
        with self._db.atomic():
            for key, step in items:
                self._db.execute(
                    "DELETE FROM sent_nudges WHERE conversation_id = ? AND item_key = ? "
                    "AND step = ? AND activity_id = ?",
                    [conversation_id, key, step, PENDING],
                )

    def interrupted(self) -> int:
        """Holds left by a sweep that died mid-post: marked as such; how many."""
        return self._db.execute(
            "UPDATE sent_nudges SET activity_id = ? WHERE activity_id = ?",
            [INTERRUPTED, PENDING],
        ).rowcount

    def posted(self, conversation_id: str, item_key: str, step: str) -> PostedNudge | None:
        """The item as posted to this conversation at this step (the service it was about and
        the reference it showed), if it was posted there."""
        row = self._db.execute(
            "SELECT service_id, reference FROM sent_nudges "
            "WHERE conversation_id = ? AND item_key = ? AND step = ?",
            [conversation_id, item_key, step],
        ).fetchone()
        return None if row is None else PostedNudge(service_id=row[0], reference=row[1])

    def acknowledge(self, conversation_id: str, item_key: str, step: str, *, actor: str) -> bool:
        """Note that someone has seen a nudge; ``False`` when they already had."""
        with self._db.atomic():
            added = self._db.execute(
                "INSERT INTO acknowledgements (conversation_id, item_key, step, "
                "object_id, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [conversation_id, item_key, step, actor, stamp(self._clock)],
            ).rowcount
            if added:
                self._audit.record(
                    actor,
                    "nudge acknowledged",
                    "conversation",
                    conversation_id,
                    item=item_key,
                    step=step,
                )
        return bool(added)

    def pause(self, conversation_id: str, *, reason: str, until: date) -> None:
        """Stop posting to a conversation until ``until`` (a channel Teams says is gone)."""
        with self._db.atomic():
            self._db.execute(
                "UPDATE subscriptions SET paused_until = ?, paused_reason = ? "
                "WHERE conversation_id = ?",
                [until.isoformat(), reason, conversation_id],
            )
            self._audit.record(
                "sweep", "subscription paused", "conversation", conversation_id, reason=reason
            )

    def start_sweep(self, day: date) -> bool:
        """Note that the day's sweep began; ``False`` when it already finished that day."""
        with self._db.atomic():
            row = self._db.execute(
                "SELECT finished_at FROM sweeps WHERE day = ?", [day.isoformat()]
            ).fetchone()
            if row is not None and row[0] is not None:
                return False
            self._db.execute(
                "INSERT INTO sweeps (day, started_at) VALUES (?, ?) "
                "ON CONFLICT(day) DO UPDATE SET started_at = excluded.started_at",
                [day.isoformat(), stamp(self._clock)],
            )
        return True

    def last_sweep_before(self, day: date) -> date | None:
        """The last day before ``day`` whose sweep finished."""
        row = self._db.execute(
            "SELECT max(day) FROM sweeps WHERE day < ? AND finished_at IS NOT NULL",
            [day.isoformat()],
        ).fetchone()
        return date.fromisoformat(row[0]) if row and row[0] else None

    def finish_sweep(self, day: date, posted: int) -> None:
        """Note that a sweep of the day finished, adding what it posted to the day's count."""
        self._db.execute(
            "UPDATE sweeps SET finished_at = ?, posted = coalesce(posted, 0) + ? WHERE day = ?",
            [stamp(self._clock), posted, day.isoformat()],
        )
