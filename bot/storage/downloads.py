"""The files behind download links (charts and exports), kept in the database until they expire,
so that a link made by one instance is served by any other.

Only what serving the file needs is kept: the file, its name and media type, who asked for it
(for their share of the shelf), when it was made and when it expires. The link's token itself is
never stored, only its SHA-256: reading the table (or a backup of it) gives no working link.
Expired files are deleted whenever a file is put on the shelf or a link is followed, and every few
minutes by each running instance (``forget_expired``), so none outlasts its link for long even
when nobody uses the bot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

from bot.storage.audit import stamp
from dialogs.ports import Clock


@dataclass(frozen=True)
class StoredFile:
    """One file on the shelf."""

    content: bytes
    filename: str
    media_type: str
    expires: datetime
    owner: str


class DownloadRepository:
    """Puts files on the shelf (each person within their share, the whole within its size) and
    gives them back by their token's hash until they expire."""

    def __init__(self, db: sqlite_utils.Database, *, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def put(
        self,
        token_hash: str,
        stored: StoredFile,
        *,
        per_person: int,
        max_bytes: int,
    ) -> None:
        """Keep ``stored`` under ``token_hash``: the owner's own oldest go first when they hold
        ``per_person`` already, then the oldest of all while the shelf would be over
        ``max_bytes``."""
        with self._db.atomic():
            now = stamp(self._clock)
            self._db.execute("DELETE FROM downloads WHERE expires_at <= ?", [now])
            theirs = [
                row[0]
                for row in self._db.execute(
                    "SELECT token_hash FROM downloads WHERE owner = ? "
                    "ORDER BY created_at, token_hash",
                    [stored.owner],
                ).fetchall()
            ]
            self._forget(theirs[: max(0, len(theirs) - per_person + 1)])
            total = self.size()
            oldest = self._db.execute(
                "SELECT token_hash, size FROM downloads ORDER BY created_at, token_hash"
            ).fetchall()
            doomed = []
            for token, size in oldest:
                if total + len(stored.content) <= max_bytes:
                    break
                doomed.append(token)
                total -= size
            self._forget(doomed)
            self._db.execute(
                "INSERT INTO downloads (token_hash, owner, filename, media_type, content, size, "
                "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    token_hash,
                    stored.owner,
                    stored.filename,
                    stored.media_type,
                    stored.content,
                    len(stored.content),
                    now,
                    stored.expires.astimezone(UTC).isoformat(timespec="microseconds"),
                ],
            )

    def get(self, token_hash: str) -> StoredFile | None:
        """The file, unless it has expired (then it is deleted, with every other expired one)
        or never existed."""
        now = stamp(self._clock)
        row = self._db.execute(
            "SELECT content, filename, media_type, expires_at, owner FROM downloads "
            "WHERE token_hash = ?",
            [token_hash],
        ).fetchone()
        if row is None or row[3] <= now:
            self._db.execute("DELETE FROM downloads WHERE expires_at <= ?", [now])
            return None
        return StoredFile(
            content=bytes(row[0]),
            filename=row[1],
            media_type=row[2],
            expires=datetime.fromisoformat(row[3]),
            owner=row[4],
        )

    def forget_expired(self) -> int:
        """Delete every expired file; how many."""
        return int(
            self._db.execute(
                "DELETE FROM downloads WHERE expires_at <= ?", [stamp(self._clock)]
            ).rowcount
        )

    def size(self) -> int:
        """Bytes held (expired files included until they are deleted)."""
        row = self._db.execute("SELECT coalesce(sum(size), 0) FROM downloads").fetchone()
        return int(row[0])

    def _forget(self, tokens: list[str]) -> None:
        for token in tokens:
            self._db.execute("DELETE FROM downloads WHERE token_hash = ?", [token])
