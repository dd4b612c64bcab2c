"""Typed commands are matched forgivingly."""

from __future__ import annotations

import pytest

from dialogs.commands import Command, parse_command


@pytest.mark.parametrize(
    ("typed", "command"),
    [
        ("help", Command.HELP),
        ("Hi!", Command.HELP),
        ("  HELP  ", Command.HELP),
        ("start assessment", Command.START),
        ("Start self-assessment", Command.START),
        ("please start", Command.START),
        ("begin", Command.START),
        ("resume", Command.RESUME),
        ("Carry on.", Command.RESUME),
        ("continue please", Command.RESUME),
        ("status?", Command.STATUS),
        ("pause", Command.PAUSE),
        ("back", Command.BACK),
        ("skip", Command.SKIP),
        ("review", Command.REVIEW),
        ("submit", Command.SUBMIT),
        ("what's the weather", Command.UNKNOWN),
        ("", Command.UNKNOWN),
        (None, Command.UNKNOWN),
    ],
)
def test_commands(typed: str | None, command: Command) -> None:
    assert parse_command(typed) is command
