"""The web chat's inbox (bot/web/push.py, bot/storage/web_inbox.py): what the bot writes first
reaches a web learner through the outbox, like on every other channel: pushed to an open tab
(whichever worker holds it), else waiting, in order, for the next visit; shown once.

Real bots on one database (SQLite, and PostgreSQL when TEST_POSTGRES_URL is set), real
WebSockets (tests/chat_drivers.py's web page driver).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from sqlalchemy import insert, select, text

from bot.app import BotApp
from bot.config import Settings
from bot.housekeeping import tidy
from bot.storage.admin import queue_notice
from bot.storage.db import create_engine, downgrade_async, migrate_async
from bot.storage.models import pending_messages, users, web_inbox
from bot.storage.records import export_learner
from tests.chat_drivers import JSON, WebChat
from tests.integration.test_teachers_classes import become_teacher, invite_code, national_admin
from tests.store_driver import Person
from tests.telegram_driver import start_bot


def web_settings(database_url: str, *, sender: bool = True) -> Settings:
    return Settings(
        database_url=database_url,
        web_host="127.0.0.1",
        web_port=0,
        pseudonym_secret=b"inbox-test",
        sender_enabled=sender,
        flood_limit="off",
    )


@pytest.fixture
async def stack() -> AsyncIterator[AsyncExitStack]:
    async with AsyncExitStack() as found:
        yield found


async def bot(stack: AsyncExitStack, database_url: str, *, sender: bool = True) -> BotApp:
    app = await start_bot(web_settings(database_url, sender=sender))
    stack.push_async_callback(app.stop)
    return app


async def tab(stack: AsyncExitStack, app: BotApp, uid: str | None = None) -> WebChat:
    """A browser tab on `app`, opened (the greeting read up to its question)."""
    http = await stack.enter_async_context(aiohttp.ClientSession())
    page = WebChat(app, http) if uid is None else WebChat(app, http, uid=uid)
    await page.open()
    return page


async def onboarded(stack: AsyncExitStack, app: BotApp) -> WebChat:
    page = await tab(stack, app)
    await page.send("/start")
    for label in ("Français", "J'accepte", "Sénégal", "Élève", "CM2"):
        await page.tap(label)
    return page


async def user_id(app: BotApp, uid: str) -> int:
    assert app.store is not None
    rows = await app.store.statement(
        "SELECT id FROM users WHERE channel = 'web' AND external_id = :uid", uid=uid
    )
    return int(rows[0][0])


async def notify(app: BotApp, person: int, text_fr: str) -> None:
    """A personal notice to the person, as a teacher's answer is queued."""
    assert app.store is not None
    async with app.store.transaction() as runner:
        await queue_notice(runner, person, {"fr": text_fr}, datetime.now(UTC))


async def waiting(app: BotApp, person: int, count: int) -> list[str]:
    """The texts waiting in the person's inbox, once the sender wrote `count` of them."""
    assert app.chat is not None
    for _ in range(200):
        rows = await app.chat.inbox.waiting(person)
        if len(rows) >= count:
            return [str(row.frame.get("text")) for row in rows]
        await asyncio.sleep(0.05)
    raise AssertionError(f"{count} messages never waited in the inbox")


def texts(frames: list[JSON]) -> list[str]:
    return [str(frame.get("text")) for frame in frames if "inbox" in frame]


async def test_a_notice_sent_by_one_worker_reaches_a_tab_held_by_another(
    stack: AsyncExitStack, database_url: str
) -> None:
    sending = await bot(stack, database_url)  # its sender writes the inbox row
    holding = await bot(stack, database_url, sender=False)  # it holds the tab
    page = await onboarded(stack, holding)
    person = await user_id(holding, page.uid)
    await notify(sending, person, "Votre enseignant a répondu : bravo !")
    pushed = await page.pushed()  # found by the other worker's look, pushed live
    assert pushed == {
        "type": "say",
        "text": "Votre enseignant a répondu : bravo !",
        "inbox": pushed["inbox"],
    }
    assert holding.chat is not None
    for _ in range(100):  # the tab's acknowledgement: delivered, never sent again
        if not await holding.chat.inbox.waiting(person):
            break
        await asyncio.sleep(0.05)
    assert await holding.chat.inbox.waiting(person) == []


async def test_what_waits_comes_in_order_before_the_prompt_and_once(
    stack: AsyncExitStack, database_url: str
) -> None:
    app = await bot(stack, database_url)
    page = await onboarded(stack, app)
    person = await user_id(app, page.uid)
    await page.close()
    for n in (1, 2, 3):
        await notify(app, person, f"Message {n}")
    assert await waiting(app, person, 3) == ["Message 1", "Message 2", "Message 3"]

    again = await tab(stack, app, page.uid)  # the page opened again
    kinds = [frame["type"] for frame in again.frames]
    assert kinds == ["locale", "say", "say", "say", "ask"]  # what waits, then the prompt
    assert texts(again.frames) == ["Message 1", "Message 2", "Message 3"]
    first = again.frames[1]
    assert again.ws is not None
    await again.ws.send_json({"type": "received", "ids": [first["inbox"]]})
    await again.send("/menu")  # a turn: the acknowledgement was read before it
    await again.close()

    third = await tab(stack, app, page.uid)  # only what was not acknowledged comes again
    assert texts(third.frames) == ["Message 2", "Message 3"]
    assert third.ws is not None
    await third.ws.send_json({"type": "received", "ids": [f["inbox"] for f in third.frames[1:3]]})
    await third.send("/menu")
    await third.close()
    fourth = await tab(stack, app, page.uid)
    assert texts(fourth.frames) == []


async def test_an_acknowledgement_for_another_learner_changes_nothing(
    stack: AsyncExitStack, database_url: str
) -> None:
    app = await bot(stack, database_url)
    awa = await onboarded(stack, app)
    moussa = await onboarded(stack, app)
    awa_id = await user_id(app, awa.uid)
    await awa.close()
    await notify(app, awa_id, "Pour Awa")
    await waiting(app, awa_id, 1)
    assert app.chat is not None
    (waiting_id,) = [row.id for row in await app.chat.inbox.waiting(awa_id)]
    assert moussa.ws is not None
    await moussa.ws.send_json({"type": "received", "ids": [waiting_id, "x", True]})
    await moussa.send("/menu")
    assert [row.id for row in await app.chat.inbox.waiting(awa_id)] == [waiting_id]


async def test_the_inbox_is_exported_and_erased_with_the_learner(
    stack: AsyncExitStack, database_url: str
) -> None:
    app = await bot(stack, database_url)
    page = await onboarded(stack, app)
    person = await user_id(app, page.uid)
    await notify(app, person, "Un mot pour Zoubida-Kessar")
    await page.pushed()
    assert app.engine is not None
    async with app.engine.connect() as conn:
        exported = await conn.run_sync(export_learner, users.c.id == person)
    assert exported is not None
    assert [row["payload"]["text"] for row in exported["web_inbox"]] == [
        "Un mot pour Zoubida-Kessar"
    ]
    await page.send("/supprimer_mes_donnees")
    await page.tap("Oui")
    async with app.engine.connect() as conn:
        left = (await conn.execute(select(web_inbox.c.payload))).all()
    assert left == []


async def test_held_web_texts_move_into_the_inbox(database_url: str) -> None:
    await downgrade_async(database_url, "0026")
    engine = create_engine(database_url)
    at = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    async with engine.begin() as conn:
        ids = {}
        for channel, external in (("web", "web-held-0000000001"), ("whatsapp", "22170000001")):
            row = await conn.execute(
                insert(users)
                .values(
                    channel=channel,
                    external_id=external,
                    state_step="start",
                    state_data={},
                    state_prompt=0,
                    created_at=at,
                    last_seen_at=at,
                )
                .returning(users.c.id)
            )
            ids[channel] = row.scalar_one()
        for channel, body in (("web", "Premier"), ("web", "Second"), ("whatsapp", "Gardé")):
            await conn.execute(
                insert(pending_messages).values(
                    user_id=ids[channel],
                    payload={"type": "text", "text": {"body": body}},
                    created_at=at,
                )
            )
    await engine.dispose()
    await migrate_async(database_url)
    engine = create_engine(database_url)
    async with engine.connect() as conn:
        moved = (
            await conn.execute(text("SELECT user_id, payload FROM web_inbox ORDER BY id"))
        ).all()
        kept = (await conn.execute(select(pending_messages.c.user_id))).all()
    await engine.dispose()
    frames = [(uid, _json(payload)) for uid, payload in moved]
    assert frames == [
        (ids["web"], {"type": "say", "text": "Premier"}),
        (ids["web"], {"type": "say", "text": "Second"}),
    ]
    assert kept == [(ids["whatsapp"],)]


def _json(value: object) -> object:
    return json.loads(value) if isinstance(value, str) else value


async def test_received_messages_are_tidied_after_thirty_days(
    stack: AsyncExitStack, database_url: str
) -> None:
    app = await bot(stack, database_url)
    page = await onboarded(stack, app)
    person = await user_id(app, page.uid)
    await notify(app, person, "Lu il y a longtemps")
    await page.pushed()
    assert app.store is not None
    for _ in range(100):
        found = await app.store.statement("SELECT delivered_at FROM web_inbox")
        if found and found[0][0] is not None:
            break
        await asyncio.sleep(0.05)
    await tidy(app.store, datetime.now(UTC) + timedelta(days=29))
    assert len(await app.store.statement("SELECT id FROM web_inbox")) == 1
    await tidy(app.store, datetime.now(UTC) + timedelta(days=31))
    assert await app.store.statement("SELECT id FROM web_inbox") == []


async def test_a_stopping_server_tells_its_tabs_and_closes_them_as_going_away(
    stack: AsyncExitStack, database_url: str
) -> None:
    app = await bot(stack, database_url)
    page = await onboarded(stack, app)
    assert app.chat is not None and page.ws is not None
    await app.chat.close_all()
    told = await page.ws.receive(timeout=5)
    assert json.loads(told.data) == {"type": "bye"}
    closed = await page.ws.receive(timeout=5)
    assert closed.type is aiohttp.WSMsgType.CLOSE
    assert page.ws.close_code == aiohttp.WSCloseCode.GOING_AWAY
    http = await stack.enter_async_context(aiohttp.ClientSession())
    async with http.get(f"http://127.0.0.1:{app.port}/ws") as refused:
        assert refused.status == 503  # no new tab while stopping: the page retries


CIRCLE = "Mathématiques - primaire"
QUESTION = "Qui a un bon jeu pour les fractions en CM2 ?"


async def test_a_circle_post_waiting_in_the_inbox_is_shown_once_on_the_circle_page(
    stack: AsyncExitStack, database_url: str
) -> None:
    app = await bot(stack, database_url)
    assert app.conversations is not None
    talk = app.conversations
    admin = await national_admin(talk, database_url)
    await admin.send("/admin")
    await admin.tap("Cercles")
    await admin.tap("Nouveau cercle")
    await admin.tap("Mathématiques")
    await admin.tap("primaire")
    code = await invite_code(admin)
    author = Person.on(talk, "web", "web-circle-author-0001")
    member = Person.on(talk, "web", "web-circle-member-0001")
    for teacher in (author, member):
        await teacher.onboard(role="Enseignant")
        await become_teacher(teacher, code)
        await teacher.send("/cercles")
        await teacher.tap(CIRCLE)
        await teacher.tap("Rejoindre le cercle")
    page = await tab(stack, app, member.user.external_id)  # the member reads the circle page
    assert "✍️ Écrire" in page.options()
    await page.close()

    await author.tap("Écrire")
    await author.send(QUESTION)
    person = await user_id(app, member.user.external_id)
    assert any(QUESTION in text for text in await waiting(app, person, 1))

    again = await tab(stack, app, member.user.external_id)  # the member's next visit
    shown = [str(f.get("text")) for f in again.frames if QUESTION in str(f.get("text"))]
    assert len(shown) == 1, shown
    assert again.frames[-1]["type"] == "ask" and "✍️ Écrire" in again.options()
