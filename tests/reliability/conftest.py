"""The bot's test fixtures (a store, a service, the HTTP endpoint, the fake connector), shared."""

from tests.bot.conftest import client, connector, slt, store

__all__ = ["client", "connector", "slt", "store"]
