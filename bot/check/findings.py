"""A finding of ``ehcp-bot check``: one line, and whether it would stop the bot working."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(Enum):
    """How much a finding matters before going live."""

    OK = "ok"
    WARNING = "warning"
    PROBLEM = "PROBLEM"
    """Would stop the bot working in Teams: ``ehcp-bot check`` exits 1."""


@dataclass(frozen=True)
class Finding:
    """What one check found, on one line: ``PROBLEM  roles: no DCO ...``."""

    severity: Severity
    topic: str
    text: str

    def line(self) -> str:
        """The finding as it is printed."""
        return f"{self.severity.value:<8} {self.topic}: {self.text}"


def ok(topic: str, text: str) -> Finding:
    """A check that passed, with what it saw."""
    return Finding(Severity.OK, topic, text)


def warning(topic: str, text: str) -> Finding:
    """Worth knowing; does not stop the bot working."""
    return Finding(Severity.WARNING, topic, text)


def problem(topic: str, text: str) -> Finding:
    """Would stop the bot working in Teams."""
    return Finding(Severity.PROBLEM, topic, text)


def verdict(findings: list[Finding]) -> str:
    """The last line: how many problems and warnings, and what that means."""
    problems = sum(f.severity is Severity.PROBLEM for f in findings)
    warnings = sum(f.severity is Severity.WARNING for f in findings)
    if problems:
        return (
            f"{_count(problems, 'problem')} and {_count(warnings, 'warning')}: the bot would not "
            "work in Teams until each PROBLEM is fixed."
        )
    return (
        f"Nothing found that would stop the bot working in Teams ({_count(warnings, 'warning')})."
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")
