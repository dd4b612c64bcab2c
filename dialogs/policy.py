"""Who may do what, where, and to which service's records: the one policy every turn asks.

Every typed command and every card action has a :class:`Rule` in :data:`RULES`: the roles that
may do it, the places (a personal chat, or a channel or group chat whose members may hold no role)
and how the service it touches is found. A card's data is whatever a client chose to send, so that
service is always read from the stored record the card names (an assessment, a request, a nudge
posted in this very conversation), never taken from the card. Roles are read afresh on every turn,
so a role taken away stops at the next click, mid-assessment too.

In a channel or group chat, lists and records are limited to the services the conversation
follows (its subscriptions), whatever else the person may see; a service's comments, action plan
and exports are shown only in a personal chat (``SECURITY.md``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from dialogs import messages
from dialogs.commands import services_named
from dialogs.messages import inert, said
from dialogs.ports import NotFoundError, PolicyStore
from ehcp_rules import Role, RoleGrant, Service


class Place(StrEnum):
    """Where a turn happens."""

    PERSONAL = "personal"
    SHARED = "shared"  # a team channel or a group chat: members may hold no role


class Reach(StrEnum):
    """How the service an action touches is found (always from the store)."""

    NOTHING = "nothing"  # no service's records (help)
    OWN = "own"  # the person's services (a DCO's or admin's: every one)
    ASSESSMENT = "assessment"  # the stored assessment the card names
    REQUEST = "request"  # the stored request the card names
    SERVICE = "service"  # the stored service the card names, or the one typed by name
    NUDGE = "nudge"  # a nudge posted in this conversation, with the service it was about
    CHANNEL = "channel"  # the services this channel follows
    EVERY = "every"  # every service (the DCO summary)


MEMBERS = frozenset({Role.PRACTITIONER, Role.SPOC})
OVERSEERS = frozenset({Role.DCO, Role.ADMIN})
ANY_ROLE = MEMBERS | OVERSEERS
SPOC_OR_OVERSEER = frozenset({Role.SPOC}) | OVERSEERS
NOBODY_NEEDED: frozenset[Role] = frozenset()
PERSONAL = frozenset({Place.PERSONAL})
SHARED = frozenset({Place.SHARED})
ANYWHERE = PERSONAL | SHARED


@dataclass(frozen=True)
class Rule:
    """Who may, where, and how the target's service is found."""

    who: frozenset[Role]  # empty: anyone, even without a role
    where: frozenset[Place]
    reach: Reach


_ASSESSMENT = Rule(MEMBERS, PERSONAL, Reach.ASSESSMENT)
_CASEWORK = Rule(ANY_ROLE, ANYWHERE, Reach.OWN)
RULES: dict[str, Rule] = {
    # card actions ("card:" + the action a card's button sends)
    **{
        f"card:{action}": _ASSESSMENT
        for action in ("answer", "back", "skip", "pause", "change", "continue", "submit")
    },
    "card:edit_action": _ASSESSMENT,
    "card:save_action": _ASSESSMENT,
    "card:show_plan": Rule(ANY_ROLE, PERSONAL, Reach.ASSESSMENT),
    "card:choose_service": Rule(MEMBERS, PERSONAL, Reach.SERVICE),
    "card:log_request": _CASEWORK,
    "card:list_page": _CASEWORK,
    "card:log_review": _CASEWORK,
    "card:outcome_form": Rule(ANY_ROLE, ANYWHERE, Reach.REQUEST),
    "card:record_outcome": Rule(ANY_ROLE, ANYWHERE, Reach.REQUEST),
    "card:acknowledge": Rule(ANY_ROLE, ANYWHERE, Reach.NUDGE),
    "card:summary_detail": Rule(ANY_ROLE, PERSONAL, Reach.SERVICE),
    "card:summary_export": Rule(OVERSEERS, PERSONAL, Reach.EVERY),
    "card:assessment_export": Rule(ANY_ROLE, PERSONAL, Reach.ASSESSMENT),
    "card:show_answers": Rule(ANY_ROLE, PERSONAL, Reach.ASSESSMENT),
    # typed commands (and the buttons that stand for them): "command:" + the command
    "command:help": Rule(NOBODY_NEEDED, ANYWHERE, Reach.NOTHING),
    "command:unknown": Rule(NOBODY_NEEDED, ANYWHERE, Reach.NOTHING),
    **{
        f"command:{name}": Rule(MEMBERS, PERSONAL, Reach.OWN)
        for name in (
            "start assessment",
            "start new assessment",
            "resume",
            "status",
            "pause",
            "back",
            "skip",
            "review",
            "submit",
        )
    },
    **{
        f"command:{name}": _CASEWORK
        for name in (
            "new request",
            "return",
            "overdue",
            "due this week",
            "requests",
            "new review",
            "reviews",
        )
    },
    "command:subscribe": Rule(SPOC_OR_OVERSEER, SHARED, Reach.SERVICE),
    "command:unsubscribe": Rule(SPOC_OR_OVERSEER, SHARED, Reach.SERVICE),
    "command:subscriptions": Rule(NOBODY_NEEDED, SHARED, Reach.NOTHING),
    "command:nudges": Rule(SPOC_OR_OVERSEER, SHARED, Reach.CHANNEL),
    "command:pause nudges": Rule(SPOC_OR_OVERSEER, SHARED, Reach.CHANNEL),
    "command:resume nudges": Rule(SPOC_OR_OVERSEER, SHARED, Reach.CHANNEL),
    "command:summary": Rule(OVERSEERS, PERSONAL, Reach.EVERY),
    "command:summary for": Rule(ANY_ROLE, PERSONAL, Reach.SERVICE),
    "command:action plan": Rule(ANY_ROLE, PERSONAL, Reach.SERVICE),
}
"""Every command and card action the bot answers. A card action missing here is refused."""

BY_PART_OF_NAME = frozenset({"command:summary for", "command:action plan"})
"""Commands whose service may be named by a part of its name (``summary for paediatrics``)."""
_ALL_WORDS = {"all", "all services", "every service", "everything"}
DECISION_KEY = "ehcp.decision"
"""Where the turn's :class:`Decision` is kept (``TurnContext.turn_state``) for the handlers."""


def decision_of(context: Any) -> Decision:
    """This turn's decision (the policy has always been asked before a handler runs)."""
    decision = context.turn_state.get(DECISION_KEY)
    if not isinstance(decision, Decision):
        raise LookupError("the policy was not asked about this turn")
    return decision


@dataclass(frozen=True)
class Decision:
    """The policy's answer for one turn: allowed or not (with the reason to show), and the
    services the action may touch (found from the store)."""

    allowed: bool
    reason: str = ""
    services: tuple[Service, ...] = ()
    grants: tuple[RoleGrant, ...] = field(default=(), repr=False)

    @property
    def service_ids(self) -> frozenset[int]:
        """The ids of :attr:`services`."""
        return frozenset(s.id for s in self.services)


def refuse(reason: str) -> Decision:
    """A refusal, with what to tell the person."""
    return Decision(False, reason)


@dataclass(frozen=True)
class Turn:
    """What the policy is asked about: who, where, which action, and what came with it."""

    person: str
    place: Place
    conversation: str
    action: str
    value: dict[str, Any] = field(default_factory=dict)
    argument: str = ""


class Policy:
    """Decides every turn from :data:`RULES` and the stored records."""

    def __init__(self, store: PolicyStore) -> None:
        self._store = store

    async def decide(self, turn: Turn) -> Decision:
        """May ``turn.person`` do ``turn.action`` here, and on which services' records?"""
        rule = RULES.get(turn.action)
        if rule is None:
            return refuse(messages.STALE_CARD)
        if turn.place not in rule.where:
            return refuse(_wrong_place(turn, rule))
        grants = tuple(await self._store.roles_of(turn.person)) if turn.person else ()
        held = {grant.role for grant in grants}
        if rule.who and not held & rule.who:
            return refuse(await self._no_role(turn, rule, held))
        services = await self._reach(turn, rule, grants)
        if isinstance(services, str):
            return refuse(services)
        return Decision(True, services=services, grants=grants)

    async def _no_role(self, turn: Turn, rule: Rule, held: set[Role]) -> str:
        """Which role would be needed, naming the service where the command names one."""
        if rule.reach is Reach.SERVICE and turn.action.endswith("subscribe"):
            named = await self._store.find_service(turn.argument.strip())
            if named is not None:
                return messages.SUBSCRIBE_ROLE.format(service=inert(named.name))
        return _no_role(turn, rule, held)

    async def _nothing_here(self, turn: Turn, rule: Rule) -> str:
        """Why none of the person's services can be touched here."""
        if turn.place is Place.PERSONAL:
            return messages.NO_SERVICES.format(object_id=turn.person or "unknown")
        if not await self._store.subscribed_service_ids(turn.conversation):
            return messages.NO_SUBSCRIPTION_HERE
        if rule.reach is Reach.CHANNEL:
            return messages.CHANNEL_CHANGE_ROLE
        return messages.NOT_FOLLOWED_HERE

    async def may_work_on(self, person: str, service_id: int) -> bool:
        """Whether ``person`` is still one of the service's practitioners or SPOCs (asked again
        by the self-assessment on every turn)."""
        grants = await self._store.roles_of(person)
        return any(g.role in MEMBERS and g.service_id == service_id for g in grants)

    async def _reach(
        self, turn: Turn, rule: Rule, grants: tuple[RoleGrant, ...]
    ) -> tuple[Service, ...] | str:
        """The services the action may touch, or why it may not touch the one it names."""
        if rule.reach is Reach.NOTHING:
            return ()
        mine = await self._visible(turn, rule, grants)
        if rule.reach in (Reach.OWN, Reach.EVERY, Reach.CHANNEL):
            return await self._all_of(turn, rule, grants, mine)
        target = await self._target(turn, rule, grants)
        if isinstance(target, str):
            return target
        if target is None:
            return mine if rule.reach is Reach.SERVICE else messages.STALE_CARD
        if target.id not in {s.id for s in mine}:
            return _not_theirs(turn, rule, target)
        return (target,)

    async def _visible(
        self, turn: Turn, rule: Rule, grants: tuple[RoleGrant, ...]
    ) -> tuple[Service, ...]:
        """The services the person may touch with this rule, here: their own (a DCO's or an
        admin's: every one), and in a channel only those the channel follows."""
        every = await self._store.all_services()
        if any(g.role in OVERSEERS & rule.who for g in grants):
            mine = every
        else:
            own = {g.service_id for g in grants if g.role in rule.who}
            mine = [s for s in every if s.id in own]
        if turn.place is Place.SHARED and rule.reach is not Reach.SERVICE:
            followed = {s.id for s in await self._followed(turn, every)}
            mine = [s for s in mine if s.id in followed]
        return tuple(mine)

    async def _all_of(
        self, turn: Turn, rule: Rule, grants: tuple[RoleGrant, ...], mine: tuple[Service, ...]
    ) -> tuple[Service, ...] | str:
        """For an action on all the person's services here: those, or why there are none."""
        if not mine:
            return await self._nothing_here(turn, rule)
        if rule.reach is Reach.CHANNEL:
            return await self._whole_channel(turn, grants, mine)
        return mine

    async def _whole_channel(
        self, turn: Turn, grants: tuple[RoleGrant, ...], mine: tuple[Service, ...]
    ) -> tuple[Service, ...] | str:
        """A channel's nudge settings are the whole channel's: whoever changes them must be
        allowed to for every service it follows (a SPOC of one service cannot silence the
        nudges of the others; a channel following every service is a DCO's or an admin's)."""
        if any(g.role in OVERSEERS for g in grants):
            return mine
        ids = await self._store.subscribed_service_ids(turn.conversation)
        if None in ids:
            return messages.CHANNEL_CHANGE_OTHERS.format(services=messages.EVERY_SERVICE)
        allowed = {s.id for s in mine}
        others = [s for s in await self._store.all_services() if s.id in set(ids) - allowed]
        if others:
            names = ", ".join(inert(s.name) for s in others)
            return messages.CHANNEL_CHANGE_OTHERS.format(services=names)
        return mine

    async def _followed(self, turn: Turn, every: list[Service]) -> tuple[Service, ...]:
        ids = await self._store.subscribed_service_ids(turn.conversation)
        if None in ids:
            return tuple(every)
        return tuple(s for s in every if s.id in ids)

    async def _target(
        self, turn: Turn, rule: Rule, grants: tuple[RoleGrant, ...]
    ) -> Service | str | None:
        """The stored service the turn names; ``None`` when it names none (or "all")."""
        try:
            if rule.reach is Reach.ASSESSMENT:
                return await self._assessment_service(turn)
            if rule.reach is Reach.REQUEST:
                return await self._request_service(turn)
            if rule.reach is Reach.NUDGE:
                return await self._nudge_service(turn)
            if turn.action.startswith("card:"):
                return await self._card_service(turn)
            return await self._named_service(turn, grants)
        except NotFoundError:
            return messages.STALE_CARD

    async def _assessment_service(self, turn: Turn) -> Service | str:
        identifier = _identifier(turn.value.get("assessment"))
        if identifier is None:
            return messages.STALE_CARD
        assessment = await self._store.assessment(identifier)
        return await self._store.service(assessment.service_id)

    async def _request_service(self, turn: Turn) -> Service | str:
        identifier = _identifier(turn.value.get("request"))
        if identifier is None:
            return messages.STALE_CARD
        request = await self._store.request(identifier)
        return await self._store.service(request.service_id)

    async def _nudge_service(self, turn: Turn) -> Service | str:
        item, step = turn.value.get("item"), turn.value.get("step")
        if not isinstance(item, str) or not isinstance(step, str):
            return messages.STALE_CARD
        posted = await self._store.posted_nudge(turn.conversation, item, step)
        if posted is None or posted.service_id is None:
            return messages.STALE_CARD  # not posted here: a card from elsewhere, or forged
        return await self._store.service(posted.service_id)

    async def _card_service(self, turn: Turn) -> Service | str:
        identifier = _identifier(turn.value.get("service"))
        if identifier is None:
            return messages.STALE_CARD
        return await self._store.service(identifier)

    async def _named_service(
        self, turn: Turn, grants: tuple[RoleGrant, ...]
    ) -> Service | str | None:
        """The service a command names (``subscribe NAME``, ``summary for NAME``)."""
        name = turn.argument.strip()
        if not name:
            return None
        if name.lower() in _ALL_WORDS and turn.action.endswith("subscribe"):
            if any(g.role in OVERSEERS for g in grants):
                return None
            return messages.SUBSCRIBE_ALL_ROLE
        found = await self._store.find_service(name)
        if found is None and turn.action in BY_PART_OF_NAME:
            return await self._by_part_of_name(turn, name)
        if found is not None or turn.action == "command:summary for":
            return found  # None: neither a period nor a service; the summary explains both
        return messages.UNKNOWN_SERVICE.format(name=said(name))

    async def _by_part_of_name(self, turn: Turn, name: str) -> Service | str | None:
        """The one service a part of a name means; which ones, when it could mean several."""
        every = await self._store.all_services()
        meant = services_named(name, [s.name for s in every])
        if len(meant) == 1:
            return next(s for s in every if s.name == meant[0])
        if meant:
            return messages.WHICH_SERVICE.format(
                name=said(name),
                names=", ".join(inert(n) for n in meant[:8]),
                example=f"{turn.action.removeprefix('command:')} {inert(meant[0])}",
            )
        if turn.action == "command:summary for":
            return None  # neither a period nor a service: the summary explains both
        return messages.UNKNOWN_SERVICE.format(name=said(name))


_LARGEST_ID = 2**63 - 1  # SQLite's (and PostgreSQL's bigint) largest integer


def _identifier(value: object) -> int | None:
    """A stored record's id as a card carries it: a whole number a database can hold."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= _LARGEST_ID:
        return value
    return None


def _wrong_place(turn: Turn, rule: Rule) -> str:
    if rule.where == SHARED:
        return messages.SUBSCRIBE_IN_CHANNEL
    if rule is _ASSESSMENT or rule.who == MEMBERS:
        return messages.IN_CHANNEL_ONLY_PERSONAL.format(bot=messages.BOT_NAME)
    if turn.action.endswith("_export"):
        return messages.EXPORT_PERSONAL_ONLY.format(bot=messages.BOT_NAME)
    return messages.PERSONAL_ONLY.format(bot=messages.BOT_NAME)


def _no_role(turn: Turn, rule: Rule, held: set[Role]) -> str:
    if rule.who == OVERSEERS:
        return messages.SUMMARY_ROLE
    if rule.who == MEMBERS and held & OVERSEERS:
        return messages.ASSESSMENT_FOR_MEMBERS
    if rule.who == SPOC_OR_OVERSEER:
        return messages.CHANNEL_CHANGE_ROLE
    if rule.who == MEMBERS:
        return messages.NO_ROLE.format(object_id=turn.person or "unknown")
    return messages.NO_ROLE_AT_ALL.format(object_id=turn.person or "unknown")


def _not_theirs(turn: Turn, rule: Rule, target: Service) -> str:
    """The same answer whether the record belongs to another service or to none: a card naming
    another service's record learns nothing about it."""
    if rule.reach is Reach.SERVICE and turn.action.startswith("command:"):
        if turn.action.endswith("subscribe"):
            return messages.SUBSCRIBE_ROLE.format(service=inert(target.name))
        return messages.DETAIL_ROLE.format(service=inert(target.name))
    return messages.STALE_CARD
