"""Files the bot hands out: exports and charts, at unguessable links that expire.

A file is kept in memory only (it may hold children's case references and practitioners'
comments, so it never touches the disk), under a random 256-bit token, until its time is up or
the shelf needs the room. ``GET /files/{token}/{name}`` serves it; anything else gets a 404 that
says what to do.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from aiohttp import web

from bot.private_files import private_folder, write_private
from dialogs.ports import Clock, FileLink

MAX_SHELF_BYTES = 64 * 1024 * 1024
FILES_PER_PERSON = 6
"""Links one person holds at once (a summary's chart and a few exports)."""
EXPIRED_PAGE = (
    "<!doctype html><meta charset='utf-8'><title>Link expired</title>"
    "<p>This link has expired or was never issued. Links to exports and charts last a short "
    "while only, because they can hold children's case references. Ask the EHCP assistant again "
    "for a fresh one.</p>"
)


@dataclass(frozen=True)
class StoredFile:
    """One file on the shelf."""

    content: bytes
    filename: str
    media_type: str
    expires: datetime
    owner: str


class DownloadShelf:
    """Files by token, in memory, each until it expires. Each person has a share of the shelf
    (``per_person`` files): their own oldest go first when they ask for more, so one person asking
    again and again never pushes anyone else's links out; the oldest of all go when the whole
    shelf is full."""

    def __init__(
        self,
        *,
        clock: Clock,
        max_bytes: int = MAX_SHELF_BYTES,
        per_person: int = FILES_PER_PERSON,
    ) -> None:
        self._files: OrderedDict[str, StoredFile] = OrderedDict()
        self._max_bytes = max_bytes
        self._per_person = per_person
        self._now = clock.now

    def put(
        self, content: bytes, filename: str, media_type: str, lifetime: timedelta, *, owner: str
    ) -> str:
        """Keep ``content`` for ``lifetime``, as ``owner``'s; the token that fetches it."""
        self._forget_expired()
        theirs = [token for token, stored in self._files.items() if stored.owner == owner]
        for token in theirs[: max(0, len(theirs) - self._per_person + 1)]:
            del self._files[token]
        while self._files and self.size + len(content) > self._max_bytes:
            self._files.popitem(last=False)
        token = secrets.token_urlsafe(32)
        expires = self._now() + lifetime
        self._files[token] = StoredFile(content, filename, media_type, expires, owner)
        return token

    def get(self, token: str) -> StoredFile | None:
        """The file, unless it has expired or never existed."""
        stored = self._files.get(token)
        if stored is None or stored.expires <= self._now():
            self._files.pop(token, None)
            return None
        return stored

    @property
    def size(self) -> int:
        """Bytes held."""
        return sum(len(f.content) for f in self._files.values())

    def _forget_expired(self) -> None:
        now = self._now()
        for token in [t for t, f in self._files.items() if f.expires <= now]:
            del self._files[token]


class ShelfPublisher:
    """Puts files on the shelf and gives their links under ``base_url``."""

    def __init__(self, shelf: DownloadShelf, base_url: str) -> None:
        self._shelf = shelf
        self._base = base_url.rstrip("/")

    async def publish(
        self, content: bytes, filename: str, media_type: str, lifetime: timedelta, *, owner: str
    ) -> FileLink:
        """A link to ``content`` that works for ``lifetime``, counted as ``owner``'s."""
        token = self._shelf.put(content, filename, media_type, lifetime, owner=owner)
        return FileLink(f"{self._base}/files/{token}/{quote(filename)}", filename, lifetime)


class FolderPublisher:
    """For ``ehcp-bot chat``: files are written to a folder and the link is the path."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder

    async def publish(
        self, content: bytes, filename: str, media_type: str, lifetime: timedelta, *, owner: str
    ) -> FileLink:
        """Write ``content`` to the folder; the path never expires."""
        private_folder(self._folder)
        path = self._folder / filename
        write_private(path, content)
        return FileLink(str(path.resolve()), filename, None)


async def serve_file(request: web.Request, shelf: DownloadShelf) -> web.Response:
    """``GET /files/{token}/{name}``: the file, or a 404 page saying the link has expired."""
    stored = shelf.get(request.match_info["token"])
    if stored is None:
        return web.Response(status=404, text=EXPIRED_PAGE, content_type="text/html")
    inline = stored.media_type.startswith("image/")
    disposition = "inline" if inline else "attachment"
    return web.Response(
        body=stored.content,
        headers={
            "Content-Type": stored.media_type,  # as given, with its charset (text/csv; …)
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(stored.filename)}",
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )
