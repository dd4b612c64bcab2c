"""The question bank of the self-assessment tool, loaded from versioned data files.

The shipped editions live in ``ehcp_rules/data/question_banks/<edition>.json``; a local area can
load its own edition from JSON text of the same shape with :func:`parse_question_bank`.
Source: seed 000 (the tool, current wording) and seed 001 (an earlier printing).
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ehcp_rules.datafile import parse_data_file
from ehcp_rules.errors import DataFileError

DEFAULT_EDITION = "east-of-england"
_DATA_PACKAGE = "ehcp_rules.data.question_banks"


class Criterion(StrEnum):
    """Whether a question is an Essential (E) or Desirable (D) component (seed 000)."""

    ESSENTIAL = "E"
    DESIRABLE = "D"

    @property
    def label(self) -> str:
        """``Essential`` or ``Desirable``."""
        return "Essential" if self is Criterion.ESSENTIAL else "Desirable"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Theme(_Frozen):
    """A group of questions, after the good-practice principles of seed 001."""

    id: str = Field(min_length=1, pattern=r"^[a-z0-9-]+$")
    title: str = Field(min_length=1)


class Question(_Frozen):
    """One question of the tool: its number, E/D, exact wording and theme."""

    number: int = Field(ge=1)
    criterion: Criterion
    theme: str = Field(min_length=1)
    text: str = Field(min_length=1)

    @property
    def essential(self) -> bool:
        """True for an Essential criterion."""
        return self.criterion is Criterion.ESSENTIAL


class QuestionBank(_Frozen):
    """One edition of the question bank: questions numbered 1..N, each in a known theme."""

    edition: str = Field(min_length=1)
    title: str = Field(min_length=1)
    source: str = Field(min_length=1)
    printed_rag_rules: tuple[str, ...] = Field(min_length=1)
    themes: tuple[Theme, ...] = Field(min_length=1)
    questions: tuple[Question, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check_consistency(self) -> QuestionBank:
        numbers = [q.number for q in self.questions]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"questions must be numbered 1 to {len(numbers)} in order")
        theme_ids = [t.id for t in self.themes]
        if len(set(theme_ids)) != len(theme_ids):
            raise ValueError("theme ids must be unique")
        for question in self.questions:
            if question.theme not in theme_ids:
                raise ValueError(
                    f"question {question.number} names unknown theme {question.theme!r}"
                )
        return self

    def __len__(self) -> int:
        return len(self.questions)

    def question(self, number: int) -> Question:
        """The question numbered ``number``; ``KeyError`` when there is none."""
        if not 1 <= number <= len(self.questions):
            raise KeyError(number)
        return self.questions[number - 1]

    def theme(self, theme_id: str) -> Theme:
        """The theme with id ``theme_id``; ``KeyError`` when there is none."""
        for theme in self.themes:
            if theme.id == theme_id:
                return theme
        raise KeyError(theme_id)

    @property
    def essential_numbers(self) -> tuple[int, ...]:
        """The numbers of the Essential questions, ascending."""
        return tuple(q.number for q in self.questions if q.essential)


def available_editions() -> tuple[str, ...]:
    """The names of the editions shipped with the package, sorted."""
    files = resources.files(_DATA_PACKAGE).iterdir()
    return tuple(sorted(f.name.removesuffix(".json") for f in files if f.name.endswith(".json")))


@lru_cache(maxsize=8)
def load_question_bank(edition: str | None = None) -> QuestionBank:
    """Load a shipped edition (default: the current East of England wording, seed 000).

    Raises :class:`DataFileError` naming the file and field when the edition is unknown or its
    file is malformed.
    """
    name = edition or DEFAULT_EDITION
    if name not in available_editions():
        known = ", ".join(available_editions())
        raise DataFileError(f"{name}.json", "edition", f"no such edition (known: {known})")
    resource = resources.files(_DATA_PACKAGE).joinpath(f"{name}.json")
    return parse_question_bank(resource.read_text(encoding="utf-8"), source=f"{name}.json")


def parse_question_bank(text: str, *, source: str) -> QuestionBank:
    """Parse an edition from JSON text; ``source`` names the file in any error."""
    return parse_data_file(QuestionBank, text, source=source)
