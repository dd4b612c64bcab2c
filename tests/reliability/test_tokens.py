"""With credentials configured, only a token Bot Framework would send gets in.

The Bot Framework's signing keys are served by a local fake of its OpenID metadata endpoint (the
only thing replaced); each token below is made and signed here.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime
from typing import Any

import jwt
import pytest
from aiohttp.test_utils import TestClient, TestServer
from botframework.connector.auth.jwt_token_extractor import _OpenIdMetadata
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from bot.storage.store import Store
from bot.teams.app import create_app
from ehcp_rules import Service
from tests import builders
from tests.fakes import FakeConnector

APP_ID = "11111111-2222-4333-8444-555555555555"
ISSUER = "https://api.botframework.com"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ANOTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(autouse=True)
def bot_framework_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bot Framework's published keys, as its metadata endpoint would give them: ours."""
    published = json.loads(RSAAlgorithm.to_jwk(KEY.public_key()))
    published |= {"kid": "bf-key", "endorsements": ["msteams"]}

    async def refresh(self: _OpenIdMetadata) -> None:
        self.keys = [published]
        self.last_updated = datetime.now()  # noqa: DTZ005 (the SDK compares naive times)

    monkeypatch.setattr(_OpenIdMetadata, "_refresh", refresh)


def _token(service_url: str, *, key: Any = KEY, **claims: Any) -> str:
    now = int(time.time())
    payload = {
        "iss": ISSUER,
        "aud": APP_ID,
        "nbf": now - 60,
        "exp": now + 3600,
        "serviceurl": service_url,
    } | claims
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": "bf-key"})


@pytest.mark.parametrize(
    ("case", "make"),
    [
        ("no token", lambda url: None),
        ("not a token", lambda url: "not-a-jwt"),
        ("signed by another key", lambda url: _token(url, key=ANOTHER_KEY)),
        ("for another bot", lambda url: _token(url, aud="99999999-2222-4333-8444-555555555555")),
        ("expired", lambda url: _token(url, exp=int(time.time()) - 600)),
        ("from another issuer", lambda url: _token(url, iss="https://evil.example")),
        ("for another service URL", lambda url: _token("https://elsewhere.example/")),
    ],
)
async def test_a_request_without_a_good_token_gets_401_and_nothing_happens(
    store: Store,
    slt: Service,
    connector: tuple[FakeConnector, str],
    case: str,
    make: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake, url = connector
    settings = builders.settings(
        app_id=APP_ID, app_password="secret", app_tenant_id=builders.TENANT
    )
    client = TestClient(TestServer(create_app(settings, store=store)))
    await client.start_server()
    token = make(url)
    headers = {"Authorization": f"Bearer {token}"} if token else {}

    with caplog.at_level(logging.DEBUG):
        response = await client.post(
            "/api/messages", json=builders.message("start assessment", url), headers=headers
        )
    await client.close()

    assert response.status == 401, case
    assert not token or token not in caplog.text  # a token never reaches the log
    assert fake.take() == []
    assert store.call(lambda r: r.assessments.in_progress(slt.id)) is None


async def test_a_good_token_gets_in(
    store: Store, slt: Service, connector: tuple[FakeConnector, str]
) -> None:
    _, url = connector
    settings = builders.settings(
        app_id=APP_ID, app_password="secret", app_tenant_id=builders.TENANT
    )
    client = TestClient(TestServer(create_app(settings, store=store)))
    await client.start_server()

    response = await client.post(
        "/api/messages",
        json=builders.message("start assessment", url),
        headers={"Authorization": f"Bearer {_token(url)}"},
    )
    await client.close()

    assert response.status != 401
    assert store.call(lambda r: r.assessments.in_progress(slt.id)) is not None


@pytest.mark.parametrize(
    ("case", "kid", "channel"),
    [
        ("a signing key Bot Framework never published", "some-other-key", "msteams"),
        ("a channel the key does not endorse", "bf-key", "webchat"),
        ("the control: a good token from Teams", "bf-key", "msteams"),
    ],
)
async def test_an_unknown_key_or_an_unendorsed_channel_gets_401_not_500(
    store: Store,
    slt: Service,
    connector: tuple[FakeConnector, str],
    case: str,
    kid: str,
    channel: str,
) -> None:
    _, url = connector
    settings = builders.settings(
        app_id=APP_ID, app_password="secret", app_tenant_id=builders.TENANT
    )
    client = TestClient(TestServer(create_app(settings, store=store)))
    await client.start_server()
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": APP_ID, "nbf": now - 60, "exp": now + 3600, "serviceurl": url}
    token = jwt.encode(claims, KEY, algorithm="RS256", headers={"kid": kid})

    response = await client.post(
        "/api/messages",
        json=builders.message("help", url) | {"channelId": channel},
        headers={"Authorization": f"Bearer {token}"},
    )
    await client.close()

    assert response.status == (201 if case.startswith("the control") else 401), case
