"""``ehcp-bot nudges``: run the nudge sweep once, or show what it would post."""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import date, timedelta
from typing import TYPE_CHECKING

from bot.cli.common import Commands, command_clock, iso_date, open_store

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.nudges.sweep import SweepReport
    from bot.storage.store import Store


def register(commands: Commands, db: argparse.ArgumentParser) -> None:
    """Add ``nudges``."""
    nudges = commands.add_parser(
        "nudges",
        parents=[db],
        help="run the nudge sweep once (or show what it would post)",
        description="Run the nudge sweep once: post each subscribed channel its digest of what is "
        "due, overdue and at which escalation step. Each item and step is posted once. The sweep "
        "takes the same lease as the sweeps of running `serve` instances, so it never runs beside "
        "one: while another holds it, nothing is posted and the command says who holds it.",
    )
    nudges.add_argument("--today", type=iso_date, help="sweep as on this day (default: today)")
    nudges.add_argument(
        "--dry-run", action="store_true", help="print what would be posted; post nothing"
    )
    nudges.add_argument("--json", action="store_true", help="print the plan as JSON")
    nudges.set_defaults(handler=_run)


HELD = 3
"""The exit status while another instance is sweeping: not a failure, and nothing was posted."""


class _Held(Exception):
    """Another instance holds the sweep's lease."""

    def __init__(self, holder: str | None) -> None:
        super().__init__(holder)
        self.holder = holder


def _run(args: argparse.Namespace) -> int:
    from bot.config import Settings

    settings = Settings.from_environment()
    clock = command_clock(args)
    with open_store(args, clock) as store:
        try:
            report = asyncio.run(_sweep(store, settings, clock.today(), dry_run=args.dry_run))
        except _Held as held:
            print(
                "Nothing posted: another nudge sweep holds the lease (held by "
                f"{held.holder or 'nobody now: it has just been given back'}): one is running "
                "on a `serve` instance or in another `ehcp-bot nudges`, or one was stopped and "
                f"its lease lapses within {settings.sweep_lease:g} s. Run this again once it has "
                "finished: it posts only what is still to post."
            )
            return HELD
        names = store.call(lambda r: {s.id: s.name for s in r.services.all()})
    print(_as_json(report, names) if args.json else _as_text(report, names, dry_run=args.dry_run))
    return 0 if not report.failed else 1


async def _sweep(store: Store, settings: Settings, today: date, *, dry_run: bool) -> SweepReport:
    """The sweep through the same wiring as ``serve`` (nothing is built for a dry run), under
    the sweep's lease (a dry run posts nothing, so needs none)."""
    from bot.clock import SystemClock
    from bot.nudges.scheduler import SweepLease
    from bot.nudges.sweep import NudgeSweep
    from bot.teams.adapter import build_wiring

    if dry_run:
        return await NudgeSweep(store, None).run(today, dry_run=True)
    # the lease on the machine's real time, whatever --today says: serve instances compare its
    # expiry with theirs
    lease = SweepLease(
        store,
        lasting=timedelta(seconds=settings.sweep_lease),
        clock=SystemClock(settings.timezone),
    )
    if not await lease.take():
        raise _Held(await lease.held_by())
    async with lease.kept():
        wiring = build_wiring(settings)
        try:
            sweep = NudgeSweep(
                store, wiring.sender(), refresh_months=settings.assessment_refresh_months
            )
            return await sweep.run(today)
        finally:
            await wiring.close()


def _as_text(report: SweepReport, names: dict[int, str], *, dry_run: bool) -> str:
    from dialogs.cards.digest import digest_group, digest_line
    from ehcp_rules import counted

    done = (
        "dry run: nothing posted"
        if dry_run
        else (f"{report.posted} posted, {report.paused} paused, {report.failed} failed")
    )
    lines = [
        f"Nudges for {report.day:%a %d %b %Y}: {counted(report.channels, 'channel')}, "
        f"{counted(report.items, 'item')} ({done})."
    ]
    for digest in report.digests:
        lines.append(f"{digest.channel_name or 'a channel'} ({digest.conversation_id}):")
        step = None
        for nudge in digest.nudges:
            if nudge.step is not step:
                step = nudge.step
                lines.append(f"  {digest_group(step)}")
            lines.append("    " + digest_line(nudge, names.get(nudge.service_id, "?"), report.day))
    return "\n".join(lines)


def _as_json(report: SweepReport, names: dict[int, str]) -> str:
    from dialogs.cards.digest import digest_line

    payload = report.model_dump(mode="json", exclude={"digests"})
    payload["channels_due"] = [
        {
            "conversation_id": d.conversation_id,
            "channel": d.channel_name,
            "catch_up": d.catch_up,
            "items": [
                n.model_dump(mode="json")
                | {
                    "service": names.get(n.service_id),
                    "text": digest_line(n, names.get(n.service_id, "?"), report.day),
                }
                for n in d.nudges
            ],
        }
        for d in report.digests
    ]
    return json.dumps(payload, indent=2)
