"""The product at national scale: an England-sized synthetic data set, loaded and queried.

2,000 services; 640,000 plans with annual reviews; 160,000 advice requests a year over two years
(on time, late, reg 8(2) exceptions, not known to the service, clinical delays, still open);
a submitted self-assessment for three services in four. Requests and reviews go in through the
importer as CSV files, as a trust would load them. Then the DCO summary (all services, and one),
the nudge sweep's planning for every subscription (one channel per service and a DCO channel for
all), and the summary as XLSX are timed. Run as its own process so its peak memory is its own:
``python -m benchmarks.scale --out FILE.json [--scale 0.1] [--backend sqlite|postgresql]``.

On PostgreSQL (``--backend postgresql``, a scratch database on ``--postgres-url``; see
``benchmarks.backends``) the same data set is made, then:

- the imports: the services, subscriptions and assessments copied into a new database with
  ``ehcp-bot db copy``, then the same three CSV files imported into it as on SQLite;
- moving England: the whole national SQLite file copied into another new database with
  ``ehcp-bot db copy`` (timed, with its checks);
- the queries (the summaries, sweep planning, XLSX) on that copy.

Peak memory is this process's (the client's): PostgreSQL's own is the server's.
"""

from __future__ import annotations

import argparse
import csv
import functools
import io
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from benchmarks.backends import BACKENDS, Backend, admin_url, scratch_database, timed
from bot.cli.main import main as cli
from bot.clock import SystemClock
from bot.files.tables import csv_rows
from bot.files.xlsx import summary_workbook
from bot.nudges.sweep import plan_sweep
from bot.storage.copy import copy_to_postgres
from bot.storage.store import Store
from bot.storage.url import PostgresUrl
from ehcp_rules import load_question_bank, parse_period
from ehcp_rules.advice import LATEST_ABSENCE_DAY
from ehcp_rules.advice_checks import OLDEST_OPEN_REQUEST

TODAY = date(2026, 11, 23)
SERVICES = 2_000
PLANS = 640_000
REQUESTS_PER_YEAR = 160_000
ASSESSED_SHARE = 0.75
EXCEPTIONS = ("exceptional_circumstances", "absent_from_area", "missed_appointment")


def _requests_csv(year: int, count: int, services: int, rng: random.Random) -> bytes:
    """One year of requests: ``year`` 0 is the one ending today, 1 the year before."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "case_ref",
            "service",
            "received_on",
            "returned_on",
            "outcome",
            "referral_on",
            "expected_on",
            "team_told",
            "exception_reason",
            "exception_narrative",
            "known_to_service",
            "exception_arose_on",
            "agreed_return_on",
        ]
    )
    end = TODAY - timedelta(days=365 * year)
    # the dates the importer has asked for since (an exception's, history's return), drawn from
    # a generator of their own so that every other value is as it was
    later = random.Random(year)
    for n in range(count):
        received = end - timedelta(days=rng.randrange(365))
        due = received + timedelta(weeks=6)
        row = [f"LA{year}-{n:07d}", f"Service {rng.randrange(services):04d}", received]
        roll = rng.random()
        if due >= TODAY and roll < 0.7:
            row += ["", "", "", "", "", "", "", "yes"]
        elif roll < 0.66:
            row += [due - timedelta(days=rng.randrange(1, 20)), "returned", "", "", "", "", ""]
            row.append("yes")
        elif roll < 0.86:
            late = min(due + timedelta(days=rng.randrange(1, 40)), TODAY)
            row += [late if late > due else "", "returned" if late > due else "", "", "", ""]
            row += ["", "", "yes"]
        elif roll < 0.91:
            returned = min(due + timedelta(days=rng.randrange(1, 30)), TODAY)
            reason = EXCEPTIONS[n % 3]
            row += [returned if returned > due else "", "", "", "", "", reason]
            row += ["Child unwell and in hospital for the whole period (synthetic).", "yes"]
        elif roll < 0.94:
            referral = min(received + timedelta(days=rng.randrange(1, 14)), TODAY)
            row += ["", "not_known_referred", referral, "", "", "", "", "no"]
        elif roll < 0.98:
            expected = due + timedelta(days=rng.randrange(7, 60))
            row += ["", "clinical_delay", "", expected, "yes", "", "", "yes"]
        else:
            row += ["", "", "", "", "", "", "", "yes"]
        _dated(row, received, due, later)
        writer.writerow(row)
    return out.getvalue().encode()


def _dated(row: list[Any], received: date, due: date, rng: random.Random) -> None:
    """What the importer checks now: a request received over a year ago is history (returned);
    an exception has the day its circumstance arose (within the 6 weeks) and the return date
    agreed with the requesting team."""
    if row[3] == "" and TODAY - received > OLDEST_OPEN_REQUEST:
        row[3] = min(due + timedelta(days=rng.randrange(1, 60)), TODAY)
    if row[8]:
        # an absence (b) begins in time for its 4 weeks to fall within the 6
        latest = LATEST_ABSENCE_DAY if row[8] == "absent_from_area" else 42
        arose = min(received + timedelta(days=rng.randrange(1, latest + 1)), due, TODAY)
        row += [arose, max(arose, due) + timedelta(days=rng.randrange(7, 30))]
    else:
        row += ["", ""]


def _reviews_csv(count: int, services: int, rng: random.Random) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "case_ref",
            "services",
            "plan_issued_on",
            "last_review_on",
            "meeting_on",
            "health_notified_on",
            "contribution_in_on",
        ]
    )
    for n in range(count):
        issued = TODAY - timedelta(days=rng.randrange(60, 365 * 8))
        anniversary = issued + timedelta(days=365 * ((TODAY - issued).days // 365))
        last = anniversary if anniversary > issued and anniversary <= TODAY else None
        anchor = last or issued
        due = anchor + timedelta(days=365)
        meeting = due - timedelta(days=rng.randrange(0, 40)) if rng.random() < 0.6 else None
        told: date | None = None
        if meeting and rng.random() < 0.8:
            told = min(meeting - timedelta(days=rng.randrange(14, 70)), TODAY)
        contributed: date | None = None
        if told and rng.random() < 0.5:
            contributed = min(told + timedelta(days=14), TODAY)
        involved = {f"Service {rng.randrange(services):04d}" for _ in range(rng.choice((1, 1, 2)))}
        writer.writerow(  # csv writes None as an empty cell
            [f"P-{n:07d}", ";".join(sorted(involved)), issued, last, meeting, told, contributed]
        )
    return out.getvalue().encode()


def _seed(database: Path, services: int, rng: random.Random) -> None:
    """Services, subscriptions, and submitted self-assessments (these are not imports)."""
    bank = load_question_bank()
    store = Store.open(database, clock=SystemClock(on=TODAY))
    try:

        def seed(r: Any) -> None:
            with r.db.atomic():
                for n in range(services):
                    r.services.add(
                        f"Service {n:04d}", provider="Synthetic NHS Trust", actor="bench"
                    )
                ids = [s.id for s in r.services.all()]
                reference = json.dumps({"conversation": {"id": "x"}, "serviceUrl": "http://x/"})
                for sid in ids:
                    for kind, conversation, service in (("channel", f"19:s{sid}", sid),):
                        r.db.execute(
                            "INSERT INTO conversations (id, kind, name, reference, updated_at) "
                            "VALUES (?, ?, ?, ?, ?)",
                            [conversation, kind, "Team", reference, "2026-01-01"],
                        )
                        r.db.execute(
                            "INSERT INTO subscriptions (conversation_id, service_id, created_by, "
                            "created_at) VALUES (?, ?, 'bench', '2026-01-01')",
                            [conversation, service],
                        )
                r.db.execute(
                    "INSERT INTO conversations (id, kind, name, reference, updated_at) "
                    "VALUES ('19:dco', 'channel', 'DCO', ?, '2026-01-01')",
                    [reference],
                )
                r.db.execute(
                    "INSERT INTO subscriptions (conversation_id, service_id, created_by, "
                    "created_at) VALUES ('19:dco', NULL, 'bench', '2026-01-01')"
                )
                for sid in ids:
                    if rng.random() > ASSESSED_SHARE:
                        continue
                    for months_ago in (14, 2):
                        on = (TODAY - timedelta(days=30 * months_ago)).isoformat()
                        ratings = [
                            rng.choice(("yes", "yes", "emerging", "no")) for _ in bank.questions
                        ]
                        rag = (
                            "red"
                            if "no" in ratings[:8]
                            else "amber"
                            if "emerging" in ratings
                            else "green"
                        )
                        cursor = r.db.execute(
                            "INSERT INTO assessments (service_id, edition, status, started_by, "
                            "started_at, submitted_by, submitted_at, rag) VALUES "
                            "(?, ?, 'submitted', 'bench', ?, 'bench', ?, ?)",
                            [sid, bank.edition, on, on, rag],
                        )
                        r.db.conn.executemany(
                            "INSERT INTO answers (assessment_id, question, rating, comment, "
                            "answered_by, answered_at) VALUES (?, ?, ?, 'Evidence (synthetic).', "
                            "'bench', ?)",
                            [
                                (cursor.lastrowid, q.number, rating, on)
                                for q, rating in zip(bank.questions, ratings, strict=True)
                            ],
                        )

        store.call(seed)
    finally:
        store.close()


RATINGS = ("yes", "yes", "emerging", "no")


def _rough_rag(ratings: list[str]) -> str:
    """A plausible stored rating (the summary reads it as stored; it does not re-rate)."""
    if "no" in ratings[:8]:
        return "red"
    return "amber" if "emerging" in ratings else "green"


def measure(
    scale: float, folder: Path, backend: Backend = "sqlite", postgres_url: str | None = None
) -> dict[str, Any]:
    """Generate, load and time on ``backend``; the figures."""
    rng = random.Random(2026)
    services = max(4, int(SERVICES * scale))
    plans, per_year = int(PLANS * scale), int(REQUESTS_PER_YEAR * scale)
    database = folder / "national.db"
    figures: dict[str, Any] = {
        "backend": backend,
        "services": services,
        "plans": plans,
        "requests_per_year": per_year,
    }
    quiet: dict[str, Any] = {}  # SQLite's timings of the set-up a PostgreSQL run is not about
    on_sqlite = figures if backend == "sqlite" else quiet
    timed(on_sqlite, "seed_services_assessments_s", lambda: _seed(database, services, rng))
    seeded = folder / "seeded.db"
    shutil.copyfile(database, seeded)
    files = []
    for year in (1, 0):
        path = folder / f"requests-{year}.csv"
        path.write_bytes(_requests_csv(year, per_year, services, rng))
        name = "import_requests_s" if year == 0 else "import_requests_previous_year_s"
        files.append((name, "requests", path))
    path = folder / "reviews.csv"
    path.write_bytes(_reviews_csv(plans, services, rng))
    files.append(("import_reviews_s", "reviews", path))
    for name, kind, path in files:
        timed(on_sqlite, name, functools.partial(_import, str(database), kind, path))
    if backend == "sqlite":
        with Store.open(database, clock=SystemClock(on=TODAY)) as store:
            _queries(store, figures)
    else:
        admin = admin_url(postgres_url)
        with scratch_database(admin) as url:
            copy_to_postgres(seeded, url, clock=SystemClock(on=TODAY), compare_summary=False)
            for name, kind, path in files:  # the same files, by the same command
                timed(figures, name, functools.partial(_import, url.secret, kind, path))
        with scratch_database(admin) as url:
            _move_england(database, url, figures)
            with Store.open(url, clock=SystemClock(on=TODAY)) as store:
                _queries(store, figures)
    figures["peak_memory_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return figures


_PEAK_AFTER = (
    "import sys; from bot.cli.main import main; code = main(sys.argv[1:]); "
    "print(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1], "
    "file=sys.stderr); sys.exit(code)"
)
"""``ehcp-bot`` with its own peak memory (VmHWM, kB) on standard error after it: a child's
``ru_maxrss`` would start from its parent's size at the fork."""


def _move_england(database: Path, url: PostgresUrl, figures: dict[str, Any]) -> None:
    """``ehcp-bot db copy`` of the national file, as its own process: its time, its peak memory,
    and what it checked."""
    # no password in the URL: the benchmarks' server trusts this machine
    command = [sys.executable, "-c", _PEAK_AFTER, "db", "copy", "--db", str(database)]
    done = timed(
        figures,
        "db_copy_national_s",
        lambda: subprocess.run(
            [*command, "--to", url.secret],
            capture_output=True,
            text=True,
            check=False,
        ),
    )
    if done.returncode != 0:
        raise RuntimeError(f"db copy failed: {done.stdout[-2000:]} {done.stderr[-2000:]}")
    figures["db_copy_peak_memory_mb"] = round(int(done.stderr.split()[-1]) / 1024)
    verdict = done.stdout.strip().splitlines()[-1]
    figures["db_copy_rows"] = int(verdict.split()[1].replace(",", ""))
    figures["db_copy_summary_compared"] = "summary was not compared" not in verdict


def _import(database: str, kind: str, path: Path) -> None:
    """``ehcp-bot import KIND FILE`` into ``database`` (a file or a postgresql:// URL)."""
    args = ["import", kind, str(path), "--db", database, "--today", str(TODAY)]
    if cli(args) != 0:
        raise RuntimeError(f"the {kind} import failed")


def _queries(store: Store, figures: dict[str, Any]) -> None:
    """The summaries, sweep planning and the XLSX export, timed."""
    period = parse_period("last quarter", TODAY)
    summary = timed(
        figures,
        "summary_all_services_s",
        lambda: store.call(lambda r: r.summaries.summary(period, TODAY)),
    )
    figures["summary_overdue_now"] = sum(summary.overdue_by_step.values())
    figures["summary_reviews_at_risk"] = summary.reviews_at_risk
    timed(figures, "summary_one_service_s", lambda: store.call(_one_service))
    figures["find_case_ms"] = _find_case_ms(store)
    digests = timed(figures, "sweep_planning_s", lambda: store.call(lambda r: plan_sweep(r, TODAY)))
    figures["sweep_channels"] = len(digests[0])
    figures["sweep_nudges"] = sum(len(d.nudges) for d in digests[0])
    book = timed(
        figures, "xlsx_summary_export_s", lambda: summary_workbook(summary, csv_rows(summary))
    )
    figures["xlsx_bytes"] = len(book)


def _find_case_ms(store: Store) -> float:
    """What ``return la0-0001234`` looks up (a case reference typed in another case, in a
    person's service): the median of 21, in milliseconds."""
    service = store.call(lambda r: r.services.named("Service 0007").id)
    times = []
    for _ in range(21):
        started = time.perf_counter()
        store.call(lambda r: r.requests.find("la0-0001234", [service]))
        times.append((time.perf_counter() - started) * 1000)
    median = round(statistics.median(times), 2)
    print(f"  find_case_ms: {median:.2f} ms", flush=True)
    return median


def _one_service(r: Any) -> int:
    """What ``summary for SERVICE`` reads: the latest assessment, its answers and actions, and
    the service's open requests and reviews."""
    service = r.services.named("Service 0007")
    submitted = r.assessments.submitted(service.id)
    answers = r.assessments.answers(submitted[0].id) if submitted else {}
    requests = r.requests.open_for([service.id])
    reviews = r.reviews.for_services([service.id])
    return len(answers) + len(requests) + len(reviews)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--backend", choices=BACKENDS, default="sqlite")
    parser.add_argument("--postgres-url", help="the PostgreSQL server (see benchmarks.backends)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        figures = measure(args.scale, Path(folder), args.backend, args.postgres_url)
    args.out.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
