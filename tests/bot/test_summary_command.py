"""``summary`` in Teams: DCOs and admins get the card; everyone else is told the role needed."""

from __future__ import annotations

import io
from datetime import date, timedelta

import openpyxl
import pytest
from botbuilder.schema import Activity, ChannelAccount, Mention

from bot.app_package import png
from bot.cli.demo import load_demo
from bot.files.downloads import token_hash
from bot.storage.store import Store
from tests.cards import card_text, shown
from tests.fakes import FakeClock

from .conftest import Chat, cards_of, texts_of

DCO = "00000000-0000-4000-8000-000000000001"
PRACTITIONER = "00000000-0000-4000-8000-000000000003"
TODAY = date(2026, 11, 23)


async def test_a_dco_gets_the_summary_card(store: Store) -> None:
    store.call(lambda r: load_demo(r, TODAY))

    (card,) = cards_of(await Chat(store, user=DCO).say("summary last quarter"))

    texts = [e.get("text", "") for e in card["body"]]
    assert texts[0] == "EHCP compliance summary: Jul 2026 to Sep 2026"
    assert texts[1].startswith("Health advice returned within 6 weeks: **")


async def test_anyone_else_is_told_the_role_needed_and_sees_no_data(store: Store) -> None:
    store.call(lambda r: load_demo(r, TODAY))

    replies = await Chat(store, user=PRACTITIONER).say("summary")

    assert cards_of(replies) == []
    assert texts_of(replies) == [
        "The compliance summary across services is for Designated Clinical Officers and "
        "administrators; you need the DCO or admin role."
    ]


async def test_a_period_not_understood_is_explained(store: Store) -> None:
    store.call(lambda r: load_demo(r, TODAY))

    replies = await Chat(store, user=DCO).say("summary next year")

    assert texts_of(replies)[0].startswith("'next year' is not a period I know")


@pytest.mark.parametrize(
    "period", ["0001-01", "0000-01", "9999-12", "0001-01-01 to 9999-12-31", "2013-12"]
)
async def test_a_period_outside_the_years_kept_is_explained(store: Store, period: str) -> None:
    store.call(lambda r: load_demo(r, TODAY))

    replies = await Chat(store, user=DCO).say(f"summary {period}")

    # was an error and an apology (found in review): year 1 has no month before it
    assert texts_of(replies)[0].startswith(f"'{period}' is outside the years the assistant keeps")


SPOC_SLT = "00000000-0000-4000-8000-000000000002"


async def test_a_services_own_people_see_its_detail_and_others_do_not(store: Store) -> None:
    store.call(lambda r: load_demo(r, TODAY))

    (card,) = cards_of(
        await Chat(store, user=PRACTITIONER).say("summary for community paediatrics")
    )
    refused = await Chat(store, user=SPOC_SLT).say("summary for Community Paediatrics")
    dco = cards_of(await Chat(store, user=DCO).say("summary for Community Paediatrics"))

    texts = "\n".join(shown(e) for e in card["body"])
    assert "Community Paediatrics: self-assessment, action plan and casework" in texts
    assert "Latest self-assessment: **Red**" in texts
    assert "4E No Is there a mechanism in place for collecting" in card_text(card)
    assert "Open requests (2)" in texts
    assert texts_of(refused) == [
        "A service's detail is for its SPOC and practitioners, DCOs and administrators; you do "
        "not have a role for Community Paediatrics."
    ]
    assert len(dco) == 1


async def test_neither_a_period_nor_a_service_is_explained(store: Store) -> None:
    store.call(lambda r: load_demo(r, TODAY))

    replies = await Chat(store, user=DCO).say("summary Orthoptics")
    named = await Chat(store, user=DCO).say("summary for Orthoptics")

    assert texts_of(replies)[0].endswith(
        "Or name a service for its detail, for example: summary for Children's SLT."
    )
    assert texts_of(named) == [
        "No service is called 'Orthoptics', or has that in its name. The services: CAMHS, "
        "Children's Occupational Therapy, Children's Speech and Language Therapy, Community "
        "Paediatrics."
    ]


def _shelved(chat: Chat, url: str) -> bytes:
    """The file a link on a card points at, taken from the chat's download shelf."""
    assert url.startswith("https://ehcp.example.nhs.uk/files/")
    token = url.split("/")[4]
    stored = chat.store.call(lambda r: r.downloads.get(token_hash(token)))
    assert stored is not None, "the link does not lead to a file"
    return stored.content


async def test_the_summary_card_shows_the_chart_and_each_service_opens_its_detail(
    store: Store,
) -> None:
    store.call(lambda r: load_demo(r, TODAY))
    chat = Chat(store, user=DCO)

    (card,) = cards_of(await chat.say("summary"))

    (image,) = [e for e in card["body"] if e["type"] == "Image"]
    assert image["altText"].startswith("Chart: 6-week compliance by month")
    width, height = png.size(_shelved(chat, image["url"]))
    assert width > 800 and height > 150
    rows = [e for e in card["body"] if e["type"] == "ColumnSet" and "selectAction" in e]
    assert len(rows) == 4
    paeds = next(r for r in rows if "Community Paediatrics" in shown(r["columns"][0]["items"][0]))

    (detail,) = cards_of(await chat.submit_value(paeds["selectAction"]["data"]))

    assert shown(detail["body"][0]) == (
        "**Community Paediatrics: self-assessment, action plan and casework**"
    )
    assert [a["title"] for a in card["actions"]] == ["Export to Excel", "Export CSV", "Export JSON"]


async def test_the_summary_exports_arrive_as_links_that_open_the_files(store: Store) -> None:
    store.call(lambda r: load_demo(r, TODAY))
    chat = Chat(store, user=DCO)
    await chat.say("summary last quarter")

    (excel,) = cards_of(await chat.press("Export to Excel"))
    await chat.say("summary last quarter")
    (csv_card,) = cards_of(await chat.press("Export CSV"))

    (download,) = excel["actions"]
    assert download["type"] == "Action.OpenUrl"
    assert download["title"] == "Download ehcp-compliance-summary-2026-07-01-to-2026-09-30.xlsx"
    assert "The link works for 1 hour" in shown(excel["body"][1])
    book = openpyxl.load_workbook(io.BytesIO(_shelved(chat, download["url"])))
    assert book["Services"]["A1"].value == "Service"
    csv_text = _shelved(chat, csv_card["actions"][0]["url"]).decode()
    assert csv_text.startswith("Service,Period from,Period to,Latest self-assessment RAG,")
    assert csv_text.count("\n") == 4 + 2  # header, four services, all services


async def test_an_export_button_is_checked_again_when_pressed(store: Store) -> None:
    store.call(lambda r: load_demo(r, TODAY))
    forged = {"ehcp": "summary_export", "format": "xlsx", "period": "2026-07-01 to 2026-09-30"}

    refused = await Chat(store, user=PRACTITIONER).submit_value(forged)
    nonsense = await Chat(store, user=DCO).submit_value(forged | {"format": "exe"})

    assert texts_of(refused) == [
        "The compliance summary across services is for Designated Clinical Officers and "
        "administrators; you need the DCO or admin role."
    ]
    assert texts_of(nonsense) == ["That card is no longer current, so nothing was changed."]


async def test_exports_are_handed_out_only_in_personal_chat(store: Store) -> None:
    store.call(lambda r: load_demo(r, TODAY))
    chat = Chat(store, user=DCO, conversation="19:team@thread")
    chat.adapter.template.conversation.conversation_type = "channel"

    unmentioned = await chat.say("summary")
    mention = Mention(
        mentioned=ChannelAccount(id="28:bot", name="EHCP assistant"),
        text="<at>EHCP assistant</at>",
        type="mention",
    )
    asked = await chat._receive(
        Activity(type="message", text="<at>EHCP assistant</at> summary", entities=[mention])
    )
    replies = await chat.submit_value(
        {"ehcp": "summary_export", "format": "csv", "period": "2026-11-01 to 2026-11-30"}
    )

    assert unmentioned == []  # in a channel the bot answers only when @mentioned
    # the summary names exceptions' case references: only in a personal chat (SECURITY.md)
    assert texts_of(asked)[0].startswith("I show that only in a personal chat")
    assert texts_of(replies)[0].startswith(
        "Exports hold case references and comments, so I hand them out only in a personal chat"
    )
    assert chat.store.call(lambda r: r.downloads.size()) == 0


async def test_a_service_exports_its_assessment_in_the_tools_layout(store: Store) -> None:
    store.call(lambda r: load_demo(r, TODAY))
    chat = Chat(store, user=PRACTITIONER)
    await chat.say("summary for community paediatrics")

    (download,) = cards_of(await chat.press("Export assessment to Excel"))

    book = openpyxl.load_workbook(io.BytesIO(_shelved(chat, download["actions"][0]["url"])))
    sheet = book.worksheets[0]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
    assert "Overall RAG Rating" in cells and "RED" in cells
    assert download["actions"][0]["title"].startswith("Download Community Paediatrics-self-")


async def test_someone_elses_assessment_cannot_be_exported_by_a_forged_card(
    store: Store,
) -> None:
    store.call(lambda r: load_demo(r, TODAY))
    paeds = store.call(lambda r: r.services.named("Community Paediatrics"))
    latest = store.call(lambda r: r.assessments.submitted(paeds.id))[0]
    other = Chat(store, user=SPOC_SLT)

    refused = await other.submit_value({"ehcp": "assessment_export", "assessment": latest.id})
    stale = await other.submit_value({"ehcp": "assessment_export", "assessment": 99999})
    wrong = await other.submit_value({"ehcp": "summary_detail", "service": "1; drop table"})

    # the same answer whether the assessment is another service's or does not exist at all
    assert (
        texts_of(refused)
        == texts_of(stale)
        == texts_of(wrong)
        == ["That card is no longer current, so nothing was changed."]
    )
    assert other.store.call(lambda r: r.downloads.size()) == 0


async def test_acknowledged_nudges_show_only_once_any_were_posted(store: Store) -> None:
    store.call(lambda r: load_demo(r, TODAY))
    before = cards_of(await Chat(store, user=DCO).say("summary this month"))[0]
    paeds = store.call(lambda r: r.services.named("Community Paediatrics"))
    request = store.call(lambda r: r.requests.find_all_for(paeds.id))[0]
    key = f"request:{request.id}"
    store.call(lambda r: r.nudges.hold("19:c", [(key, "chase")], day=TODAY))
    store.call(lambda r: r.nudges.confirm("19:c", [(key, "chase")], activity_id="a"))
    store.call(lambda r: r.nudges.acknowledge("19:c", key, "chase", actor=DCO))

    after = cards_of(await Chat(store, user=DCO).say("summary this month"))[0]

    line = "Overdue-request nudges acknowledged in the period: 1 of 1."
    assert line not in [e.get("text") for e in before["body"]]
    assert line in [e.get("text") for e in after["body"]]


async def test_on_the_first_of_the_month_the_summary_shows_last_month_and_this_month_so_far(
    store: Store, clock: FakeClock
) -> None:
    first = date(2026, 12, 1)
    clock.advance(timedelta(days=(first - TODAY).days))
    store.call(lambda r: load_demo(r, first))

    (card,) = cards_of(await Chat(store, user=DCO).say("summary"))

    text = card_text(card)
    assert text.startswith("EHCP compliance summary: November 2026")
    headline = text.splitlines()[1]
    assert "within 6 weeks: n/a" not in headline and "%" in headline
    assert "December 2026 so far (to 01 Dec): nothing has fallen due yet." in text
    assert "nothing due" not in text.split("Services")[1]  # each service has November's figure


async def test_summary_for_finds_a_service_by_a_part_of_its_name(store: Store) -> None:
    store.call(lambda r: load_demo(r, TODAY))
    dco = Chat(store, user=DCO)

    (detail,) = cards_of(await dco.say("summary for paediatrics"))
    (slt,) = cards_of(await dco.say("summary for SLT"))
    several = texts_of(await dco.say("summary for children"))

    assert card_text(detail).startswith("Community Paediatrics: self-assessment")
    assert card_text(slt).startswith("Children's Speech and Language Therapy: self-assessment")
    assert several == [
        "'children' could be any of these services: Children's Occupational Therapy, Children's "
        "Speech and Language Therapy. Say which, for example: summary for Children's "
        "Occupational Therapy"
    ]


def test_the_text_summary_carries_everything_the_card_does(store: Store) -> None:
    from bot.cli.summary import as_text
    from ehcp_rules import parse_period

    store.call(lambda r: load_demo(r, TODAY))
    summary = store.call(lambda r: r.summaries.summary(parse_period(None, TODAY), TODAY))

    text = as_text(summary)

    assert text.startswith("EHCP compliance summary: October 2026 (01 Oct 2026 to 31 Oct 2026)")
    assert "November 2026 so far (to 23 Nov)" in text
    assert "Most often rated No or Emerging: 6-week compliance and escalation (2)" in text
    assert "Reg 8(2) exceptions:" in text and "Overdue now: Chase: " in text
    assert "Annual reviews needing action: " in text
    paeds = next(line for line in text.splitlines() if line.startswith("- Community Paed"))
    assert "Red, assessed 23 Nov 2026; essentials not met: 4;" in paeds
    assert "plan: 0 of 6 actions completed, 1 past the date set, 4 without a lead" in paeds
    assert "; 6-week 50.0% of 4 due;" in paeds  # of the requests due, not "of 2" alone


async def test_the_summary_card_shows_reviews_held_within_12_months(store: Store) -> None:
    """Seed 003's measure on the DCO's card, overall and for each service with reviews due (the
    demo's October 2026: DEMO-R007 held after its 12 months, DEMO-R008 within them)."""
    store.call(lambda r: load_demo(r, TODAY))

    (card,) = cards_of(await Chat(store, user=DCO).say("summary 2026-10"))

    text = card_text(card)
    assert (
        "Annual reviews held within 12 months of the plan or the last review: 50.0% (1 of 2 due "
        "in the period; held late 1, not held 0, not yet due 0)." in text
    )
    assert "Reviews within 12 months 50.0% of 2 due" in text  # Community Paediatrics: both


async def test_a_service_never_assessed_is_said_once_in_its_row(store: Store) -> None:
    """Its rating column says "No assessment"; the line under its name used to say "No
    self-assessment submitted yet." beside it."""
    store.call(lambda r: load_demo(r, TODAY))

    (card,) = cards_of(await Chat(store, user=DCO).say("summary"))

    text = card_text(card)
    assert text.count("No assessment") == 3  # SLT, OT and CAMHS
    assert "submitted yet" not in text
