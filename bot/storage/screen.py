"""The last gate before a row is written: every free-text column a repository writes goes through
the one privacy screen (``ehcp_rules.screen_text``; DESIGN.md, "Rules of the house"), whichever
path the text came by. A refusal is a ``PrivacyError`` (a ``ValueError``) fit to show a person."""

from __future__ import annotations

from ehcp_rules import screen_text


def optional_text(value: str | None, *, field: str, max_length: int) -> str | None:
    """``value`` screened; ``None`` when it is absent or nothing is left of it."""
    if value is None:
        return None
    return screen_text(value, field=field, max_length=max_length) or None
