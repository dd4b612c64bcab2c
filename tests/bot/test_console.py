"""``ehcp-bot chat``: the same dialogs in a terminal, cards as text with numbered buttons."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date
from pathlib import Path

from bot.cli.card_text import render_card
from bot.cli.console import ConsoleAdapter, ReadLine
from bot.files.downloads import FolderPublisher
from bot.files.exports import FileExports
from bot.storage.store import Repositories, Store
from bot.teams.app import build_bot
from ehcp_rules import Rating, Service
from tests import builders
from tests.builders import SAM


def _script(lines: list[str]) -> tuple[Iterator[str], ReadLine]:
    feed = iter(lines)

    async def read_line(prompt: str) -> str | None:
        return next(feed, None)

    return feed, read_line


_REPORTS = FileExports(FolderPublisher(Path("ehcp-exports")), zone=UTC, charts=False)


async def test_a_question_is_answered_by_numbers_in_the_terminal(
    store: Store, slt: Service
) -> None:
    out = io.StringIO()
    _, read_line = _script(["start assessment", "1", "2", "Weekly list from the LA", "4", "quit"])
    adapter = ConsoleAdapter(user_id=SAM, out=out, read_line=read_line, clock=store.clock)

    await adapter.run(build_bot(store, builders.settings(), reports=_REPORTS).on_turn)

    shown = out.getvalue()
    assert "Hello, I'm the EHCP assistant" in shown
    assert "│ Question 1 of 23  Desirable" in shown
    assert "[1] Save answer  [2] Skip for now  [3] Pause" in shown
    assert "✓ Recorded: Emerging" in shown
    assert "Paused at question 2." in shown
    assessment = store.call(lambda r: r.assessments.in_progress(slt.id))
    assert assessment is not None
    answers = store.call(lambda r: r.assessments.answers(assessment.id))
    assert (answers[1].rating, answers[1].comment) == (Rating.EMERGING, "Weekly list from the LA")


async def test_the_welcome_is_shown_once_per_person(store: Store, slt: Service) -> None:
    outputs = []
    for _ in range(2):
        out = io.StringIO()
        _, read_line = _script(["quit"])
        adapter = ConsoleAdapter(user_id=SAM, out=out, read_line=read_line, clock=store.clock)
        await adapter.run(build_bot(store, builders.settings(), reports=_REPORTS).on_turn)
        outputs.append(out.getvalue())

    assert "Hello, I'm the EHCP assistant" in outputs[0]
    assert "Hello, I'm the EHCP assistant" not in outputs[1]


def test_links_and_images_are_shown_with_their_addresses() -> None:
    lines, form = render_card(
        {
            "type": "AdaptiveCard",
            "body": [{"type": "Image", "url": "https://x/c.png", "altText": "Chart: compliance"}],
            "actions": [
                {"type": "Action.OpenUrl", "title": "Download a.csv", "url": "https://x/a"}
            ],
        }
    )

    assert lines == ["[Chart: compliance] https://x/c.png", "  Download a.csv: https://x/a"]
    assert form.actions == []


async def test_the_action_plan_is_kept_up_in_the_terminal_and_a_refusal_loses_nothing(
    store: Store, slt: Service
) -> None:
    def submitted(r: Repositories) -> int:
        done, _ = r.assessments.start_or_resume(slt.id, edition="east-of-england", actor="t")
        for number in range(1, 24):
            rating = Rating.NO if number == 4 else Rating.YES
            r.assessments.record_answer(done.id, number, rating, "", actor="t")
        r.assessments.submit(done.id, actor="t")
        return done.id

    assessment = store.call(submitted)
    out = io.StringIO()
    typed = [
        "action plan",
        "1",  # Update action 4E
        "1",  # Save, with the card's inputs
        *("Monthly return audit", "Lead 943 476 5919", "Assessment", "31/03/2027", "2"),
        "1",  # Save, on the card shown again
        *("", "Service lead", "", "", ""),  # Enter keeps what the card holds
        "quit",
    ]
    _, read_line = _script(typed)
    prompts: list[str] = []

    async def reading(prompt: str) -> str | None:
        prompts.append(prompt)
        return await read_line(prompt)

    adapter = ConsoleAdapter(user_id=SAM, out=out, read_line=reading, clock=store.clock)
    await adapter.run(build_bot(store, builders.settings(), reports=_REPORTS).on_turn)

    shown = out.getvalue()
    (action,) = store.call(lambda r: r.assessments.actions(assessment))
    assert "The action lead seems to contain an NHS number" in shown
    assert (action.action, action.owner, action.workstream) == (
        "Monthly return audit",
        "Service lead",
        "Assessment",
    )
    assert (action.target_date, action.progress.label) == (date(2027, 3, 31), "On track")
    assert any("Progress (1 Completed, 2 On track" in p and "[now: On track;" in p for p in prompts)
    assert not [p for p in prompts if "not_started" in p or "on_track" in p]


async def test_a_review_meeting_after_the_limit_is_warned_in_the_terminal(
    store: Store, slt: Service
) -> None:
    out = io.StringIO()
    typed = ["new review", "1", "EHCP-2001", "1", "01/03/2026", "", "10/03/2027"]
    _, read_line = _script([*typed, "", "", "", "", "", "", "", "quit"])
    adapter = ConsoleAdapter(user_id=SAM, out=out, read_line=read_line, clock=store.clock)

    await adapter.run(build_bot(store, builders.settings(), reports=_REPORTS).on_turn)

    shown = out.getvalue()
    assert "Logged the annual review for EHCP-2001: hold it by 28 Feb 2027." in shown
    assert "The meeting on 10 Mar 2027 is after the 12-month limit (28 Feb 2027)" in shown
