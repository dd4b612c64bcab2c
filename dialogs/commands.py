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
    NEW_REQUEST = "new request"
    RETURN = "return"
    OVERDUE = "overdue"
    DUE_WEEK = "due this week"
    REQUESTS = "requests"
    NEW_REVIEW = "new review"
    REVIEWS = "reviews"
    SUBSCRIBE = "subscribe"
    UNSUBSCRIBE = "unsubscribe"
    SUBSCRIPTIONS = "subscriptions"
    SUMMARY = "summary"
    CADENCE = "nudges"
    PAUSE_NUDGES = "pause nudges"
    RESUME_NUDGES = "resume nudges"
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
    Command.NEW_REQUEST: ("new request", "log request", "log a request", "add request"),
    Command.RETURN: ("return", "record return", "outcome", "record outcome"),
    Command.OVERDUE: ("overdue", "late", "overdue requests", "whats overdue", "what s overdue"),
    Command.DUE_WEEK: ("due this week", "due soon", "this week", "due"),
    Command.REQUESTS: ("requests", "open requests", "list requests"),
    Command.NEW_REVIEW: ("new review", "log review", "log a review", "add review"),
    Command.REVIEWS: ("reviews", "annual reviews", "review dates"),
    Command.SUBSCRIBE: ("subscribe",),
    Command.UNSUBSCRIBE: ("unsubscribe",),
    Command.SUBSCRIPTIONS: ("subscriptions", "list subscriptions"),
    Command.RESUME_NUDGES: ("resume nudges", "unpause nudges", "restart nudges"),
    Command.SUMMARY: ("summary", "compliance summary", "dashboard"),
}
_WITH_ARGUMENT = {
    "return": Command.RETURN,
    "record return": Command.RETURN,
    "outcome": Command.RETURN,
    "record outcome": Command.RETURN,
    "requests": Command.REQUESTS,
    "requests for": Command.REQUESTS,
    "open requests": Command.REQUESTS,
    "subscribe": Command.SUBSCRIBE,
    "subscribe to": Command.SUBSCRIBE,
    "unsubscribe": Command.UNSUBSCRIBE,
    "unsubscribe from": Command.UNSUBSCRIBE,
    "nudges": Command.CADENCE,
    "summary": Command.SUMMARY,
    "summary for": Command.SUMMARY,
    "pause nudges until": Command.PAUSE_NUDGES,
    "pause nudges": Command.PAUSE_NUDGES,
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


def parse(text: str | None) -> tuple[Command, str]:
    """The command and its argument: ``"return LA-2026-0142"`` → (RETURN, ``"LA-2026-0142"``)."""
    exact = parse_command(text)
    if exact is not Command.UNKNOWN:
        return exact, ""
    original = " ".join((text or "").split())
    lowered = original.lower()
    for phrase in sorted(_WITH_ARGUMENT, key=len, reverse=True):
        if lowered.startswith(phrase + " "):
            return _WITH_ARGUMENT[phrase], original[len(phrase) + 1 :].strip()
    return Command.UNKNOWN, ""
