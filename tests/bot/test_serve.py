"""``ehcp-bot serve``: refuses to be unauthenticated beyond loopback; really starts and answers."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.cli.server import is_loopback


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.3.2.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("192.168.1.10", False),
        ("::", False),
        ("bot.example.org", False),
    ],
)
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_without_credentials_listening_beyond_loopback_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MicrosoftAppId", raising=False)

    code = main(["serve", "--host", "0.0.0.0", "--db", str(tmp_path / "x.db")])

    assert code == 2
    assert "unauthenticated and listens only on a loopback address" in capsys.readouterr().err


def test_a_bad_setting_stops_the_server_with_its_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MicrosoftAppId", "nonsense")

    assert main(["serve"]) == 2
    assert "MicrosoftAppId: must be a GUID" in capsys.readouterr().err


def test_with_credentials_the_public_address_is_needed_for_charts_and_exports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("EHCP_PUBLIC_URL", raising=False)
    monkeypatch.setenv("MicrosoftAppId", "3f2b1c4e-8a9d-4e7f-9b1a-2c3d4e5f6a7b")
    monkeypatch.setenv("MicrosoftAppPassword", "not-a-real-secret")
    monkeypatch.setenv("MicrosoftAppTenantId", "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d")

    assert main(["serve", "--db", str(tmp_path / "x.db")]) == 2
    assert "EHCP_PUBLIC_URL is needed with MicrosoftAppId" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_server_starts_and_answers_health(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MicrosoftApp")}
    with subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "serve",
            "--port",
            str(port),
            "--db",
            str(tmp_path / "s.db"),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as server:
        try:
            body = _wait_for_health(port)
        finally:
            server.terminate()
            server.wait(timeout=10)
        assert server.stderr is not None
        log = server.stderr.read()

    assert body["status"] == "ok"
    assert "UNAUTHENTICATED (local testing only)" in log


def _wait_for_health(port: int) -> dict[str, str]:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                result: dict[str, str] = json.load(response)
                return result
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
