"""Two turns of one conversation at the same moment on two instances: one wins, the other's
person is told, and the conversation carries on from the winner's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.storage.store import Repositories, Store
from bot.teams.app import apologise
from dialogs import messages
from ehcp_rules import Role, Service
from tests.bot.conftest import Chat, cards_of, texts_of
from tests.builders import SAM
from tests.fakes import FakeClock


@pytest.fixture
def two_stores(tmp_path: Path, clock: FakeClock) -> Iterator[tuple[Store, Store]]:
    """Two instances' stores on one SQLite file (the assessment's queries are ported to
    PostgreSQL separately; the storage's rule is tested on both in the storage contract)."""
    with (
        Store.open(tmp_path / "ehcp.db", clock=clock) as a,
        Store.open(tmp_path / "ehcp.db", clock=clock) as b,
    ):
        yield a, b


@pytest.fixture
def slt(two_stores: tuple[Store, Store]) -> Service:
    """A service with SAM as one of its practitioners."""
    store = two_stores[0]
    service = store.call(lambda r: r.services.add("Children's SLT", provider=None, actor="admin"))

    def grant(r: Repositories) -> None:
        r.people.grant(
            SAM, Role.PRACTITIONER, service=service.name, display_name=None, actor="admin"
        )

    store.call(grant)
    return service


def _race(loser: Chat, winner_turn: Any) -> None:
    """The loser's next turn reads the conversation's state, then the winner's whole turn runs,
    then the loser's carries on: as two instances taking them at the same moment."""
    storage = loser.bot._state._storage  # the instance's own storage, as build_bot made it
    read = storage.read
    armed = [True]

    async def read_then_let_the_other_in(keys: list[str]) -> dict[str, Any]:
        found: dict[str, Any] = await read(keys)
        if armed[0]:
            armed[0] = False
            await winner_turn()
        return found

    storage.read = read_then_let_the_other_in


async def test_one_turn_wins_the_other_is_told_and_the_conversation_carries_on(
    two_stores: tuple[Store, Store], slt: Service
) -> None:
    a, b = (Chat(store) for store in two_stores)  # the same person and chat, on two instances
    for chat in (a, b):
        chat.adapter.on_turn_error = apologise
    first = await a.say("start assessment")
    b.last_card, b.last_card_id = a.last_card, a.last_card_id
    winner: list[Any] = []

    async def winner_turn() -> None:
        winner.extend(await a.press("Save answer", rating="yes", comment="From the first."))

    _race(b, winner_turn)
    lost = await b.press("Save answer", rating="no", comment="From the second.")

    assert cards_of(first) and cards_of(winner)  # the winner saw the next question
    assert texts_of(lost) == [messages.TURN_CLASHED]
    assert lost[-1].text == messages.TURN_CLASHED  # said last, after anything the turn sent
    # the conversation is where the winner left it, on either instance
    b.last_card, b.last_card_id = a.last_card, a.last_card_id
    carried_on = await b.press("Save answer", rating="yes", comment="Question two.")
    assert cards_of(carried_on)
    answers = two_stores[0].call(
        lambda r: r.db.execute("SELECT question, comment FROM answers ORDER BY id").fetchall()
    )
    # no answer lost: the answers are kept as given, each in turn (the latest one counts)
    assert answers == [(1, "From the first."), (1, "From the second."), (2, "Question two.")]
