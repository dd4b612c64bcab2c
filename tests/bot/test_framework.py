"""The framework fixes: guarded by version, switchable, undoable, and differential-tested against
the stock functions they replace (each patched function: the same result as stock, or at least
never a wrong one)."""

from __future__ import annotations

import copy
import json
import logging
import types
from datetime import UTC
from enum import Enum, IntEnum, StrEnum
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from botbuilder import schema
from botbuilder.core.bot_state import CachedBotState
from botbuilder.schema import teams
from hypothesis import given, settings
from hypothesis import strategies as st
from msrest.serialization import Deserializer, Serializer
from msrest.universal_http.requests import ClientRetryPolicy

from bot.storage.store import Store
from bot.teams import fixes
from bot.teams.app import WIRING_KEY, create_app
from bot.teams.connector import ConnectorAuthentication
from tests import builders
from tests.fakes import FakeConnector

STOCK = {name: value for (_, name), value in fixes._STOCK.items()}


def _patched_now() -> dict[str, Any]:
    return {
        "safe_codes": ClientRetryPolicy.safe_codes,
        "serialize_object": Serializer.serialize_object,
        "_serialize": Serializer._serialize,
        "deserialize_object": Deserializer.deserialize_object,
        "compute_hash": CachedBotState.compute_hash,
    }


def test_the_fixes_install_on_the_versions_they_were_written_for_and_come_off_again() -> None:
    assert fixes.apply(True) is True
    patched = _patched_now()
    fixes.uninstall()
    stock = _patched_now()

    assert all(patched[name] is not STOCK[name] for name in STOCK)
    assert all(stock[name] is STOCK[name] for name in STOCK)
    assert not fixes.installed()


def test_on_another_version_the_stock_framework_runs_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    newer = {**fixes.WRITTEN_FOR, "msrest": "0.7.2"}
    fixes.install()

    with caplog.at_level(logging.WARNING):
        first = fixes.apply(True, installed=newer.__getitem__)
        second = fixes.apply(True, installed=newer.__getitem__)

    assert (first, second) == (False, False)
    assert all(_patched_now()[name] is STOCK[name] for name in STOCK)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "framework fixes are off, the stock framework runs: msrest is 0.7.2, "
        "the fixes were written for 0.7.1"
    ]


def test_switched_off_the_stock_framework_runs() -> None:
    fixes.install()

    assert fixes.apply(False) is False
    assert all(_patched_now()[name] is STOCK[name] for name in STOCK)


def test_the_retry_policy_is_unchanged_by_the_fixes() -> None:
    fixes.uninstall()
    expected = list(ClientRetryPolicy().policy.status_forcelist)

    fixes.install()
    fixes.install()  # twice is harmless

    assert isinstance(ClientRetryPolicy.safe_codes, frozenset)
    assert list(ClientRetryPolicy().policy.status_forcelist) == expected
    assert 408 in expected and 500 in expected and 429 not in expected


@pytest.mark.parametrize("fixed", [True, False], ids=["fixes on", "fixes off"])
async def test_turns_answer_with_clients_shared_only_when_the_fixes_are_on(
    store: Store, connector: tuple[FakeConnector, str], fixed: bool
) -> None:
    fake, url = connector
    app = create_app(builders.settings(framework_fixes=fixed), store=store)
    client = TestClient(TestServer(app))
    await client.start_server()
    people = [f"{n:08d}-0000-4000-8000-000000000000" for n in range(10)]

    statuses = [
        (await client.post("/api/messages", json=builders.message("help", url, user=p))).status
        for p in people
    ]
    authentication = app[WIRING_KEY].authentication
    shared = authentication.clients_built
    await client.close()

    assert statuses == [201] * 10
    assert isinstance(authentication, ConnectorAuthentication)
    assert fixes.installed() is fixed
    assert shared == (2 if fixed else 0)  # one connector client and one token client
    assert len([s for s in fake.take() if s.method == "POST"]) == 10


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


class _Kind(str, Enum):  # noqa: UP042 (as a library written before StrEnum would)
    CARD = "card"


class _Rating(StrEnum):
    YES = "yes"


class _Count(IntEnum):
    ONE = 1


class _Text(str):
    """A str subclass, as a library might hand one over."""


_unusual = (
    st.datetimes(timezones=st.just(UTC))
    | st.just(float("nan"))
    | st.just({1: "x"})
    | st.sampled_from([_Kind.CARD, _Rating.YES, _Count.ONE, _Text("x"), (1, "a"), ()])
    | st.lists(st.integers(), max_size=2).map(tuple)
)
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


def _serializers() -> tuple[Serializer, Serializer]:
    """A connector serializer with msrest's own walks, and one with the fixes' walks."""
    fixes.uninstall()
    shipped = Serializer(_MODELS)  # binds serialize_object now
    fixes.install()
    fast = Serializer(_MODELS)
    shipped._serialize = types.MethodType(fixes._serialize_model, shipped)  # type: ignore[method-assign]
    fast._serialize = types.MethodType(fixes._models_first, fast)  # type: ignore[method-assign]
    return shipped, fast


def _outcome(work: Any) -> Any:
    try:
        return json.dumps(work(), sort_keys=True, default=repr)
    except Exception as error:  # the same refusal counts as the same result
        return type(error)


@settings(max_examples=300, deadline=None)
@given(activity=_activities)
def test_activities_are_serialised_exactly_as_msrest_does(activity: schema.Activity) -> None:
    shipped, fast = _serializers()

    assert _outcome(lambda: fast.body(copy.deepcopy(activity), "Activity")) == _outcome(
        lambda: shipped.body(copy.deepcopy(activity), "Activity")
    )


@settings(max_examples=300, deadline=None)
@given(activity=_activities)
def test_activities_are_read_exactly_as_msrest_reads_them(activity: schema.Activity) -> None:
    shipped, _ = _serializers()
    try:
        body = shipped.body(copy.deepcopy(activity), "Activity")
    except Exception:
        return  # msrest would not send it, so it is never received either
    fixes.uninstall()
    stock = Deserializer(_MODELS)
    fixes.install()
    fast = Deserializer(_MODELS)

    def read(deserializer: Deserializer) -> Any:
        return _outcome(lambda: deserializer("Activity", copy.deepcopy(body)).as_dict())

    assert read(fast) == read(stock)


@settings(max_examples=300, deadline=None)
@given(value=_object | _unusual | st.lists(_unusual, max_size=2))
def test_plain_values_inside_an_activity_are_read_as_msrest_reads_them(value: Any) -> None:
    fixes.uninstall()
    stock = Deserializer(_MODELS)
    fixes.install()
    fast = Deserializer(_MODELS)

    assert _outcome(lambda: fast.deserialize_object(copy.deepcopy(value))) == _outcome(
        lambda: stock.deserialize_object(copy.deepcopy(value))
    )
