"""The question bank and the RAG rule as text and JSON, for ``ehcp-bot rules``."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from ehcp_rules import RAG_RULES, QuestionBank

_WIDTH = 100
_QUESTION_INDENT = 10


def question_bank_text(bank: QuestionBank) -> str:
    """The bank as a readable table, grouped in the tool's own order, then the RAG rule."""
    lines = [bank.title, f"Edition: {bank.edition} ({bank.source})", ""]
    lines.append(f"{'No.':>3}  E/D  Question")
    for question in bank.questions:
        theme = bank.theme(question.theme).title
        body = textwrap.wrap(question.text, _WIDTH - _QUESTION_INDENT)
        lines.append(f"{question.number:>3}  {question.criterion.value:<3}  {body[0]}")
        lines.extend(" " * _QUESTION_INDENT + part for part in body[1:])
        lines.append(" " * _QUESTION_INDENT + f"[{question.criterion.label} · {theme}]")
    essentials = len(bank.essential_numbers)
    lines += [
        "",
        f"{len(bank)} questions: {essentials} Essential, {len(bank) - essentials} Desirable.",
    ]
    lines += [
        "Each is rated Yes / Emerging / No (Green / Amber / Red), with comments and evidence."
    ]
    lines += ["", "Overall RAG rating, as this assistant applies it:"]
    lines += [f"  - {rule}" for rule in RAG_RULES]
    lines += ["", "As printed in the tool:"]
    lines += [f"  {rule}" for rule in bank.printed_rag_rules]
    return "\n".join(lines)


def question_bank_json(bank: QuestionBank) -> str:
    """The bank and the rule as JSON, for other tools."""
    payload: dict[str, Any] = bank.model_dump(mode="json")
    payload["rag_rules"] = list(RAG_RULES)
    return json.dumps(payload, indent=2, ensure_ascii=False)
