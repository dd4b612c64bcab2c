"""How big a message Teams takes, measured as Teams measures it.

Microsoft documents the limit for a bot's message in Teams as 40 KB in its older pages
("Format your bot messages": messages over it fail with 413 ``MessageSizeTooBig``) and as about
100 KB, keeping within 80 KB, in newer ones. We keep to the smaller: every card the bot sends is
at most :data:`MAX_CARD_BYTES`, leaving room within :data:`MAX_MESSAGE_BYTES` for the activity
around it (who from, to whom, which conversation and service). Teams counts the message's JSON as
UTF-16, two bytes for each character of most text, so a card of 20,000 characters is about 40 KB.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

MAX_MESSAGE_BYTES = 40 * 1024
"""A whole message (the activity with its card), as Teams counts it."""
MAX_CARD_BYTES = 36 * 1024
"""One card: what the card builders keep to, leaving 4 KB for the activity around it."""


def teams_size(content: Any) -> int:
    """The size in bytes of ``content`` (a card, or an activity as JSON) as Teams counts it: its
    JSON in UTF-16. Spaces after separators are counted, as the framework sends them."""
    return len(json.dumps(content, ensure_ascii=False).encode("utf-16-le"))


def fits(content: Any, limit: int = MAX_CARD_BYTES) -> bool:
    """Whether ``content`` is within ``limit`` as Teams counts it."""
    return teams_size(content) <= limit


def pack(
    items: Sequence[T],
    render: Callable[[Sequence[T], int], Any],
    limit: int = MAX_CARD_BYTES,
) -> list[tuple[Sequence[T], Any]]:
    """``items`` over as few cards as keep each within ``limit``, in order: each card is
    ``render(its_items, part)`` (``part`` counts from 0, for a "continued" title). Each card
    takes as many items as fit (found by bisection, so a long list is rendered a few times, not
    once per item); an item too big even alone goes on a card of its own. No items: one card."""
    parts: list[tuple[Sequence[T], Any]] = []
    start = 0
    while start < len(items) or not parts:
        low, high = start + 1, len(items)  # the card takes items[start:end], low <= end
        while low < high:
            middle = (low + high + 1) // 2
            if fits(render(items[start:middle], len(parts)), limit):
                low = middle
            else:
                high = middle - 1
        end = max(low, start + 1) if items else 0
        chunk = items[start:end]
        parts.append((chunk, render(chunk, len(parts))))
        start = end
    return parts
