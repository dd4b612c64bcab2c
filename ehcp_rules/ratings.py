"""The rating scale of the self-assessment tool (seed 000) and the overall RAG."""

from __future__ import annotations

from enum import StrEnum


class Rating(StrEnum):
    """An answer to one question: Yes / Emerging / No (shown as Green / Amber / Red)."""

    YES = "yes"
    EMERGING = "emerging"
    NO = "no"

    @property
    def label(self) -> str:
        """The word the tool prints: ``Yes``, ``Emerging`` or ``No``."""
        return self.value.capitalize()

    @property
    def colour(self) -> Rag:
        """The RAG colour the tool pairs with this rating."""
        return _COLOURS[self]


class Rag(StrEnum):
    """The overall RAG rating of an assessment."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"

    @property
    def label(self) -> str:
        """``Red``, ``Amber`` or ``Green``."""
        return self.value.capitalize()


_COLOURS = {Rating.YES: Rag.GREEN, Rating.EMERGING: Rag.AMBER, Rating.NO: Rag.RED}
