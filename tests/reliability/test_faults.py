"""Faults and bad input: a clear answer to the person, nothing half-written, nothing lost."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import sqlite3
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.storage.store import Store
from bot.teams.app import apologise, create_app
from ehcp_rules import Service
from tests import builders
from tests.bot.conftest import Chat, cards_of, texts_of
from tests.builders import ALEX, SAM
from tests.fakes import FakeConnector, sqlite_file

APOLOGY = "Sorry, something went wrong on my side"
TODAY = date(2026, 11, 23)
WEEKS_AGO = TODAY - timedelta(weeks=8)


def _answers(store: Store) -> list[tuple[Any, ...]]:
    return store.call(
        lambda r: r.db.execute("SELECT question, rating, comment FROM answers").fetchall()
    )


def _audit(store: Store) -> int:
    return int(store.call(lambda r: r.db.execute("SELECT count(*) FROM audit").fetchone()[0]))


async def test_a_locked_database_gets_a_try_again_and_writes_nothing_half(
    store: Store, slt: Service
) -> None:
    chat = Chat(store)
    chat.adapter.on_turn_error = apologise
    store.call(lambda r: r.db.execute("PRAGMA busy_timeout = 200"))
    await chat.say("start assessment")
    audit_before = _audit(store)
    other = sqlite3.connect(sqlite_file(store), isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")

    locked = await chat.press("Save answer", rating="no", comment="Waiting list over 18 weeks.")
    other.execute("ROLLBACK")
    other.close()
    saved = await chat.press("Save answer", rating="no", comment="Waiting list over 18 weeks.")

    assert texts_of(locked)[0].startswith(APOLOGY)
    assert "please try again" in texts_of(locked)[0]
    assert len(cards_of(saved)) == 1 and not any(APOLOGY in t for t in texts_of(saved))
    assert _answers(store) == [(1, "no", "Waiting list over 18 weeks.")]
    assert _audit(store) == audit_before + 1  # the answer and its audit row, once


class Waits:
    """How the app's retries wait, recorded instead of slept (the one wiring takes a sleep)."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.seconds.append(seconds)


@pytest.fixture
async def patient(
    store: Store, slt: Service
) -> AsyncIterator[tuple[TestClient[web.Request, web.Application], Waits]]:
    """The bot's HTTP endpoint, whose retries are recorded rather than waited out."""
    waits = Waits()
    started = TestClient(
        TestServer(create_app(builders.settings(), store=store, sleep=waits.sleep))
    )
    await started.start_server()
    yield started, waits
    await started.close()


async def test_a_reply_the_connector_refuses_is_logged_and_the_answer_is_kept(
    patient: tuple[TestClient[web.Request, web.Application], Waits],
    connector: tuple[FakeConnector, str],
    store: Store,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, waits = patient
    fake, url = connector
    await client.post("/api/messages", json=builders.message("start assessment", url))
    value = dict(fake.take()[1].cards[0]["actions"][0]["data"])
    fake.fail_next(429, times=10, Retry_After="1")

    with caplog.at_level(logging.WARNING):
        response = await client.post(
            "/api/messages",
            json=builders.submission(value | {"rating": "yes", "comment": "Log kept"}, "1:c", url),
        )

    assert response.status < 500
    assert "turn failed, reference" in caplog.text
    assert "could not send the apology" in caplog.text
    assert waits.seconds == [1.0, 1.0, 1.0, 1.0]  # Retry-After, twice for the card and the apology
    assert _answers(store) == [(1, "yes", "Log kept")]


RATINGS = st.one_of(
    st.sampled_from(["yes", "emerging", "no", "YES", "maybe", "", "null"]),
    st.integers(),
    st.none(),
    st.lists(st.text(max_size=3), max_size=2),
)
COMMENTS = st.one_of(
    st.text(max_size=2400),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50),
    st.sampled_from(["<b>bold</b><script>x</script>", "**x** [a](http://x)", "\x00\x1b[31m"]),
    st.integers(),
    st.none(),
)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    rating=RATINGS,
    comment=COMMENTS,
    question=st.one_of(st.integers(-3, 40), st.text(max_size=3), st.none()),
    extra=st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=2),
    drop=st.sampled_from([None, "assessment", "question", "ehcp"]),
)
def test_any_card_submission_gets_an_answer_and_stores_only_valid_answers(
    store: Store,
    slt: Service,
    rating: Any,
    comment: Any,
    question: Any,
    extra: dict[str, str],
    drop: str | None,
) -> None:
    async def run() -> None:
        chat = Chat(store)
        chat.adapter.on_turn_error = apologise
        await chat.say("start assessment")
        card = chat.last_card
        assert card is not None
        data = dict(card["actions"][0]["data"])
        value = extra | data | {"rating": rating, "comment": comment, "question": question}
        if drop:
            value.pop(drop, None)
        replies = await chat.submit_value(value, reply_to_id=chat.last_card_id)
        assert replies, "every submission gets an answer"
        assert not any(APOLOGY in t for t in texts_of(replies)), value
        for stored_question, stored_rating, stored_comment in _answers(store):
            assert 1 <= stored_question <= 23
            assert stored_rating in ("yes", "emerging", "no")
            assert len(stored_comment) <= 2000

    asyncio.run(run())


async def test_two_people_answering_one_question_both_kept_and_the_second_told(
    store: Store, slt: Service
) -> None:
    sam, alex = Chat(store, user=SAM), Chat(store, user=ALEX)
    await sam.say("start assessment")
    await alex.say("start assessment")  # the same assessment, at the same question

    first, second = await asyncio.gather(
        sam.press("Save answer", rating="yes", comment="Flowchart agreed in March."),
        alex.press("Save answer", rating="emerging", comment="Flowchart still in draft."),
    )

    told = [t for t in texts_of(first) + texts_of(second) if t.startswith("Note: a colleague")]
    history = store.call(
        lambda r: r.db.execute(
            "SELECT rating FROM answers WHERE question = 1 ORDER BY id"
        ).fetchall()
    )
    assert len(told) == 1
    assert sorted(history) == [("emerging",), ("yes",)]


async def test_a_full_disk_gets_a_try_again_and_writes_nothing_half(
    store: Store, slt: Service
) -> None:
    chat = Chat(store)
    chat.adapter.on_turn_error = apologise
    await chat.say("start assessment")
    pages = store.call(lambda r: r.db.execute("PRAGMA page_count").fetchone()[0])
    store.call(lambda r: r.db.execute(f"PRAGMA max_page_count = {pages}"))  # the disk is full
    long = "Evidence: " + "the weekly log was reviewed and signed off. " * 40
    refused: list[str] = []
    for question in range(1, 24):
        answers, audit = len(_answers(store)), _audit(store)
        replies = texts_of(await chat.press("Save answer", rating="yes", comment=long[:1990]))
        if any(APOLOGY in t for t in replies):
            refused = replies
            assert (len(_answers(store)), _audit(store)) == (answers, audit), question
            break
    store.call(lambda r: r.db.execute("PRAGMA max_page_count = 1073741823"))
    retried = await chat.press("Save answer", rating="yes", comment="After the disk was cleared.")

    assert refused and "please try again" in refused[0]
    assert not any(APOLOGY in t for t in texts_of(retried))
    assert _answers(store)[-1][2] == "After the disk was cleared."


def _without(activity: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in activity.items() if k not in keys}


@pytest.mark.parametrize(
    ("case", "make", "status"),
    [
        ("a 10 MB body", lambda url: {"type": "message", "text": "x" * 10_000_000}, 413),
        ("no from", lambda url: _without(builders.message("help", url), "from"), 400),
        (
            "no conversation",
            lambda url: _without(builders.message("help", url), "conversation"),
            400,
        ),
        ("no serviceUrl", lambda url: _without(builders.message("help", url), "serviceUrl"), 400),
        # accepted and ignored, as the Bot Framework protocol has it for types a bot does not use
        ("an unknown type", lambda url: builders.message("help", url) | {"type": "x"}, 201),
        # read as the text "7" (msrest's own reading), and answered as an unknown command
        ("a number for text", lambda url: builders.message("help", url) | {"text": 7}, 201),
    ],
)
async def test_malformed_activities_get_a_plain_status_and_write_nothing(
    client: TestClient[web.Request, web.Application],
    connector: tuple[FakeConnector, str],
    store: Store,
    case: str,
    make: Any,
    status: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _, url = connector
    audit = _audit(store)

    with caplog.at_level(logging.ERROR):
        body = io.BytesIO(json.dumps(make(url)).encode())
        response = await client.post(
            "/api/messages", data=body, headers={"Content-Type": "application/json"}
        )

    assert response.status == status, case
    assert "turn failed" not in caplog.text, case
    assert _audit(store) == audit


async def test_a_reply_the_connector_fails_twice_is_retried_and_arrives(
    patient: tuple[TestClient[web.Request, web.Application], Waits],
    connector: tuple[FakeConnector, str],
    store: Store,
) -> None:
    client, waits = patient
    fake, url = connector
    fake.fail_next(500, times=2)

    response = await client.post("/api/messages", json=builders.message("help", url))

    posts = [s for s in fake.take() if s.method == "POST"]
    assert response.status < 300
    assert len(posts) == 3 and posts[-1].cards[0]["body"][0]["text"] == "What you can do here"
    assert waits.seconds == [0.5, 1.0]


async def test_nothing_personal_reaches_the_log_at_any_level(
    client: TestClient[web.Request, web.Application],
    connector: tuple[FakeConnector, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    _, url = connector
    secret_comment, case = "Mother reports the waiting list is too long", "LA-2026-7731"

    with caplog.at_level(logging.DEBUG):
        await client.post("/api/messages", json=builders.message("start assessment", url))
        await client.post("/api/messages", json=builders.message(f"return {case}", url))
        await client.post("/api/messages", json=builders.message(f"overdue {case}", url))
        started = [s for s in connector[0].take() if s.cards]
        data = next(
            a["data"] for s in started for c in s.cards for a in c.get("actions", [])
            if a["title"] == "Save answer"
        )  # fmt: skip
        await client.post(
            "/api/messages",
            json=builders.submission(data | {"rating": "no", "comment": secret_comment}, "1", url),
        )

    assert caplog.records, "the turns were logged"
    assert secret_comment not in caplog.text
    assert case not in caplog.text


async def test_a_reply_the_connector_never_answers_is_given_up_on_and_logged(
    store: Store, slt: Service, caplog: pytest.LogCaptureFixture
) -> None:
    released = asyncio.Event()
    arrived: list[str] = []

    async def hang(request: web.Request) -> web.Response:
        arrived.append(request.method)
        await released.wait()
        return web.json_response({"id": "late"})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", hang)
    connector = TestServer(app)
    await connector.start_server()
    bot = create_app(builders.settings(connector_timeout=0.3), store=store)
    client = TestClient(TestServer(bot))
    await client.start_server()

    with caplog.at_level(logging.ERROR):
        response = await client.post(
            "/api/messages", json=builders.message("start assessment", str(connector.make_url("/")))
        )
    await client.close()
    released.set()
    await connector.close()

    assert response.status < 500
    assert "turn failed, reference" in caplog.text
    assert arrived == ["POST", "POST"]  # the card once (never again), then the apology once
    assert store.call(lambda r: r.assessments.in_progress(slt.id)) is not None  # work kept
