"""``ehcp-bot``: every command has help, is documented in the README, and does its job."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.main import build_parser, main
from bot.clock import SystemClock

README = Path(__file__).resolve().parent.parent / "README.md"


def _commands(
    parser: argparse.ArgumentParser, prefix: str = ""
) -> list[tuple[str, argparse.ArgumentParser]]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append((f"{prefix}{name}", sub))
                found.extend(_commands(sub, f"{prefix}{name} "))
    return found


COMMANDS = _commands(build_parser())


def test_there_are_commands() -> None:
    assert "rules" in {name for name, _ in COMMANDS}


@pytest.mark.parametrize(("name", "parser"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_is_documented_in_the_readme(
    name: str, parser: argparse.ArgumentParser
) -> None:
    assert re.search(rf"ehcp-bot {re.escape(name)}\b", README.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("name", "parser"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_has_a_helpful_help(
    name: str, parser: argparse.ArgumentParser, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*name.split(), "--help"])

    assert exit_info.value.code == 0
    assert parser.description, f"'{name}' needs a description"
    assert parser.description in " ".join(capsys.readouterr().out.split())


def test_without_a_command_it_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "rules" in capsys.readouterr().out


def test_rules_prints_the_23_questions_and_the_rag_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0

    out = capsys.readouterr().out
    numbered = re.findall(r"^\s*(\d+)\s+([ED])\s", out, flags=re.MULTILINE)
    assert [int(n) for n, _ in numbered] == list(range(1, 24))
    assert "Is there a mechanism in place to receive early warning of an EHCP request?" in out
    assert "RED if any essential criterion is not met" in out
    assert "16 Essential, 7 Desirable" in out


def test_rules_as_json_is_the_question_bank(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "json", "--edition", "east-of-england-earlier-printing"]) == 0

    data = json.loads(capsys.readouterr().out)
    assert data["edition"] == "east-of-england-earlier-printing"
    assert len(data["questions"]) == 23
    assert data["rag_rules"][1].startswith("RED")


def test_an_unknown_edition_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["rules", "--edition", "nowhere"])

    assert exit_info.value.code == 2
    assert "invalid choice: 'nowhere'" in capsys.readouterr().err


def test_the_console_script_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "rules"], capture_output=True, text=True, check=False
    )

    assert done.returncode == 0, done.stderr
    assert "23 questions" in done.stdout


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])  # UTC+14, UTC-11
def test_today_on_the_command_line_is_the_date_in_the_configured_zone(
    zone: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # At any moment at least one of these zones is on another date than London; whichever it
    # is, the command must count "today" in the zone it is configured for.
    monkeypatch.setenv("EHCP_TIMEZONE", zone)
    monkeypatch.chdir(tmp_path)  # no .env from the checkout

    code = main(["nudges", "--db", str(tmp_path / "x.db"), "--dry-run"])

    expected = SystemClock(zone).today()  # read at the same moment, through the one clock
    assert code == 0
    assert f"Nudges for {expected:%a %d %b %Y}:" in capsys.readouterr().out
