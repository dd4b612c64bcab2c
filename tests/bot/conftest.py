"""A person chatting with the bot through botbuilder's own TestAdapter, on a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from botbuilder.core import TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationAccount,
    Mention,
    ResourceResponse,
)

from bot.files.downloads import DownloadShelf, ShelfPublisher
from bot.files.exports import FileExports
from bot.storage.store import Repositories, Store
from bot.teams.app import build_bot, create_app
from ehcp_rules import AdviceRequestRecord, Role, Service
from tests import builders
from tests.builders import ALEX, SAM, TENANT
from tests.cards import assert_valid_card, shown
from tests.fakes import FakeClock, FakeConnector

ADAPTIVE = "application/vnd.microsoft.card.adaptive"


class RecordingAdapter(TestAdapter):
    """TestAdapter that gives each sent activity its id, as Teams does, and keeps updates."""

    async def send_activities(
        self, context: TurnContext, activities: list[Activity]
    ) -> list[ResourceResponse]:
        responses = []
        for activity in activities:
            self._next_id += 1
            activity.id = f"bot-{self._next_id}"
            self.activity_buffer.append(activity)
            responses.append(ResourceResponse(id=activity.id))
        return responses


def cards_of(activities: list[Activity]) -> list[dict[str, Any]]:
    """The Adaptive Cards among ``activities``, each checked against the official schema."""
    found = []
    for activity in activities:
        for attachment in activity.attachments or []:
            if attachment.content_type == ADAPTIVE:
                assert_valid_card(attachment.content)
                found.append(attachment.content)
    return found


def texts_of(activities: list[Activity]) -> list[str]:
    """The plain text messages among ``activities``."""
    return [a.text for a in activities if a.text]


class Chat:
    """One person's conversation with the bot."""

    def __init__(
        self,
        store: Store,
        *,
        user: str = SAM,
        conversation: str = "a:1personal",
        channel: bool = False,
    ) -> None:
        self.store = store
        self.channel = channel
        self.shelf = DownloadShelf(store)
        reports = FileExports(
            ShelfPublisher(self.shelf, "https://ehcp.example.nhs.uk"), zone=store.clock.zone
        )
        self.bot = build_bot(store, builders.settings(), reports=reports)
        template = Activity(
            channel_id="msteams",
            service_url="https://smba.example/uk/",
            from_property=ChannelAccount(id=f"29:{user[:8]}", aad_object_id=user, name="Person"),
            recipient=ChannelAccount(id="28:bot", name="EHCP assistant"),
            conversation=ConversationAccount(
                id=conversation if channel else f"{conversation}-{user[:8]}",
                conversation_type="channel" if channel else "personal",
                tenant_id=TENANT,
            ),
            channel_data={"tenant": {"id": TENANT}}
            | ({"team": {"id": "19:team"}, "channel": {"id": conversation}} if channel else {}),
        )
        self.adapter = RecordingAdapter(self.bot.on_turn, template)
        self.last_card_id: str | None = None
        self.last_card: dict[str, Any] | None = None
        self._cards: dict[str, dict[str, Any]] = {}

    async def say(self, text: str) -> list[Activity]:
        """Type ``text`` (in a channel, @mentioning the bot, as Teams needs); the bot's replies."""
        if not self.channel:
            return await self._receive(Activity(type="message", text=text))
        at = "<at>EHCP assistant</at>"
        mention = Mention(
            mentioned=ChannelAccount(id="28:bot", name="EHCP assistant"), text=at, type="mention"
        )
        return await self._receive(
            Activity(type="message", text=f"{at} {text}", entities=[mention])
        )

    async def press(self, title: str, card_id: str | None = None, **inputs: Any) -> list[Activity]:
        """Press the button called ``title`` on the last card (or ``card_id``'s), with inputs."""
        card = self.cards[card_id] if card_id else self.last_card
        assert card is not None, "no card to press"
        action = _find_action(card, title)
        value = dict(action["data"])
        if action.get("associatedInputs") != "None":
            value |= inputs
        return await self._receive(
            Activity(type="message", value=value, reply_to_id=card_id or self.last_card_id)
        )

    async def submit_value(
        self, value: dict[str, Any], reply_to_id: str | None = None
    ) -> list[Activity]:
        """Send raw card data (a forged or malformed submission)."""
        return await self._receive(Activity(type="message", value=value, reply_to_id=reply_to_id))

    @property
    def cards(self) -> dict[str, dict[str, Any]]:
        """Every card the bot has sent in this chat, by activity id."""
        return self._cards

    async def _receive(self, activity: Activity) -> list[Activity]:
        self.adapter.activity_buffer.clear()
        await self.adapter.receive_activity(activity)
        replies = list(self.adapter.activity_buffer)
        for reply in replies:
            for card in cards_of([reply]):
                self._cards[reply.id] = card
                self.last_card, self.last_card_id = card, reply.id
        return replies


def _find_action(card: dict[str, Any], title: str) -> dict[str, Any]:
    actions: list[dict[str, Any]] = list(card.get("actions", []))
    for element in card.get("body", []):
        if "selectAction" in element and element["type"] == "ColumnSet":
            label = shown(element["columns"][0]["items"][0])
            button = element["selectAction"]
            actions.append({**button, "title": f"{button['title']} {label}"})
    for action in actions:
        if action["title"] == title:
            return action
    raise AssertionError(f"no button {title!r}; the card has {[a['title'] for a in actions]}")


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> Iterator[Store]:
    with Store.open(tmp_path / "ehcp.db", clock=clock) as opened:
        yield opened


@pytest.fixture
def slt(store: Store) -> Service:
    service = store.call(lambda r: r.services.add("Children's SLT", provider=None, actor="admin"))

    def grant_practitioners(r: Repositories) -> None:
        for person in (SAM, ALEX):
            r.people.grant(
                person, Role.PRACTITIONER, service=service.name, display_name=None, actor="admin"
            )

    store.call(grant_practitioners)
    return service


@pytest.fixture
def chat(store: Store, slt: Service) -> Chat:
    conversation = Chat(store)
    return conversation


@pytest.fixture
async def connector() -> AsyncIterator[tuple[FakeConnector, str]]:
    """A local fake of the Bot Framework connector, and its URL (the activities' serviceUrl)."""
    fake = FakeConnector()
    server = TestServer(fake.app())
    await server.start_server()
    yield fake, str(server.make_url("/"))
    await server.close()


@pytest.fixture
async def client(
    store: Store, slt: Service
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    """The bot's HTTP endpoint (create_app) on a test server."""
    started = TestClient(TestServer(create_app(builders.settings(), store=store)))
    await started.start_server()
    yield started
    await started.close()


def make_chat(store: Store, user: str = SAM) -> Chat:
    """Another chat on the same database (another person, or the same after a restart)."""
    return Chat(store, user=user)


def log_request(store: Store, service: Service, ref: str, received: date, **extra: object) -> None:
    """A request logged for ``service`` as the bot logs one (extra fields by name)."""
    record = AdviceRequestRecord.model_validate(
        {"case_ref": ref, "service_id": service.id, "received_on": received, **extra}
    )
    store.call(lambda r: r.requests.add(record, actor="test"))


def find_request(store: Store, ref: str) -> AdviceRequestRecord:
    """The one request logged under ``ref``."""
    (record,) = store.call(lambda r: r.requests.find(ref))
    return record
