"""The floors: imports only point down (bot → dialogs → ehcp_rules), and the rules stay pure."""

from __future__ import annotations

import ast
import re
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


CLOCK_MODULE = Path("bot") / "clock.py"
"""The one module that may read the wall clock (DESIGN.md, "Rules of the house")."""
_WALL_CLOCK = {
    ("datetime", "datetime"): {"now", "utcnow", "today"},
    ("datetime", "date"): {"today"},
    ("time", None): {"time", "time_ns", "localtime", "gmtime", "ctime", "asctime", "strftime"},
}


def _clock_names(tree: ast.AST) -> dict[str, tuple[str, str | None]]:
    """What each name bound by an import stands for: ``datetime``'s classes, or a module."""
    names: dict[str, tuple[str, str | None]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in ("datetime", "time"):
                    names[alias.asname or alias.name] = (alias.name, None)
        elif isinstance(node, ast.ImportFrom) and node.module in ("datetime", "time"):
            for alias in node.names:
                names[alias.asname or alias.name] = (node.module, alias.name)
    return names


def _reads(node: ast.AST, names: dict[str, tuple[str, str | None]]) -> str | None:
    """``datetime.now``, ``date.today``, ``time.time``, ``dt.datetime.now``, ``time_ns`` (imported
    from ``time``), ``datetime(2026, 1, 1).now``... as written."""
    if isinstance(node, ast.Name):
        module, name = names.get(node.id, ("", None))
        if module == "time" and name in _WALL_CLOCK["time", None]:
            return node.id  # from time import time, time_ns...
        return None
    if not isinstance(node, ast.Attribute):
        return None
    target = _owner(node.value, names)
    if target is not None and node.attr in _WALL_CLOCK.get(target, set()):
        return ast.unparse(node)
    return None


def _owner(
    owner: ast.expr, names: dict[str, tuple[str, str | None]]
) -> tuple[str, str | None] | None:
    """What ``owner`` (the part before ``.now``) stands for: a module, or a class of ``datetime``
    (named, reached through the module, or an instance made on the spot)."""
    if isinstance(owner, ast.Call):
        owner = owner.func
    if isinstance(owner, ast.Name):
        return names.get(owner.id)
    if (
        isinstance(owner, ast.Attribute)
        and isinstance(owner.value, ast.Name)
        and names.get(owner.value.id) == ("datetime", None)
    ):
        return ("datetime", owner.attr)
    return None


_SQL_CLOCK = re.compile(r"'now'|\bCURRENT_(DATE|TIME|TIMESTAMP)\b", re.IGNORECASE)


def sql_clock_reads(package: str, root: Path = REPO) -> list[str]:
    """Every string in ``package`` that asks the database for the time (``date('now')``,
    ``CURRENT_TIMESTAMP``): the database's clock is a wall clock too."""
    problems = []
    for path in sorted((root / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and _SQL_CLOCK.search(node.value)
            ):
                problems.append(f"{path.relative_to(root)}:{node.lineno} asks SQL for the time")
    return problems


def clock_reads(package: str, root: Path = REPO) -> list[str]:
    """Every read of the wall clock in ``package`` outside the clock module: ``datetime.now``,
    ``date.today``, ``time.time`` and the like, called or passed around. Monotonic time (for
    timeouts and pacing) is not the date, and is allowed."""
    problems = []
    for path in sorted((root / package).rglob("*.py")):
        if path.relative_to(root) == CLOCK_MODULE:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = _clock_names(tree)
        for node in ast.walk(tree):
            found = _reads(node, names)
            if found and isinstance(node, ast.expr):
                problems.append(f"{path.relative_to(root)}:{node.lineno} reads {found}")
    return problems


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_only_point_down(package: str) -> None:
    assert upward_imports(package) == []


@pytest.mark.parametrize("package", ["ehcp_rules", "dialogs", "bot"])
def test_only_the_clock_module_reads_the_wall_clock(package: str) -> None:
    assert clock_reads(package) == []
    assert sql_clock_reads(package) == []


def test_the_checks_catch_an_upward_import_and_a_clock_read(tmp_path: Path) -> None:
    package = tmp_path / "ehcp_rules"
    package.mkdir()
    (package / "bad.py").write_text(
        "from bot.cli.main import main\nimport botbuilder.core\nfrom datetime import date\n"
        "TODAY = date.today()\n"
        "import datetime as dt, time\nfrom datetime import datetime as moment\n"
        "STAMP = dt.datetime.now(dt.UTC), time.time(), time.monotonic()\n"
        "NOW = lambda: moment.now()\nLATER = moment.utcnow\n"
        "def fine(clock):\n    return clock.today(), clock.now(), date(2026, 1, 1)\n"
        "from time import time_ns, localtime, monotonic\n"
        "STAMPS = time_ns(), localtime(), monotonic(), moment(2026, 1, 1).now()\n"
        "SQL = \"SELECT date('now'), CURRENT_TIMESTAMP\"\n"
    )

    assert upward_imports("ehcp_rules", tmp_path) == [
        "ehcp_rules/bad.py:1 imports bot.cli.main",
        "ehcp_rules/bad.py:2 imports botbuilder.core",
        "ehcp_rules/bad.py:5 imports time",
        "ehcp_rules/bad.py:12 imports time",
    ]
    assert sorted(clock_reads("ehcp_rules", tmp_path)) == [
        "ehcp_rules/bad.py:13 reads localtime",
        "ehcp_rules/bad.py:13 reads moment(2026, 1, 1).now",
        "ehcp_rules/bad.py:13 reads time_ns",
        "ehcp_rules/bad.py:4 reads date.today",
        "ehcp_rules/bad.py:7 reads dt.datetime.now",
        "ehcp_rules/bad.py:7 reads time.time",
        "ehcp_rules/bad.py:8 reads moment.now",
        "ehcp_rules/bad.py:9 reads moment.utcnow",
    ]
    assert sql_clock_reads("ehcp_rules", tmp_path) == ["ehcp_rules/bad.py:14 asks SQL for the time"]


def test_every_public_name_of_the_rules_exists() -> None:
    missing = [name for name in ehcp_rules.__all__ if not hasattr(ehcp_rules, name)]

    assert missing == []
    assert len(set(ehcp_rules.__all__)) == len(ehcp_rules.__all__)
