"""Per-turn costs of the Bot Framework SDK, removed without forking it: process-wide patches
that install only on the exact versions they were written for, can be switched off, and undone.

1. msrest 0.7.1 builds every client's retry list by testing each status code up to 999 against a
   501-item *list* (``ClientRetryPolicy.safe_codes``): about 4 ms per client. Making that list a
   frozenset gives the same retry list in microseconds.
2. msrest walks an Adaptive Card (plain JSON inside the activity) node by node in Python, twice
   for every activity sent (it rebuilds the activity, then serialises it), and once for every
   activity received, calling a serialiser for each value. A value made only of JSON's own types
   is now checked by one short walk and passed on as it is (msrest would make an equal copy);
   anything else (tuples, subclasses such as enums, NaN) still takes msrest's way.
3. msrest serialises a model by raising and catching an exception for each unset attribute
   (40-odd per activity); a plain JSON model is now walked by its attribute map, values it is
   unsure of still going through msrest (``_models_first``).
4. botbuilder notices a changed conversation state by comparing jsonpickle flattenings of the
   whole state, made twice a turn. The C pickler's rendering of the same state keeps apart
   everything jsonpickle does (tuples from lists, keys by type, objects by class and state, slots,
   shared references) at a fraction of the cost; what it cannot pickle is left to jsonpickle. It
   may say "changed" where jsonpickle says "unchanged" (a write too many), never the reverse.

Each patched function has a differential test against the stock one (``tests/bot/
test_framework.py``). :func:`apply` installs them only on :data:`WRITTEN_FOR`; on any other
version the stock framework runs, with one warning. ``EHCP_FRAMEWORK_FIXES=off`` runs stock.
The per-app fixes (shared connector clients and the aiohttp transport) are in
``bot.teams.connector`` and follow the same switch.
"""

from __future__ import annotations

import io
import logging
import math
import pickle
from collections.abc import Callable
from enum import Enum
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from botbuilder.core.bot_state import CachedBotState
from msrest.serialization import Deserializer, Model, Serializer, full_restapi_key_transformer
from msrest.universal_http.requests import ClientRetryPolicy

log = logging.getLogger(__name__)

WRITTEN_FOR = {"botbuilder-core": "4.17.1", "botframework-connector": "4.17.1", "msrest": "0.7.1"}
"""The exact versions these fixes were written against and tested with."""

_STOCK: dict[tuple[type, str], Any] = {
    (ClientRetryPolicy, "safe_codes"): ClientRetryPolicy.safe_codes,
    (Serializer, "serialize_object"): Serializer.serialize_object,
    (Serializer, "_serialize"): Serializer._serialize,
    (Deserializer, "deserialize_object"): Deserializer.deserialize_object,
    (CachedBotState, "compute_hash"): CachedBotState.compute_hash,
}
_serialize_object: Any = _STOCK[Serializer, "serialize_object"]
_serialize_model: Any = _STOCK[Serializer, "_serialize"]
_deserialize_object: Any = _STOCK[Deserializer, "deserialize_object"]
_compute_hash: Any = _STOCK[CachedBotState, "compute_hash"]
_warned: set[str] = set()


def version_mismatch(installed: Callable[[str], str] = version) -> str | None:
    """Why the fixes do not fit the installed framework (``None`` when they do)."""
    for package, wanted in WRITTEN_FOR.items():
        try:
            found = installed(package)
        except PackageNotFoundError:
            found = "not installed"
        if found != wanted:
            return f"{package} is {found}, the fixes were written for {wanted}"
    return None


def apply(enabled: bool, *, installed: Callable[[str], str] = version) -> bool:
    """Install the fixes when ``enabled`` and the versions match, else make sure the stock
    framework runs; whether the fixes are now installed. A mismatch is warned of once.

    The patches are process-wide and bind when an msrest serializer is built: installing or
    undoing them changes what clients built afterwards do, not clients already built. A process
    runs with one setting (``build_wiring`` applies it before building anything)."""
    mismatch = version_mismatch(installed) if enabled else None
    if not enabled or mismatch:
        if mismatch and mismatch not in _warned:
            _warned.add(mismatch)
            log.warning("framework fixes are off, the stock framework runs: %s", mismatch)
        uninstall()
        return False
    install()
    return True


def install() -> None:
    """Patch msrest and botbuilder (idempotent). :func:`apply` is the guarded way in."""
    ClientRetryPolicy.safe_codes = frozenset(_STOCK[ClientRetryPolicy, "safe_codes"])  # type: ignore[assignment]
    Serializer.serialize_object = _json_first(_serialize_object)  # type: ignore[method-assign]
    Serializer._serialize = _models_first  # type: ignore[method-assign]
    Deserializer.deserialize_object = _json_first(_deserialize_object)  # type: ignore[method-assign]
    CachedBotState.compute_hash = _fingerprint


def uninstall() -> None:
    """Put back every patched function as shipped (idempotent)."""
    for (owner, name), original in _STOCK.items():
        setattr(owner, name, original)


def installed() -> bool:
    """Whether the fixes are in place now."""
    return CachedBotState.compute_hash is _fingerprint


def _json_first(original: Any) -> Any:
    """``original`` (msrest's walk over an ``object`` value), except that a value made only of
    JSON's own types (dicts with text keys, lists, text, whole numbers, finite numbers, booleans,
    ``None``; no subclasses, no tuples) is passed on as it is: msrest would return an equal copy
    of it, which is only ever encoded. Anything else takes msrest's way."""

    def walk(self: Any, attr: Any, **kwargs: Any) -> Any:
        if type(attr) in _CONTAINERS:
            try:
                if _plain_json(attr):
                    return attr
            except RecursionError:  # nested beyond reason, or a cycle: msrest decides
                pass
        return original(self, attr, **kwargs)

    return walk


_CONTAINERS = (dict, list)
_EXACT_SCALARS = (str, int, bool, type(None))


def _plain_json(value: Any) -> bool:
    """Whether ``value`` is made only of JSON's own types, exactly."""
    kind = type(value)
    if kind in _EXACT_SCALARS:
        return True
    if kind is float:
        return math.isfinite(value)
    if kind is dict:
        return all(type(key) is str and _plain_json(item) for key, item in value.items())
    if kind is list:
        return all(_plain_json(item) for item in value)
    return False


_Plan = tuple[tuple[str, str, str], ...]
_plans: dict[type, _Plan | None] = {}
_SAME = {"str": str, "bool": bool, "int": int, "float": float}
_QUIET = frozenset({"is_xml", "serialization_ctxt"})


def _models_first(self: Any, target_obj: Any, data_type: Any = None, **kwargs: Any) -> Any:
    """msrest's ``Serializer._serialize``, except that a JSON model is walked by its attribute
    map directly, skipping unset attributes without raising and catching an exception for each
    (as msrest does, 40-odd times for every activity). Values it is not sure of (dates, enums,
    anything unusual) still go through msrest's ``serialize_data``; anything else at all falls
    back to msrest whole, so the result is the same."""
    plan = _plan_of(self, target_obj, data_type, kwargs)
    if plan is not None:
        try:
            return _model(self, target_obj, plan, kwargs)
        except Exception:  # let msrest build (or refuse) it exactly as it would have
            log.debug("msrest serialises a %s itself", type(target_obj).__name__)
    return _serialize_model(self, target_obj, data_type, **kwargs)


def _plan_of(self: Any, target_obj: Any, data_type: Any, kwargs: dict[str, Any]) -> _Plan | None:
    if not isinstance(target_obj, Model) or kwargs.get("is_xml") or not _QUIET.issuperset(kwargs):
        return None
    if self.key_transformer is not full_restapi_key_transformer:
        return None
    if data_type is not None:
        named = self.dependencies.get(data_type) if isinstance(data_type, str) else None
        if named is None or not isinstance(named, type) or issubclass(named, Enum):
            return None
    cls = type(target_obj)
    if cls not in _plans:
        _plans[cls] = _plan_for(cls)
    return _plans[cls]


def _plan_for(cls: type[Model]) -> _Plan | None:
    """(attribute, JSON key, type) for each attribute; None for anything but a plain JSON model
    (XML, polymorphic, read-only or flattened attributes, additional properties)."""
    if cls.is_xml_model() or getattr(cls, "_subtype_map", None):  # type: ignore[no-untyped-call]
        return None
    if any(rules.get("readonly") for rules in getattr(cls, "_validation", {}).values()):
        return None
    plan = []
    for attribute, description in cls._attribute_map.items():
        key, kind = description.get("key"), description.get("type")
        if attribute == "additional_properties" or not isinstance(kind, str):
            return None
        if not isinstance(key, str) or not key or "." in key or "\\" in key:
            return None
        plan.append((attribute, key, kind))
    return tuple(plan)


def _model(self: Any, target: Any, plan: _Plan, kwargs: dict[str, Any]) -> dict[str, Any]:
    serialized: dict[str, Any] = {}
    for attribute, key, kind in plan:
        value = getattr(target, attribute)
        if value is not None:
            serialized[key] = _value(self, value, kind, kwargs)
    return serialized


def _value(self: Any, value: Any, kind: str, kwargs: dict[str, Any]) -> Any:
    same = _SAME.get(kind)
    if same is not None and type(value) is same:
        return value
    if kind == "object":
        return self.serialize_type["object"](value, **kwargs)
    if kind[0] == "[" and type(value) is list:
        inner = kind[1:-1]
        return [None if item is None else _value(self, item, inner, kwargs) for item in value]
    if isinstance(value, Model) and kind in self.dependencies:
        plan = _plan_of(self, value, None, kwargs)
        if plan is not None:
            return _model(self, value, plan, kwargs)
    return self.serialize_data(value, kind, **kwargs)


def _fingerprint(self: CachedBotState, obj: object) -> str:
    """What ``compute_hash`` compares: the state pickled by the C pickler (every type kept apart,
    tuples from lists, keys by type, objects with their class and whole state, shared references
    as references), else botbuilder's own jsonpickle flattening for what cannot be pickled. A
    class's own reduction is used, never one registered elsewhere with ``copyreg`` (which may
    leave state out that jsonpickle would see)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {}
    try:
        pickler.dump(obj)
    except Exception:  # unpicklable (a lock, a lambda): jsonpickle walks it as stock does
        return str(_compute_hash(self, obj))
    return buffer.getvalue().decode("latin-1")
