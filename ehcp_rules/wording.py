"""Counts in words, singular or plural as the number needs: ``1 request``, ``2 requests``."""

from __future__ import annotations


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """``1 action``, ``0 actions``, ``3 criteria`` (``plural`` where adding "s" is wrong)."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def is_are(number: int) -> str:
    """The verb that agrees with ``number`` things: ``1 ... is``, ``2 ... are``."""
    return "is" if number == 1 else "are"


def part_of(part: int, whole: int, noun: str) -> str:
    """Some of a number of things, as the subject of "is"/"are": ``2 of 3 ratings are``,
    ``1 of 3 ratings is``; and where there is one in all, ``the only rating is``."""
    if whole == 1:
        return f"the only {noun} {is_are(part)}"
    return f"{part} of {whole} {noun}s {is_are(part)}"


def some_of(part: int, whole: int, noun: str) -> str:
    """Some of a number of things, as an object: ``2 of 6 actions``, ``all 3 actions``,
    ``the one action``."""
    if whole == 1 and part == 1:
        return f"the one {noun}"
    if part == whole:
        return f"all {whole} {noun}s"
    return f"{part} of {counted(whole, noun)}"
