"""What makes a release: the wheel's package list matches the source tree."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CODE = ("bot", "dialogs", "ehcp_rules")
MANIFEST_PACKAGE = "ehcp_manifest"


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
