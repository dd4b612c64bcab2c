"""One contract for botbuilder's MemoryStorage and our SqliteStorage, on SQLite and on PostgreSQL:
the same e_tag behaviour."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from botbuilder.core import MemoryStorage, Storage, StoreItem
from botbuilder.dialogs import DialogInstance, DialogState

from bot.storage.bot_state import SqliteStorage, StateConflict, _write_rows
from bot.storage.database import OpenDatabase, open_database
from bot.storage.dialect import POSTGRESQL
from bot.storage.postgres import PostgresDatabase
from tests.fakes import FakeClock

Opener = Callable[[], OpenDatabase]
"""Opens the test's one database (again, after a restart)."""


ON_POSTGRESQL = pytest.param("postgresql", marks=pytest.mark.postgres)


def _opener(request: pytest.FixtureRequest, tmp_path: Path) -> Opener:
    if request.param == "sqlite":
        return lambda: open_database(tmp_path / "state.db")
    url = request.getfixturevalue("postgres")
    return lambda: open_database(url)


@pytest.fixture(params=["sqlite", ON_POSTGRESQL])
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Opener:
    """The same database each call: a SQLite file, or a PostgreSQL database of the test's own."""
    return _opener(request, tmp_path)


@pytest.fixture(params=["memory", "sqlite", ON_POSTGRESQL])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    if request.param == "memory":
        yield MemoryStorage()
        return
    database = _opener(request, tmp_path)()
    yield SqliteStorage(database, clock=FakeClock())
    database.close()


async def _e_tag_after_two_writes(storage: Storage, key: str) -> str:
    """The framework issues an e_tag only once a stored item has one: write twice with '*'."""
    await storage.write({key: {"e_tag": "*", "count": 1}})
    await storage.write({key: {"e_tag": "*", "count": 2}})
    e_tag = (await storage.read([key]))[key]["e_tag"]
    assert e_tag not in (None, "", "*")
    return str(e_tag)


def _without_e_tags(items: dict[str, Any]) -> dict[str, Any]:
    """What was read, without the e_tags ours issues on every write (MemoryStorage does not)."""
    return {key: {k: v for k, v in value.items() if k != "e_tag"} for key, value in items.items()}


async def test_reading_missing_or_no_keys_gives_nothing(storage: Storage) -> None:
    assert await storage.read(["nothing-here"]) == {}
    assert await storage.read([]) == {}


async def test_what_is_written_is_read_back(storage: Storage) -> None:
    await storage.write({"conversation/1": {"dialog": {"step": 7}, "answers": {3: "yes"}}})

    read = await storage.read(["conversation/1", "missing"])

    assert _without_e_tags(read) == {
        "conversation/1": {"dialog": {"step": 7}, "answers": {3: "yes"}}
    }


async def test_a_store_item_object_comes_back_with_its_attributes(storage: Storage) -> None:
    await storage.write({"item": StoreItem(colour="green", count=3)})

    item = (await storage.read(["item"]))["item"]

    assert (item.colour, item.count) == ("green", 3)


async def test_a_write_with_the_current_e_tag_succeeds_and_issues_a_new_one(
    storage: Storage,
) -> None:
    e_tag = await _e_tag_after_two_writes(storage, "k")

    await storage.write({"k": {"e_tag": e_tag, "count": 3}})

    after = (await storage.read(["k"]))["k"]
    assert after["count"] == 3
    assert after["e_tag"] != e_tag


async def test_a_stale_e_tag_raises_and_leaves_the_stored_item_alone(storage: Storage) -> None:
    e_tag = await _e_tag_after_two_writes(storage, "k")
    await storage.write({"k": {"e_tag": e_tag, "count": 3}})

    with pytest.raises(KeyError, match="Etag conflict"):
        await storage.write({"k": {"e_tag": e_tag, "count": 99}})

    assert (await storage.read(["k"]))["k"]["count"] == 3


async def test_two_writers_with_the_same_e_tag_one_wins_one_raises(storage: Storage) -> None:
    e_tag = await _e_tag_after_two_writes(storage, "k")

    results = await asyncio.gather(
        storage.write({"k": {"e_tag": e_tag, "writer": "a"}}),
        storage.write({"k": {"e_tag": e_tag, "writer": "b"}}),
        return_exceptions=True,
    )

    failures = [r for r in results if isinstance(r, KeyError)]
    assert len(failures) == 1
    winner = "a" if results[0] is None else "b"
    assert (await storage.read(["k"]))["k"]["writer"] == winner


async def test_a_star_e_tag_always_overwrites(storage: Storage) -> None:
    await _e_tag_after_two_writes(storage, "k")

    await storage.write({"k": {"e_tag": "*", "count": 42}})

    assert (await storage.read(["k"]))["k"]["count"] == 42


async def test_in_memory_an_item_without_e_tag_is_last_writer_wins() -> None:
    storage = MemoryStorage()
    await storage.write({"k": {"count": 1}})
    await storage.write({"k": {"count": 2}})

    assert (await storage.read(["k"]))["k"] == {"count": 2}


# Ours, where it differs (bot.storage.bot_state): the stored item's e_tag against the written
# one's -> what happens. Worked by hand from the rules in its docstring: every write issues an
# e_tag; None means "I found nothing"; "*" overwrites; a row from before has no e_tag.
@pytest.mark.parametrize(
    ("stored", "written", "outcome"),
    [
        ("absent", None, "written"),  # a new key
        ("absent", "*", "written"),
        ("absent", "stale", "written"),  # deleted meanwhile: as MemoryStorage, written
        ("issued", None, "conflict"),  # stored by another since this writer found nothing
        ("issued", "*", "written"),
        ("issued", "issued", "written"),
        ("issued", "stale", "conflict"),
        ("none (before this release)", None, "written"),
        ("none (before this release)", "stale", "written"),
    ],
)
async def test_what_a_write_does_given_the_stored_and_written_e_tags(
    opener: Opener, stored: str, written: str | None, outcome: str
) -> None:
    database = opener()
    storage = SqliteStorage(database, clock=FakeClock())
    issued = None
    if stored == "issued":
        await storage.write({"k": {"count": 1}})
        issued = (await storage.read(["k"]))["k"]["e_tag"]
    elif stored.startswith("none"):
        database.call(
            lambda db: db.execute(
                "INSERT INTO bot_state (key, e_tag, document, updated_at) "
                "VALUES ('k', NULL, '{\"count\": 1}', 'then')"
            )
        )
    offered = {"issued": issued}.get(str(written), written)

    async def write() -> None:
        change: dict[str, Any] = {"count": 2} | ({} if offered is None else {"e_tag": offered})
        await storage.write({"k": change})

    if outcome == "conflict":
        with pytest.raises(StateConflict, match="Etag conflict"):
            await write()
        assert (await storage.read(["k"]))["k"]["count"] == 1
    else:
        await write()
        after = (await storage.read(["k"]))["k"]
        assert after["count"] == 2
        assert after["e_tag"] not in (None, "", "*", offered, issued)  # a new one, every write
    database.close()


async def test_two_instances_writing_a_new_key_at_once_one_wins_one_raises(
    opener: Opener,
) -> None:
    """Both found nothing (a conversation's first turn, taken on two instances at once)."""
    databases = [opener(), opener()]
    storages = [SqliteStorage(database, clock=FakeClock()) for database in databases]

    results = await asyncio.gather(
        *(s.write({"k": {"writer": n}}) for n, s in enumerate(storages)),
        return_exceptions=True,
    )

    assert sorted(type(r).__name__ for r in results) == ["NoneType", "StateConflict"]
    winner = results.index(None)
    assert (await storages[1 - winner].read(["k"]))["k"]["writer"] == winner
    for database in databases:
        database.close()


async def test_two_turns_of_one_conversation_on_two_instances_one_is_kept_whole(
    opener: Opener,
) -> None:
    """ConversationState as the bot uses it: each instance reads the state at the start of its
    turn and writes it back at the end. The turn that writes second raises; the first's stands."""
    from botbuilder.core import ConversationState, TurnContext
    from botbuilder.schema import Activity, ChannelAccount, ConversationAccount

    databases = [opener(), opener()]
    states = [ConversationState(SqliteStorage(d, clock=FakeClock())) for d in databases]
    answers = [state.create_property("answers") for state in states]
    activity = Activity(
        type="message",
        channel_id="msteams",
        conversation=ConversationAccount(id="a:1"),
        from_property=ChannelAccount(id="29:1"),
        recipient=ChannelAccount(id="28:bot"),
    )

    async def turn(n: int, answer: str, first_turn: bool) -> TurnContext:
        context = TurnContext(_NoAdapter(), activity)
        await states[n].load(context)
        given = await answers[n].get(context, dict)
        given[answer] = n
        await answers[n].set(context, given)
        return context

    for first_turn in (True, False):  # the conversation's very first turn, then a later one
        a = await turn(0, f"a{first_turn}", first_turn)
        b = await turn(1, f"b{first_turn}", first_turn)  # read before a's turn is written
        await states[0].save_changes(a)
        with pytest.raises(StateConflict):
            await states[1].save_changes(b)
        check = TurnContext(_NoAdapter(), activity)
        await states[1].load(check, force=True)
        assert f"a{first_turn}" in await answers[1].get(check, dict)
        assert f"b{first_turn}" not in await answers[1].get(check, dict)
    for database in databases:
        database.close()


class _NoAdapter:
    """TurnContext needs an adapter; these turns send nothing."""


async def test_an_empty_e_tag_is_refused(storage: Storage) -> None:
    with pytest.raises(Exception, match="etag missing"):
        await storage.write({"k": {"e_tag": "", "count": 1}})


async def test_writing_nothing_is_refused_and_writing_an_empty_batch_does_nothing(
    storage: Storage,
) -> None:
    with pytest.raises(Exception, match="Changes are required"):
        await storage.write(None)
    await storage.write({})

    assert await storage.read(["k"]) == {}


async def test_deleted_items_are_gone_and_deleting_a_missing_key_is_fine(storage: Storage) -> None:
    await storage.write({"a": {"n": 1}, "b": {"n": 2}})

    await storage.delete(["a", "never-written"])

    assert _without_e_tags(await storage.read(["a", "b"])) == {"b": {"n": 2}}


async def test_the_callers_object_is_not_changed_by_a_write(storage: Storage) -> None:
    e_tag = await _e_tag_after_two_writes(storage, "k")
    change: dict[str, Any] = {"e_tag": e_tag, "count": 5}

    await storage.write({"k": change})

    assert change == {"e_tag": e_tag, "count": 5}


async def test_a_dialog_stack_survives_a_restart(opener: Opener) -> None:
    stack = DialogState([DialogInstance("SelfAssessmentDialog", {"question": 12})])
    first = opener()
    await SqliteStorage(first, clock=FakeClock()).write(
        {"conversation/abc": {"DialogState": stack}}
    )
    first.close()

    second = opener()
    restored = (await SqliteStorage(second, clock=FakeClock()).read(["conversation/abc"]))[
        "conversation/abc"
    ]
    second.close()

    instance = restored["DialogState"].dialog_stack[0]
    assert isinstance(restored["DialogState"], DialogState)
    assert (instance.id, instance.state) == ("SelfAssessmentDialog", {"question": 12})


async def test_a_failing_batch_writes_none_of_its_items(opener: Opener) -> None:
    database = opener()
    storage = SqliteStorage(database, clock=FakeClock())
    e_tag = await _e_tag_after_two_writes(storage, "k")
    await storage.write({"k": {"e_tag": e_tag, "count": 3}})

    with pytest.raises(KeyError):
        await storage.write({"fresh": {"n": 1}, "k": {"e_tag": e_tag, "count": 4}})

    assert await storage.read(["fresh"]) == {}
    database.close()


@pytest.mark.postgres
async def test_a_writer_waits_for_another_on_the_same_key_then_sees_its_e_tag(
    postgres: Any,
) -> None:
    """Two instances on one PostgreSQL database: the second writer of a key checks its e_tag
    against what the first wrote, not against what was there when it began. The first holds
    its transaction open until the second is seen waiting for the row."""
    database = open_database(postgres)
    assert isinstance(database, PostgresDatabase)
    storage = SqliteStorage(database, clock=FakeClock())
    e_tag = await _e_tag_after_two_writes(storage, "k")
    second: list[BaseException | None] = []
    first_wrote = threading.Event()

    def first(db: Any) -> None:
        with db.atomic():
            _write_rows(db, {"k": {"e_tag": e_tag, "writer": "first"}}, "now", POSTGRESQL)
            first_wrote.set()
            assert _until(lambda: _waiting_for_a_lock(db)), "the second writer never waited"

    def write_second() -> None:
        first_wrote.wait(5)
        try:
            database.call(
                lambda db: _write_rows(
                    db, {"k": {"e_tag": e_tag, "writer": "second"}}, "now", POSTGRESQL
                )
            )
            second.append(None)
        except KeyError as error:
            second.append(error)

    thread = threading.Thread(target=write_second)
    thread.start()
    database.call(first)
    thread.join(10)

    assert isinstance(second[0], KeyError)
    assert (await storage.read(["k"]))["k"]["writer"] == "first"
    database.close()


def _waiting_for_a_lock(db: Any) -> bool:
    db.execute("SELECT pg_stat_clear_snapshot()")  # else the first look holds for the transaction
    query = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
    return int(db.execute(query).fetchone()[0]) > 0


def _until(condition: Callable[[], bool], seconds: float = 3) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


async def test_on_sqlite_a_writer_overtaken_between_its_read_and_its_write_gets_a_conflict(
    tmp_path: Path,
) -> None:
    """Two instances on one SQLite file: the second writer of a new key comes in after the
    first has looked for it and before it writes. The first writes; the second, waiting for
    SQLite's write lock, then finds the key stored and raises its conflict (it once failed with
    "database is locked": SQLite refuses a write from a transaction that read before another
    connection's commit)."""
    first_db = open_database(tmp_path / "state.db")
    second_db = open_database(tmp_path / "state.db")
    second = SqliteStorage(second_db, clock=FakeClock())
    outcome: list[BaseException | None] = []

    def second_writes() -> None:
        try:
            asyncio.run(second.write({"k": {"writer": "second"}}))
            outcome.append(None)
        except Exception as error:
            outcome.append(error)

    class PausingAfterItsRead:
        """The first writer's connection: after it has read the key, the second writes."""

        def __init__(self, db: Any) -> None:
            self._db = db
            self.thread: threading.Thread | None = None

        def atomic(self) -> Any:
            return self._db.atomic()

        def execute(self, sql: str, parameters: Any = None) -> Any:
            cursor = self._db.execute(sql, parameters or [])
            if sql.startswith("SELECT e_tag") and self.thread is None:
                self.thread = threading.Thread(target=second_writes)
                self.thread.start()
                self.thread.join(0.5)  # it finishes now, or waits for this writer's lock
            return cursor

    paused = PausingAfterItsRead(None)

    def first_writes(db: Any) -> None:
        paused._db = db
        writes: Any = paused  # stands in for the connection: execute and atomic
        _write_rows(writes, {"k": {"writer": "first"}}, "now", first_db.dialect)

    first_db.call(first_writes)
    assert paused.thread is not None
    paused.thread.join(10)

    assert isinstance(outcome[0], StateConflict)
    assert (await second.read(["k"]))["k"]["writer"] == "first"
    first_db.close()
    second_db.close()
