"""The Teams activity handler: who may talk to the bot, where, and what happens on install."""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import BotAdapter, ConversationState, StatePropertyAccessor, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.dialogs import (
    Dialog,
    DialogEvents,
    DialogExtensions,
    DialogSet,
    DialogTurnStatus,
)
from botbuilder.dialogs.memory import DialogStateManager
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount
from botframework.connector.auth import ClaimsIdentity, SkillValidation

from bot.teams import fixes
from bot.teams.channel_directory import ChannelDirectory
from dialogs import messages
from dialogs.cards.general import welcome_card
from dialogs.turns import card_activity, is_personal

log = logging.getLogger(__name__)


def tenant_of(activity: Activity) -> str | None:
    """The Microsoft 365 tenant an activity comes from (``channelData.tenant.id``)."""
    data: Any = activity.channel_data or {}
    tenant = data.get("tenant") if isinstance(data, dict) else None
    tenant_id = tenant.get("id") if isinstance(tenant, dict) else None
    return str(tenant_id).lower() if tenant_id else None


class EhcpBot(TeamsActivityHandler):
    """Routes Teams activities to the dialogs and saves the conversation state after each turn."""

    def __init__(
        self,
        *,
        conversation_state: ConversationState,
        dialog: Dialog,
        tenants: tuple[str, ...],
        channels: ChannelDirectory | None = None,
    ) -> None:
        super().__init__()
        self._channels = channels
        self._state = conversation_state
        self._dialog = dialog
        self._dialog_state = conversation_state.create_property("DialogState")
        self._welcomed = conversation_state.create_property("Welcomed")
        self._tenants = tenants

    async def on_turn(self, turn_context: TurnContext) -> None:
        if self._tenants and tenant_of(turn_context.activity) not in self._tenants:
            log.warning("refused an activity from a tenant not allowed")
            if turn_context.activity.type == ActivityTypes.message:
                await turn_context.send_activity(messages.NOT_ALLOWED_TENANT)
            return
        if self._channels is not None:
            await self._channels.note(turn_context)
        await super().on_turn(turn_context)
        await self._state.save_changes(turn_context)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if not is_personal(turn_context) and activity.value is None:
            mentions = _mentions_of(activity, activity.recipient)
            if not mentions:
                return
            activity.text = strip_mentions(activity.text or "", mentions)
        await run_dialog(self._dialog, turn_context, self._dialog_state)

    async def on_teams_members_added_dispatch(
        self, members_added: list[ChannelAccount], team_info: Any, turn_context: TurnContext
    ) -> None:
        bot = turn_context.activity.recipient
        if bot is not None and any(member.id == bot.id for member in members_added):
            await self._welcome(turn_context)

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        await self.on_teams_members_added_dispatch(members_added, None, turn_context)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        # Teams sends this and a conversationUpdate (bot added) together, in parallel turns: the
        # welcome comes from the conversationUpdate alone, so it is never sent twice.
        log.info(
            "installed in a %s conversation",
            getattr(turn_context.activity.conversation, "conversation_type", None),
        )

    async def _welcome(self, turn_context: TurnContext) -> None:
        if await self._welcomed.get(turn_context, False):
            return
        await self._welcomed.set(turn_context, True)
        await turn_context.send_activity(card_activity(welcome_card()))


async def run_dialog(dialog: Dialog, context: TurnContext, accessor: StatePropertyAccessor) -> None:
    """``DialogExtensions.run_dialog`` for a bot talking to a channel: continue the active dialog
    or begin ``dialog``, an error offered to the dialogs as an event first. What it leaves out is
    the framework's trace of the whole dialog state after every turn, which only the Bot
    Framework Emulator shows (every other channel drops it) and which cost a deep copy of that
    state each turn. It leans on the framework's internals, so it is one of the framework fixes:
    without them (switched off, or another botbuilder version), and for a turn from a parent bot
    (a skill call), the framework's own ``run_dialog`` runs. CI runs every dialog test both ways.
    """
    identity = context.turn_state.get(BotAdapter.BOT_IDENTITY_KEY)
    skill = isinstance(identity, ClaimsIdentity) and SkillValidation.is_skill_claim(identity.claims)
    if skill or not fixes.installed():
        await DialogExtensions.run_dialog(dialog, context, accessor)
        return
    dialogs = DialogSet(accessor)
    dialogs.add(dialog)
    dialog_context = await dialogs.create_context(context)
    for key, service in context.turn_state.items():
        dialog_context.services[key] = service
    memory = DialogStateManager(dialog_context)
    await memory.load_all_scopes()
    context.turn_state[DialogStateManager.__name__] = memory
    while True:
        try:
            result = await dialog_context.continue_dialog()
            if result.status == DialogTurnStatus.Empty:
                await dialog_context.begin_dialog(dialog.id)
            break
        except Exception as error:
            handled = await dialog_context.emit_event(
                DialogEvents.error, error, bubble=True, from_leaf=True
            )
            if not handled:
                raise
    await memory.save_all_changes()


def _mentions_of(activity: Activity, bot: ChannelAccount | None) -> list[str]:
    """The texts (``<at>Name</at>``) of the mentions of ``bot`` in ``activity``."""
    if bot is None or not activity.entities:
        return []
    found = []
    for entity in activity.get_mentions():
        extra = getattr(entity, "additional_properties", None) or {}
        mentioned = getattr(entity, "mentioned", None) or extra.get("mentioned") or {}
        if isinstance(mentioned, ChannelAccount):  # a Mention built in code, not parsed JSON
            mentioned = {"id": mentioned.id, "name": mentioned.name}
        if not isinstance(mentioned, dict):
            continue  # not the shape Teams sends ("mentioned": "x"): mentions no one
        text = getattr(entity, "text", None) or extra.get("text")
        if mentioned.get("id") == bot.id:
            found.append(str(text or f"<at>{mentioned.get('name', '')}</at>"))
    return found


def strip_mentions(text: str, mentions: list[str]) -> str:
    """``text`` without the bot's mentions, trimmed: ``"<at>EHCP</at> help"`` → ``"help"``."""
    for mention in mentions:
        text = text.replace(mention, " ")
    return " ".join(text.split())
