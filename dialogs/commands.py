"""Typed commands, matched forgivingly: case, punctuation, extra words and a few synonyms."""

from __future__ import annotations

import re
from enum import StrEnum


class Command(StrEnum):
    """What a person can ask for by typing."""

    HELP = "help"
    START = "start assessment"
    RESUME = "resume"
    STATUS = "status"
    PAUSE = "pause"
    BACK = "back"
    SKIP = "skip"
    REVIEW = "review"
    SUBMIT = "submit"
    UNKNOWN = "unknown"


_SYNONYMS: dict[Command, tuple[str, ...]] = {
    Command.HELP: ("help", "menu", "commands", "hi", "hello", "hey", "what can you do"),
    Command.START: (
        "start assessment",
        "start",
        "begin",
        "new assessment",
        "start self assessment",
        "self assessment",
        "assessment",
        "begin assessment",
    ),
    Command.RESUME: ("resume", "continue", "carry on", "resume assessment", "continue assessment"),
    Command.STATUS: ("status", "progress", "where am i", "how far"),
    Command.PAUSE: ("pause", "stop", "later", "save and exit", "exit"),
    Command.BACK: ("back", "previous", "go back"),
    Command.SKIP: ("skip", "skip for now", "next"),
    Command.REVIEW: ("review", "review answers", "show answers"),
    Command.SUBMIT: ("submit", "submit assessment", "finish"),
}
_LOOKUP = {phrase: command for command, phrases in _SYNONYMS.items() for phrase in phrases}


def normalise(text: str) -> str:
    """Lower case, punctuation to spaces, single spaces: ``"Start-Assessment!"`` → two words."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def parse_command(text: str | None) -> Command:
    """The command ``text`` asks for, or ``Command.UNKNOWN``."""
    words = normalise(text or "")
    words = re.sub(r"^(please |can you |could you |i want to |let s |lets )+", "", words)
    words = re.sub(r"( please| thanks| thank you)+$", "", words)
    return _LOOKUP.get(words, Command.UNKNOWN)
