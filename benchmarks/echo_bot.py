"""The Bot Framework's echo bot, as shipped (``--fixed``: with the product's framework fixes).

Run by the benchmark as its own process: ``python -m benchmarks.echo_bot --port 4001 [--fixed]``.
"""

from __future__ import annotations

import argparse
from types import SimpleNamespace

from aiohttp import web
from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication


class EchoBot(ActivityHandler):
    """Says back what it was sent."""

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        text = turn_context.activity.text or "(a card)"
        await turn_context.send_activity(MessageFactory.text(f"Echo: {text}"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--fixed", action="store_true")
    args = parser.parse_args()
    if args.fixed:
        # only the fixed variant loads the product's wiring; the stock one stays as shipped
        from bot.config import Settings  # noqa: PLC0415
        from bot.teams.adapter import build_wiring  # noqa: PLC0415

        adapter = build_wiring(Settings()).adapter
    else:
        config = SimpleNamespace(
            APP_ID=None, APP_PASSWORD=None, APP_TYPE="MultiTenant", APP_TENANTID=None
        )
        adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(config))
    bot = EchoBot()

    async def messages(request: web.Request) -> web.StreamResponse:
        return await adapter.process(request, bot) or web.Response(status=201)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    web.run_app(app, host="127.0.0.1", port=args.port, print=None)


if __name__ == "__main__":
    main()
