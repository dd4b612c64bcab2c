"""Cards outside the assessment: welcome, help, choosing a service, status."""

from __future__ import annotations

from datetime import date

from dialogs import messages
from dialogs.cards.elements import (
    RAG_COLOURS,
    Element,
    card,
    facts,
    heading,
    runs,
    short,
    submit,
    text,
)
from ehcp_rules import RagResult, Service


def _command_buttons() -> list[Element]:
    return [
        submit("Start assessment", "command", {"text": "start assessment"}),
        submit("Resume", "command", {"text": "resume"}),
        submit("Status", "command", {"text": "status"}),
    ]


def welcome_card() -> Element:
    """A short hello, once, when the bot is installed."""
    return card(
        [
            heading(messages.WELCOME_TITLE),
            text(messages.WELCOME),
            text(messages.HELP_FOOTER, isSubtle=True),
        ],
        _command_buttons(),
    )


def help_card(
    notice: str | None = None,
    *,
    roles: frozenset[str] | None = None,
    place: str = "personal",
    object_id: str | None = None,
) -> Element:
    """The commands this person can use here, one line each: by the ``roles`` they hold (all
    commands when ``None``) and the ``place`` (``personal``, or ``shared`` for a channel or
    group chat); buttons for the common ones."""
    scope = "personal" if place == "personal" else "team"
    shown = [
        (typed, what)
        for typed, what, who, where, _ in messages.COMMAND_HELP
        if scope in where and (roles is None or not who or roles & who)
    ]
    body = [heading(messages.HELP_TITLE if roles is None else messages.HELP_TITLE_HERE)]
    if notice:
        body.append(text(notice, color="Attention"))
    if roles is not None and not roles:
        body.append(text(messages.HELP_NO_ROLE.format(object_id=object_id or "unknown")))
    body.append(facts(shown))
    if roles is None or roles:
        elsewhere = (
            messages.HELP_ELSEWHERE_PERSONAL
            if scope == "personal"
            else messages.HELP_ELSEWHERE_CHANNEL
        )
        body.append(text(elsewhere, isSubtle=True, size="Small"))
    body.append(text(messages.HELP_FOOTER, isSubtle=True))
    return card(body, _help_buttons(roles, scope))


def _help_buttons(roles: frozenset[str] | None, scope: str) -> list[Element] | None:
    if scope != "personal":
        return None
    if roles is None or roles & messages.MEMBERS:
        return _command_buttons()
    if roles & messages.OVERSEERS:
        return [
            submit("Summary", "command", {"text": "summary"}),
            submit("Overdue", "command", {"text": "overdue"}),
        ]
    return None


def did_you_mean_card(typed: str, suggestion: str) -> Element:
    """A near miss: what was typed, the command it seems to mean as a button, and help."""
    return card(
        [runs(messages.DID_YOU_MEAN, {"typed": short(typed, 60), "suggestion": suggestion})],
        [
            submit(short(suggestion, 40), "command", {"text": suggestion}),
            submit("Help", "command", {"text": "help"}),
        ],
    )


def start_again_card(service: str, submitted: date, rag: str) -> Element:
    """Before a new self-assessment, when the last one was submitted: when, and what next."""
    return card(
        [
            runs(
                messages.START_AGAIN,
                {"service": service, "when": f"{submitted:%d %b %Y}", "rag": rag},
            )
        ],
        [
            submit("Start a new assessment", "command", {"text": "start new assessment"}),
            submit("Open the action plan", "command", {"text": f"action plan {service}"}),
            submit("Status", "command", {"text": "status"}),
        ],
    )


def choose_service_card(services: list[Service]) -> Element:
    """One button per service the person belongs to."""
    return card(
        [text(messages.CHOOSE_SERVICE)],
        [submit(service.name, "choose_service", {"service": service.id}) for service in services],
    )


def status_card(rows: list[tuple[str, int, int, RagResult | None, str | None]]) -> Element:
    """Per service: answered of total, the rating so far, the last submitted rating."""
    body = [heading("Self-assessment status")]
    for service, answered, total, result, last in rows:
        body.append(runs("**{service}**", {"service": service}))
        if result is None:
            body.append(text("No assessment in progress.", isSubtle=True))
        elif result.rag is None:
            body.append(text(f"{answered} of {total} answered · no rating yet"))
        else:
            word = "provisional " if result.provisional else ""
            body.append(
                text(
                    f"{answered} of {total} answered · {word}rating **{result.rag.label}**",
                    color=RAG_COLOURS[result.rag.value],
                )
            )
            body.append(text(result.reasons[0], size="Small"))
        if last:
            body.append(text(f"Last submitted: {last}", isSubtle=True, size="Small"))
    in_progress = any(result is not None for _, _, _, result, _ in rows)
    button = ("Resume", "resume") if in_progress else ("Start assessment", "start assessment")
    return card(body, [submit(button[0], "command", {"text": button[1]})])
