"""The fixes' state-change check against botbuilder's own: where stock says a state changed, ours
must say so too (else the change would not be saved). Ours may say "changed" where stock does not:
that costs one write."""

from __future__ import annotations

import copyreg
import math
from typing import Any

import pytest
from botbuilder.dialogs import DialogInstance, DialogState
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.teams import fixes


class Plain:
    """An object whose state is its ``__dict__`` (as the framework's own state objects are)."""

    def __init__(self, **attributes: Any) -> None:
        self.__dict__.update(attributes)


class Slotted:
    """An object without a ``__dict__``: its state is in slots."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def stock(state: object) -> str:
    return str(fixes._compute_hash(None, state))


def ours(state: object) -> str:
    return fixes._fingerprint(None, state)


_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats(allow_nan=True, allow_infinity=True, width=16)
    | st.sampled_from(["", "a", "1", "py/tuple", "Question 2 of 23"])
)
_keys = st.sampled_from(["a", "b", "1", "py/object", "state"]) | st.integers(0, 2)


def _containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return (
        st.lists(inner, max_size=3)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(_keys, inner, max_size=3)
        | st.dictionaries(st.sampled_from(["x", "y"]), inner, max_size=2).map(
            lambda attributes: Plain(**attributes)
        )
        | inner.map(Slotted)
    )


_states = st.recursive(_scalars, _containers, max_leaves=10).map(lambda value: {"root": value})


def _mutables(value: Any, found: list[Any]) -> list[Any]:
    """Every container in ``value`` that can be changed in place."""
    if isinstance(value, list | dict | Plain | Slotted):
        found.append(value)
    children: Any = ()
    if isinstance(value, list | tuple):
        children = value
    elif isinstance(value, dict):
        children = value.values()
    elif isinstance(value, Plain):
        children = vars(value).values()
    elif isinstance(value, Slotted):
        children = (value.value,)
    for child in children:
        _mutables(child, found)
    return found


_LOOKALIKES: dict[Any, Any] = {1: True, 0: False, "1": 1, "True": True}


def _lookalike(value: Any) -> Any:
    """A value that a careless rendering could confuse with ``value``."""
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and abs(value) < 1e9 else "nan"
    if type(value) is bool:
        return int(value)
    if isinstance(value, int | str) and value in _LOOKALIKES:
        return _LOOKALIKES[value]
    return value


def _mutate(target: Any, data: st.DataObject) -> None:
    new = data.draw(_scalars | st.lists(_scalars, max_size=2))
    if isinstance(target, list):
        if len(target) > 0 and data.draw(st.booleans()):
            index = data.draw(st.integers(0, len(target) - 1))
            target[index] = _lookalike(target[index])
        else:
            target.append(new)
    elif isinstance(target, dict):
        if len(target) > 0 and data.draw(st.booleans()):
            key = data.draw(st.sampled_from(sorted(target, key=repr)))
            swapped = _lookalike(key)
            target[swapped] = _lookalike(target.pop(key))
        else:
            target[data.draw(_keys)] = new
    elif isinstance(target, Plain):
        setattr(target, data.draw(st.sampled_from(["x", "y", "z"])), new)
    else:
        target.value = _lookalike(target.value) if data.draw(st.booleans()) else new


@settings(max_examples=600, deadline=None)
@given(state=_states, data=st.data())
def test_a_change_stock_botbuilder_sees_is_never_missed(state: Any, data: st.DataObject) -> None:
    before_stock, before_ours = stock(state), ours(state)
    _mutate(data.draw(st.sampled_from(_mutables(state, []))), data)

    if stock(state) != before_stock:
        assert ours(state) != before_ours


def test_an_object_without_a_dict_changed_in_place_is_a_change() -> None:
    slotted = Slotted("Question 2")
    state = {"progress": slotted}
    before = ours(state)

    slotted.value = "Question 3"

    assert stock(state) != stock({"progress": Slotted("Question 2")})  # stock sees it...
    assert ours(state) != before  # ...and so do we


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"a": [1, 2]}, {"a": (1, 2)}),
        ({"a": 1}, {"a": True}),
        ({"a": 1}, {"a": 1.0}),
        ({"a": Plain(x=1)}, {"a": {"py/object": f"{__name__}.Plain", "state": {"x": 1}}}),
    ],
    ids=["list or tuple", "int or bool", "int or float", "object or a dict that looks like one"],
)
def test_values_stock_tells_apart_are_told_apart(first: Any, second: Any) -> None:
    assert stock(first) != stock(second)
    assert ours(first) != ours(second)


def test_the_framework_state_of_a_dialog_takes_the_fast_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def slow(self: Any, obj: object) -> str:
        raise AssertionError("jsonpickle was asked")

    monkeypatch.setattr(fixes, "_compute_hash", slow)
    stack = DialogState([DialogInstance("MainDialog", {"values": {"question": 2}})])
    state = {"DialogState": stack, "Welcomed": True}
    before = ours(state)

    stack.dialog_stack[0].state["values"]["question"] = 3

    assert ours(state) != before


class Registered:
    """A class whose ``copyreg`` reducer, registered elsewhere, leaves its state out."""

    def __init__(self, value: Any) -> None:
        self.value = value


def test_a_reducer_registered_elsewhere_does_not_hide_a_change() -> None:
    copyreg.pickle(Registered, lambda item: (Registered, (None,)))
    try:
        registered = Registered("Question 2")
        state = {"progress": registered}
        before_stock, before_ours = stock(state), ours(state)

        registered.value = "Question 3"

        assert stock(state) != before_stock
        assert ours(state) != before_ours
    finally:
        del copyreg.dispatch_table[Registered]
