"""``ehcp-bot chat``: the same bot and dialogs in a terminal, cards shown as text.

Type a command as you would in Teams; where a card has buttons they are numbered, and typing the
number presses it (asking for the card's inputs first when the button sends them). A choice is
typed as the number or the name shown; what cannot be used is asked again, with the reason.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Awaitable, Callable
from typing import Any, TextIO

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    ConversationAccount,
    ResourceResponse,
)

from bot.cli.card_text import (
    Form,
    Refused,
    chosen_titles,
    describe_input,
    read_input,
    render_card,
)
from dialogs.ports import Clock

ReadLine = Callable[[str], Awaitable[str | None]]
Logic = Callable[[TurnContext], Awaitable[None]]
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


class ConsoleAdapter(BotAdapter):
    """A Bot Framework adapter whose channel is this terminal."""

    def __init__(self, *, user_id: str, out: TextIO, read_line: ReadLine, clock: Clock) -> None:
        super().__init__()
        self._clock = clock
        self._out = out
        self._read_line = read_line
        self._ids = itertools.count(1)
        self._user = ChannelAccount(id=f"console:{user_id}", aad_object_id=user_id, name="you")
        self._bot = ChannelAccount(id="ehcp-bot", name="EHCP assistant")
        self._conversation = ConversationAccount(
            id=f"console:{user_id}", conversation_type="personal"
        )
        self.form: Form | None = None
        self.form_id: str | None = None

    async def send_activities(
        self, context: TurnContext, activities: list[Activity]
    ) -> list[ResourceResponse]:
        responses = []
        for activity in activities:
            activity_id = str(next(self._ids))
            if activity.type == ActivityTypes.message:
                self._show(activity, activity_id)
            responses.append(ResourceResponse(id=activity_id))
        return responses

    async def update_activity(self, context: TurnContext, activity: Activity) -> ResourceResponse:
        if self.form_id == activity.id:
            self.form = None
        for content in _cards(activity):
            lines, form = render_card(content)
            if form.actions:  # a card that changed into another one to fill in: show it whole
                self._show(activity, str(activity.id))
                continue
            recorded = next((line for line in lines if line.startswith("Recorded")), None)
            if recorded:
                self._print(f"  ✓ {recorded}")
        return ResourceResponse(id=activity.id)

    async def delete_activity(self, context: TurnContext, reference: Any) -> None:
        return None

    async def send(
        self,
        logic: Logic,
        *,
        text: str | None = None,
        value: dict[str, Any] | None = None,
        reply_to_id: str | None = None,
        kind: str = ActivityTypes.message,
    ) -> None:
        """Deliver one activity from the person to the bot."""
        activity = Activity(
            type=kind,
            id=str(next(self._ids)),
            text=text,
            value=value,
            reply_to_id=reply_to_id,
            from_property=self._user,
            recipient=self._bot,
            conversation=self._conversation,
            channel_id="console",
            service_url="console://",
            timestamp=self._clock.now(),
            members_added=[self._bot] if kind == ActivityTypes.conversation_update else None,
        )
        await self.run_pipeline(TurnContext(self, activity), logic)

    async def run(self, logic: Logic) -> None:
        """Greet, then read lines until end of input or ``quit``."""
        await self.send(logic, kind=ActivityTypes.conversation_update)
        self._print("(type a command, a button's number, or quit)")
        while True:
            line = await self._read_line("> ")
            if line is None or line.strip().lower() in {"quit", "exit"}:
                return
            await self._dispatch(logic, line.strip())

    async def _dispatch(self, logic: Logic, line: str) -> None:
        form = self.form
        if form is not None and line.isdigit() and 1 <= int(line) <= len(form.actions):
            action = form.actions[int(line) - 1]
            value = dict(action.get("data", {}))
            if action.get("associatedInputs") != "None":
                filled = await self._fill(form)
                if filled is None:
                    self._print("  Not sent: nothing was saved.")
                    return
                value |= filled
            await self.send(logic, value=value, reply_to_id=self.form_id)
        elif line:
            await self.send(logic, text=line)

    async def _fill(self, form: Form) -> dict[str, str] | None:
        """The card's inputs, each asked until what is typed can be used (as Teams sends no card
        it cannot), keeping what was typed before; ``None`` when the person leaves the card
        (``cancel``, or the end of input)."""
        values, section = {}, None
        for element in form.inputs:
            if form.sections.get(element["id"], section) != section:
                section = form.sections[element["id"]]
                self._print(f"  {section}")
            value = await self._ask(element)
            if value is None:
                return None
            values[element["id"]] = value
        return values

    async def _ask(self, element: dict[str, Any]) -> str | None:
        while True:
            answer = await self._read_line("  " + describe_input(element))
            if answer is None or answer.strip().lower() == "cancel":
                return None
            try:
                value = read_input(element, answer)
            except Refused as refused:
                self._print(f"  ✗ {refused} (Or type cancel to leave this card.)")
                continue
            if element.get("type") == "Input.ChoiceSet" and answer.strip():
                self._print("  → " + ", ".join(chosen_titles(element, value)))
            return value

    def _show(self, activity: Activity, activity_id: str) -> None:
        if activity.text:
            self._print(f"bot: {as_terminal_text(activity.text)}")
        for content in _cards(activity):
            lines, form = render_card(content)
            self._print("┌" + "─" * 60)
            for line in lines:
                self._print(f"│ {line}")
            if form.actions:
                buttons = "  ".join(
                    f"[{i}] {a.get('title')}" for i, a in enumerate(form.actions, 1)
                )
                self._print(f"│ {buttons}")
                self.form, self.form_id = form, activity_id
            self._print("└" + "─" * 60)

    def _print(self, line: str) -> None:
        print(line, file=self._out, flush=True)


def as_terminal_text(markdown: str) -> str:
    """A message as a terminal shows it: emphasis marks dropped, escaped characters as typed."""
    return re.sub(r"\\(.)", r"\1", markdown.replace("**", ""))


def _cards(activity: Activity) -> list[dict[str, Any]]:
    return [a.content for a in activity.attachments or [] if a.content_type == ADAPTIVE_CARD]


async def stdin_line(prompt: str) -> str | None:
    """Read a line from the terminal without blocking the event loop; ``None`` at end of input."""
    try:
        return await asyncio.to_thread(input, prompt)
    except EOFError:
        return None
