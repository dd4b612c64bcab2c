"""Precise exceptions raised by the rules; callers translate them at their edge."""

from __future__ import annotations


class RulesError(ValueError):
    """Base class: every rules error is also a ``ValueError`` (bad input, not a bug)."""


class DataFileError(RulesError):
    """A shipped or local data file (question bank, escalation ladder) is malformed."""

    def __init__(self, source: str, field: str, problem: str) -> None:
        self.source = source
        self.field = field
        self.problem = problem
        super().__init__(f"{source}: {field}: {problem}")


class InvalidAnswerError(RulesError):
    """An answer names a question the bank does not have, or a rating that does not exist."""


class InvalidDatesError(RulesError):
    """Dates that cannot be true together (a return before its request, say)."""
