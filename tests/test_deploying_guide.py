"""The deployment guide names only what exists: every ``EHCP_`` setting is one the bot reads,
every ``ehcp-bot`` command is one it has, every metric is one it exports, and the README's links
into the guide land on a heading."""

from __future__ import annotations

import re
from pathlib import Path

from bot.cli.main import build_parser
from bot.config import ENVIRONMENT_NAMES
from bot.signals import Signals

REPO = Path(__file__).resolve().parent.parent
GUIDE = REPO / "docs" / "deploying.md"


def _guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


def test_every_setting_the_guide_names_exists() -> None:
    named = set(re.findall(r"\bEHCP_[A-Z_]+\b", _guide()))

    assert named, "the guide names settings"
    assert named <= set(ENVIRONMENT_NAMES.values())


def test_every_command_the_guide_names_exists() -> None:
    commands = {
        name
        for action in build_parser()._actions
        for name in (getattr(action, "choices", None) or {})
    }
    named = {m.split()[0] for m in re.findall(r"ehcp-bot ([a-z]+(?: [a-z]+)?)", _guide())}

    assert {"db", "check", "summary", "services"} <= named
    assert named <= commands


def test_every_metric_the_guide_names_is_exported() -> None:
    exported = Signals().render().decode()

    for metric in re.findall(r"\behcp_[a-z_]+_total\b", _guide()):
        assert f"# TYPE {metric} counter" in exported, metric


def test_the_readmes_links_into_the_guide_land_on_a_heading() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    anchors = {
        re.sub(r"[^a-z0-9 -]", "", heading.lower()).replace(" ", "-")
        for heading in re.findall(r"^#+ (.+)$", _guide(), flags=re.MULTILINE)
    }

    links = re.findall(r"\(docs/deploying\.md(?:#([a-z0-9-]+))?\)", readme)
    assert links
    for anchor in links:
        assert not anchor or anchor in anchors, anchor
