"""The nudge sweep: load, ask the rules which nudges are due, post one digest per channel.

Planning reads everything once and filters per channel; posting goes through the paced sender;
what was posted is recorded with the connector's activity id, so nothing is posted twice. The
only repeat possible is a crash between Teams accepting a digest and that record being written.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

from botbuilder.schema import Activity
from pydantic import BaseModel, ConfigDict

from bot.nudges.sender import (
    ChannelGone,
    DeliveryFailed,
    DeliveryUnknown,
    MessageTooBig,
    ProactiveSender,
)
from bot.storage.nudges import INTERRUPTED
from bot.storage.store import Repositories, Store
from dialogs import messages
from dialogs.cards.digest import digest_card, digest_cards, reminder_card
from dialogs.messages import inert
from dialogs.turns import card_activity
from ehcp_rules import AnnualReviewRecord, Nudge, is_working_day, plan_nudges, plan_reminders
from ehcp_rules.nudges import ASSESSMENT_REFRESH_MONTHS

log = logging.getLogger(__name__)
Items = list[tuple[str, str]]
PAUSE_WHEN_GONE = timedelta(days=3650)


class ChannelDigest(BaseModel):
    """What one channel is due today."""

    model_config = ConfigDict(frozen=True)

    conversation_id: str
    channel_name: str | None
    reference: dict[str, Any]
    nudges: tuple[Nudge, ...]
    catch_up: bool


class SweepReport(BaseModel):
    """What a sweep did."""

    day: date
    channels: int = 0
    posted: int = 0
    items: int = 0
    paused: int = 0
    failed: int = 0
    reminders: int = 0
    digests: list[ChannelDigest] = []


def plan_sweep(
    repos: Repositories, today: date, *, refresh_months: int = ASSESSMENT_REFRESH_MONTHS
) -> tuple[list[ChannelDigest], dict[int, str]]:
    """Each subscribed, unpaused channel's unsent nudges; and service names by id."""
    services = {s.id: s.name for s in repos.services.all()}
    channels: dict[str, tuple[Any, set[int]]] = {}
    for sub in repos.channels.subscriptions():
        if sub.paused_until and sub.paused_until > today.isoformat():
            continue
        if not _weekly_due(repos, sub.conversation_id, sub.weekday, today):
            continue
        wanted = set(services) if sub.service_id is None else {sub.service_id}
        entry = channels.setdefault(sub.conversation_id, (sub, set()))
        entry[1].update(wanted)
    ids = sorted(services)
    # the reviews' query (the longest) runs on its own connection while requests are planned
    reviews = repos.nudges.reviews_needing_action_soon(today)
    nudges = plan_nudges(
        today=today,
        requests=repos.nudges.requests_to_nudge(today),
        reviews=_when_needed(reviews),
        assessments=repos.nudges.assessments(ids),
        actions=repos.nudges.late_actions(ids),
        plans=repos.nudges.unled_plans(ids),
        refresh_months=refresh_months,
    )
    catch_up = _catching_up(repos, today)
    by_service: dict[int, list[Nudge]] = defaultdict(list)
    for nudge in nudges:
        by_service[nudge.service_id].append(nudge)
    digests = []
    for conversation_id, (sub, wanted) in channels.items():
        sent = repos.nudges.sent(conversation_id)
        # in plan order: one service's list as it is, several services' picked from the plan
        mine = (
            by_service.get(next(iter(wanted)), [])
            if len(wanted) == 1
            else [n for n in nudges if n.service_id in wanted]
        )
        due = tuple(n for n in mine if (n.item_key, n.step) not in sent)  # a StrEnum: its value
        if due:
            digests.append(
                ChannelDigest(
                    conversation_id=conversation_id,
                    channel_name=sub.channel_name,
                    reference=sub.reference,
                    nudges=due,
                    catch_up=catch_up,
                )
            )
    return digests, services


def _when_needed(read: Callable[[], list[AnnualReviewRecord]]) -> Iterator[AnnualReviewRecord]:
    """The reviews, waited for only when planning reaches them (after the requests)."""
    yield from read()


def _weekly_due(
    repos: Repositories, conversation_id: str, weekday: int | None, today: date
) -> bool:
    """Daily channels always; weekly ones on their day, or the first working day after it that
    week (when the day itself was a bank holiday), once."""
    if weekday is None:
        return True
    chosen = today - timedelta(days=today.weekday() - weekday)
    if today < chosen:
        return False
    last = repos.nudges.last_sent(conversation_id)
    return last is None or last < chosen


def _catching_up(repos: Repositories, today: date) -> bool:
    last = repos.nudges.last_sweep_before(today)
    if last is None:
        return False
    day = today - timedelta(days=1)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return last < day


def _personal_reference(person: str) -> Callable[[Repositories], dict[str, Any] | None]:
    return lambda repos: repos.channels.personal_reference(person)


def _sent_to(conversation: str) -> Callable[[Repositories], set[tuple[str, str]]]:
    return lambda repos: repos.nudges.sent(conversation)


def _hold(
    conversation: str, nudges: list[Nudge] | Items, day: date
) -> Callable[[Repositories], Items]:
    """Claim the nudges' items (or bare (item, step) pairs), keeping what each was about."""
    items = [(n.item_key, n.step.value) if isinstance(n, Nudge) else n for n in nudges]
    about = {
        (n.item_key, n.step.value): (n.service_id, n.reference)
        for n in nudges
        if isinstance(n, Nudge)
    }
    return lambda repos: repos.nudges.hold(conversation, items, day=day, about=about)


def _release(conversation: str, items: Items) -> Callable[[Repositories], None]:
    return lambda repos: repos.nudges.release(conversation, items)


def _confirm(conversation: str, items: Items, activity_id: str) -> Callable[[Repositories], None]:
    return lambda repos: repos.nudges.confirm(conversation, items, activity_id=activity_id)


class NudgeSweep:
    """Runs the sweep for a day: plans, posts through the sender, records."""

    def __init__(
        self,
        store: Store,
        sender: ProactiveSender | None,
        *,
        refresh_months: int = ASSESSMENT_REFRESH_MONTHS,
    ) -> None:
        self._store = store
        self._sender = sender
        self._refresh_months = refresh_months

    async def run(self, today: date, *, dry_run: bool = False) -> SweepReport:
        """Plan and (unless ``dry_run``) post today's digests."""
        digests, services = await self._store.run(
            lambda r: plan_sweep(r, today, refresh_months=self._refresh_months)
        )
        report = SweepReport(
            day=today,
            channels=len(digests),
            digests=digests,
            items=sum(len(d.nudges) for d in digests),
        )
        if dry_run or self._sender is None:
            return report
        await self._store.run(lambda r: r.nudges.start_sweep(today))
        interrupted = await self._store.run(lambda r: r.nudges.interrupted())
        if interrupted:
            log.warning(
                "a sweep was interrupted while posting: %d nudge item(s) may not have reached "
                "Teams and are not posted again (each reappears at its next step)",
                interrupted,
            )
        for digest in digests:
            await self._post(self._sender, digest, services, today, report)
        await self._remind(self._sender, services, today, report)
        await self._store.run(lambda r: r.nudges.finish_sweep(today, report.posted))
        return report

    async def _remind(
        self, sender: ProactiveSender, services: dict[int, str], today: date, report: SweepReport
    ) -> None:
        """Personal reminders to carry on with an unfinished assessment, once per stall."""
        stalled = await self._store.run(lambda r: r.nudges.stalled_assessments())
        for reminder in plan_reminders(stalled, today):
            reference = await self._store.run(_personal_reference(reminder.person))
            if reference is None:
                continue
            conversation = str(reference["conversation"]["id"])
            sent = await self._store.run(_sent_to(conversation))
            if (reminder.item_key, "reminder") in sent:
                continue
            card = reminder_card(
                services.get(reminder.service_id, "your service"),
                question=reminder.question,
                answered=reminder.answered,
                total=reminder.total,
            )
            items = await self._store.run(
                _hold(conversation, [(reminder.item_key, "reminder")], today)
            )
            if not items:  # another sweep, running at the same moment, has it
                continue
            try:
                activity_id = await sender.send(reference, card_activity(card))
            except DeliveryUnknown as unknown:
                await self._store.run(_confirm(conversation, items, INTERRUPTED))
                log.warning("a reminder may not have been delivered: %s", unknown)
                continue
            except (ChannelGone, DeliveryFailed) as failed:
                await self._store.run(_release(conversation, items))
                log.warning("a reminder could not be delivered: %s", failed)
                continue
            await self._store.run(_confirm(conversation, items, activity_id))
            report.reminders += 1

    async def _tell_people(
        self, sender: ProactiveSender, digest: ChannelDigest, reason: str
    ) -> None:
        """The SPOCs of the channel's services and the DCOs hear that a channel is gone."""
        service_ids = sorted({n.service_id for n in digest.nudges})
        people = await self._store.run(lambda r: r.nudges.people_to_tell(service_ids))
        text = messages.CHANNEL_GONE.format(
            channel=inert(digest.channel_name or "(unnamed)"), reason=reason
        )
        for person in people:
            reference = await self._store.run(_personal_reference(person))
            if reference is None:
                continue
            try:
                await sender.send(reference, Activity(type="message", text=text))
            except (ChannelGone, DeliveryFailed) as failed:
                log.warning("could not tell someone about a gone channel: %s", failed)

    async def _post_part(
        self,
        sender: ProactiveSender,
        digest: ChannelDigest,
        nudges: list[Nudge],
        context: tuple[dict[int, str], date, int],
        report: SweepReport,
    ) -> None:
        """Claim the items, post a digest card of those claimed, keep its activity id; on failure
        release the claim (so the next sweep tries again) and let ``_post`` deal with the failure.
        A card Teams refuses for its size is posted again in two halves, nothing lost. Items a
        sweep running at the same moment has claimed are left to it."""
        services, today, part = context
        conversation = digest.conversation_id
        items = await self._store.run(_hold(conversation, nudges, today))
        if not items:
            return
        claimed = set(items)
        mine = [n for n in nudges if (n.item_key, n.step.value) in claimed]
        card = digest_card(mine, services, day=today, catch_up=digest.catch_up, part=part)
        try:
            activity_id = await sender.send(digest.reference, card_activity(card))
        except MessageTooBig:
            await self._store.run(_release(conversation, items))
            if len(mine) == 1:
                raise
            log.warning("a digest was too big for Teams: posting it in two parts")
            half = len(mine) // 2
            await self._post_part(sender, digest, mine[:half], context, report)
            await self._post_part(sender, digest, mine[half:], (services, today, part + 1), report)
            return
        except DeliveryUnknown:
            await self._store.run(_confirm(conversation, items, INTERRUPTED))
            raise
        except (ChannelGone, DeliveryFailed):
            await self._store.run(_release(conversation, items))
            raise
        await self._store.run(_confirm(conversation, items, activity_id))
        report.posted += 1

    async def _post_once(
        self,
        sender: ProactiveSender,
        digest: ChannelDigest,
        services: dict[int, str],
        today: date,
        report: SweepReport,
    ) -> None:
        """The digest as one card, or as several when it is over Teams' size limit (each part
        claimed and posted in turn)."""
        parts = digest_cards(list(digest.nudges), services, day=today, catch_up=digest.catch_up)
        for number, (nudges, _) in enumerate(parts):
            await self._post_part(sender, digest, nudges, (services, today, number), report)

    async def _post(
        self,
        sender: ProactiveSender,
        digest: ChannelDigest,
        services: dict[int, str],
        today: date,
        report: SweepReport,
    ) -> None:
        try:
            await self._post_once(sender, digest, services, today, report)
        except ChannelGone as gone:
            reason = str(gone)
            log.warning("pausing a subscription: %s", reason)
            await self._store.run(
                lambda r: r.nudges.pause(
                    digest.conversation_id, reason=reason, until=today + PAUSE_WHEN_GONE
                )
            )
            report.paused += 1
            await self._tell_people(sender, digest, reason)
            return
        except DeliveryUnknown as unknown:
            log.error("a digest may not have been delivered, and is not posted again: %s", unknown)
            report.failed += 1
        except MessageTooBig as refused:
            log.error(
                "one nudge alone was too big for Teams, and is left for the next: %s", refused
            )
            report.failed += 1
        except DeliveryFailed as failed:
            log.error(
                "a digest could not be delivered, it will be tried at the next sweep: %s", failed
            )
            report.failed += 1
