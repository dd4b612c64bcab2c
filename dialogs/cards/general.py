"""Cards outside the assessment: welcome, help, choosing a service, status."""

from __future__ import annotations

from dialogs import messages
from dialogs.cards.elements import RAG_COLOURS, Element, card, facts, heading, runs, submit, text
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


def help_card(notice: str | None = None) -> Element:
    """The commands, with buttons for the common ones."""
    body = [heading(messages.HELP_TITLE)]
    if notice:
        body.append(text(notice, color="Warning"))
    body.append(facts([(command, purpose) for command, purpose, _ in messages.HELP_COMMANDS]))
    body.append(text(messages.HELP_FOOTER, isSubtle=True))
    return card(body, _command_buttons())


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
