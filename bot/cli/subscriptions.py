"""``ehcp-bot subscriptions``: which channels get which services' nudges, and pausing them from
the server (a channel in trouble, a holiday, a team that asked for quiet)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.cli.common import Commands, cli_actor, iso_date, open_store

if TYPE_CHECKING:
    from bot.storage.channels import Subscription
    from bot.storage.store import Repositories

UNTIL_RESUMED = "9999-12-31"
"""The day a pause without an end is kept until: a subscription paused until resumed."""
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def register(commands: Commands, db: argparse.ArgumentParser) -> None:
    """Add ``subscriptions list``, ``pause`` and ``resume``."""
    subscriptions = commands.add_parser(
        "subscriptions",
        help="list, pause and resume channels' nudges",
        description="The channels subscribed to services' nudges: list them, pause a channel's "
        "nudges (until a day, or until resumed) and resume them.",
    )
    sub = subscriptions.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = sub.add_parser(
        "list",
        parents=[db],
        help="list every subscription",
        description="Every channel's subscriptions: the service (or all), how often (daily, or "
        "weekly on a day), and whether paused, until when and why.",
    )
    listing.set_defaults(handler=_list)
    for verb, text in (
        ("pause", "Pause a channel's nudges: until --until, or until resumed."),
        ("resume", "Resume a channel's nudges now."),
    ):
        parser = sub.add_parser(verb, parents=[db], help=text.lower().rstrip("."), description=text)
        parser.add_argument(
            "--channel",
            required=True,
            metavar="CHANNEL",
            help="the channel, by its conversation id or its name (as 'list' shows them)",
        )
        if verb == "pause":
            parser.add_argument("--until", type=iso_date, help="the day nudges come back")
        parser.set_defaults(handler=_pause if verb == "pause" else _resume)


def _list(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        rows = store.call(lambda r: r.channels.subscriptions())
    if not rows:
        print("No channel is subscribed yet. In Teams, @mention the bot in a channel and type: ")
        print("  subscribe SERVICE")
        return 0
    for row in rows:
        print(_line(row))
    return 0


def _line(row: Subscription) -> str:
    service = row.service_name or "every service"
    when = "daily" if row.weekday is None else f"weekly on {_WEEKDAYS[row.weekday]}"
    paused = ""
    if row.paused_until:
        until = (
            "until resumed" if row.paused_until == UNTIL_RESUMED else f"until {row.paused_until}"
        )
        paused = f"  PAUSED {until}" + (f" ({row.paused_reason})" if row.paused_reason else "")
    return f"{row.channel_name or '(unnamed)'}  {row.conversation_id}  {service}  {when}{paused}"


def _channel(repos: Repositories, wanted: str) -> str:
    """The conversation id ``wanted`` names, by id or by channel name (case ignored)."""
    from bot.storage.errors import NotFoundError

    rows = repos.channels.subscriptions()
    ids = {r.conversation_id for r in rows if r.conversation_id == wanted}
    ids |= {r.conversation_id for r in rows if (r.channel_name or "").lower() == wanted.lower()}
    if len(ids) != 1:
        known = ", ".join(sorted({r.channel_name or r.conversation_id for r in rows})) or "none"
        which = "more than one channel is called" if ids else "no subscribed channel is"
        raise NotFoundError(f"{which} {wanted!r}. Subscribed channels: {known}.")
    return ids.pop()


def _pause(args: argparse.Namespace) -> int:
    until = args.until.isoformat() if args.until else UNTIL_RESUMED
    with open_store(args) as store:
        today = store.clock.today()
        if args.until is not None and args.until <= today:
            from bot.storage.errors import InvalidInputError

            raise InvalidInputError(f"--until {args.until} is not after today ({today}).")
        conversation = store.call(lambda r: _channel(r, args.channel))
        store.call(
            lambda r: r.channels.pause_until(
                conversation, until, actor=cli_actor(), reason="paused by an administrator"
            )
        )
    shown = "until resumed" if until == UNTIL_RESUMED else f"until {until}"
    print(f"Paused the nudges of {args.channel} {shown}.")
    return 0


def _resume(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        conversation = store.call(lambda r: _channel(r, args.channel))
        store.call(lambda r: r.channels.pause_until(conversation, None, actor=cli_actor()))
    print(f"Resumed the nudges of {args.channel}.")
    return 0
