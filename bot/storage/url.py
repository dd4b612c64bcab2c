"""A PostgreSQL connection string: whole for the driver, shown only with its password masked.

``EHCP_DB`` (or ``--db``) names either a SQLite file or, as a ``postgresql://`` (or
``postgres://``) URL, a PostgreSQL database. The URL may carry a password, in its user part or
as ``?password=``: ``str()`` and ``repr()`` of a ``PostgresUrl`` never show it, and ``redact``
takes it out of any message (a driver's error, say) before it is printed or logged.

One parameter in the URL is the product's own, not libpq's: ``prepare_threshold``, psycopg's
setting of the same name. psycopg prepares a statement on the server once it has run
``prepare_threshold`` times on a connection (5 unless told); ``prepare_threshold=none`` turns
that off, as PgBouncer in transaction mode needs (a statement prepared on one server connection
would be looked for on another). It is taken out of the connection string the driver is given.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

SCHEMES = ("postgresql://", "postgres://")
MASK = "***"
PREPARE_THRESHOLD = "prepare_threshold"
DEFAULT_PREPARE_THRESHOLD = 5
"""psycopg's own default: a statement is prepared on the server after it has run 5 times."""


def is_postgres_url(text: str) -> bool:
    """Whether ``text`` names a PostgreSQL database rather than a file."""
    return text.strip().lower().startswith(SCHEMES)


class PostgresUrl:
    """A ``postgresql://`` connection string; ``secret`` is the only way to the whole of it."""

    __slots__ = ("_url", "prepare_threshold")

    def __init__(self, url: str) -> None:
        if not is_postgres_url(url):
            raise ValueError("a PostgreSQL URL starts with postgresql://")
        self._url = url.strip()
        self.prepare_threshold = self._prepare_threshold()

    def _prepare_threshold(self) -> int | None:
        """After how many runs on a connection psycopg prepares a statement (``None``: never)."""
        given = [v for k, v in parse_qsl(urlsplit(self._url).query) if k == PREPARE_THRESHOLD]
        if not given:
            return DEFAULT_PREPARE_THRESHOLD
        value = given[-1].strip().lower()
        if value == "none":
            return None
        if value.isdigit():
            return int(value)
        from bot.storage.errors import ConnectionStringError  # noqa: PLC0415 (only when wrong)

        raise ConnectionStringError(
            f"{PREPARE_THRESHOLD} in the PostgreSQL URL must be none (for PgBouncer in "
            f"transaction mode) or a whole number, not '{value[:20]}'"
        )

    @property
    def conninfo(self) -> str:
        """The connection string for the driver (password and all), without the product's own
        ``prepare_threshold``, which libpq would refuse."""
        parts = urlsplit(self._url)
        if PREPARE_THRESHOLD not in parts.query:
            return self._url
        query = [
            (key, value)
            for key, value in parse_qsl(parts.query, keep_blank_values=True)
            if key != PREPARE_THRESHOLD
        ]
        return urlunsplit(parts._replace(query=urlencode(query)))

    @property
    def secret(self) -> str:
        """The connection string as given, password and all: for the driver only."""
        return self._url

    @property
    def masked(self) -> str:
        """The connection string with any password replaced by ``***``."""
        parts = urlsplit(self._url)
        netloc = parts.netloc
        if "@" in netloc:
            user, _, host = netloc.rpartition("@")
            if ":" in user:
                user = f"{user.split(':', 1)[0]}:{MASK}"
            netloc = f"{user}@{host}"
        query = urlencode(
            [
                (key, MASK if key.lower() == "password" else value)
                for key, value in parse_qsl(parts.query, keep_blank_values=True)
            ],
            safe="*",
        )
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))

    @property
    def database_name(self) -> str:
        """The database's name (the URL's path), or ``postgres`` where it names none."""
        return unquote(urlsplit(self._url).path.lstrip("/")) or "postgres"

    def redact(self, text: str) -> str:
        """``text`` with the password (as written in the URL, and decoded) replaced by ``***``."""
        for secret in self._passwords():
            text = text.replace(secret, MASK)
        return text.replace(self._url, self.masked)

    def _passwords(self) -> list[str]:
        parts = urlsplit(self._url)
        found = [value for key, value in parse_qsl(parts.query) if key.lower() == "password"]
        user = parts.netloc.rpartition("@")[0]
        if ":" in user:
            found.append(user.split(":", 1)[1])
        return sorted({p for f in found for p in (f, unquote(f)) if p}, key=len, reverse=True)

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"PostgresUrl({self.masked!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PostgresUrl) and other._url == self._url

    def __hash__(self) -> int:
        return hash(self._url)
