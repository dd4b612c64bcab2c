"""The one wiring: the adapter, its connector clients and the proactive sender, built one way for
``serve``, ``ehcp-bot nudges``, the benchmarks' fixed echo bots and the tests.

A promise tested on some other wiring is not a promise about production (``../shared/STYLE.md``):
everything that talks to Teams is built here, from the settings.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

from bot.config import Settings
from bot.nudges.sender import ProactiveSender
from bot.signals import Signals
from bot.teams import fixes
from bot.teams.connector import ConnectorAuthentication
from bot.teams.retry import Sleep


@dataclass(frozen=True)
class Wiring:
    """What talks to Teams: the adapter (turns in, replies out) and its authentication (which
    holds the connector clients)."""

    adapter: CloudAdapter
    authentication: ConnectorAuthentication
    app_id: str | None
    fixes: bool

    def sender(
        self,
        *,
        sleep: Sleep | None = None,
        now: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> ProactiveSender:
        """A paced proactive sender through this adapter, with the connector's timeout and its
        way of waiting (``sleep``, ``now`` and ``jitter`` are for tests that keep time)."""
        return ProactiveSender(
            self.adapter,
            app_id=self.app_id,
            timeout=self.authentication.timeout,
            sleep=sleep or self.authentication.sleep,
            now=now,
            jitter=jitter,
            signals=self.authentication.signals,
        )

    @property
    def signals(self) -> Signals:
        """Where this wiring counts what operators watch (``GET /metrics``)."""
        return self.authentication.signals

    async def close(self) -> None:
        """Close the shared connector clients and their HTTP session."""
        await self.authentication.close()


def build_wiring(
    settings: Settings, *, sleep: Sleep = asyncio.sleep, signals: Signals | None = None
) -> Wiring:
    """The adapter for ``settings``: the framework fixes applied (or put back) as configured and
    as the installed versions allow, every connector client with the configured timeout.
    ``sleep`` is how retries wait (tests pass one that keeps time without waiting); connector
    failures and retries are counted in ``signals``."""
    active = fixes.apply(settings.framework_fixes)
    authentication = ConnectorAuthentication(
        ConfigurationBotFrameworkAuthentication(settings.framework_config()),
        timeout=settings.connector_timeout,
        share=active,
        sleep=sleep,
        signals=signals,
    )
    return Wiring(CloudAdapter(authentication), authentication, settings.app_id, active)
