"""What makes a release: the wheel's package list matches the source tree, the deployment lock
file (``deploy/requirements.txt``, ``make lock``) still satisfies ``pyproject.toml``, and the
changelog has a part for the version."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

import bot
from bot.storage.migrations import SCHEMA_VERSION

REPO = Path(__file__).resolve().parent.parent
CODE = ("bot", "dialogs", "ehcp_rules")
MANIFEST_PACKAGE = "ehcp_manifest"
LOCK = REPO / "deploy" / "requirements.txt"


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def source_packages(root: Path = REPO) -> set[str]:
    """The packages the wheel must carry: every code folder with an ``__init__.py``, and the
    ``manifest/`` folder with each folder in it, under the name it is installed as."""
    found = {
        ".".join(init.parent.relative_to(root).parts)
        for top in CODE
        for init in (root / top).rglob("__init__.py")
    }
    manifest = root / "manifest"
    found.add(MANIFEST_PACKAGE)
    found |= {
        ".".join((MANIFEST_PACKAGE, *folder.relative_to(manifest).parts))
        for folder in manifest.rglob("*")
        if folder.is_dir() and folder.name != "__pycache__"
    }
    return found


def test_the_wheel_lists_every_package_of_the_source_tree() -> None:
    setuptools = _pyproject()["tool"]["setuptools"]

    assert set(setuptools["packages"]) == source_packages()
    assert setuptools["package-dir"] == {MANIFEST_PACKAGE: "manifest"}


def test_the_package_list_check_sees_a_new_folder(tmp_path: Path) -> None:
    for folder in ("bot/new", "dialogs", "ehcp_rules", "manifest/pages"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "__init__.py").write_text("")

    assert source_packages(tmp_path) == {
        "bot.new",
        "dialogs",
        "ehcp_rules",
        MANIFEST_PACKAGE,
        f"{MANIFEST_PACKAGE}.pages",
    }


def locked_versions(lock: str) -> dict[str, list[tuple[Version, int]]]:
    """Each package the lock pins (canonical name): its versions, each with how many hashes."""
    found: dict[str, list[tuple[Version, int]]] = {}
    for block in re.split(r"\n(?=\S)", lock):
        first = block.split("\n")[0]
        if not first or first.startswith("#"):
            continue
        pin = Requirement(first.rstrip(" \\"))
        (spec,) = pin.specifier
        assert spec.operator == "==", f"{first}: not pinned"
        entry = (Version(spec.version), block.count("--hash=sha256:"))
        found.setdefault(canonicalize_name(pin.name), []).append(entry)
    return found


def lock_problems(dependencies: list[str], lock: str) -> list[str]:
    """Why ``lock`` does not satisfy ``dependencies`` (``[project]``'s): a dependency not
    pinned, pinned at a version its range refuses, or pinned without a hash."""
    pinned = locked_versions(lock)
    problems = [
        f"{name}=={version} has no hash"
        for name, versions in pinned.items()
        for version, hashes in versions
        if not hashes
    ]
    for dependency in map(Requirement, dependencies):
        versions = [v for v, _ in pinned.get(canonicalize_name(dependency.name), [])]
        if not versions:
            problems.append(f"{dependency}: not in the lock")
        problems += [
            f"{dependency}: the lock pins {v}"
            for v in versions
            if not dependency.specifier.contains(v, prereleases=True)
        ]
    return problems


def test_the_lock_file_satisfies_pyproject() -> None:
    project = _pyproject()["project"]
    dependencies = project["dependencies"] + project["optional-dependencies"]["postgres"]

    assert lock_problems(dependencies, LOCK.read_text(encoding="utf-8")) == []
    assert len(locked_versions(LOCK.read_text(encoding="utf-8"))) > len(dependencies)


def test_the_lock_check_finds_a_missing_a_refused_and_an_unhashed_pin() -> None:
    lock = (
        "# a lock\nholidays==0.59 \\\n    --hash=sha256:ab\n    # via ehcp-assistant\n"
        "pydantic==2.8.0\n"
    )

    assert lock_problems(["holidays>=0.60,<1", "pydantic>=2.7,<3", "PyJWT>=2.4"], lock) == [
        "pydantic==2.8.0 has no hash",
        "holidays<1,>=0.60: the lock pins 0.59",
        "PyJWT>=2.4: not in the lock",
    ]


def test_the_changelog_starts_with_this_version() -> None:
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = re.findall(r"^## (\S+) — (\d{4}-\d{2}-\d{2})$", changelog, flags=re.MULTILINE)

    assert releases, "CHANGELOG.md has no release"
    assert releases[0][0] == bot.__version__
    assert "## Unreleased" in changelog.split(f"## {bot.__version__}")[0]


def test_the_readme_shows_this_schema_version() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    shown = set(re.findall(r"database schema (\d+)", readme))

    assert shown == {str(SCHEMA_VERSION)}, "README's `ehcp-bot --version` examples are stale"
