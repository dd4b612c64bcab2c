"""The framework fixes: the same retry policy, faster; one connector client shared by all turns."""

from __future__ import annotations

import copy
import json
import types
from datetime import UTC
from typing import Any

from aiohttp.test_utils import TestClient
from botbuilder import schema
from botbuilder.schema import teams
from hypothesis import given, settings
from hypothesis import strategies as st
from msrest.serialization import Serializer
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


def _msrest_as_shipped() -> Any:
    """A connector serializer built with msrest's own walks (before the speed-up)."""
    from bot import framework

    patched = Serializer.serialize_object
    Serializer.serialize_object = framework._serialize_object  # type: ignore[method-assign]
    try:
        serializer = Serializer(_MODELS)  # binds serialize_object now
    finally:
        Serializer.serialize_object = patched  # type: ignore[method-assign]
    serializer._serialize = types.MethodType(framework._serialize_model, serializer)
    return serializer


_MODELS = {k: v for k, v in vars(schema).items() if isinstance(v, type)} | {
    k: v for k, v in vars(teams).items() if isinstance(v, type)
}
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=12,
)
_unusual = st.datetimes(timezones=st.just(UTC)) | st.just(float("nan")) | st.just({1: "x"})
_object = _json | st.dictionaries(st.text(max_size=4), _json | _unusual, max_size=3)
_account = st.builds(
    schema.ChannelAccount, id=st.text(max_size=6), name=st.none() | st.text(max_size=6)
) | st.builds(
    teams.TeamsChannelAccount,
    id=st.text(max_size=6),
    aad_object_id=st.none() | st.uuids().map(str),
    user_principal_name=st.none() | st.integers(),  # a number where a string is declared
)
_activities = st.builds(
    schema.Activity,
    type=st.sampled_from([None, "message", schema.ActivityTypes.message, "invoke"]),
    id=st.none() | st.text(max_size=6),
    text=st.none() | st.text(max_size=20),
    timestamp=st.none() | st.datetimes(timezones=st.just(UTC)),
    from_property=st.none() | _account,
    recipient=st.none() | _account,
    conversation=st.none()
    | st.builds(schema.ConversationAccount, id=st.text(max_size=6), is_group=st.booleans()),
    attachments=st.none()
    | st.lists(
        st.none() | st.builds(schema.Attachment, content_type=st.text(max_size=8), content=_object),
        max_size=2,
    ),
    entities=st.none() | st.lists(st.builds(schema.Entity, type=st.text(max_size=5)), max_size=2),
    channel_data=st.none() | _object,
    value=st.none() | _object,
    importance=st.none() | st.sampled_from(list(schema.ActivityImportance)),
    suggested_actions=st.none()
    | st.builds(
        schema.SuggestedActions,
        to=st.none() | st.lists(st.text(max_size=4), max_size=2),
        actions=st.lists(
            st.builds(schema.CardAction, type=st.just("imBack"), title=st.text(max_size=4)),
            max_size=2,
        ),
    ),
)


@settings(max_examples=300, deadline=None)
@given(activity=_activities)
def test_activities_are_serialised_exactly_as_msrest_does(activity: schema.Activity) -> None:
    speed_up_msrest()
    shipped = _msrest_as_shipped()
    fast = Serializer(_MODELS)

    def outcome(serializer: Any) -> Any:
        try:
            return json.dumps(serializer.body(copy.deepcopy(activity), "Activity"), sort_keys=True)
        except Exception as error:  # the same refusal counts as the same result
            return type(error)

    assert outcome(fast) == outcome(shipped)
