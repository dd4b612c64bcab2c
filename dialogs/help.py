"""Help for the person of a turn: the commands they can use here, by their roles and the place,
and "did you mean" for a near miss."""

from __future__ import annotations

from botbuilder.core import TurnContext

from dialogs.cards.elements import Element
from dialogs.cards.general import did_you_mean_card, help_card
from dialogs.commands import Command, did_you_mean
from dialogs.policy import decision_of
from dialogs.turns import card_activity, is_personal, person_of, submitted_value


def _typed(context: TurnContext) -> str:
    value = submitted_value(context)
    text = value.get("text") if value else context.activity.text
    return text if isinstance(text, str) else ""


async def send_help(context: TurnContext, command: Command) -> None:
    """Help for this person here: a near miss gets "did you mean"; anything else not understood
    (or a step of an assessment when none is open) gets the commands they can use here."""
    if command is Command.UNKNOWN:
        typed = _typed(context)
        suggestion = did_you_mean(typed)
        if suggestion:
            await context.send_activity(card_activity(did_you_mean_card(typed, suggestion)))
            return
    await context.send_activity(card_activity(personal_help(context, _help_notice(command))))


def personal_help(context: TurnContext, notice: str | None) -> Element:
    """The help card for the person of this turn, by the roles they hold and where they are."""
    decision = decision_of(context)
    return help_card(
        notice,
        roles=frozenset(g.role.value for g in decision.grants),
        place="personal" if is_personal(context) else "shared",
        object_id=person_of(context),
    )


def _help_notice(command: Command) -> str | None:
    if command is Command.UNKNOWN:
        return "Sorry, I didn't recognise that. Here is what you can do:"
    if command is not Command.HELP:
        return "No assessment is open just now. Type **resume** to carry on with one."
    return None
