"""One contract for botbuilder's MemoryStorage and our SqliteStorage: same e_tag behaviour."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botbuilder.core import MemoryStorage, Storage, StoreItem
from botbuilder.dialogs import DialogInstance, DialogState

from bot.storage.bot_state import SqliteStorage
from bot.storage.database import Database
from tests.fakes import FakeClock


@pytest.fixture(params=["memory", "sqlite"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    if request.param == "memory":
        yield MemoryStorage()
        return
    database = Database(tmp_path / "state.db")
    yield SqliteStorage(database, clock=FakeClock())
    database.close()


async def _e_tag_after_two_writes(storage: Storage, key: str) -> str:
    """The framework issues an e_tag only once a stored item has one: write twice with '*'."""
    await storage.write({key: {"e_tag": "*", "count": 1}})
    await storage.write({key: {"e_tag": "*", "count": 2}})
    e_tag = (await storage.read([key]))[key]["e_tag"]
    assert e_tag not in (None, "", "*")
    return str(e_tag)


async def test_reading_missing_or_no_keys_gives_nothing(storage: Storage) -> None:
    assert await storage.read(["nothing-here"]) == {}
    assert await storage.read([]) == {}


async def test_what_is_written_is_read_back(storage: Storage) -> None:
    await storage.write({"conversation/1": {"dialog": {"step": 7}, "answers": {3: "yes"}}})

    read = await storage.read(["conversation/1", "missing"])

    assert read == {"conversation/1": {"dialog": {"step": 7}, "answers": {3: "yes"}}}


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


async def test_an_item_without_e_tag_is_last_writer_wins(storage: Storage) -> None:
    await storage.write({"k": {"count": 1}})
    await storage.write({"k": {"count": 2}})

    assert (await storage.read(["k"]))["k"] == {"count": 2}


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

    assert await storage.read(["a", "b"]) == {"b": {"n": 2}}


async def test_the_callers_object_is_not_changed_by_a_write(storage: Storage) -> None:
    e_tag = await _e_tag_after_two_writes(storage, "k")
    change: dict[str, Any] = {"e_tag": e_tag, "count": 5}

    await storage.write({"k": change})

    assert change == {"e_tag": e_tag, "count": 5}


async def test_a_dialog_stack_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    stack = DialogState([DialogInstance("SelfAssessmentDialog", {"question": 12})])
    first = Database(path)
    await SqliteStorage(first, clock=FakeClock()).write(
        {"conversation/abc": {"DialogState": stack}}
    )
    first.close()

    second = Database(path)
    restored = (await SqliteStorage(second, clock=FakeClock()).read(["conversation/abc"]))[
        "conversation/abc"
    ]
    second.close()

    instance = restored["DialogState"].dialog_stack[0]
    assert isinstance(restored["DialogState"], DialogState)
    assert (instance.id, instance.state) == ("SelfAssessmentDialog", {"question": 12})


async def test_a_failing_batch_writes_none_of_its_items(tmp_path: Path) -> None:
    database = Database(tmp_path / "state.db")
    storage = SqliteStorage(database, clock=FakeClock())
    e_tag = await _e_tag_after_two_writes(storage, "k")
    await storage.write({"k": {"e_tag": e_tag, "count": 3}})

    with pytest.raises(KeyError):
        await storage.write({"fresh": {"n": 1}, "k": {"e_tag": e_tag, "count": 4}})

    assert await storage.read(["fresh"]) == {}
    database.close()
