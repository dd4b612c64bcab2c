"""Any CSV an export might produce is either imported whole or refused with its lines and reasons:
never a crash, never half a file."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cli.main import main
from bot.storage.store import Store
from tests.fakes import FakeClock

COLUMNS = ["case_ref", "service", "received_on", "returned_on", "outcome", "exception_reason"]
CELLS = {
    "case_ref": st.one_of(st.from_regex(r"LA-20[0-9]{2}-[0-9]{4}", fullmatch=True), st.text()),
    "service": st.sampled_from(["Children's SLT", "children's slt", "CAMHS", "", "Community Paed"]),
    "received_on": st.one_of(
        st.dates().map(str), st.sampled_from(["2026-02-30", "31/12/2026", "02/11/2026", "soon"])
    ),
    "returned_on": st.one_of(st.just(""), st.dates().map(lambda d: d.strftime("%d/%m/%Y"))),
    "outcome": st.sampled_from(["", "returned", "clinical_delay", "lost", "RETURNED"]),
    "exception_reason": st.sampled_from(["", "missed_appointment", "holiday", "absent_from_area"]),
}
ROWS = st.lists(st.fixed_dictionaries(CELLS), min_size=1, max_size=8)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "fuzz.db"
    with Store.open(path, clock=FakeClock()) as store:
        store.call(lambda r: r.services.add("Children's SLT", provider=None, actor="test"))
    return path


def _rows(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        return int(connection.execute("SELECT count(*) FROM advice_requests").fetchone()[0])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=ROWS, encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1"]))
def test_a_csv_is_imported_whole_or_refused_with_reasons(
    db: Path,
    tmp_path: Path,
    rows: list[dict[str, str]],
    encoding: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    file = tmp_path / "requests.csv"
    try:
        file.write_bytes(out.getvalue().encode(encoding))
    except UnicodeEncodeError:
        return
    before = _rows(db)

    code = main(["import", "requests", str(file), "--db", str(db), "--today", "2026-11-23"])

    printed = capsys.readouterr()
    assert code in (0, 2)
    if code == 2:
        assert _rows(db) == before  # nothing of a refused file is written
        assert printed.err.strip(), "a refusal says why"
    else:
        assert "Imported requests.csv" in printed.out
