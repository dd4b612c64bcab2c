"""Parsing of the rules' data files (question banks, escalation ladder) with precise errors."""

from __future__ import annotations

import json
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from ehcp_rules.errors import DataFileError

ModelT = TypeVar("ModelT", bound=BaseModel)


def parse_data_file(model: type[ModelT], text: str, *, source: str) -> ModelT:
    """Validate JSON ``text`` as ``model``; a ``DataFileError`` names ``source`` and the field."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise DataFileError(
            source, f"line {error.lineno}", f"not valid JSON: {error.msg}"
        ) from None
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        raise DataFileError(source, field_path(first["loc"]), first["msg"]) from None


def field_path(loc: tuple[int | str, ...]) -> str:
    """``("questions", 3, "criterion")`` → ``questions[3].criterion``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path or "(top level)"
