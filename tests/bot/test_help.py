"""Help that shows what each person can do where they are, "did you mean" for near misses, the
Teams app's command menus, and a README that lists every command."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot.app_package.manifest import LIMITS, command_lists
from bot.storage.store import Store
from dialogs.commands import Command, did_you_mean, parse, parse_command
from dialogs.messages import COMMAND_HELP
from ehcp_rules import Role, Service
from tests.builders import SAM
from tests.cards import card_text

from .conftest import Chat, cards_of

README = Path(__file__).resolve().parents[2] / "README.md"
DCO = "dddddddd-0000-4000-8000-00000000000d"
NOBODY = "99999999-0000-4000-8000-000000000009"
CHANNEL = "19:help@thread.tacv2"


def _commands(card: dict[str, Any]) -> set[str]:
    """The commands a help card lists (its one list of command and purpose)."""
    (listed,) = [e for e in card["body"] if e["type"] == "FactSet"]
    return {fact["title"] for fact in listed["facts"]}


async def test_a_practitioner_in_a_personal_chat_sees_the_assessment_plan_and_casework(
    store: Store, slt: Service, chat: Chat
) -> None:
    (card,) = cards_of(await chat.say("help"))

    shown = _commands(card)
    assert {"start assessment", "status", "action plan", "new request", "reviews"} <= shown
    assert {"summary for SERVICE", "help"} <= shown
    assert not shown & {"summary", "subscribe SERVICE", "resume nudges"}  # not theirs, not here


async def test_a_dco_is_shown_the_summary_and_casework_not_the_assessment(
    store: Store, slt: Service
) -> None:
    store.call(lambda r: r.people.grant(DCO, Role.DCO, service=None, display_name=None, actor="a"))

    (card,) = cards_of(await Chat(store, user=DCO).say("help"))

    shown = _commands(card)
    assert {"summary", "summary for SERVICE", "overdue", "action plan"} <= shown
    assert "start assessment" not in shown
    assert [a["title"] for a in card["actions"]] == ["Summary", "Overdue"]


async def test_in_a_channel_a_spoc_sees_the_channels_commands_and_its_nudge_settings(
    store: Store, slt: Service
) -> None:
    store.call(
        lambda r: r.people.grant(SAM, Role.SPOC, service=slt.name, display_name=None, actor="a")
    )
    channel = Chat(store, user=SAM, conversation=CHANNEL, channel=True)

    (card,) = cards_of(await channel.say("help"))

    shown = _commands(card)
    assert {"subscribe SERVICE", "subscriptions", "nudges weekly on Monday"} <= shown
    assert {"pause nudges until 2027-01-04", "resume nudges", "overdue"} <= shown
    assert not shown & {"start assessment", "summary", "action plan"}


async def test_someone_with_no_role_is_told_how_to_get_one(store: Store, slt: Service) -> None:
    (card,) = cards_of(await Chat(store, user=NOBODY).say("help"))

    assert f"they will need your id: {NOBODY}" in card_text(card)
    assert _commands(card) == {"help"}


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("start asessment", "start assessment"),
        ("stauts", "status"),
        ("retrun LA-2026-0142", "return LA-2026-0142"),
        ("summary fro paediatrics", "summary for paediatrics"),
        ("nudgse weekly on Monday", "nudges weekly on Monday"),
        ("actoin plan", "action plan"),
    ],
)
def test_a_near_miss_is_taken_for_the_command_it_nearly_is(typed: str, meant: str) -> None:
    assert parse_command(typed) is Command.UNKNOWN  # the control: it is not understood as is
    assert did_you_mean(typed) == meant
    assert parse(meant)[0] is not Command.UNKNOWN


@pytest.mark.parametrize("typed", ["xyzzy", "thanks", "I love cake", "what is this"])
def test_what_is_nothing_like_a_command_gets_no_guess(typed: str) -> None:
    assert did_you_mean(typed) is None


async def test_did_you_mean_offers_the_command_as_a_button_that_does_it(
    store: Store, slt: Service, chat: Chat
) -> None:
    (card,) = cards_of(await chat.say("start asessment"))
    started = await chat.press("start assessment")

    assert "Did you mean start assessment?" in card_text(card)
    assert "Starting a new self-assessment for **Children's SLT**" in str(started[0].text)


def test_each_scopes_menu_has_its_main_commands_within_teams_limit() -> None:
    menus = {tuple(m["scopes"]): [c["title"] for c in m["commands"]] for m in command_lists()}

    assert all(len(titles) <= LIMITS["commands in a list"] for titles in menus.values())
    assert {"start assessment", "action plan", "summary", "overdue"} <= set(menus[("personal",)])
    assert {"subscribe", "subscriptions", "resume nudges", "overdue"} <= set(menus[("team",)])
    assert {"new request", "overdue", "help"} <= set(menus[("groupChat",)])


def test_the_readme_lists_every_command_the_bot_understands() -> None:
    readme = README.read_text(encoding="utf-8")
    documented = [typed for typed, *_ in COMMAND_HELP]
    for typed in documented:
        for each in typed.split(" · "):
            assert f"`{each}" in readme, each
    said = {parse(each.split(" · ")[0])[0] for each in documented}
    inside = {Command.BACK, Command.SKIP, Command.PAUSE, Command.REVIEW, Command.SUBMIT}
    assert set(Command) - {Command.UNKNOWN} - said <= inside | {Command.CADENCE}
    assert re.search(r"`nudges weekly on Monday`", readme)


@pytest.mark.parametrize("typed", ["action plan", "overdue", "reviews", "summary for paeds"])
async def test_someone_with_no_role_asking_for_casework_is_not_told_about_assessments(
    store: Store, slt: Service, typed: str
) -> None:
    replies = await Chat(store, user=NOBODY).say(typed)

    (said,) = [a.text for a in replies if a.text]
    assert said.startswith("You don't have a role for a service yet, so I have nothing")
    assert "assessment" not in said and NOBODY in said
