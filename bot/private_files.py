"""Files holding case references, comments or the database: readable by their owner only."""

from __future__ import annotations

import os
from pathlib import Path

OWNER_ONLY = 0o600
OWNER_ONLY_FOLDER = 0o700


def write_private(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path``, created readable and writable by its owner only (whatever
    the process's umask), replacing what was there."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, OWNER_ONLY)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
    os.chmod(path, OWNER_ONLY)  # an existing file keeps its old mode through O_CREAT


def private_folder(path: Path) -> None:
    """Create ``path`` (and its parents) as needed; a folder created here is its owner's only."""
    if not path.exists():
        path.mkdir(parents=True, mode=OWNER_ONLY_FOLDER)
        os.chmod(path, OWNER_ONLY_FOLDER)  # mkdir's mode is filtered by the umask


def create_private(path: Path) -> None:
    """Create an empty file readable by its owner only, unless it already exists."""
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY))
