"""The framework fixes: the same retry policy, faster; one connector client shared by all turns."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from msrest.universal_http.requests import ClientRetryPolicy

from bot.app import ADAPTER_KEY
from bot.framework import ReusingAuthentication, speed_up_msrest
from tests import builders
from tests.fakes import FakeConnector


def test_the_retry_policy_is_unchanged_by_the_speed_up() -> None:
    codes = list(ClientRetryPolicy.safe_codes)
    expected = [i for i in range(999) if i not in codes]

    speed_up_msrest()
    speed_up_msrest()  # twice is harmless

    assert isinstance(ClientRetryPolicy.safe_codes, frozenset)
    policy = ClientRetryPolicy()
    assert list(policy.policy.status_forcelist) == expected
    assert 408 in expected and 500 in expected and 429 not in expected


async def test_every_turn_shares_one_connector_client_and_one_token_client(
    client: TestClient,  # type: ignore[type-arg]
    connector: tuple[FakeConnector, str],
) -> None:
    fake, url = connector
    people = [f"{n:08d}-0000-4000-8000-000000000000" for n in range(10)]

    for person in people:
        response = await client.post(
            "/api/messages", json=builders.message("help", url, user=person)
        )
        assert response.status == 201

    authentication: Any = client.server.app[ADAPTER_KEY].bot_framework_authentication
    assert isinstance(authentication, ReusingAuthentication)
    assert authentication.clients_built == 2
    assert len(fake.take()) == 10
