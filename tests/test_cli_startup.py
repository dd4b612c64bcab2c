"""The command line answers at once: the commands an administrator types most never load the bot
framework, and ``--version`` says which assistant, schema and framework are installed."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

import bot
from bot.cli.main import main, version_text
from bot.storage.migrations import SCHEMA_VERSION

FRAMEWORK = ("botbuilder", "botframework", "msrest")
HEAVY = ("ehcp_rules", "dialogs.ports", "pydantic", "sqlite_utils", "jsonschema", "aiohttp")
"""What ``--help`` and ``--version`` leave alone too: each costs tens of milliseconds to import."""
BOT_ID = "11111111-2222-4333-8444-555555555555"

# Runs one command as ``ehcp-bot`` would, then names the modules it loaded under the given roots.
_RUN_AND_LIST = """
import sys
from bot.cli.main import main
roots = tuple(sys.argv[1].split(","))
try:
    main(sys.argv[2:])
except SystemExit:
    pass
loaded = sorted(m for m in sys.modules if m.startswith(roots))
print("LOADED:", *loaded)
"""


def loaded_modules(args: list[str], folder: Path, roots: tuple[str, ...] = FRAMEWORK) -> list[str]:
    """The modules under ``roots`` that ``ehcp-bot ARGS`` imports, run in a new process in
    ``folder`` without the bot's settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MicrosoftApp", "EHCP_"))}
    done = subprocess.run(
        [sys.executable, "-c", _RUN_AND_LIST, ",".join(roots), *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    (line,) = [x for x in done.stdout.splitlines() if x.startswith("LOADED:")]
    return line.split()[1:]


LIGHT_COMMANDS = {
    "--help": ["--help"],
    "--version": ["--version"],
    "rules": ["rules"],
    "rules json": ["rules", "--format", "json", "--edition", "east-of-england"],
    "services add": ["services", "add", "CAMHS", "--db", "x.db"],
    "services list": ["services", "list", "--db", "x.db"],
    "roles grant": ["roles", "grant", "--user", BOT_ID, "--role", "dco", "--db", "x.db"],
    "roles list": ["roles", "list", "--db", "x.db"],
    "roles grant --help": ["roles", "grant", "--help"],
    "subscriptions list": ["subscriptions", "list", "--db", "x.db"],
    "manifest build": ["manifest", "build", "--bot-id", BOT_ID, "--host", "example.org"],
    "manifest validate": ["manifest", "validate", "ehcp-assistant.zip"],
    "check": ["check", "--db", "x.db", "--package", "ehcp-assistant.zip"],
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with an app package in it, for ``manifest validate``."""
    made = tmp_path_factory.mktemp("startup")
    package = str(made / "ehcp-assistant.zip")
    assert main(["manifest", "build", "--bot-id", BOT_ID, "--host", "x.org", "--out", package]) == 0
    return made


@pytest.mark.parametrize("name", list(LIGHT_COMMANDS))
def test_the_command_does_not_load_the_bot_framework(name: str, folder: Path) -> None:
    assert loaded_modules(LIGHT_COMMANDS[name], folder) == []


@pytest.mark.parametrize("option", ["--help", "--version"])
def test_help_and_version_load_nothing_heavy(option: str, tmp_path: Path) -> None:
    assert loaded_modules([option], tmp_path, FRAMEWORK + HEAVY) == []


def test_a_command_that_needs_the_framework_is_seen_loading_it(tmp_path: Path) -> None:
    # the positive controls: the nudge sweep posts through the framework's connector, and the
    # question bank is read through the rules
    assert "botbuilder.core" in loaded_modules(["nudges", "--dry-run", "--db", "x.db"], tmp_path)
    assert "ehcp_rules" in loaded_modules(["rules"], tmp_path, HEAVY)


def test_version_names_the_assistant_the_schema_and_the_framework(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])

    assert exit_info.value.code == 0
    shown = capsys.readouterr().out.strip()
    assert shown == version_text()
    assert shown.startswith(f"ehcp-bot {bot.__version__} (database schema {SCHEMA_VERSION}, ")
    assert f"botbuilder {version('botbuilder-core')}," in shown


def test_the_installed_version_is_the_one_in_the_source() -> None:
    # pyproject.toml reads it from bot/__init__.py; a stale install fails here (make reinstalls)
    assert version("ehcp-assistant") == bot.__version__
