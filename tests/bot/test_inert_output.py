"""Text someone else wrote is shown as typed: never markdown in a card, escaped in a message."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from bot.storage.store import Repositories, Store
from ehcp_rules import ActionProgress, Rating, Role

from .conftest import Chat, cards_of, texts_of

DCO = "00000000-0000-4000-8000-0000000000dc"
LINK = "[sign in again](https://evil.test/login)"


def _markdown_texts(element: Any) -> Iterator[str]:
    """Every string of a card that Teams reads as markdown (TextBlock text, FactSet values)."""
    if isinstance(element, dict):
        if element.get("type") == "TextBlock":
            yield str(element.get("text", ""))
        if element.get("type") == "FactSet":
            yield from (str(fact.get("value", "")) for fact in element.get("facts", []))
        for value in element.values():
            yield from _markdown_texts(value)
    elif isinstance(element, list):
        for item in element:
            yield from _markdown_texts(item)


def _hostile_service(r: Repositories) -> int:
    service = r.services.add(f"Paeds {LINK}", provider=None, actor="admin")
    r.people.grant(DCO, Role.DCO, service=None, display_name=None, actor="admin")
    assessment, _ = r.assessments.start_or_resume(service.id, edition="east-of-england", actor="a")
    for number in range(1, 24):
        rating = Rating.NO if number == 4 else Rating.YES
        r.assessments.record_answer(assessment.id, number, rating, f"See {LINK}", actor="a")
    r.assessments.submit(assessment.id, actor="a")
    r.assessments.update_action(
        assessment.id, 4, owner=LINK, target_date=date(2027, 3, 31),
        progress=ActionProgress.ON_TRACK, actor="a", action=LINK, workstream=LINK,
    )  # fmt: skip
    return service.id


async def test_an_owner_a_comment_and_a_service_name_are_never_links_in_a_card(
    store: Store,
) -> None:
    store.call(_hostile_service)
    chat = Chat(store, user=DCO)

    (summary,) = cards_of(await chat.say("summary"))
    (detail,) = cards_of(await chat.press(f"Details **Paeds {LINK}**"))
    (plan,) = cards_of(await chat.say("action plan for paeds"))

    shown_as_markdown = [
        *_markdown_texts(summary),
        *_markdown_texts(detail),
        *_markdown_texts(plan),
    ]
    assert not [text for text in shown_as_markdown if "evil.test" in text]
    assert LINK in str(detail)  # shown, as typed, in plain text runs
    assert str(plan).count(LINK) == 4  # the service, the action, its lead and workstream


async def test_a_name_from_teams_is_escaped_in_a_message(store: Store) -> None:
    service_id = store.call(_hostile_service)
    chat = Chat(store, user=DCO)
    chat.adapter.template.from_property.name = LINK

    replies = await chat.say(f"subscribe Paeds {LINK}")  # not in a channel: refused
    assert service_id and texts_of(replies)  # the control: the reply was sent

    refused = texts_of(await chat.say(f"requests Paeds {LINK}x"))

    assert not _live_links(refused[0])
    assert r"\[sign in again\](https://evil.test/login)" in refused[0]


def _live_links(markdown: str) -> list[str]:
    """The links Teams would make of ``markdown``: ``[text](url)`` whose bracket is not escaped
    (an even number of backslashes before it, none included)."""
    return re.findall(r"(?<!\\)(?:\\\\)*\[[^\]]*\]\(", markdown)


def test_the_link_finder_finds_links_and_only_live_ones() -> None:
    assert _live_links(LINK) and _live_links(f"'\\\\{LINK}'")  # a doubled backslash: live
    assert not _live_links(r"\[sign in again\](https://evil.test/login)")


async def test_what_someone_typed_is_said_back_inert_short_and_without_an_nhs_number(
    store: Store,
) -> None:
    store.call(_hostile_service)
    chat = Chat(store, user=DCO)
    typed = {  # each says back what was typed (found in review: repr undid the escaping)
        "requests": f"requests {LINK}",
        "summary": "summary for [next](https://evil.test/x)",
        "long": "requests " + "x" * 300_000,
        "nhs number": "requests NHS 943 476 5919",
    }

    replies = {name: texts_of(await chat.say(text)) for name, text in typed.items()}
    bad_date = texts_of(
        await chat.submit_value(
            {"ehcp": "log_request", "case_ref": "LA-1", "received_on": LINK, "services": "1"}
        )
    )

    for name, said in [*replies.items(), ("log_request", bad_date)]:
        assert said and not _live_links(said[0]), name
        assert len(said[0]) < 1_000, name
        assert "943" not in said[0], name
    assert "'NHS ••• ••• ••••'" in replies["nhs number"][0]
    assert "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…'" in replies["long"][0]
