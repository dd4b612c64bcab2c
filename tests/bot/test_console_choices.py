"""``ehcp-bot chat``: choices are typed as the numbers or names shown, and nothing else is sent.

In Teams a person ticks the choices a card shows; in the terminal they type them. What is typed
must become exactly the choices shown with those numbers or names, or be asked again with the
reason: a number passed through as a service's id logged a request against another service.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, date
from pathlib import Path
from typing import Any

import pytest

from bot.cli.card_text import Refused, read_input
from bot.cli.console import ConsoleAdapter
from bot.files.downloads import FolderPublisher
from bot.files.exports import FileExports
from bot.storage.store import Repositories, Store
from bot.teams.app import build_bot
from dialogs.cards.action_plan import action_card
from dialogs.cards.assessment import question_card
from dialogs.cards.casework import new_request_card, new_review_card, outcome_card
from ehcp_rules import (
    ActionItem,
    ActionProgress,
    AdviceRequestRecord,
    Rating,
    Role,
    Service,
    load_question_bank,
)
from tests import builders

DCO = "5d6e7f80-9a0b-4c1d-8e2f-3a4b5c6d7e8f"
_REPORTS = FileExports(FolderPublisher(Path("ehcp-exports")), zone=UTC, charts=False)


class Terminal:
    """A person at ``ehcp-bot chat``: what they type, what they were asked, what they saw."""

    def __init__(self, store: Store, user: str) -> None:
        self.store, self.user = store, user
        self.prompts: list[str] = []
        self.out = io.StringIO()

    async def type(self, lines: list[str]) -> str:
        feed = iter([*lines, "quit"])

        async def read_line(prompt: str) -> str | None:
            self.prompts.append(prompt)
            return next(feed, None)

        adapter = ConsoleAdapter(
            user_id=self.user, out=self.out, read_line=read_line, clock=self.store.clock
        )
        await adapter.run(build_bot(self.store, builders.settings(), reports=_REPORTS).on_turn)
        assert next(feed, None) is None, "the chat stopped before everything typed was read"
        return self.out.getvalue()


@pytest.fixture
def four_services(store: Store) -> dict[str, Service]:
    """Added in an order unlike the card's (by name), so that no number shown is an id."""

    def add(r: Repositories) -> dict[str, Service]:
        names = ["Community Paediatrics", "Children's SLT", "Children's OT", "CAMHS"]
        added = {name: r.services.add(name, provider=None, actor="admin") for name in names}
        r.people.grant(DCO, Role.DCO, service=None, display_name=None, actor="admin")
        return added

    return store.call(add)


def _logged(store: Store, case_ref: str) -> set[str]:
    return {q.service_name or "" for q in store.call(lambda r: r.requests.find(case_ref))}


async def test_services_typed_as_the_numbers_shown_are_the_services_logged(
    store: Store, four_services: dict[str, Service]
) -> None:
    terminal = Terminal(store, DCO)
    shown = await terminal.type(["new request", "1", "LA-2026-0142", "2,4", "", "", "", ""])

    assert _logged(store, "LA-2026-0142") == {"Children's OT", "Community Paediatrics"}
    asked = "1 CAMHS, 2 Children's OT, 3 Children's SLT, 4 Community Paediatrics"
    assert any(asked in prompt for prompt in terminal.prompts)
    assert "→ Children's OT, Community Paediatrics" in shown


async def test_a_choice_not_shown_is_asked_again_with_the_reason_and_nothing_typed_is_lost(
    store: Store, four_services: dict[str, Service]
) -> None:
    terminal = Terminal(store, DCO)
    typed = [
        "new request",
        "1",
        "LA-2026-0142",
        "2,9",  # no choice 9
        "children's",  # two services begin so
        "SLT, Orthoptics",  # one of the two is not a service here
        "camhs, children's slt",  # names, any case
        "",
        "",
        "",
        "1, 2",  # one choice only: known to the service?
        "NO",
    ]

    shown = await terminal.type(typed)

    refusals = [line.strip() for line in shown.splitlines() if "✗" in line]
    assert refusals == [
        "✗ There is no choice 9. Type numbers or names, separated by commas: 1 CAMHS, "
        "2 Children's OT, 3 Children's SLT, 4 Community Paediatrics. (Or type cancel to leave "
        "this card.)",
        "✗ 'children's' could be 2 Children's OT or 3 Children's SLT: type its number, or more "
        "of its name. (Or type cancel to leave this card.)",
        "✗ 'Orthoptics' is not one of the choices. Type numbers or names, separated by commas: "
        "1 CAMHS, 2 Children's OT, 3 Children's SLT, 4 Community Paediatrics. (Or type cancel "
        "to leave this card.)",
        "✗ Choose one: 1 Yes, 2 No, 3 Not sure. (Or type cancel to leave this card.)",
    ]
    assert sum(p.strip().startswith("Case reference") for p in terminal.prompts) == 1
    assert _logged(store, "LA-2026-0142") == {"CAMHS", "Children's SLT"}
    found = store.call(lambda r: r.requests.find("LA-2026-0142"))
    assert [q.known_to_service for q in found] == [False, False]


async def test_a_card_left_with_cancel_sends_nothing(
    store: Store, four_services: dict[str, Service]
) -> None:
    shown = await Terminal(store, DCO).type(["new request", "1", "LA-2026-0142", "7", "cancel"])

    assert "Not sent: nothing was saved." in shown
    assert _logged(store, "LA-2026-0142") == set()


async def test_an_outcome_is_chosen_by_name_and_a_required_choice_cannot_be_left_empty(
    store: Store, four_services: dict[str, Service]
) -> None:
    camhs = four_services["CAMHS"]
    store.call(
        lambda r: r.requests.add(
            AdviceRequestRecord(
                case_ref="LA-9", service_id=camhs.id, received_on=date(2026, 11, 2)
            ),
            actor="t",
        )
    )
    shown = await Terminal(store, DCO).type(
        ["return LA-9", "1", "", "returned", "20/11/2026", *[""] * 12]
    )

    assert "✗ Choose what happened. (Or type cancel to leave this card.)" in shown
    assert "→ Advice returned" in shown
    (record,) = store.call(lambda r: r.requests.find("LA-9"))
    assert record.returned_on == date(2026, 11, 20)


# Every ChoiceSet the bot sends, as the card builders make them: single and multiple, expanded and
# compact, with and without a value already chosen.
_BANK = load_question_bank()
_SERVICES = [Service(id=7, name="Children's SLT"), Service(id=3, name="CAMHS")]
_ACTION = ActionItem(
    question=4, rating=Rating.NO, owner=None, target_date=None, progress=ActionProgress.ON_TRACK
)
_REQUEST = AdviceRequestRecord(
    id=5, case_ref="LA-1", service_id=7, service_name="SLT", received_on=date(2026, 11, 2)
)
_CARDS = [
    new_request_card(_SERVICES, date(2026, 12, 1)),
    new_review_card(_SERVICES),
    outcome_card(_REQUEST, [], date(2026, 12, 1)),
    question_card(_BANK, 4, assessment_id=1, answers={}, service="SLT"),
    action_card(_BANK, _ACTION, assessment_id=1, service="SLT", following=None),
]


def _choice_sets() -> list[dict[str, Any]]:
    found = {}
    for card in _CARDS:
        for element in _inputs(card["body"]):
            if element["type"] == "Input.ChoiceSet":
                found[element["id"]] = element
    return list(found.values())


def _inputs(elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in elements if e.get("type", "").startswith("Input.")]


def test_the_cards_above_hold_every_choice_set_the_bot_sends() -> None:
    written = sum(
        len(re.findall(r'"Input\.ChoiceSet"', path.read_text()))
        for path in Path("dialogs").rglob("*.py")
    )
    assert len(_choice_sets()) == written == 8
    kinds = {(bool(e.get("isMultiSelect")), e.get("style", "compact")) for e in _choice_sets()}
    assert kinds == {(True, "expanded"), (False, "expanded"), (False, "compact")}


@pytest.mark.parametrize("element", _choice_sets(), ids=lambda e: e["id"])
def test_every_choice_set_takes_the_numbers_and_names_shown_and_nothing_else(
    element: dict[str, Any],
) -> None:
    choices = element["choices"]
    for number, choice in enumerate(choices, 1):
        assert read_input(element, f" {number} ") == choice["value"]
        assert read_input(element, str(choice["title"]).upper()) == choice["value"]
    for wrong in [str(len(choices) + 1), "0", "Orthoptics", "yes please"]:
        with pytest.raises(Refused):
            read_input(element, wrong)
    for value in (str(c["value"]) for c in choices):  # a value not shown is not a choice
        if value and not any(value.lower() in str(c["title"]).lower() for c in choices):
            with pytest.raises(Refused):
                read_input(element, value)
    if element.get("isMultiSelect"):
        assert read_input(element, "2, 1") == f"{choices[0]['value']},{choices[1]['value']}"
    else:
        with pytest.raises(Refused, match="Choose one"):
            read_input(element, "1,2")


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        # Worked by hand from the choices Completed / On track / Not on track (risk to
        # implementation) / Not started, with "On track" already chosen on the card.
        ("", "on_track"),  # Enter keeps what the card holds
        ("on track", "on_track"),  # a whole name wins over the longer one containing it
        ("risk", "not_on_track"),  # a part of one name only
        ("NOT STARTED", "not_started"),
        ("4", "not_started"),
        ("track", None),  # On track, or Not on track: refused
        ("not", None),  # Not on track, or Not started: refused
        ("2 3", None),  # one choice only
        ("on_track", None),  # the stored value, never shown
    ],
)
def test_a_compact_choice_with_a_value_decision_table(typed: str, value: str | None) -> None:
    (progress,) = [e for e in _choice_sets() if e["id"] == "progress"]
    if value is None:
        with pytest.raises(Refused):
            read_input(progress, typed)
    else:
        assert read_input(progress, typed) == value


async def test_a_newcomer_sees_each_request_apart_and_each_input_under_its_heading(
    store: Store, four_services: dict[str, Service]
) -> None:
    camhs = four_services["CAMHS"]
    store.call(
        lambda r: r.requests.add(
            AdviceRequestRecord(
                case_ref="LA-9", service_id=camhs.id, received_on=date(2026, 11, 2)
            ),
            actor="t",
        )
    )
    terminal = Terminal(store, DCO)

    shown = await terminal.type(["requests", "1", "1", "3", "", "", "", "", "cancel"])

    assert "│ LA-9 · CAMHS · due 14 Dec 2026 · 21 days left" in shown
    asked = [p.strip() for p in terminal.prompts if not p.startswith(">")]
    assert asked[0].startswith("What happened (1 Advice returned,")
    assert asked[0].endswith("[needed]:")
    assert asked[4] == "Was the requesting team told? (1 Yes, 2 No) [Enter for none]:"
    printed = shown.splitlines()
    heading = printed.index("  If it will take longer for clinical reasons:")
    assert printed[heading - 1] == "  → Will take longer for clinical reasons"
