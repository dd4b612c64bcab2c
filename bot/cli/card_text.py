"""Adaptive Cards as readable text for the terminal: text, facts, inputs and numbered buttons."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

Element = dict[str, Any]


@dataclass
class Form:
    """What a card lets a person do: its inputs and its buttons (in the order shown)."""

    inputs: list[Element] = field(default_factory=list)
    actions: list[Element] = field(default_factory=list)


def render_card(card: Element) -> tuple[list[str], Form]:
    """The card's lines of text, and its form."""
    form = Form()
    lines: list[str] = []
    for element in card.get("body", []):
        lines.extend(_element(element, form))
    actions = card.get("actions", [])
    form.actions.extend(a for a in actions if a.get("type") == "Action.Submit")
    lines.extend(
        f"  {a['title']}: {a['url']}" for a in actions if a.get("type") == "Action.OpenUrl"
    )
    return lines, form


def _element(element: Element, form: Form) -> list[str]:
    kind = element.get("type")
    if kind == "ColumnSet":
        return _columns(element, form)
    if kind and kind.startswith("Input."):
        form.inputs.append(element)
        return []
    return _SHOWN.get(kind or "", lambda _: [])(element)


_SHOWN = {
    "TextBlock": lambda e: [_unmark(e.get("text", ""))],
    "RichTextBlock": lambda e: ["".join(run.get("text", "") for run in e.get("inlines", []))],
    "FactSet": lambda e: [f"  {f['title']}: {f['value']}" for f in e.get("facts", [])],
    "Image": lambda e: [f"[{e.get('altText', 'Image')}] {e.get('url', '')}"],
}


def _columns(element: Element, form: Form) -> list[str]:
    columns = element.get("columns", [])
    if columns and all(not c.get("items") for c in columns):
        return [_bar(columns)]
    cells = [
        " ".join(line for item in c.get("items", []) for line in _element(item, form))
        for c in columns
    ]
    row = "  ".join(cell for cell in cells if cell)
    action = element.get("selectAction")
    if action:
        items = columns[0].get("items", []) if columns else []
        first = (
            " ".join(_SHOWN[items[0]["type"]](items[0]))
            if items and items[0].get("type") in ("TextBlock", "RichTextBlock")
            else ""
        )
        form.actions.append({**action, "title": f"{action.get('title', 'Open')} {first}".strip()})
    return [row]


def _bar(columns: list[Element]) -> str:
    widths = [int(c.get("width", "0")) for c in columns]
    total = sum(widths) or 1
    done = round(20 * widths[0] / total) if columns[0].get("style") == "good" else 0
    return "[" + "#" * done + "-" * (20 - done) + "]"


def _unmark(text: str) -> str:
    return re.sub(r"\*\*(.+?)\*\*", r"\1", text)


def describe_input(element: Element) -> str:
    """The prompt for one input, with its choices numbered and its current value."""
    label = element.get("label") or element.get("placeholder") or element.get("id", "value")
    current = element.get("value")
    if element.get("type") == "Input.ChoiceSet":
        choices = element.get("choices", [])
        listed = ", ".join(f"{i} {c['title']}" for i, c in enumerate(choices, 1))
        chosen = [c["title"] for c in choices if str(c["value"]) in str(current or "").split(",")]
        now = f" [now: {', '.join(chosen)}; Enter keeps it]" if chosen else ""
        return f"{label} ({listed}){now}: "
    if element.get("type") == "Input.Date" and current:
        return f"{label} (31/03/2027 or 2027-03-31) [now: {_day(str(current))}; Enter keeps it]: "
    hint = " (31/03/2027 or 2027-03-31)" if element.get("type") == "Input.Date" else ""
    keep = " [Enter keeps it]" if current else " [Enter for none]"
    return f"{label}{hint}{keep}: "


def _day(iso: str) -> str:
    """``2027-03-31`` as ``31/03/2027``, the way it is typed here."""
    parts = iso.split("-")
    return "/".join(reversed(parts)) if len(parts) == 3 else iso


def read_input(element: Element, answer: str) -> str:
    """The value an input takes from what was typed: a choice number or title, or the text."""
    typed = answer.strip()
    if not typed:
        return str(element.get("value") or "")
    if element.get("type") != "Input.ChoiceSet":
        return typed
    choices = element.get("choices", [])
    if typed.isdigit() and 1 <= int(typed) <= len(choices):
        return str(choices[int(typed) - 1]["value"])
    for choice in choices:
        if typed.lower() in (str(choice["title"]).lower(), str(choice["value"]).lower()):
            return str(choice["value"])
    return typed
