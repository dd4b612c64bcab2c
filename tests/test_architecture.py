"""The floors: imports only point down (bot → dialogs → ehcp_rules), and the rules stay pure."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import ehcp_rules

REPO = Path(__file__).resolve().parent.parent

# What each floor may not import (first dotted name, or the whole dotted prefix).
FORBIDDEN = {
    "ehcp_rules": {
        "bot",
        "dialogs",
        "botbuilder",
        "botframework",
        "aiohttp",
        "sqlite3",
        "sqlite_utils",
        "requests",
        "socket",
        "subprocess",
        "time",
        "os",
        "logging",
        "random",
    },
    "dialogs": {"bot", "aiohttp", "sqlite3", "sqlite_utils"},
    "bot": set(),
}
CLOCK_CALLS = {"today", "now", "utcnow", "time", "monotonic", "perf_counter"}


def _imports(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def upward_imports(package: str, root: Path = REPO) -> list[str]:
    """Every import in ``package`` of something its floor may not import."""
    problems = []
    for path in sorted((root / package).rglob("*.py")):
        for line, module in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if module.split(".")[0] in FORBIDDEN[package]:
                problems.append(f"{path.relative_to(root)}:{line} imports {module}")
    return problems


def clock_reads(package: str, root: Path = REPO) -> list[str]:
    """Every call like ``date.today()`` or ``datetime.now()`` in ``package``."""
    problems = []
    for path in sorted((root / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in CLOCK_CALLS
            ):
                problems.append(f"{path.relative_to(root)}:{node.lineno} calls .{node.func.attr}()")
    return problems


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_only_point_down(package: str) -> None:
    assert upward_imports(package) == []


def test_the_rules_never_read_the_clock() -> None:
    assert clock_reads("ehcp_rules") == []


def test_the_checks_catch_an_upward_import_and_a_clock_read(tmp_path: Path) -> None:
    package = tmp_path / "ehcp_rules"
    package.mkdir()
    (package / "bad.py").write_text(
        "from bot.cli.main import main\nimport botbuilder.core\nfrom datetime import date\n"
        "TODAY = date.today()\n"
    )

    assert upward_imports("ehcp_rules", tmp_path) == [
        "ehcp_rules/bad.py:1 imports bot.cli.main",
        "ehcp_rules/bad.py:2 imports botbuilder.core",
    ]
    assert clock_reads("ehcp_rules", tmp_path) == ["ehcp_rules/bad.py:4 calls .today()"]


def test_every_public_name_of_the_rules_exists() -> None:
    missing = [name for name in ehcp_rules.__all__ if not hasattr(ehcp_rules, name)]

    assert missing == []
    assert len(set(ehcp_rules.__all__)) == len(ehcp_rules.__all__)
