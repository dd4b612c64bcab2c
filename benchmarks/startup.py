"""How long each ``ehcp-bot`` command takes from being typed to being done, as an administrator
runs it: a new process each time, in a folder of its own (no ``.env``), on a demo database.

``serve`` is timed to its first answer on ``/healthz``; ``chat`` to its greeting (its input is
closed at once). ``python -m benchmarks.startup [--repeats 10] [--out FILE.json]``; targets:
``--version`` and ``--help`` under 0.3 s.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

BOT_ID = "11111111-2222-4333-8444-555555555555"
TARGETS = {"--version": 0.3, "--help": 0.3}
"""Seconds: the commands an administrator types first should answer at once."""
HEALTH_WAIT_S = 60.0


@dataclass(frozen=True)
class StartupFigure:
    """One command's wall-clock times over the repeats (``None`` when it failed)."""

    command: str
    median_s: float | None
    best_s: float | None


def commands(folder: Path) -> dict[str, list[str]]:
    """The commands timed, by the name shown, with their arguments (run in ``folder``)."""
    db = str(folder / "demo.db")
    package = str(folder / "app.zip")
    return {
        "--version": ["--version"],
        "--help": ["--help"],
        "rules": ["rules"],
        "services list": ["services", "list", "--db", db],
        "roles list": ["roles", "list", "--db", db],
        "manifest build": [
            *("manifest", "build", "--bot-id", BOT_ID, "--host", "example.org"),
            *("--out", package),
        ],
        "manifest validate": ["manifest", "validate", package],
        "check": ["check", "--db", db],
        "summary": ["summary", "--db", db],
        "nudges --dry-run": ["nudges", "--dry-run", "--db", db],
        "export summary": ["export", "summary", "--db", db, "--out", str(folder / "s.json")],
        "demo": ["demo", "--db", str(folder / "fresh.db")],
    }


def ehcp_bot() -> list[str]:
    """The console script beside this Python, as an administrator runs it (else ``-m``)."""
    script = Path(sys.executable).with_name("ehcp-bot")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "bot.cli"]


def environment() -> dict[str, str]:
    """This environment without the bot's own settings: each command runs on its defaults."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MicrosoftApp", "EHCP_"))
    }


def run_once(args: list[str], folder: Path, *, stdin: str = "") -> float | None:
    """Seconds for one run of ``ehcp-bot ARGS``; ``None`` if it failed."""
    started = time.perf_counter()
    done = subprocess.run(
        [*ehcp_bot(), *args],
        cwd=folder,
        env=environment(),
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    return elapsed if done.returncode in (0, 1) else None


def serve_once(folder: Path) -> float | None:
    """Seconds from starting ``ehcp-bot serve`` to its first answer on ``/healthz``."""
    port = _free_port()
    started = time.perf_counter()
    with subprocess.Popen(
        [*ehcp_bot(), "serve", "--port", str(port), "--db", str(folder / "serve.db")],
        cwd=folder,
        env=environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    ) as server:
        try:
            return _first_health(port, started, server)
        finally:
            server.terminate()
            server.wait(timeout=10)


def _first_health(port: int, started: float, server: subprocess.Popen[bytes]) -> float | None:
    while time.perf_counter() - started < HEALTH_WAIT_S and server.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return time.perf_counter() - started
        except OSError:
            time.sleep(0.01)
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _figure(name: str, times: list[float | None]) -> StartupFigure:
    if any(t is None for t in times):
        return StartupFigure(name, None, None)
    measured = [t for t in times if t is not None]
    return StartupFigure(name, round(statistics.median(measured), 3), round(min(measured), 3))


def measure_startup(repeats: int) -> list[StartupFigure]:
    """Every command, ``repeats`` times each, in a temporary folder with a demo database."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        run_once(["demo", "--db", str(folder / "demo.db")], folder)
        figures = []
        for command, args in commands(folder).items():
            times = []
            for _ in range(repeats):
                (folder / "fresh.db").unlink(missing_ok=True)
                times.append(run_once(args, folder))
            figures.append(_figure(command, times))
        figures.append(_figure("chat", [run_once(["chat"], folder) for _ in range(repeats)]))
        figures.append(_figure("serve (to /healthz)", [serve_once(folder) for _ in range(repeats)]))
    return figures


def checks(figures: list[StartupFigure]) -> list[dict[str, object]]:
    """Each target with what was measured (a command that failed misses its target)."""
    found = {f.command: f.median_s for f in figures}
    results: list[dict[str, object]] = []
    for command, target in TARGETS.items():
        value = found.get(command)
        results.append(
            {
                "measure": f"startup_{command.strip('-')}_s",
                "value": value,
                "target": f"<= {target}",
                "met": value is not None and value <= target,
            }
        )
    return results


def table(figures: list[StartupFigure]) -> str:
    """The figures as a Markdown table."""
    lines = ["| command | median s | best s |", "|---|---|---|"]
    for f in figures:
        median = "failed" if f.median_s is None else f"{f.median_s:.2f}"
        best = "" if f.best_s is None else f"{f.best_s:.2f}"
        lines.append(f"| `ehcp-bot {f.command}` | {median} | {best} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.startup")
    parser.add_argument("--repeats", type=int, default=10, help="runs of each command")
    parser.add_argument("--out", type=Path, help="also write the figures here as JSON")
    args = parser.parse_args()
    figures = measure_startup(args.repeats)
    print(table(figures))
    results = {"startup": [asdict(f) for f in figures], "checks": checks(figures)}
    for check in results["checks"]:
        print(f"{check['measure']}: {check['value']} (target {check['target']})")
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
