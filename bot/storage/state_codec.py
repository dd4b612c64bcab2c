"""How the bot framework's state is written to SQLite: plain JSON when it is plain, else jsonpickle.

A conversation's state is a dict holding botbuilder's ``DialogState`` and ``DialogInstance``
objects over dicts, lists and scalars. Written by a walk that knows exactly those two classes (and
refuses anything else: tuples, sets, non-string keys, other objects), it round-trips exactly and
costs a fraction of jsonpickle, which remains the fallback for anything the walk refuses and for
documents written before this codec existed.
"""

from __future__ import annotations

import json
from typing import Any

import jsonpickle
from botbuilder.dialogs import DialogInstance, DialogState

MARK = "json:"
_TYPE, _STATE = "py/type", "py/state"
_CLASSES: dict[str, Any] = {
    f"{cls.__module__}.{cls.__qualname__}": cls for cls in (DialogState, DialogInstance)
}
_SCALARS = (str, int, float, bool)


class _NotPlain(Exception):
    """Something the plain walk does not write."""


def encode(value: Any) -> str:
    """The stored form of ``value``."""
    try:
        return MARK + json.dumps(_plain(value), allow_nan=False, separators=(",", ":"))
    except (_NotPlain, ValueError):
        return str(jsonpickle.encode(value, keys=True))


def decode(document: str) -> Any:
    """``value`` again, from what ``encode`` wrote (or jsonpickle wrote before)."""
    if document.startswith(MARK):
        return json.loads(document[len(MARK) :], object_hook=_revive)
    return jsonpickle.decode(document, keys=True)


def _plain(value: Any) -> Any:
    kind = type(value)
    if value is None or kind in _SCALARS:
        return value
    if kind is list:
        return [_plain(item) for item in value]
    if kind is dict:
        plain = {}
        for key, item in value.items():
            if type(key) is not str or key == _TYPE:
                raise _NotPlain
            plain[key] = _plain(item)
        return plain
    name = f"{kind.__module__}.{kind.__qualname__}"
    if name in _CLASSES and hasattr(value, "__dict__"):
        return {_TYPE: name, _STATE: _plain(vars(value))}
    raise _NotPlain


def _revive(fields: dict[str, Any]) -> Any:
    name = fields.get(_TYPE)
    if name is None:
        return fields
    cls = _CLASSES[name]
    revived = cls.__new__(cls)
    revived.__dict__.update(fields[_STATE])
    return revived
