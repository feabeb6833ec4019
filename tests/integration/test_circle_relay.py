"""A circle message end to end: posted through the real conversation flow, written to the
outbox in the author's turn, sent by the real sender through the real Telegram and WhatsApp
adapters to the fake Bot API and the fake Graph API; tonight's digest for the WhatsApp member
outside the 24-hour window, queued at its time and sent as the template (or held)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.admin_cli import grant as cli_grant
from bot.conversations import Conversations
from bot.i18n import I18n
from bot.storage.circles import next_digest
from bot.storage.outbox import Outbox
from bot.telegram.broadcast import telegram_deliverer
from bot.whatsapp.broadcast import whatsapp_deliverer
from tests.fakes.graph_api import FakeGraphApi, visible_text
from tests.fakes.telegram_api import Call, FakeBotApi
from tests.integration.test_sender import Rig, start_rig
from tests.integration.test_teachers_classes import become_teacher, invite_code
from tests.sender_support import run, user_id
from tests.store_driver import Person
from tests.telegram_driver import SECRET, TOKEN
from tests.whatsapp_driver import whatsapp_settings

CIRCLE = "Mathématiques - primaire"
PREFIX = "👤 Enseignant·e (Sénégal, École Liberté 6, Dakar) :"
QUESTION = "Comment enseignez-vous les fractions en CM2 ?"
INSIDE, OUTSIDE = "22370000001", "22370000002"  # WhatsApp: wrote just now / 30 hours ago
AUTHOR, MEMBER, MUTED = "7000002", "7000003", "7000004"  # Telegram chat ids
IMAGE = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40  # a "JPEG" of about 10 KB


@dataclass
class Circle:
    """The rig, its fakes and the circle's members by role."""

    rig: Rig
    api: FakeBotApi
    graph: FakeGraphApi
    people: dict[str, Person]


@asynccontextmanager
async def circle_rig(database_url: str, template: str = "") -> AsyncIterator[Circle]:
    """The real bot on Telegram and WhatsApp (its own sender off), and a circle of five."""
    async with FakeBotApi() as api, FakeGraphApi() as graph:
        settings = whatsapp_settings(
            database_url,
            graph.url,
            telegram_bot_token=TOKEN,
            telegram_api_base_url=api.url,
            telegram_webhook_url="https://bot.example.org/telegram/webhook",
            telegram_webhook_secret=SECRET,
            whatsapp_template_name=template,
            sender_enabled=False,
        )
        async with start_rig(settings) as rig:
            assert rig.app.conversations is not None
            people = await circle_of_five(rig.app.conversations, database_url)
            yield Circle(rig, api, graph, people)


async def circle_of_five(talk: Conversations, database_url: str) -> dict[str, Person]:
    """An admin creates the circle and leaves it; four teachers join, one of them muted."""
    admin = Person.on(talk, "telegram", "7000001")
    await admin.onboard(role="Enseignant")
    await cli_grant(database_url, "telegram", "7000001", "national_admin", "SN")
    await admin.send("/admin")
    await admin.tap("Cercles")
    await admin.tap("Nouveau cercle")
    await admin.tap("Mathématiques")
    await admin.tap("primaire")
    await admin.tap("Quitter le cercle")
    code = await invite_code(admin)
    people = {"admin": admin}
    for key, channel, ext in (
        ("author", "telegram", AUTHOR),
        ("member", "telegram", MEMBER),
        ("inside", "whatsapp", INSIDE),
        ("outside", "whatsapp", OUTSIDE),
        ("muted", "telegram", MUTED),
    ):
        person = people[key] = Person.on(talk, channel, ext)
        await person.onboard(role="Enseignant")
        await become_teacher(person, code)
        await person.send("/cercles")
        await person.tap(CIRCLE)
        await person.tap("Rejoindre le cercle")
    await people["muted"].tap("Comment recevoir les messages")
    await people["muted"].tap("Rien")
    await wrote(talk, INSIDE, hours=0)  # still inside at the next digest, whatever the hour
    await wrote(talk, OUTSIDE, hours=30)
    return people


async def wrote(talk: Conversations, phone: str, hours: float) -> None:
    """The WhatsApp member's last message, `hours` ago (their 24-hour window)."""
    await run(
        talk.store,
        "INSERT INTO channel_contacts (user_id, last_inbound_at) VALUES (:uid, :at)",
        uid=await user_id(talk.store, "whatsapp", phone),
        at=datetime.now(UTC) - timedelta(hours=hours),
    )


async def post(author: Person, text: str = QUESTION) -> None:
    """The author writes to the circle through the real flow."""
    await author.send("/cercles")
    await author.tap(CIRCLE)
    await author.tap("Écrire")
    await author.send(text)


def to(api: FakeBotApi, chat: str) -> list[Call]:
    """Successful sends to a Telegram chat."""
    return api.sent(int(chat))


async def send_everything(circle: Circle) -> None:
    """The real sender on both channels, with the app's attachments, until nothing is left."""
    app = circle.rig.app
    assert app.telegram is not None and app.whatsapp is not None
    files, whatsapp = app.attachments(), app.whatsapp
    deliverers = {
        "telegram": telegram_deliverer(app.telegram.app.bot, I18n(), files),
        "whatsapp": whatsapp_deliverer(
            whatsapp.client, whatsapp.channels, I18n(), whatsapp.channel.template, files
        ),
    }
    circle.rig.sender(deliverers)
    await circle.rig.done()


async def the_evening_comes(circle: Circle) -> list[int]:
    """Run the outbox's scheduler at the digest's time; what it queued may go now."""
    store = circle.rig.store
    at = next_digest(datetime.now(UTC))
    assert await Outbox(store, "t").queue_due(at - timedelta(seconds=1)) == []
    queued = await Outbox(store, "t").queue_due(at)
    # The sender's clock is the real one: the rows it queued for `at` are made due now.
    await run(
        store, "UPDATE outbox SET not_before = :now WHERE status = 'queued'", now=datetime.now(UTC)
    )
    return queued


async def test_a_message_goes_to_each_member_on_their_channel_through_the_sender(
    database_url: str,
) -> None:
    async with circle_rig(database_url, template="annonce_generale") as circle:
        api, graph = circle.api, circle.graph
        await post(circle.people["author"])
        assert "Message envoyé au cercle (2 membres" in circle.people["author"].texts()
        await send_everything(circle)
        (telegram,) = to(api, MEMBER)
        assert telegram.method == "sendMessage"
        assert telegram.params["text"] == f"{PREFIX}\n{QUESTION}"  # personal: no footer
        (inside,) = graph.sent(INSIDE)
        assert inside["type"] == "text" and visible_text(inside) == f"{PREFIX}\n{QUESTION}"
        assert graph.sent(OUTSIDE) == []  # outside the window: tonight's digest only
        assert to(api, MUTED) == [] and to(api, AUTHOR) == [] and to(api, "7000001") == []

        assert len(await the_evening_comes(circle)) == 1
        await send_everything(circle)
        (digest,) = graph.sent(OUTSIDE)
        assert digest["type"] == "template"  # the window is closed: the approved template
        assert digest["template"]["name"] == "annonce_generale"
        assert len(graph.sent(INSIDE)) == 1 and len(to(api, MEMBER)) == 1
        assert to(api, MUTED) == [] and to(api, AUTHOR) == []


async def test_without_a_template_the_digest_is_held_for_the_next_message(
    database_url: str,
) -> None:
    async with circle_rig(database_url) as circle:
        await post(circle.people["author"])
        await send_everything(circle)
        assert len(await the_evening_comes(circle)) == 1
        await send_everything(circle)
        assert circle.graph.sent(OUTSIDE) == []
        held = await run(
            circle.rig.store,
            "SELECT p.payload FROM pending_messages p JOIN users u ON u.id = p.user_id"
            " WHERE u.external_id = :ext",
            ext=OUTSIDE,
        )
        assert len(held) == 1
        assert "1 nouveau message" in str(held[0][0]) and "fractions" in str(held[0][0])


async def test_a_photo_posted_in_the_circle_reaches_the_members_as_a_photo(
    database_url: str,
) -> None:
    async with circle_rig(database_url) as circle:
        api, graph = circle.api, circle.graph
        path = api.add_file("AgAC-circle-photo", IMAGE, "photos/file_3.jpg")
        assert path
        author = circle.people["author"]
        await author.send("/cercles")
        await author.tap(CIRCLE)
        await author.tap("Écrire")
        await author.send_file("photo", "AgAC-circle-photo", mime="image/jpeg")
        await send_everything(circle)
        (photo,) = to(api, MEMBER)
        assert photo.method == "sendPhoto" and photo.params["photo"] == "AgAC-circle-photo"
        assert str(photo.params["caption"]).startswith(PREFIX)
        (image,) = graph.sent(INSIDE)
        assert image["type"] == "image" and str(image["image"]["caption"]).startswith(PREFIX)
        assert graph.sent(OUTSIDE) == [] and to(api, MUTED) == []
