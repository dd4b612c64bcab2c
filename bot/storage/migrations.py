"""Versioned schema changes, applied in order at start-up (``PRAGMA user_version``).

A database written by an older version is upgraded; one written by a newer version is refused.
Dates are ISO ``YYYY-MM-DD`` text, times ISO 8601 UTC text. Case references, never names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported for types only: `ehcp-bot --version` reads SCHEMA_VERSION at once
    import sqlite_utils


@dataclass(frozen=True)
class Migration:
    """One step of the schema: its version, what it does, and its SQL statements.
    ``rebuilds`` is set for a step that rebuilds a table others refer to: foreign keys are off
    while it runs (as SQLite's documented procedure for it says), and checked before they are
    back on."""

    version: int
    description: str
    statements: tuple[str, ...]
    rebuilds: bool = False


_CORE = Migration(
    1,
    "services, people and roles, audit trail, bot framework state",
    (
        """CREATE TABLE services (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),
            provider TEXT,
            created_at TEXT NOT NULL
        )""",
        """CREATE TABLE people (
            object_id TEXT PRIMARY KEY,
            display_name TEXT,
            created_at TEXT NOT NULL
        )""",
        """CREATE TABLE roles (
            id INTEGER PRIMARY KEY,
            object_id TEXT NOT NULL REFERENCES people(object_id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('practitioner', 'spoc', 'dco', 'admin')),
            service_id INTEGER REFERENCES services(id) ON DELETE CASCADE,
            granted_by TEXT NOT NULL,
            granted_at TEXT NOT NULL
        )""",
        "CREATE UNIQUE INDEX roles_unique ON roles(object_id, role, ifnull(service_id, 0))",
        """CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            entity TEXT NOT NULL,
            entity_id TEXT,
            details TEXT NOT NULL DEFAULT '{}'
        )""",
        "CREATE INDEX audit_entity ON audit(entity, entity_id)",
        """CREATE TABLE bot_state (
            key TEXT PRIMARY KEY,
            e_tag TEXT,
            document TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
    ),
)

_WORK = Migration(
    2,
    "assessments, answers and actions; advice requests; annual reviews; channels and nudges",
    (
        """CREATE TABLE assessments (
            id INTEGER PRIMARY KEY,
            service_id INTEGER NOT NULL REFERENCES services(id),
            edition TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('in_progress', 'submitted')),
            started_by TEXT NOT NULL,
            started_at TEXT NOT NULL,
            submitted_by TEXT,
            submitted_at TEXT,
            rag TEXT CHECK (rag IN ('red', 'amber', 'green'))
        )""",
        """CREATE UNIQUE INDEX assessments_one_in_progress
            ON assessments(service_id) WHERE status = 'in_progress'""",
        """CREATE TABLE answers (
            id INTEGER PRIMARY KEY,
            assessment_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
            question INTEGER NOT NULL CHECK (question >= 1),
            rating TEXT NOT NULL CHECK (rating IN ('yes', 'emerging', 'no')),
            comment TEXT NOT NULL DEFAULT '',
            answered_by TEXT NOT NULL,
            answered_at TEXT NOT NULL
        )""",
        "CREATE INDEX answers_latest ON answers(assessment_id, question, id)",
        """CREATE TABLE actions (
            id INTEGER PRIMARY KEY,
            assessment_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
            question INTEGER NOT NULL,
            owner TEXT,
            target_date TEXT,
            progress TEXT NOT NULL DEFAULT 'not_started'
                CHECK (progress IN ('completed', 'on_track', 'not_on_track', 'not_started')),
            updated_by TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (assessment_id, question)
        )""",
        """CREATE TABLE advice_requests (
            id INTEGER PRIMARY KEY,
            case_ref TEXT NOT NULL,
            service_id INTEGER NOT NULL REFERENCES services(id),
            received_on TEXT NOT NULL,
            due_on TEXT NOT NULL,
            la_deadline TEXT,
            assessment_requested_on TEXT,
            known_to_service INTEGER,
            returned_on TEXT,
            outcome TEXT CHECK (outcome IN ('returned', 'not_known_referred', 'clinical_delay')),
            referral_on TEXT,
            expected_on TEXT,
            team_told INTEGER,
            exception_reason TEXT CHECK (exception_reason IN
                ('exceptional_circumstances', 'absent_from_area', 'missed_appointment')),
            exception_narrative TEXT,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (service_id, case_ref),
            CHECK (returned_on IS NULL OR returned_on >= received_on),
            CHECK (exception_reason IS NULL OR length(trim(exception_narrative)) > 0)
        )""",
        "CREATE INDEX advice_requests_due ON advice_requests(due_on, service_id)",
        """CREATE INDEX advice_requests_open ON advice_requests(service_id, due_on)
            WHERE returned_on IS NULL""",
        """CREATE TABLE annual_reviews (
            id INTEGER PRIMARY KEY,
            case_ref TEXT NOT NULL UNIQUE,
            plan_issued_on TEXT NOT NULL,
            last_review_on TEXT,
            meeting_on TEXT,
            health_notified_on TEXT,
            contribution_in_on TEXT,
            phase_transfer TEXT CHECK (phase_transfer IN ('school', 'post_16')),
            transfer_year INTEGER,
            amended_for_transfer_on TEXT,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        """CREATE TABLE review_services (
            review_id INTEGER NOT NULL REFERENCES annual_reviews(id) ON DELETE CASCADE,
            service_id INTEGER NOT NULL REFERENCES services(id),
            PRIMARY KEY (review_id, service_id)
        )""",
        "CREATE INDEX review_services_service ON review_services(service_id)",
        """CREATE TABLE conversations (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('personal', 'channel', 'groupChat')),
            team_id TEXT,
            name TEXT,
            reference TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        """CREATE TABLE subscriptions (
            id INTEGER PRIMARY KEY,
            conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            service_id INTEGER REFERENCES services(id) ON DELETE CASCADE,
            cadence TEXT NOT NULL DEFAULT 'daily' CHECK (cadence IN ('daily', 'weekly')),
            weekday INTEGER CHECK (weekday BETWEEN 0 AND 4),
            paused_until TEXT,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
        """CREATE UNIQUE INDEX subscriptions_unique
            ON subscriptions(conversation_id, ifnull(service_id, 0))""",
        """CREATE TABLE sent_nudges (
            id INTEGER PRIMARY KEY,
            conversation_id TEXT NOT NULL,
            item_key TEXT NOT NULL,
            step TEXT NOT NULL,
            sent_on TEXT NOT NULL,
            activity_id TEXT,
            UNIQUE (conversation_id, item_key, step)
        )""",
    ),
)

_DELAY_REASON = Migration(
    3,
    "the reason a request's advice will take longer for clinical reasons",
    ("ALTER TABLE advice_requests ADD COLUMN delay_reason TEXT",),
)

_SWEEPS = Migration(
    4,
    "why a subscription is paused; one row per nudge sweep",
    (
        "ALTER TABLE subscriptions ADD COLUMN paused_reason TEXT",
        """CREATE TABLE sweeps (
            day TEXT PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            posted INTEGER NOT NULL DEFAULT 0
        )""",
    ),
)

_ACKNOWLEDGEMENTS = Migration(
    5,
    "who acknowledged which nudge, and when",
    (
        """CREATE TABLE acknowledgements (
            id INTEGER PRIMARY KEY,
            conversation_id TEXT NOT NULL,
            item_key TEXT NOT NULL,
            step TEXT NOT NULL,
            object_id TEXT NOT NULL,
            at TEXT NOT NULL,
            UNIQUE (conversation_id, item_key, step, object_id)
        )""",
    ),
)

_RECEIVED_INDEX = Migration(
    6,
    "indexes that answer the summary's counts by received and due dates from the index alone",
    (
        """CREATE INDEX advice_requests_received_cover ON advice_requests(received_on,
            service_id, due_on, returned_on, exception_reason, case_ref)""",
        """CREATE INDEX advice_requests_due_cover ON advice_requests(due_on,
            service_id, received_on, returned_on, exception_reason, case_ref)""",
    ),
)

_REVIEW_COLUMNS = (
    "id, case_ref, plan_issued_on, last_review_on, meeting_on, health_notified_on, "
    "contribution_in_on, phase_transfer, transfer_year, amended_for_transfer_on, created_by, "
    "created_at, updated_at, anchor_review_by, meeting_review_by"
)

_REVIEW_BY = Migration(
    7,
    "each plan's review-by dates (12 months from its last review or plan, and from its meeting)",
    (
        "ALTER TABLE annual_reviews ADD COLUMN anchor_review_by TEXT",
        "ALTER TABLE annual_reviews ADD COLUMN meeting_review_by TEXT",
        # the end of 12 months starting with the date: the same day as ehcp_rules.review_by
        # gives (29 February's year ends on 28 February either way)
        """UPDATE annual_reviews SET
            anchor_review_by = date(coalesce(last_review_on, plan_issued_on), '+12 months',
                '-1 day'),
            meeting_review_by = date(meeting_on, '+12 months', '-1 day')""",
    ),
)

_POSTED_ABOUT = Migration(
    8,
    "each posted nudge keeps the service it was about and the reference it showed, so that an "
    "acknowledgement is checked against what was posted, not against the card",
    (
        "ALTER TABLE sent_nudges ADD COLUMN service_id INTEGER REFERENCES services(id)",
        "ALTER TABLE sent_nudges ADD COLUMN reference TEXT",
        """UPDATE sent_nudges SET
            service_id = (SELECT r.service_id FROM advice_requests r
                WHERE r.id = CAST(substr(item_key, 9) AS INTEGER)),
            reference = (SELECT r.case_ref FROM advice_requests r
                WHERE r.id = CAST(substr(item_key, 9) AS INTEGER))
            WHERE item_key LIKE 'request:%'""",
        """UPDATE sent_nudges SET
            service_id = (SELECT a.service_id FROM assessments a WHERE a.id = CAST(
                substr(item_key, 8, instr(substr(item_key, 8), ':') - 1) AS INTEGER)),
            reference = 'action for question ' || substr(substr(item_key, 8),
                instr(substr(item_key, 8), ':') + 1,
                instr(substr(substr(item_key, 8), instr(substr(item_key, 8), ':') + 1), ':') - 1)
            WHERE item_key LIKE 'action:%'""",
        """UPDATE sent_nudges SET
            service_id = CAST(substr(item_key, 12, instr(substr(item_key, 12), ':') - 1)
                AS INTEGER),
            reference = 'self-assessment'
            WHERE item_key LIKE 'assessment:%'""",
    ),
)

_REVIEWS_PER_SERVICE = Migration(
    9,
    "a case may be logged for review by more than one set of services, each keeping its own "
    "(so logging a case another service holds neither changes nor reveals theirs)",
    (
        """CREATE TABLE annual_reviews_new (
            id INTEGER PRIMARY KEY,
            case_ref TEXT NOT NULL,
            plan_issued_on TEXT NOT NULL,
            last_review_on TEXT,
            meeting_on TEXT,
            health_notified_on TEXT,
            contribution_in_on TEXT,
            phase_transfer TEXT CHECK (phase_transfer IN ('school', 'post_16')),
            transfer_year INTEGER,
            amended_for_transfer_on TEXT,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            anchor_review_by TEXT,
            meeting_review_by TEXT
        )""",
        f"INSERT INTO annual_reviews_new ({_REVIEW_COLUMNS}) "
        f"SELECT {_REVIEW_COLUMNS} FROM annual_reviews",
        "DROP TABLE annual_reviews",
        "ALTER TABLE annual_reviews_new RENAME TO annual_reviews",
        "CREATE INDEX annual_reviews_case ON annual_reviews(case_ref COLLATE NOCASE)",
    ),
    rebuilds=True,
)

_ACTION_PLAN = Migration(
    10,
    "an action plan as seed 003 keeps one: what will be done and the workstream for each action, "
    "and every change of its progress rating (its history)",
    (
        "ALTER TABLE actions ADD COLUMN action TEXT",
        "ALTER TABLE actions ADD COLUMN workstream TEXT",
        """CREATE TABLE action_progress (
            id INTEGER PRIMARY KEY,
            assessment_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
            question INTEGER NOT NULL,
            progress TEXT NOT NULL
                CHECK (progress IN ('completed', 'on_track', 'not_on_track', 'not_started')),
            changed_by TEXT NOT NULL,
            changed_at TEXT NOT NULL
        )""",
        "CREATE INDEX action_progress_action ON action_progress(assessment_id, question, id)",
        # each existing action's progress as it stands, from when it was last changed
        """INSERT INTO action_progress (assessment_id, question, progress, changed_by, changed_at)
            SELECT assessment_id, question, progress, updated_by, updated_at FROM actions
            ORDER BY id""",
    ),
)

_REVIEWS_HELD = Migration(
    11,
    "annual reviews as held: each review recorded as held (the period it closed, its limit and "
    "the day held) for the measure of reviews within 12 months (seed 003); a move between post-16 "
    "institutions (reg 18(2)); each plan's last day for the amended plan of a transfer, and the "
    "notice health had of its meeting (in days), kept for the reviews-at-risk query",
    (
        "ALTER TABLE annual_reviews ADD COLUMN post_16_move_on TEXT",
        "ALTER TABLE annual_reviews ADD COLUMN transfer_by TEXT",
        "ALTER TABLE annual_reviews ADD COLUMN notice_days INTEGER",
        # reg 18(1): amended *before* 15 February (31 March for post-16): the day before is the
        # last (the same day as ehcp_rules.transfer_last_day)
        """UPDATE annual_reviews SET transfer_by = CASE phase_transfer
            WHEN 'school' THEN printf('%04d-02-14', transfer_year)
            WHEN 'post_16' THEN printf('%04d-03-30', transfer_year) END
            WHERE transfer_year IS NOT NULL""",
        """UPDATE annual_reviews SET notice_days =
            CAST(julianday(meeting_on) - julianday(health_notified_on) AS INTEGER)
            WHERE meeting_on IS NOT NULL AND health_notified_on IS NOT NULL""",
        "CREATE INDEX annual_reviews_review_by ON annual_reviews(anchor_review_by)",
        """CREATE TABLE reviews_held (
            id INTEGER PRIMARY KEY,
            review_id INTEGER NOT NULL REFERENCES annual_reviews(id) ON DELETE CASCADE,
            period_start TEXT NOT NULL,
            review_by TEXT NOT NULL,
            held_on TEXT NOT NULL,
            recorded_by TEXT NOT NULL,
            recorded_at TEXT NOT NULL
        )""",
        "CREATE INDEX reviews_held_review_by ON reviews_held(review_by, review_id)",
        "CREATE INDEX reviews_held_review ON reviews_held(review_id)",
    ),
)

MIGRATIONS: tuple[Migration, ...] = (
    _CORE,
    _WORK,
    _DELAY_REASON,
    _SWEEPS,
    _ACKNOWLEDGEMENTS,
    _RECEIVED_INDEX,
    _REVIEW_BY,
    _POSTED_ABOUT,
    _REVIEWS_PER_SERVICE,
    _ACTION_PLAN,
    _REVIEWS_HELD,
)
SCHEMA_VERSION = MIGRATIONS[-1].version


def schema_version(db: sqlite_utils.Database) -> int:
    """The schema version recorded in the file (0 for a new, empty file)."""
    row = db.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def apply_migrations(
    db: sqlite_utils.Database, *, source: str, target: int = SCHEMA_VERSION
) -> list[int]:
    """Bring ``db`` up to ``target``, each step in its own transaction; the versions applied."""
    # here, not at the top, so that reading SCHEMA_VERSION imports nothing else
    from bot.storage.errors import SchemaTooNewError  # noqa: PLC0415

    current = schema_version(db)
    if current > SCHEMA_VERSION:
        raise SchemaTooNewError(source, current, SCHEMA_VERSION)
    applied = []
    for migration in MIGRATIONS:
        if current < migration.version <= target:
            _apply(db, migration)
            applied.append(migration.version)
    return applied


def _apply(db: sqlite_utils.Database, migration: Migration) -> None:
    """One step in its own transaction (a rebuild with foreign keys off until it is checked)."""
    from bot.storage.errors import MigrationError  # noqa: PLC0415 (as in apply_migrations)

    if migration.rebuilds:
        db.execute("PRAGMA foreign_keys=OFF")
    try:
        with db.atomic():
            for statement in migration.statements:
                db.execute(statement)
            if migration.rebuilds and db.execute("PRAGMA foreign_key_check").fetchall():
                raise MigrationError(migration.version, "a reference no longer matches a row")
            db.execute(f"PRAGMA user_version = {migration.version:d}")
    finally:
        if migration.rebuilds:
            db.execute("PRAGMA foreign_keys=ON")
