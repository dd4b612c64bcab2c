"""Where the app package's files are: the top-level ``manifest/`` folder, installed as the
``ehcp_manifest`` package and read through ``importlib.resources`` — never a path relative to
the source tree, so an installed wheel finds them as a checkout does."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable

PACKAGE = "ehcp_manifest"


def manifest_file(*parts: str) -> Traversable:
    """A file of the app package: ``manifest_file("pages", "privacy.html")``."""
    found = files(PACKAGE)
    for part in parts:
        found = found / part
    return found
