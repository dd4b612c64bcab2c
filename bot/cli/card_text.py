"""Adaptive Cards as readable text for the terminal: text, facts, inputs and numbered buttons."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ehcp_rules import RulesError, parse_day, quoted

Element = dict[str, Any]


@dataclass
class Form:
    """What a card lets a person do: its inputs and its buttons (in the order shown)."""

    inputs: list[Element] = field(default_factory=list)
    actions: list[Element] = field(default_factory=list)
    sections: dict[str, str] = field(default_factory=dict)
    """The heading each input sits under, where a bold line splits a card's inputs (by id)."""


def render_card(card: Element) -> tuple[list[str], Form]:
    """The card's lines of text, and its form."""
    form = Form()
    lines: list[str] = []
    section, opening = None, False
    for element in card.get("body", []):
        if form.inputs and element.get("type") == "TextBlock" and element.get("weight") == "Bolder":
            # a heading over inputs below it: said when they are asked, with its notes, not
            # shown now over nothing
            section, opening = _unmark(element.get("text", "")), True
            continue
        if opening and element.get("type") == "TextBlock":
            section = f"{section}\n  {_unmark(element.get('text', ''))}"
            continue
        before = len(form.inputs)
        lines.extend(_element(element, form))
        if section and len(form.inputs) > before:
            form.sections |= {e["id"]: section for e in form.inputs[before:]}
            opening = False
    if opening and section:  # a heading with no input under it is plain text after all
        lines.extend(section.split("\n  "))
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
    cells = [  # a column's items are lines of their own in Teams
        " · ".join(line for item in c.get("items", []) for line in _element(item, form))
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
    label = _label(element)
    current = element.get("value")
    if element.get("type") == "Input.ChoiceSet":
        chosen = chosen_titles(element, str(current or ""))
        now = f" [now: {', '.join(chosen)}; Enter keeps it]" if chosen else _empty(element)
        several = "; one or more, e.g. 1,3" if element.get("isMultiSelect") else ""
        return f"{label} ({_listed(element)}{several}){now}: "
    if element.get("type") == "Input.Date" and current:
        return f"{label} (31/03/2027 or 2027-03-31) [now: {_day(str(current))}; Enter keeps it]: "
    hint = " (31/03/2027 or 2027-03-31)" if element.get("type") == "Input.Date" else ""
    keep = " [Enter keeps it]" if current else _empty(element)
    return f"{label}{hint}{keep}: "


def _empty(element: Element) -> str:
    """What Enter does to an input with nothing in it yet."""
    return " [needed]" if element.get("isRequired") else " [Enter for none]"


def _label(element: Element) -> str:
    return str(element.get("label") or element.get("placeholder") or element.get("id", "value"))


def _listed(element: Element) -> str:
    return ", ".join(f"{i} {c['title']}" for i, c in enumerate(element.get("choices", []), 1))


def chosen_titles(element: Element, value: str) -> list[str]:
    """The titles of the choices a ChoiceSet's ``value`` (comma-separated values) selects."""
    values = value.split(",")
    return [str(c["title"]) for c in element.get("choices", []) if str(c["value"]) in values]


def _day(iso: str) -> str:
    """``2027-03-31`` as ``31/03/2027``, the way it is typed here."""
    parts = iso.split("-")
    return "/".join(reversed(parts)) if len(parts) == 3 else iso


class Refused(ValueError):
    """What was typed for an input cannot be used, as a card in Teams would not let it be sent;
    the message says why, and what can be typed."""


def read_input(element: Element, answer: str) -> str:
    """The value an input sends, as Teams would send it, from what was typed: for a choice, the
    numbers or names shown; for a date, the day in ISO form; Enter keeps the card's value.
    :class:`Refused` for anything else, and for nothing where the card requires a value."""
    typed = answer.strip()
    if not typed:
        kept = str(element.get("value") or "")
        if element.get("isRequired") and not kept:
            raise Refused(str(element.get("errorMessage") or f"{_label(element)} is needed."))
        return kept
    if element.get("type") == "Input.ChoiceSet":
        return ",".join(str(c["value"]) for c in _choices_typed(element, typed))
    if element.get("type") == "Input.Date":
        try:
            return parse_day(typed).isoformat()
        except RulesError as problem:
            raise Refused(f"{problem}.") from None
    return typed


def _choices_typed(element: Element, typed: str) -> list[Element]:
    """The choices typed: numbers as shown (``2,4`` or ``2 4``), or names (a whole name, any
    case, or a part of one that only one choice has); several, comma-separated, only where
    the card lets several be chosen."""
    choices: list[Element] = element.get("choices", [])
    several = bool(element.get("isMultiSelect"))
    exact = [c for c in choices if str(c["title"]).casefold() == typed.casefold()]
    if len(exact) == 1:
        parts = [typed]
    elif re.fullmatch(r"\d+(?:[\s,]+\d+)*", typed):
        parts = re.findall(r"\d+", typed)
    else:
        parts = [p.strip() for p in typed.split(",") if p.strip()] if several else [typed]
    picked = [_one_choice(choices, part, several) for part in parts]
    if not several and len(picked) > 1:
        raise Refused(f"Choose one: {_listed(element)}.")
    return [c for c in choices if any(c is p for p in picked)]  # in the card's order, once each


def _one_choice(choices: list[Element], part: str, several: bool) -> Element:
    how = "numbers or names, separated by commas" if several else "a number or a name"
    listed = ", ".join(f"{i} {c['title']}" for i, c in enumerate(choices, 1))
    if part.isdigit():
        if 1 <= int(part) <= len(choices):
            return choices[int(part) - 1]
        raise Refused(f"There is no choice {part}. Type {how}: {listed}.")
    found = [c for c in choices if str(c["title"]).casefold() == part.casefold()] or [
        c for c in choices if part.casefold() in str(c["title"]).casefold()
    ]
    if len(found) == 1:
        return found[0]
    if found:
        could = " or ".join(f"{choices.index(c) + 1} {c['title']}" for c in found)
        raise Refused(f"{quoted(part)} could be {could}: type its number, or more of its name.")
    raise Refused(f"{quoted(part)} is not one of the choices. Type {how}: {listed}.")
