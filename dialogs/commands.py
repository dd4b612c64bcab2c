"""Typed commands, matched forgivingly: case, punctuation, extra words and a few synonyms."""

from __future__ import annotations

import difflib
import re
from enum import StrEnum


class Command(StrEnum):
    """What a person can ask for by typing."""

    HELP = "help"
    START = "start assessment"
    START_NEW = "start new assessment"
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
    ACTION_PLAN = "action plan"
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
        "start self assessment",
        "self assessment",
        "assessment",
        "begin assessment",
    ),
    Command.START_NEW: (
        "start new assessment",
        "new assessment",
        "start a new assessment",
        "start next assessment",
        "start the next assessment",
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
    Command.ACTION_PLAN: (
        "action plan",
        "actions",
        "my action plan",
        "show action plan",
        "open action plan",
    ),
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
    "action plan": Command.ACTION_PLAN,
    "action plan for": Command.ACTION_PLAN,
    "summary for": Command.SUMMARY,
    "pause nudges until": Command.PAUSE_NUDGES,
    "pause nudges": Command.PAUSE_NUDGES,
}
_LOOKUP = {phrase: command for command, phrases in _SYNONYMS.items() for phrase in phrases}


def did_you_mean(text: str | None) -> str | None:
    """The command ``text`` most likely meant, when it is a near miss (``start asessment``,
    ``stauts``, ``retrun LA-1``): a typo in its first one to three words, the rest kept as
    typed, as the command's argument. ``None`` when nothing is near enough."""
    original = text or ""
    tokens = list(re.finditer(r"[^\W_]+", original.lower()))
    phrases = set(_LOOKUP) | set(_WITH_ARGUMENT)
    for size in (3, 2, 1):
        if len(tokens) < size:
            continue
        head = " ".join(t.group() for t in tokens[:size])
        near = difflib.get_close_matches(
            head, [p for p in phrases if len(p.split()) == size], n=1, cutoff=0.75
        )
        if not near:
            continue
        rest = original[tokens[size - 1].end() :].strip(" -:,.")
        if near[0] in _WITH_ARGUMENT:
            return f"{near[0]} {rest}".strip()
        return _LOOKUP[near[0]].value
    return None


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


_NOT_INITIALS = {"and", "of", "the", "s", "for", "nhs"}


def _initials(words: list[str]) -> str:
    return "".join(word[0] for word in words if word not in _NOT_INITIALS)


def services_named(text: str, names: list[str]) -> list[str]:
    """The names ``text`` can mean, forgivingly: the one it names exactly (case and punctuation
    aside); else every name it is part of (``paediatrics``), or whose words' initials it is part
    of (``slt`` for Children's Speech and Language Therapy); nothing for an empty ``text``."""
    wanted = normalise(text)
    if not wanted:
        return []
    exact = [name for name in names if normalise(name) == wanted]
    if exact:
        return exact
    found = []
    for name in names:
        words = normalise(name).split()
        if wanted in " ".join(words) or (" " not in wanted and wanted in _initials(words)):
            found.append(name)
    return found
