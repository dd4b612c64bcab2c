"""CSV import: all or nothing, every bad row reported by line, re-importing changes nothing."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cli.main import main
from bot.storage.store import Repositories, Store
from tests.fakes import FakeClock
from tests.nhs_numbers import texts_with_nhs_numbers

DATA = Path(__file__).parent / "data"
TODAY = "2026-11-23"
HEADER = "case_ref,service,received_on,returned_on,exception_reason,exception_narrative\n"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "ehcp.db"
    with Store.open(path, clock=FakeClock()) as store:

        def add_services(r: Repositories) -> None:
            for name in (
                "Children's SLT",
                "Community Paediatrics",
                "Children's Speech and Language Therapy",  # the samples', as in the demo
            ):
                r.services.add(name, provider=None, actor="test")

        store.call(add_services)
    yield path


def _import(db: Path, kind: str, file: Path) -> int:
    return main(["import", kind, str(file), "--db", str(db), "--today", TODAY])


def _count(db: Path) -> int:
    with Store.open(db, clock=FakeClock()) as store:
        return store.call(lambda r: r.requests.count())


def test_the_sample_requests_file_imports_with_iso_and_uk_dates(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(db, "requests", DATA / "requests.csv") == 0

    assert "5 added, 0 updated, 0 unchanged" in capsys.readouterr().out
    with Store.open(db, clock=FakeClock()) as store:
        found = store.call(lambda r: r.requests.find("LA-2026-0102"))
    assert found[0].received_on == date(2026, 9, 7)
    assert found[0].la_deadline == date(2026, 10, 19)


def test_re_importing_the_same_file_changes_nothing(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _import(db, "requests", DATA / "requests.csv")
    with Store.open(db, clock=FakeClock()) as store:
        audit_before = len(store.call(lambda r: r.audit.entries()))

    assert _import(db, "requests", DATA / "requests.csv") == 0

    assert "0 added, 0 updated, 5 unchanged" in capsys.readouterr().out
    with Store.open(db, clock=FakeClock()) as store:
        assert len(store.call(lambda r: r.audit.entries())) == audit_before


def test_a_later_export_updates_what_changed(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _import(db, "requests", DATA / "requests.csv")
    later = tmp_path / "later.csv"
    later.write_text(
        (DATA / "requests.csv")
        .read_text()
        .replace(
            "LA-2026-0102,Children's Speech and Language Therapy,07/09/2026,,",
            "LA-2026-0102,Children's Speech and Language Therapy,07/09/2026,2026-10-15,",
        )
    )

    assert _import(db, "requests", later) == 0

    assert "0 added, 1 updated, 4 unchanged" in capsys.readouterr().out


def test_one_bad_row_in_a_thousand_rejects_the_whole_file(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [f"LA-2026-{n:04d},Children's SLT,2026-09-01,,," for n in range(1, 1001)]
    rows[736] = "LA-2026-0737,Children's SLT,31/02/2026,,,"
    big = tmp_path / "big.csv"
    big.write_text(HEADER + "\n".join(rows) + "\n")

    assert _import(db, "requests", big) == 2

    err = capsys.readouterr().err
    assert "nothing was imported; 1 problem to fix" in err
    assert "line 738: '31/02/2026' is not a date" in err
    assert _count(db) == 0


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("LA-1,Orthoptics,2026-09-01,,,", "unknown service 'Orthoptics'"),
        ("LA-1,Children's SLT,1 Sept 2026,,,", "'1 Sept 2026' is not a date"),
        ("LA-1,Children's SLT,2026-09-01,2026-08-01,,", "before the request was received"),
        ("Jane Doe,Children's SLT,2026-09-01,,,", "never a child's name"),
        ("943 476 5919,Children's SLT,2026-09-01,,,", "looks like an NHS number"),
        ("LA-1,Children's SLT,2026-12-01,,,", "received_on 2026-12-01 is in the future"),
        ("LA-1,Children's SLT,2026-09-01,,waiting_list,", "'waiting_list' is not one of"),
        ("LA-1,Children's SLT,2026-09-01,,missed_appointment,", "needs a narrative"),
        ("LA-1,Children's SLT,,,,", "received_on is empty"),
        ("LA-1,Children's SLT,2026-09-01,,,,surplus", "more values than there are columns"),
    ],
)
def test_each_kind_of_bad_row_is_reported_with_its_line_and_reason(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], row: str, message: str
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "LA-2026-0001,Children's SLT,2026-09-01,,,\n" + row + "\n")

    assert _import(db, "requests", bad) == 2

    err = capsys.readouterr().err
    assert "line 3: " in err and message in err
    assert _count(db) == 0


def test_a_bad_cell_holding_an_nhs_number_is_reported_without_it(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER
        + "LA-1,943 476 5919,2026-09-01,,,\n"
        + "LA-2,Children's SLT,943 476 5919,,,\n"
        + "LA-3,Children's SLT,2026-09-01,,943 476 5919,\n"
    )

    assert _import(db, "requests", bad) == 2

    err = capsys.readouterr().err  # the cells went to stderr, and to cron's mail (found in review)
    assert "943" not in err and err.count("••• ••• ••••") == 3
    assert "line 2: unknown service" in err and "line 3: '••• ••• ••••' is not a date" in err


def test_a_duplicate_case_for_the_same_service_names_the_first_line(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "dup.csv"
    bad.write_text(
        HEADER + "LA-7,Children's SLT,2026-09-01,,,\nla-7,children's slt,2026-09-02,,,\n"
        "LA-7,Community Paediatrics,2026-09-02,,,\n"
    )

    assert _import(db, "requests", bad) == 2

    assert "line 3: the same case reference and service as line 2" in capsys.readouterr().err


def test_every_bad_row_is_listed_not_just_the_first(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "LA-1,Nowhere,2026-09-01,,,\nLA-2,Children's SLT,soon,,,\n")

    _import(db, "requests", bad)

    err = capsys.readouterr().err
    assert "2 problems to fix" in err
    assert "line 2: unknown service" in err and "line 3: 'soon' is not a date" in err


def test_a_file_that_is_not_utf8_is_refused_with_advice(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "latin1.csv"
    bad.write_bytes((HEADER + "LA-1,Children's SLT,2026-09-01,,,Café\n").encode("latin-1"))

    assert _import(db, "requests", bad) == 2

    assert "line 2: the file is not UTF-8 text: save it as 'CSV UTF-8'" in capsys.readouterr().err


def test_missing_and_unknown_columns_are_named(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "columns.csv"
    bad.write_text("case_ref,received,child_name\nLA-1,2026-09-01,Jane\n")

    assert _import(db, "requests", bad) == 2

    err = capsys.readouterr().err
    assert "missing column(s): service, received_on" in err
    assert "unknown column(s): received, child_name" in err


def test_a_missing_file_is_one_clear_line(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _import(db, "requests", Path("/nonexistent/requests.csv")) == 2

    assert "No such file or directory" in capsys.readouterr().err


def test_the_sample_reviews_file_imports_with_several_services(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(db, "reviews", DATA / "reviews.csv") == 0
    assert _import(db, "reviews", DATA / "reviews.csv") == 0

    out = capsys.readouterr().out
    assert "3 added, 0 updated, 0 unchanged" in out
    assert "0 added, 0 updated, 3 unchanged" in out
    with Store.open(db, clock=FakeClock()) as store:
        reviews = store.call(lambda r: r.reviews.for_services(None))
        paeds = store.call(lambda r: r.services.named("Community Paediatrics"))
        only_paeds = store.call(lambda r: r.reviews.for_services([paeds.id]))
    assert [len(r.service_ids) for r in reviews] == [1, 2, 1]
    assert [r.case_ref for r in only_paeds] == ["EHCP-5002", "EHCP-5003"]


def test_a_review_with_a_transfer_kind_but_no_year_is_refused(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "reviews.csv"
    bad.write_text(
        "case_ref,services,plan_issued_on,phase_transfer\nEHCP-1,Children's SLT,2026-01-05,school\n"
    )

    assert _import(db, "reviews", bad) == 2

    assert (
        "line 2: " in (err := capsys.readouterr().err) and "needs both its kind and its year" in err
    )


TEXT_HEADER = "case_ref,service,received_on,exception_reason,exception_narrative,delay_reason\n"
GOOD_ROW = "LA-2026-0001,Children's SLT,2026-09-01,,,\n"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "NHS9434765919,Children's SLT,2026-09-01,,,",
            "That looks like an NHS number, or holds one",
        ),
        (
            "LA-943.476.5919,Children's SLT,2026-09-01,,,",
            "That looks like an NHS number, or holds one",
        ),
        (
            "LA-2,Children's SLT,2026-09-01,missed_appointment,Child 943/476/5919 did not attend,",
            "The exception_narrative seems to contain an NHS number",
        ),
        (
            "LA-2,Children's SLT,2026-09-01,,,Awaiting scan for 943\u00a0476\u00a05919",
            "The delay_reason seems to contain an NHS number",
        ),
        (
            "LA-2,Children's SLT,2026-09-01,,," + "x" * 501,
            "The delay_reason is 501 characters long; the limit is 500",
        ),
        (
            "LA-2,Children's SLT,2026-09-01,missed_appointment," + "x" * 2001 + ",",
            "The exception_narrative is 2,001 characters long; the limit is 2,000",
        ),
    ],
)
def test_an_nhs_number_or_overlong_text_in_any_text_column_is_a_bad_row(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], row: str, message: str
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(TEXT_HEADER + GOOD_ROW + row + "\n")

    assert _import(db, "requests", bad) == 2

    err = capsys.readouterr().err
    assert f"line 3: {message}" in err
    assert _count(db) == 0


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts_with_nhs_numbers(), column=st.sampled_from(["case_ref", "narrative", "delay"]))
def test_a_file_with_an_nhs_number_written_any_way_in_any_text_column_is_refused_whole(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, column: str
) -> None:
    cells = {
        "case_ref": ["LA-2026-0002", "Children's SLT", "2026-09-01", "", "", ""],
        "narrative": ["LA-2026-0002", "Children's SLT", "2026-09-01", "missed_appointment", "", ""],
        "delay": ["LA-2026-0002", "Children's SLT", "2026-09-01", "", "", ""],
    }[column]
    cells[{"case_ref": 0, "narrative": 4, "delay": 5}[column]] = text
    out = io.StringIO()
    csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL).writerow(cells)
    file = tmp_path / "requests.csv"
    file.write_text(TEXT_HEADER + GOOD_ROW + out.getvalue(), encoding="utf-8")

    assert _import(db, "requests", file) == 2

    err = capsys.readouterr().err
    assert "1 problem to fix" in err and "NHS number" in err
    assert _count(db) == 0


@given(text=texts_with_nhs_numbers())
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_reviews_file_with_an_nhs_number_in_a_case_reference_is_refused_whole(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerows(
        [["case_ref", "services", "plan_issued_on"], [text, "Children's SLT", "2026-01-05"]]
    )
    file = tmp_path / "reviews.csv"
    file.write_text(out.getvalue(), encoding="utf-8")

    assert _import(db, "reviews", file) == 2

    assert "looks like an NHS number, or holds one" in capsys.readouterr().err


def test_ordinary_text_in_every_text_column_is_imported_as_written(
    db: Path, tmp_path: Path
) -> None:
    good = tmp_path / "good.csv"
    good.write_text(
        TEXT_HEADER.replace("\n", ",exception_arose_on,agreed_return_on\n")
        + "\uff2c\uff21-2026-0003,Children's SLT,2026-09-01,missed_appointment,"
        + '"Two appointments offered (3 and 17 Sept), ext. 4412, not attended.",'
        + "Awaiting audiology report \u2013 due 02/12/2026\u200b,2026-09-17,2026-11-30\n",
        encoding="utf-8",
    )

    assert _import(db, "requests", good) == 0

    with Store.open(db, clock=FakeClock()) as store:
        (record,) = store.call(lambda r: r.requests.find("LA-2026-0003"))
    assert record.case_ref == "LA-2026-0003"  # full-width letters, as NFKC writes them
    assert record.exception_narrative == (
        "Two appointments offered (3 and 17 Sept), ext. 4412, not attended."
    )
    assert record.delay_reason == "Awaiting audiology report \u2013 due 02/12/2026"


def test_the_sample_files_import_into_the_demo_as_they_are(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli.demo import load_demo

    demo = tmp_path / "demo.db"
    with Store.open(demo, clock=FakeClock()) as store:
        store.call(lambda r: load_demo(r, date(2026, 11, 23)))

    assert _import(demo, "requests", DATA / "requests.csv") == 0
    assert _import(demo, "reviews", DATA / "reviews.csv") == 0

    out = capsys.readouterr().out
    assert "Imported requests.csv: 5 added" in out and "Imported reviews.csv: 3 added" in out
    with Store.open(demo, clock=FakeClock()) as store:
        assert len(store.call(lambda r: r.services.all())) == 4  # no service added


def test_an_unknown_service_names_the_one_it_most_likely_means(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "near.csv"
    bad.write_text(
        HEADER + "LA-1,Community Paediatric,2026-09-01,,,\nLA-2,Orthoptics,2026-09-01,,,\n"
    )

    assert _import(db, "requests", bad) == 2

    err = capsys.readouterr().err
    assert "unknown service 'Community Paediatric': did you mean 'Community Paediatrics'?" in err
    assert "unknown service 'Orthoptics' ('ehcp-bot services list' shows the services;" in err


EDGE_HEADER = (
    "case_ref,service,received_on,returned_on,outcome,expected_on,la_deadline,exception_reason,"
    "exception_narrative,exception_arose_on,agreed_return_on,not_provided_reason\n"
)


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        # a clinical delay needs the expected date, as the card and the chat need it
        ("LA-1,Children's SLT,2026-09-01,,clinical_delay,,,,,,,", "needs the expected date"),
        # an open request received in 2019: not silently "2,000 days overdue"
        ("LA-2,Children's SLT,2019-03-04,,,,,,,,,", "more than a year ago"),
        # the local authority's deadline before health received the request
        ("LA-3,Children's SLT,2026-09-01,,,,2026-08-20,,,,,", "deadline"),
        # a missed appointment after the 6 weeks (due 13 Oct): late, not excepted
        (
            "LA-4,Children's SLT,2026-09-01,,,,,missed_appointment,Missed twice.,2026-10-20,"
            "2026-11-20,",
            "after the advice was due",
        ),
        # an exception with no agreed return date
        (
            "LA-5,Children's SLT,2026-09-01,,,,,missed_appointment,Missed twice.,2026-09-20,,",
            "agreed with the requesting team",
        ),
        # not provided before escalation 2 (10 November) and with no reason
        ("LA-6,Children's SLT,2026-09-01,2026-10-20,not_provided,,,,,,,Not needed.", "before it"),
        ("LA-7,Children's SLT,2026-09-01,2026-11-20,not_provided,,,,,,,", "say why the advice"),
    ],
)
def test_rows_the_bot_would_refuse_are_refused_with_the_reason(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], row: str, reason: str
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(EDGE_HEADER + row + "\n", encoding="utf-8")

    assert _import(db, "requests", bad) == 2
    assert reason in capsys.readouterr().err


def test_old_history_and_not_provided_import_as_the_bot_keeps_them(
    db: Path, tmp_path: Path
) -> None:
    good = tmp_path / "good.csv"
    good.write_text(
        EDGE_HEADER
        + "LA-8,Children's SLT,2019-03-04,2019-04-10,returned,,,,,,,\n"  # closed: history
        + "LA-9,Children's SLT,2026-09-01,2026-11-20,not_provided,,,,,,,Not required.\n",
        encoding="utf-8",
    )

    assert _import(db, "requests", good) == 0
    with Store.open(db, clock=FakeClock()) as store:
        (record,) = store.call(lambda r: r.requests.find("LA-9"))
    assert record.not_provided_reason == "Not required."
    assert record.returned_on == date(2026, 11, 20)


@pytest.mark.parametrize(
    ("columns", "values", "problem"),
    [
        ("phase_transfer,transfer_year", "school,26", "four digits (2027 for a move in September"),
        (
            "phase_transfer,transfer_year,post_16_move_on",
            "school,2027,2027-01-10",
            "not both",
        ),
    ],
)
def test_a_transfer_is_checked_as_the_card_checks_it(
    db: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    columns: str,
    values: str,
    problem: str,
) -> None:
    bad = tmp_path / "reviews.csv"
    bad.write_text(
        f"case_ref,services,plan_issued_on,{columns}\nEHCP-1,Children's SLT,2026-01-05,{values}\n"
    )

    assert _import(db, "reviews", bad) == 2

    assert "line 2: " in (err := capsys.readouterr().err) and problem in err


def test_a_move_between_post_16_institutions_and_a_review_held_are_imported(
    db: Path, tmp_path: Path
) -> None:
    """Reg 18(2) has its own column; a later last review in a re-import is a review held, kept
    with the period it closed (what the measure of reviews within 12 months counts)."""
    file = tmp_path / "reviews.csv"
    header = "case_ref,services,plan_issued_on,last_review_on,post_16_move_on\n"
    file.write_text(header + "EHCP-16,Children's SLT,2025-09-01,,2027-04-19\n")
    assert _import(db, "reviews", file) == 0
    file.write_text(header + "EHCP-16,Children's SLT,2025-09-01,2026-08-20,2027-04-19\n")
    assert _import(db, "reviews", file) == 0

    with Store.open(db, clock=FakeClock()) as store:
        (review,) = store.call(lambda r: r.reviews.for_services(None))
        held = store.call(
            lambda r: r.db.execute(
                "SELECT period_start, review_by, held_on FROM reviews_held"
            ).fetchall()
        )
    assert (review.post_16_move_on, review.last_review_on) == (date(2027, 4, 19), date(2026, 8, 20))
    assert held == [("2025-09-01", "2026-08-31", "2026-08-20")]
