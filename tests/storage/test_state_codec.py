"""The bot state codec: plain JSON round-trips exactly; anything else falls back to jsonpickle."""

from __future__ import annotations

from datetime import date
from typing import Any

import jsonpickle
import pytest
from botbuilder.dialogs import DialogInstance, DialogState

from bot.storage.state_codec import MARK, decode, encode


def _state() -> dict[str, Any]:
    inner = DialogState([DialogInstance("SelfAssessment", {"values": {"progress": {"q": 4}}})])
    stack = [DialogInstance("MainDialog", {"dialogs": inner, "options": None, "stepIndex": 0})]
    return {"DialogState": DialogState(stack), "welcomed": True, "e_tag": "*", "n": 1.5}


def test_a_dialog_stack_round_trips_as_plain_json() -> None:
    document = encode(_state())
    back = decode(document)

    assert document.startswith(MARK)
    assert isinstance(back["DialogState"], DialogState)
    main = back["DialogState"].dialog_stack[0]
    assert isinstance(main, DialogInstance) and main.id == "MainDialog"
    child = main.state["dialogs"].dialog_stack[0]
    assert child.state == {"values": {"progress": {"q": 4}}}
    assert encode(back) == document


@pytest.mark.parametrize(
    "value",
    [
        {"t": (1, 2)},
        {1: "int key"},
        {"s": {1, 2}},
        {"d": date(2026, 11, 23)},
        {"f": float("nan")},
    ],
)
def test_anything_not_plain_falls_back_to_jsonpickle(value: dict[str, Any]) -> None:
    document = encode(value)

    assert not document.startswith(MARK)
    assert jsonpickle.encode(decode(document), keys=True) == jsonpickle.encode(value, keys=True)


def test_documents_written_by_jsonpickle_before_still_read() -> None:
    old = jsonpickle.encode(_state(), keys=True)

    assert decode(old)["DialogState"].dialog_stack[0].id == "MainDialog"
