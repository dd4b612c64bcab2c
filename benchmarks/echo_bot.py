"""The Bot Framework's echo bot, as shipped (``--fixed``: with the product's framework fixes).

``--cards`` (implies ``--fixed``) answers as the product answers a question: it updates the card
it last sent in the conversation in place (or the one ``replyToId`` names) with a card as big as
the product's "recorded" card, then sends a new card as big as the product's question card.

Run by the benchmark as its own process: ``python -m benchmarks.echo_bot --port 4001 [--fixed]``.
"""

from __future__ import annotations

import argparse
import json
from types import SimpleNamespace
from typing import Any

from aiohttp import web
from botbuilder.core import ActivityHandler, CardFactory, MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

QUESTION_CARD_BYTES = 2147
RECORDED_CARD_BYTES = 1302
"""``len(json.dumps(card))`` of the product's cards in the turn benchmark, averaged over one
assessment: the next question card (``question_card``, questions 2 to 23: 2,060 to 2,316 bytes)
and the recorded answer that replaces the answered one (``answered_card``, with the benchmark's
comment: 1,223 to 1,483 bytes)."""


class EchoBot(ActivityHandler):
    """Says back what it was sent."""

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        text = turn_context.activity.text or "(a card)"
        await turn_context.send_activity(MessageFactory.text(f"Echo: {text}"))


class CardEchoBot(ActivityHandler):
    """Says back what it was sent as the product answers: the last card updated, a new one sent."""

    def __init__(self) -> None:
        self._last_card: dict[str, str] = {}  # conversation id: the id of the card last sent

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        text = activity.text or "(a card)"
        conversation = activity.conversation.id
        previous = activity.reply_to_id or self._last_card.get(conversation)
        if previous:
            updated = _card_message(f"Recorded: {text}", RECORDED_CARD_BYTES, button=False)
            updated.id = previous
            await turn_context.update_activity(updated)
        sent = await turn_context.send_activity(
            _card_message(f"Echo: {text}", QUESTION_CARD_BYTES, button=True)
        )
        if sent is not None and sent.id:
            self._last_card[conversation] = sent.id


def echo_card(text: str, size: int, *, button: bool) -> dict[str, Any]:
    """An Adaptive Card 1.5 saying ``text``, padded so that ``json.dumps`` of it is ``size`` long
    (or longer, for a long ``text``); ``button`` adds an Action.Submit."""
    padding: dict[str, Any] = {"type": "TextBlock", "text": "", "wrap": True, "isSubtle": True}
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": [{"type": "TextBlock", "text": text, "wrap": True}, padding],
    }
    if button:
        card["actions"] = [{"type": "Action.Submit", "title": "Reply", "data": {"echo": "reply"}}]
    padding["text"] = "." * max(0, size - len(json.dumps(card)))
    return card


def _card_message(text: str, size: int, *, button: bool) -> Any:
    return MessageFactory.attachment(
        CardFactory.adaptive_card(echo_card(text, size, button=button))
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--fixed", action="store_true")
    parser.add_argument("--cards", action="store_true", help="answer with cards (implies --fixed)")
    args = parser.parse_args()
    if args.fixed or args.cards:
        # only the fixed variants load the product's wiring; the stock one stays as shipped
        from bot.config import Settings  # noqa: PLC0415
        from bot.teams.adapter import build_wiring  # noqa: PLC0415

        adapter = build_wiring(Settings()).adapter
    else:
        config = SimpleNamespace(
            APP_ID=None, APP_PASSWORD=None, APP_TYPE="MultiTenant", APP_TENANTID=None
        )
        adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(config))
    bot = CardEchoBot() if args.cards else EchoBot()

    async def messages(request: web.Request) -> web.StreamResponse:
        return await adapter.process(request, bot) or web.Response(status=201)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    web.run_app(app, host="127.0.0.1", port=args.port, print=None)


if __name__ == "__main__":
    main()
