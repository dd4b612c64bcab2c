"""The question bank: 23 questions of seed 000, exact wording, E/D, themes; loud data errors."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

from ehcp_rules import (
    Criterion,
    DataFileError,
    available_editions,
    load_question_bank,
    parse_question_bank,
)

DESIRABLE = {1, 3, 10, 11, 12, 13, 18}


def _flatten(text: str) -> str:
    text = html.unescape(re.sub(r"</?i>", "", text))
    return re.sub(r"\s+", " ", text)


def test_the_default_edition_has_the_23_questions_of_seed_000() -> None:
    bank = load_question_bank()

    assert len(bank) == 23
    assert [q.number for q in bank.questions] == list(range(1, 24))
    assert {q.number for q in bank.questions if q.criterion is Criterion.DESIRABLE} == DESIRABLE
    assert len(bank.essential_numbers) == 16


@pytest.mark.parametrize("edition", ["east-of-england", "east-of-england-earlier-printing"])
def test_every_question_is_worded_exactly_as_in_its_seed(edition: str, shared_dir: Path) -> None:
    seed = {"east-of-england": "000", "east-of-england-earlier-printing": "001"}[edition]
    (seed_file,) = (shared_dir / "seeds").glob(f"{seed}_*.txt")
    seed_text = _flatten(seed_file.read_text(encoding="utf-8"))
    # The earlier printing is text extracted from a PDF: page furniture (page numbers, table
    # cell numbers, a running "England" footer) and one line-break hyphen fall inside three
    # questions. Only that noise is tolerated between words; every word must be there, in order.
    noise = r"(?:\s|\d|_|England|Erigiana|\u0415)*"

    for question in load_question_bank(edition).questions:
        if question.text in seed_text:
            continue
        words = question.text.replace("co-produced", "co- produced").split()
        pattern = noise.join(re.escape(word) for word in words)
        assert seed == "001" and re.search(pattern, seed_text), (
            f"Q{question.number} is not worded as in seed {seed}"
        )


def test_every_question_has_one_of_the_six_themes() -> None:
    bank = load_question_bank()

    assert len(bank.themes) == 6
    assert {bank.theme(q.theme).id for q in bank.questions} == {t.id for t in bank.themes}
    assert bank.theme(bank.question(5).theme).title == "6-week compliance and escalation"


def test_both_editions_are_shipped_and_differ_in_wording_only() -> None:
    current, earlier = (load_question_bank(e) for e in available_editions()[::-1])

    assert available_editions() == ("east-of-england", "east-of-england-earlier-printing")
    assert [q.criterion for q in current.questions] == [q.criterion for q in earlier.questions]
    assert current.question(8).text != earlier.question(8).text


def _bank_json(**changes: object) -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(load_question_bank().model_dump_json())
    raw.update(changes)
    return raw


def _questions_with(index: int, **changes: object) -> list[dict[str, object]]:
    questions: list[dict[str, object]] = _bank_json()["questions"]
    questions[index] = {**questions[index], **changes}
    return questions


@pytest.mark.parametrize(
    ("raw", "field", "problem"),
    [
        (
            _bank_json(questions=_questions_with(3, criterion="X")),
            "questions[3].criterion",
            "'E' or 'D'",
        ),
        (_bank_json(questions=_questions_with(0, text="")), "questions[0].text", "at least 1"),
        (_bank_json(questions=_questions_with(4, number=7)), "(top level)", "numbered 1 to 23"),
        (_bank_json(questions=_questions_with(2, theme="nowhere")), "(top level)", "unknown theme"),
        (_bank_json(edition=None), "edition", "string"),
        (_bank_json(questions=[]), "questions", "at least 1"),
        (_bank_json(colour="red"), "colour", "not permitted"),
    ],
)
def test_a_malformed_edition_names_the_file_and_the_field(
    raw: dict[str, object], field: str, problem: str
) -> None:
    with pytest.raises(DataFileError) as caught:
        parse_question_bank(json.dumps(raw), source="local-edition.json")

    assert caught.value.source == "local-edition.json"
    assert caught.value.field == field
    assert problem in caught.value.problem
    assert str(caught.value).startswith("local-edition.json: ")


def test_a_file_that_is_not_json_names_the_line() -> None:
    with pytest.raises(DataFileError, match=r"^ours\.json: line 2: not valid JSON"):
        parse_question_bank('{\n  "edition": oops\n}', source="ours.json")


def test_an_unknown_edition_lists_the_known_ones() -> None:
    with pytest.raises(DataFileError, match=r"no such edition.*east-of-england"):
        load_question_bank("west-midlands")
