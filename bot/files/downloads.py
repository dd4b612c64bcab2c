"""Files the bot hands out: exports and charts, at unguessable links that expire.

A file is kept in the database (``bot.storage.downloads``), so that a link made on one instance
is served by any other behind the same load balancer, under a random 256-bit token, until its
time is up or the shelf needs the room; only the token's SHA-256 is stored. The database already
holds every case reference a file can show (the files are made from it), so keeping them there
adds nothing new at rest; they go when they expire. ``GET /files/{token}/{name}`` serves it;
anything else gets a 404 that says what to do.

(Signed links, the other way to make a link work on any instance, would have to carry what the
file is made from and make it again on each request: a chart or export is made from the data as
it was when asked for, and a second request could get a different file.)
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

from aiohttp import web

from bot.private_files import private_folder, write_private
from bot.storage.downloads import StoredFile
from bot.storage.store import Store
from dialogs.ports import FileLink

MAX_SHELF_BYTES = 64 * 1024 * 1024
FILES_PER_PERSON = 6
"""Links one person holds at once (a summary's chart and a few exports)."""
EXPIRED_PAGE = (
    "<!doctype html><meta charset='utf-8'><title>Link expired</title>"
    "<p>This link has expired or was never issued. Links to exports and charts last a short "
    "while only, because they can hold children's case references. Ask the EHCP assistant again "
    "for a fresh one.</p>"
)

__all__ = ["DownloadShelf", "StoredFile"]


def token_hash(token: str) -> str:
    """What the database keeps of a link's token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class DownloadShelf:
    """Files by token, in the database, each until it expires. Each person has a share of the
    shelf (``per_person`` files): their own oldest go first when they ask for more, so one person
    asking again and again never pushes anyone else's links out; the oldest of all go when the
    whole shelf is full."""

    def __init__(
        self,
        store: Store,
        *,
        max_bytes: int = MAX_SHELF_BYTES,
        per_person: int = FILES_PER_PERSON,
    ) -> None:
        self._store = store
        self._max_bytes = max_bytes
        self._per_person = per_person

    async def put(
        self, content: bytes, filename: str, media_type: str, lifetime: timedelta, *, owner: str
    ) -> str:
        """Keep ``content`` for ``lifetime``, as ``owner``'s; the token that fetches it."""
        token = secrets.token_urlsafe(32)
        stored = StoredFile(
            content, filename, media_type, self._store.clock.now() + lifetime, owner
        )
        hashed = token_hash(token)
        per_person, max_bytes = self._per_person, self._max_bytes
        await self._store.run(
            lambda r: r.downloads.put(hashed, stored, per_person=per_person, max_bytes=max_bytes)
        )
        return token

    async def get(self, token: str) -> StoredFile | None:
        """The file, unless it has expired or never existed."""
        hashed = token_hash(token)
        return await self._store.run(lambda r: r.downloads.get(hashed))

    async def size(self) -> int:
        """Bytes held."""
        return await self._store.run(lambda r: r.downloads.size())


class ShelfPublisher:
    """Puts files on the shelf and gives their links under ``base_url``."""

    def __init__(self, shelf: DownloadShelf, base_url: str) -> None:
        self._shelf = shelf
        self._base = base_url.rstrip("/")

    async def publish(
        self, content: bytes, filename: str, media_type: str, lifetime: timedelta, *, owner: str
    ) -> FileLink:
        """A link to ``content`` that works for ``lifetime``, counted as ``owner``'s."""
        token = await self._shelf.put(content, filename, media_type, lifetime, owner=owner)
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
    stored = await shelf.get(request.match_info["token"])
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
