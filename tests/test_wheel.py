"""The wheel is the release: built from the source, installed with the lock file into a fresh
virtual environment outside the checkout, it runs every documented command from another folder
and serves /healthz, /privacy and /terms — nothing read from the source tree.

Slow (about a minute: the lock's packages come from PyPI, or pip's cache) and needs PyPI, which
developers' machines and CI have.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import bot
from bot.storage.url import PostgresUrl
from tests.test_cli import COMMANDS

REPO = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "README.md", "bot", "dialogs", "ehcp_rules", "manifest")
"""What the wheel is built from (as the Dockerfile copies it)."""
INSTALLED_AS = {"manifest": "ehcp_manifest"}
DATA = REPO / "tests" / "data"
BOT_ID = "11111111-2222-4333-8444-555555555555"
TODAY = "2026-11-23"
STEP_TIMEOUT_S = 120


@dataclass(frozen=True)
class Release:
    """The built wheel, and the virtual environment it was installed into."""

    wheel: Path
    venv: Path

    @property
    def ehcp_bot(self) -> Path:
        return self.venv / "bin" / "ehcp-bot"


def _quiet_environment() -> dict[str, str]:
    """This environment without the bot's settings or any pointer back to the checkout."""
    dropped = ("MicrosoftApp", "EHCP_", "PYTHONPATH", "VIRTUAL_ENV")
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    return env | {"PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def _run(args: list[str], *, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=cwd,
        env=_quiet_environment(),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT_S * 3,
        check=False,
    )


def _must(args: list[str], *, cwd: Path) -> None:
    done = _run(args, cwd=cwd)
    assert done.returncode == 0, f"{' '.join(args)}\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Release]:
    """Build the wheel from a copy of the sources, then install the lock file and the wheel
    (nothing else) into a new virtual environment; all in a temporary folder."""
    root = tmp_path_factory.mktemp("release")
    source = root / "source"
    source.mkdir()
    for name in SOURCES:
        if (REPO / name).is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
            shutil.copytree(REPO / name, source / name, ignore=ignore)
        else:
            shutil.copy2(REPO / name, source / name)
    dist = root / "dist"
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"]
    _must([*pip_wheel, "--wheel-dir", str(dist), str(source)], cwd=root)
    (wheel,) = dist.glob("*.whl")
    venv = root / "venv"
    _must([sys.executable, "-m", "venv", str(venv)], cwd=root)
    python = str(venv / "bin" / "python")
    lock = str(REPO / "deploy" / "requirements.txt")
    _must([python, "-m", "pip", "install", "--quiet", "--require-hashes", "-r", lock], cwd=root)
    _must([python, "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)], cwd=root)
    yield Release(wheel, venv)


def _source_files() -> set[str]:
    """Every file of the packages, by the name it has in the wheel."""
    found = set()
    for top in ("bot", "dialogs", "ehcp_rules", "manifest"):
        for path in (REPO / top).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".md":
                parts = path.relative_to(REPO).parts
                found.add("/".join((INSTALLED_AS.get(parts[0], parts[0]), *parts[1:])))
    return found


def test_the_wheel_carries_every_file_of_the_packages(release: Release) -> None:
    with zipfile.ZipFile(release.wheel) as wheel:
        names = set(wheel.namelist())

    assert _source_files() - names == set()
    assert {"ehcp_manifest/manifest.template.json", "ehcp_manifest/pages/terms.html"} <= names
    assert release.wheel.name == f"ehcp_assistant-{bot.__version__}-py3-none-any.whl"


def test_the_installed_bot_is_the_wheel_not_the_checkout(release: Release, tmp_path: Path) -> None:
    code = "import bot, ehcp_manifest; print(bot.__file__); print(ehcp_manifest.__file__)"
    done = _run([str(release.venv / "bin" / "python"), "-c", code], cwd=tmp_path)

    found = [Path(line) for line in done.stdout.splitlines()]
    assert len(found) == 2, done.stderr
    assert all(path.is_relative_to(release.venv) for path in found), found


def _csv(kind: str) -> list[str]:
    return [str(DATA / f"{kind}.csv")]


def _steps(folder: Path) -> list[tuple[str, list[str], str]]:
    """(command as documented, its arguments, what its output says) for every command."""
    db = ["--db", str(folder / "ehcp.db")]
    demo = ["--db", str(folder / "demo.db")]
    today = ["--today", TODAY]
    package = str(folder / "ehcp-assistant.zip")
    user = "00000000-0000-4000-8000-0000000000aa"
    channel = ["--channel", "19:demo-all-services@thread.tacv2"]
    return [
        ("--version", ["--version"], f"ehcp-bot {bot.__version__} (database schema"),
        ("--help", ["--help"], "The EHCP assistant"),
        ("rules", ["rules"], "16 Essential, 7 Desirable"),
        ("demo", ["demo", *demo, *today], "Loaded the demo into"),
        ("services add", ["services", "add", "Children's SLT", *db], "Added service"),
        ("services add", ["services", "add", "Community Paediatrics", *db], "Added service"),
        ("services list", ["services", "list", *db], "Community Paediatrics"),
        ("roles grant", ["roles", "grant", "--user", user, "--role", "dco", *db], "is now"),
        ("roles list", ["roles", "list", *db], user),
        ("roles revoke", ["roles", "revoke", "--user", user, "--role", "dco", *db], "Revoked"),
        ("import requests", ["import", "requests", *_csv("requests"), *today, *demo], "added"),
        ("import reviews", ["import", "reviews", *_csv("reviews"), *today, *demo], "added"),
        ("subscriptions list", ["subscriptions", "list", *demo], "every service"),
        ("subscriptions pause", ["subscriptions", "pause", *channel, *demo], "Paused"),
        ("subscriptions resume", ["subscriptions", "resume", *channel, *demo], "Resumed"),
        ("summary", ["summary", *demo, *today], "EHCP compliance summary"),
        ("export summary", ["export", "summary", *demo, *today, "--out", "s.xlsx"], "Wrote"),
        (
            "export assessment",
            ["export", "assessment", *demo, "--service", "Community Paediatrics"],
            "Wrote",
        ),
        ("nudges", ["nudges", "--dry-run", *demo, *today], "dry run: nothing posted"),
        ("chat", ["chat", *demo], "EHCP assistant — chatting as"),
        (
            "manifest build",
            ["manifest", "build", "--bot-id", BOT_ID, "--host", "example.org", "--out", package],
            "Built",
        ),
        ("manifest validate", ["manifest", "validate", package], "is valid"),
        ("check", ["check", *demo, "--package", package], "PROBLEM  settings: MicrosoftAppId"),
    ]


def test_every_documented_command_runs_from_another_folder(
    release: Release, tmp_path: Path
) -> None:
    steps = _steps(tmp_path)
    for name, args, expected in steps:
        done = _run([str(release.ehcp_bot), *args], cwd=tmp_path, stdin="help\nquit\n")
        said = f"ehcp-bot {name}: {done.stdout[-1500:]}{done.stderr[-3000:]}"
        assert expected in done.stdout, said
        assert done.returncode == (1 if name == "check" else 0), said  # check: no app id here

    leaves = {name for name, parser in COMMANDS if parser._subparsers is None}
    # serve and db copy (on a PostgreSQL server): the next tests
    assert leaves - {name for name, _, _ in steps} == {"serve", "db copy"}


def test_db_copy_runs_from_the_wheel(
    release: Release, tmp_path: Path, postgres: PostgresUrl
) -> None:
    """The installed release has the PostgreSQL driver (the lock file carries it) and moves a
    database with it."""
    demo = ["--db", str(tmp_path / "demo.db")]
    _must([str(release.ehcp_bot), "demo", *demo, "--today", TODAY], cwd=tmp_path)

    done = _run([str(release.ehcp_bot), "db", "copy", *demo, "--to", postgres.secret], cwd=tmp_path)

    assert done.returncode == 0, done.stdout[-1500:] + done.stderr[-3000:]
    assert "  services: 4 rows copied, 4 in PostgreSQL (same)" in done.stdout
    assert done.stdout.strip().splitlines()[-1].startswith("Copied ")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode("utf-8")


def _wait_for(url: str, server: subprocess.Popen[str]) -> str:
    deadline = time.monotonic() + STEP_TIMEOUT_S
    while True:
        try:
            return _get(url)[1]
        except OSError:
            assert server.poll() is None, "serve stopped"
            assert time.monotonic() < deadline, f"no answer from {url}"
            time.sleep(0.2)


def test_serve_answers_health_and_the_developer_pages(release: Release, tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(release.ehcp_bot), "serve", "--port", str(port), "--db", "bot.db"]
    with subprocess.Popen(
        command,
        cwd=tmp_path,
        env=_quiet_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as server:
        try:
            health = json.loads(_wait_for(f"{base}/healthz", server))
            pages = {page: _get(f"{base}/{page}") for page in ("privacy", "terms")}
        finally:
            server.terminate()
            server.wait(timeout=10)

    assert health["status"] == "ok"
    for page, (status, text) in pages.items():
        assert status == 200
        assert text == (REPO / "manifest" / "pages" / f"{page}.html").read_text(encoding="utf-8")
