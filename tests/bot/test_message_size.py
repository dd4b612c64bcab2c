"""Every message the bot sends stays under Teams' 40 KB, counted as Teams counts it (UTF-16), with
the worst content the product allows: every text at its limit, in characters that take four bytes
each in UTF-16 or two in JSON (an emoji, a quotation mark), 23 comments of 2,000 characters, 23
actions at their limits, long names and references, many requests and reviews.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from botbuilder.schema import Activity

from bot.storage.store import Repositories, Store
from dialogs.cards.limits import MAX_MESSAGE_BYTES, teams_size
from ehcp_rules import (
    MAX_ACTION_LENGTH,
    MAX_COMMENT_LENGTH,
    MAX_OWNER_LENGTH,
    MAX_SERVICE_NAME_LENGTH,
    MAX_WORKSTREAM_LENGTH,
    ActionProgress,
    AdviceRequestRecord,
    AnnualReviewRecord,
    Rating,
    Role,
)
from tests.fakes import FakeClock

from .conftest import Chat, cards_of

TODAY = date(2026, 11, 23)
DCO = "dddddddd-0000-4000-8000-00000000000d"
MEMBER = "eeeeeeee-0000-4000-8000-00000000000e"
HEAVY = '😀"'
"""Four bytes each as Teams counts them: an emoji is two UTF-16 units, a quote is escaped."""


def heavy(length: int, tag: str = "") -> str:
    """``length`` characters of the heaviest text there is."""
    return (tag + HEAVY * length)[:length]


def _name(n: int) -> str:
    return f"Service {n:02d} " + heavy(MAX_SERVICE_NAME_LENGTH - 11)


def _worst(r: Repositories) -> int:
    ids = [r.services.add(_name(n), provider=None, actor="t").id for n in range(30)]
    r.people.grant(DCO, Role.DCO, service=None, display_name=None, actor="t")
    r.people.grant(MEMBER, Role.SPOC, service=_name(0), display_name=None, actor="t")
    done, _ = r.assessments.start_or_resume(ids[0], edition="east-of-england", actor="t")
    for number in range(1, 24):
        comment = heavy(MAX_COMMENT_LENGTH, f"{number} ")
        r.assessments.record_answer(done.id, number, Rating.NO, comment, actor="t")
    r.assessments.submit(done.id, actor="t")
    for number in range(1, 24):
        for progress in [*ActionProgress] * 3:  # a long history
            r.assessments.update_action(
                done.id,
                number,
                owner=heavy(MAX_OWNER_LENGTH),
                target_date=TODAY - timedelta(days=1),
                progress=progress,
                actor="t",
                action=heavy(MAX_ACTION_LENGTH),
                workstream=heavy(MAX_WORKSTREAM_LENGTH),
            )
    for n in range(60):
        reference = f"LA-{n:04d}-" + "X" * 32
        received = TODAY - timedelta(days=30 + n)
        r.requests.add(
            AdviceRequestRecord(case_ref=reference, service_id=ids[0], received_on=received),
            actor="t",
        )
        r.reviews.save(
            AnnualReviewRecord(
                case_ref=f"R-{n:04d}-" + "Y" * 33,
                service_ids=tuple(ids[:3]),
                plan_issued_on=TODAY - timedelta(days=300 + n),
            ),
            actor="t",
        )
    return done.id


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(TODAY)


def _size(activity: Activity) -> int:
    serialised: dict[str, Any] = activity.serialize()
    return teams_size(serialised)


async def _everything(chat: Chat, commands: list[str]) -> dict[str, int]:
    """Each command typed, and every button of the card it brings that opens more (not the
    exports), pressed once: the size of every message sent and updated on the way."""
    sizes: dict[str, int] = {}
    for command in commands:
        for activity in await chat.say(command):
            sizes[f"{command}: {activity.text or 'card'}"[:60]] = _size(activity)
    return sizes


async def test_every_message_with_the_worst_content_is_under_40_kb(store: Store) -> None:
    assessment = store.call(_worst)
    dco, member = Chat(store, user=DCO), Chat(store, user=MEMBER)

    sizes = await _everything(
        dco, ["help", "summary", "summary for service 00", "overdue", "requests", "reviews"]
    )
    sizes |= await _everything(member, ["help", "status", "action plan"])
    for title in ("Update action 23E",):
        for activity in await member.press(title):
            sizes[f"press {title}"] = _size(activity)
    every = await dco.submit_value({"ehcp": "show_answers", "assessment": assessment})
    for part, activity in enumerate(every):
        sizes[f"every answer in full, part {part + 1}"] = _size(activity)

    assert len(cards_of(every)) >= 3  # the whole comments took several cards
    too_big = {name: size for name, size in sizes.items() if size > MAX_MESSAGE_BYTES}
    assert not too_big, too_big
    assert max(sizes.values()) > MAX_MESSAGE_BYTES // 2  # the test can fail: content was heavy


def test_the_measure_counts_as_teams_does() -> None:
    assert teams_size("é") == len('"é"'.encode("utf-16-le")) == 6
    assert teams_size(HEAVY) == 2 * len('"😀\\""'.encode("utf-16-le")) // 2 == 12
