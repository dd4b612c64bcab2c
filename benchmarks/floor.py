"""The physical floor of a turn: parse the activity, make one outbound POST, answer.

Run by the benchmark as its own process: ``python -m benchmarks.floor --port 4003``.
"""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator

from aiohttp import ClientSession, web

SESSION = web.AppKey("session", ClientSession)


async def messages(request: web.Request) -> web.Response:
    activity = await request.json()
    conversation = activity["conversation"]["id"]
    base = activity["serviceUrl"].rstrip("/")
    url = f"{base}/v3/conversations/{conversation}/activities/{activity['id']}"
    reply = {
        "type": "message",
        "text": f"Echo: {activity.get('text')}",
        "conversation": activity["conversation"],
        "replyToId": activity["id"],
    }
    async with request.app[SESSION].post(url, json=reply) as response:
        await response.read()
    return web.Response(status=201)


async def _session(app: web.Application) -> AsyncIterator[None]:
    app[SESSION] = ClientSession()
    yield
    await app[SESSION].close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = web.Application()
    app.cleanup_ctx.append(_session)
    app.router.add_post("/api/messages", messages)
    web.run_app(app, host="127.0.0.1", port=args.port, print=None)


if __name__ == "__main__":
    main()
