"""Small builders for Adaptive Card elements, shared by every card.

People's own words (comments, names of things they typed) go into ``RichTextBlock`` text runs,
which Teams shows as plain text: never interpreted as markdown or HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CARD_VERSION = "1.5"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"

Element = dict[str, Any]
ACTION_KEY = "ehcp"
"""Every submit action's data names what it does under this key."""


def card(body: list[Element], actions: list[Element] | None = None) -> Element:
    """A whole card."""
    result: Element = {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA,
        "version": CARD_VERSION,
        "body": body,
    }
    if actions:
        result["actions"] = actions
    return result


def text(value: str, **options: Any) -> Element:
    """A wrapping text block written by us (markdown allowed)."""
    return {"type": "TextBlock", "text": value, "wrap": True, **options}


def heading(value: str) -> Element:
    """A card title."""
    return text(value, size="Medium", weight="Bolder", style="heading")


def plain(value: str, **options: Any) -> Element:
    """Text someone typed, shown exactly as typed: a rich text run is never read as markup."""
    return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": value, **options}]}


def title(template: str, values: Mapping[str, object]) -> Element:
    """A card title that names something someone typed (a service, a case reference): the
    same as :func:`heading`, but with the values as plain text runs."""
    inlines = [
        {"type": "TextRun", "text": template.format(**values), "size": "Medium", "weight": "Bolder"}
    ]
    return {"type": "RichTextBlock", "inlines": inlines}


def runs(template: str, values: Mapping[str, object]) -> Element:
    """A line made from one of our templates, where ``**`` marks bold, with every value put in
    as plain text: a rich text run is never read as markup, so a name or reference someone typed
    can never become a link or change the line around it."""
    inlines: list[Element] = []
    for index, segment in enumerate(template.split("**")):
        if segment:
            run: Element = {"type": "TextRun", "text": segment.format(**values)}
            if index % 2:
                run["weight"] = "Bolder"
            inlines.append(run)
    return {"type": "RichTextBlock", "inlines": inlines}


def facts(pairs: list[tuple[str, str]]) -> Element:
    """A two-column list of label and value."""
    return {"type": "FactSet", "facts": [{"title": t, "value": v} for t, v in pairs]}


def submit(
    title: str, action: str, data: dict[str, Any] | None = None, *, inputs: bool = False
) -> Element:
    """A submit button; ``inputs`` says whether it sends the card's inputs (and validates them)."""
    button: Element = {
        "type": "Action.Submit",
        "title": title,
        "data": {ACTION_KEY: action, **(data or {})},
    }
    if not inputs:
        button["associatedInputs"] = "None"
    return button


def progress_bar(done: int, total: int) -> Element:
    """A thin two-colour bar: ``done`` of ``total``."""
    columns = []
    if done:
        columns.append(
            {"type": "Column", "width": f"{done}", "style": "good", "minHeight": "6px", "items": []}
        )
    if total - done:
        columns.append(
            {
                "type": "Column",
                "width": f"{total - done}",
                "style": "emphasis",
                "minHeight": "6px",
                "items": [],
                "spacing": "None",
            }
        )
    return {"type": "ColumnSet", "columns": columns, "spacing": "Small"}


RAG_COLOURS = {"red": "Attention", "amber": "Default", "green": "Default"}
"""Text colours for a RAG rating, always with its word. Teams draws "Good" and "Warning" text
too light to read on white (2.1:1 and 1.5:1; WCAG AA asks 4.5:1), so only red is coloured
("Attention", 5.4:1); amber and green are in the default colour, in bold."""
RATING_COLOURS = {"no": "Attention", "emerging": "Default", "yes": "Default"}
"""Text colours for Yes / Emerging / No, as :data:`RAG_COLOURS`."""
RATING_STYLES = {"no": "attention", "emerging": "warning", "yes": "good"}
"""Container backgrounds for Yes / Emerging / No: a pale tint behind dark text, so the colour
helps without being needed (the word is always there)."""


def rag_text(value: str, rag: Any, **options: Any) -> Element:
    """A line about a RAG rating, in a colour readable on Teams' light and dark themes."""
    return text(value, color=RAG_COLOURS[rag.value], **options)


def rating_run(rating: Any, **options: Any) -> Element:
    """A rating (Yes / Emerging / No) as a bold text run; "Not answered" when ``None``."""
    if rating is None:
        return {"type": "TextRun", "text": "Not answered", "isSubtle": True, **options}
    colour = RATING_COLOURS[rating.value]
    run: Element = {"type": "TextRun", "text": rating.label, "weight": "Bolder", **options}
    if colour != "Default":
        run["color"] = colour
    return run


def short(value: str, limit: int = 90) -> str:
    """``value`` cut at a word boundary to about ``limit`` characters."""
    if len(value) <= limit:
        return value
    return value[:limit].rsplit(" ", 1)[0] + "…"
