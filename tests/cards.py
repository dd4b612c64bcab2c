"""Validation of every card against the official Adaptive Cards 1.5 schema (shared/schemas)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

NAME = "adaptive-card-1.5.schema.json"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "schemas" / NAME
COPY = Path(__file__).resolve().parent / "schemas" / NAME
"""Microsoft's official schema: ``../shared``'s when it is beside the checkout, else the copy kept
here (a test checks the copy is identical to ``../shared``'s)."""


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    path = SHARED if SHARED.is_file() else COPY
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def _check(instance: Any, definition: str) -> None:
    schema = _schema()
    validator = jsonschema.Draft6Validator(
        {"$ref": f"#/definitions/{definition}", "definitions": schema["definitions"]},
        format_checker=jsonschema.Draft6Validator.FORMAT_CHECKER,
    )
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, f"{definition} invalid: {errors[0].message} at {list(errors[0].path)}"


def _walk(element: dict[str, Any]) -> None:
    kind = element.get("type", "")
    _check(element, kind)
    if kind == "Input.ChoiceSet":
        assert element.get("choices"), "a choice set needs choices"
    for child in element.get("items", []) + element.get("columns", []):
        _walk(child)
    if "selectAction" in element:
        _check(element["selectAction"], element["selectAction"]["type"])


def assert_valid_card(card: dict[str, Any]) -> None:
    """Fails with a readable message unless ``card`` is a valid Adaptive Card 1.5."""
    assert card.get("type") == "AdaptiveCard", f"not an AdaptiveCard: {card.get('type')!r}"
    assert card.get("version") == "1.5", f"version {card.get('version')!r}, not 1.5"
    for element in card.get("body", []):
        _walk(element)
    for action in card.get("actions", []):
        _check(action, action["type"])
    _check({key: value for key, value in card.items() if key != "msteams"}, "AdaptiveCard")


def shown(element: dict[str, Any]) -> str:
    """What a text element says, bold runs marked ``**`` as our templates write them: a
    TextBlock's text, or a RichTextBlock's runs joined."""
    if element.get("type") == "RichTextBlock":
        return "".join(
            f"**{run['text']}**" if run.get("weight") == "Bolder" else str(run["text"])
            for run in element.get("inlines", [])
        )
    return str(element.get("text", ""))


def card_text(card: dict[str, Any]) -> str:
    """Every line of text a card shows, in order, nested columns and containers included,
    without the ``**`` that marks bold."""
    lines: list[str] = []

    def walk(element: dict[str, Any]) -> None:
        if element.get("type") in ("TextBlock", "RichTextBlock"):
            lines.append(shown(element).replace("**", ""))
        if element.get("type") == "FactSet":
            lines.extend(f"{f['title']}: {f['value']}" for f in element.get("facts", []))
        for child in element.get("items", []) + element.get("columns", []):
            walk(child)

    for element in card.get("body", []):
        walk(element)
    return "\n".join(lines)
