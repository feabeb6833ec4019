"""An announcement's image or document reaches every learner, whatever platform the admin sent
it from: fetched once from its source, uploaded once per platform, then sent by id. The real
bot (its own sender) runs against the fake Bot API and the fake Graph API."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from bot.app import BotApp
from bot.storage.outbox import Outbox
from bot.storage.sql import as_json
from bot.storage.store import SqlStore
from bot.whatsapp.client import GraphClient, GraphError
from dialogs.admin_ports import Attachment
from tests.fakes.graph_api import FakeGraphApi, visible_text
from tests.fakes.telegram_api import Call, FakeBotApi
from tests.sender_support import TELEGRAM_FIRST_CHAT, broadcast, outbox, run, seed_learners
from tests.telegram_driver import SECRET, TOKEN
from tests.whatsapp_driver import ACCESS_TOKEN, whatsapp_settings

FIRST = TELEGRAM_FIRST_CHAT
PHONE = 221770000001  # the first seeded WhatsApp learner
IMAGE = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40  # a "JPEG" of about 10 KB
PDF = b"%PDF-1.4\n" + b"cours de calcul\n" * 2000
TEXT = "Rentrée le 3 octobre : voici le calendrier."


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        yield fake


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraphApi]:
    async with FakeGraphApi() as fake:
        yield fake


@asynccontextmanager
async def both(database_url: str, api: FakeBotApi, graph: FakeGraphApi) -> AsyncIterator[BotApp]:
    """The bot on Telegram and WhatsApp, its own sender on."""
    settings = whatsapp_settings(
        database_url,
        graph.url,
        telegram_bot_token=TOKEN,
        telegram_api_base_url=api.url,
        telegram_webhook_url="https://bot.example.org/telegram/webhook",
        telegram_webhook_secret=SECRET,
        broadcast_rate_telegram=200.0,
        broadcast_rate_whatsapp=200.0,
    )
    app = BotApp(settings)
    await app.start()
    try:
        yield app
    finally:
        await app.stop()


def store_of(app: BotApp) -> SqlStore:
    """The app's store."""
    assert app.store is not None
    return app.store


async def learners(store: SqlStore, telegram: int, whatsapp: int) -> list[str]:
    """Seed learners on both platforms, WhatsApp ones inside their window; their phones."""
    await seed_learners(store, telegram)
    await seed_learners(store, whatsapp, channel="whatsapp", first=PHONE)
    phones = [str(PHONE + n) for n in range(whatsapp)]
    await run(
        store,
        "INSERT INTO channel_contacts (user_id, last_inbound_at) SELECT id, :at FROM users"
        " WHERE channel = 'whatsapp'",
        at=datetime.now(UTC) - timedelta(hours=1),
    )
    return phones


async def until(check: Callable[[], Awaitable[bool]], seconds: float = 30.0) -> None:
    """Wait (polling) until `check()` is true; a deadline only against hanging."""
    async with asyncio.timeout(seconds):
        while not await check():  # noqa: ASYNC110 - the database has nothing to wait on
            await asyncio.sleep(0.05)


async def done(store: SqlStore) -> None:
    """Wait until nothing is queued or being sent."""
    reader = Outbox(store, "reader")

    async def empty() -> bool:
        return await reader.pending() == 0

    await until(empty)


def tg_sent(api: FakeBotApi, method: str) -> list[Call]:
    """Successful calls of one send method."""
    return [c for c in api.sent() if c.method == method]


async def statuses(store: SqlStore, bid: int) -> dict[str, str]:
    """Outbox status per external id."""
    return {str(row[1]): str(row[2]) for row in await outbox(store, bid)}


# --- from Telegram ---------------------------------------------------------------------------


async def test_a_telegram_image_goes_by_file_id_to_telegram_and_uploaded_once_to_whatsapp(
    database_url: str, api: FakeBotApi, graph: FakeGraphApi
) -> None:
    path = api.add_file("AgAC-admin-photo", IMAGE, "photos/file_7.jpg")
    async with both(database_url, api, graph) as app:
        store = store_of(app)
        phones = await learners(store, telegram=3, whatsapp=3)
        image = Attachment("image", "telegram", "AgAC-admin-photo")
        bid, total = await broadcast(store, {"fr": TEXT}, attachment=image)
        assert total == 6
        await done(store)
        photos = tg_sent(api, "sendPhoto")
        assert sorted(int(c.params["chat_id"]) for c in photos) == [FIRST, FIRST + 1, FIRST + 2]
        assert {c.params["photo"] for c in photos} == {"AgAC-admin-photo"}
        assert all(c.params["caption"].startswith(TEXT) and not c.files for c in photos)
        assert not tg_sent(api, "sendMessage")
        assert api.counts["getFile"] == 1 and api.downloads == {path: 1}
        (upload,) = graph.uploads.values()
        assert upload.data == IMAGE and upload.mime == "image/jpeg"
        for phone in phones:
            (message,) = graph.sent(phone)
            assert message["type"] == "image" and message["image"]["id"] == upload.media_id
            assert (visible_text(message) or "").startswith(TEXT)
        assert set((await statuses(store, bid)).values()) == {"sent"}


# --- from WhatsApp ---------------------------------------------------------------------------


async def test_a_whatsapp_document_is_uploaded_once_to_each_platform_then_sent_by_id(
    database_url: str, api: FakeBotApi, graph: FakeGraphApi
) -> None:
    graph.add_media("889900112233", PDF, "application/pdf")
    async with both(database_url, api, graph) as app:
        store = store_of(app)
        phones = await learners(store, telegram=5, whatsapp=2)
        pdf = "application/pdf"
        document = Attachment("document", "whatsapp", "889900112233", "cours.pdf", pdf)
        bid, _ = await broadcast(store, {"fr": TEXT}, attachment=document)
        await done(store)
        sends = tg_sent(api, "sendDocument")
        assert len(sends) == 5 and not tg_sent(api, "sendMessage")
        uploaded = [c for c in sends if c.files]
        assert len(uploaded) == 1 and uploaded[0].files["document"] == PDF
        file_id = uploaded[0].result["document"]["file_id"]
        assert uploaded[0].result["document"]["file_size"] == len(PDF)
        assert all(c.params["document"] == file_id for c in sends if not c.files)
        assert all(c.params["caption"].startswith(TEXT) for c in sends)
        assert graph.downloads == {"889900112233": 1}
        (upload,) = graph.uploads.values()
        assert upload.data == PDF and upload.filename == "cours.pdf"
        for phone in phones:
            (message,) = graph.sent(phone)
            assert message["document"]["id"] == upload.media_id
            assert message["document"]["filename"] == "cours.pdf"
        remembered = await run(store, "SELECT channel, media_id FROM media_uploads ORDER BY 1")
        assert [tuple(row) for row in remembered] == [
            ("telegram", file_id),
            ("whatsapp", upload.media_id),
        ]
        assert set((await statuses(store, bid)).values()) == {"sent"}


async def test_a_stale_whatsapp_media_id_is_uploaded_again_once(
    database_url: str, api: FakeBotApi, graph: FakeGraphApi
) -> None:
    graph.add_media("5550001", IMAGE, "image/png")
    async with both(database_url, api, graph) as app:
        store = store_of(app)
        (phone,) = await learners(store, telegram=0, whatsapp=1)
        await run(
            store,
            "INSERT INTO media_uploads (channel, digest, media_id, created_at)"
            " VALUES ('whatsapp', :digest, 'expired-id', :at)",
            digest=hashlib.sha256(IMAGE).hexdigest(),
            at=datetime.now(UTC),
        )
        graph.fail_next(131052, title="Media download error")
        bid, _ = await broadcast(
            store, {"fr": TEXT}, attachment=Attachment("image", "whatsapp", "5550001")
        )
        await done(store)
        (message,) = graph.sent(phone)
        (upload,) = graph.uploads.values()
        assert message["image"]["id"] == upload.media_id != "expired-id"
        assert set((await statuses(store, bid)).values()) == {"sent"}


# --- long texts, large files -----------------------------------------------------------------


async def test_a_text_too_long_for_a_caption_goes_after_the_media(
    database_url: str, api: FakeBotApi, graph: FakeGraphApi
) -> None:
    api.add_file("AgAC-long", IMAGE, "photos/file_8.jpg")
    long_text = "Calendrier de l'année. " * 60  # about 1,400 characters
    async with both(database_url, api, graph) as app:
        store = store_of(app)
        (phone,) = await learners(store, telegram=1, whatsapp=1)
        image = Attachment("image", "telegram", "AgAC-long")
        bid, _ = await broadcast(store, {"fr": long_text}, attachment=image)
        await done(store)
        photo, text = api.sent(FIRST)
        assert photo.method == "sendPhoto" and "caption" not in photo.params
        assert text.method == "sendMessage" and text.params["text"].startswith(long_text)
        media, after = graph.sent(phone)
        assert media["type"] == "image" and "caption" not in media["image"]
        assert after["type"] == "text" and after["text"]["body"].startswith(long_text)
        rows = {str(row[1]): row[3] for row in await outbox(store, bid)}
        assert rows[str(FIRST)] == f"tg:{FIRST}:{text.result['message_id']}"
        assert rows[phone] == after["wamid"]  # the last message's id


async def test_a_file_over_a_platform_limit_goes_there_as_text_only(
    database_url: str, api: FakeBotApi, graph: FakeGraphApi, caplog: pytest.LogCaptureFixture
) -> None:
    big = b"\xff\xd8" + b"\x00" * (6 * 1024 * 1024)  # over WhatsApp's 5 MB, under Telegram's
    graph.add_media("7770001", big, "image/jpeg")
    caplog.set_level(logging.INFO, logger="imaginecole")
    async with both(database_url, api, graph) as app:
        store = store_of(app)
        (phone,) = await learners(store, telegram=1, whatsapp=1)
        image = Attachment("image", "whatsapp", "7770001")
        bid, _ = await broadcast(store, {"fr": TEXT}, attachment=image)
        await done(store)
        (message,) = graph.sent(phone)
        assert message["type"] == "text" and message["text"]["body"].startswith(TEXT)
        assert graph.uploads == {}
        (photo,) = api.sent(FIRST)
        assert photo.method == "sendPhoto" and len(photo.files["photo"]) == len(big)
        assert set((await statuses(store, bid)).values()) == {"sent"}
    logged = [r.getMessage() for r in caplog.records if "too large" in r.getMessage()]
    assert logged == ["attachment too large for whatsapp kind=image bytes=6291458"]
    assert not any(phone in r.getMessage() or TEXT in r.getMessage() for r in caplog.records)


# --- errors ----------------------------------------------------------------------------------


async def test_errors_of_media_sends_are_mapped_as_for_text(
    database_url: str, api: FakeBotApi, graph: FakeGraphApi
) -> None:
    graph.add_media("6660001", IMAGE, "image/jpeg")
    api.refuse_chat(FIRST, 403, "Forbidden: bot was blocked by the user")
    api.fail_next("sendPhoto", 429, "Too Many Requests: retry after 1", retry_after=1)
    graph.unreachable.add(str(PHONE))
    async with both(database_url, api, graph) as app:
        store = store_of(app)
        await learners(store, telegram=4, whatsapp=2)
        image = Attachment("image", "whatsapp", "6660001")
        bid, _ = await broadcast(store, {"fr": TEXT}, attachment=image)
        await done(store)
        found = await statuses(store, bid)
        assert found[str(FIRST)] == "unreachable" and found[str(PHONE)] == "unreachable"
        assert {found[str(FIRST + n)] for n in (1, 2, 3)} == {found[str(PHONE + 1)]} == {"sent"}
        photos = tg_sent(api, "sendPhoto")
        assert sorted(int(c.params["chat_id"]) for c in photos) == [FIRST + 1, FIRST + 2, FIRST + 3]
        assert len([c for c in photos if c.files]) == 1  # uploaded once, then by file id
        assert any(not c.ok and c.method == "sendPhoto" and c.files for c in api.calls)
        assert graph.downloads == {"6660001": 1} and len(graph.uploads) == 1


# --- the Graph client's download -------------------------------------------------------------


async def test_the_graph_client_downloads_media_with_its_token(graph: FakeGraphApi) -> None:
    graph.add_media("42", PDF, "application/pdf")
    client = GraphClient(
        base_url=graph.url, api_version="v23.0", phone_number_id="1", access_token=ACCESS_TOKEN
    )
    stranger = replace_token(graph, "not-the-token")
    try:
        assert await client.download("42") == (PDF, "application/pdf")
        with pytest.raises(GraphError) as unknown:
            await client.download("43")
        assert unknown.value.code == 100 and not unknown.value.retryable
        with pytest.raises(GraphError) as refused:
            await stranger.download("42")
        assert refused.value.code == 190
    finally:
        await client.close()
        await stranger.close()
    assert graph.downloads == {"42": 1}


def replace_token(graph: FakeGraphApi, token: str) -> GraphClient:
    """A client with another access token."""
    return GraphClient(
        base_url=graph.url, api_version="v23.0", phone_number_id="1", access_token=token
    )


# --- to the web chat -------------------------------------------------------------------------


async def test_an_image_reaches_web_learners_inline_at_its_signed_address(
    database_url: str, api: FakeBotApi, graph: FakeGraphApi
) -> None:
    api.add_file("AgAC-admin-photo", IMAGE, "photos/file_7.jpg")
    async with both(database_url, api, graph) as app:
        store = store_of(app)
        await seed_learners(store, 2, channel="web", first=9_000_001)
        image = Attachment("image", "telegram", "AgAC-admin-photo")
        bid, total = await broadcast(store, {"fr": TEXT}, attachment=image)
        assert total == 2
        await done(store)
        rows = await run(
            store,
            "SELECT u.external_id, i.payload FROM web_inbox i JOIN users u ON u.id = i.user_id"
            " ORDER BY i.id",
        )
        frames: dict[str, list[dict[str, Any]]] = {}
        for external_id, payload in rows:
            frames.setdefault(str(external_id), []).append(as_json(payload))
        assert sorted(frames) == ["9000001", "9000002"]
        for got in frames.values():  # the file first, then the text with its footer
            assert [f["type"] for f in got] == ["media", "say"]
            assert got[0]["kind"] == "image" and got[0]["caption"] == ""
            assert got[0]["url"].startswith(f"/inbox-files/{bid}/image?k=")
            assert (
                got[1]["text"] == f"{TEXT}\n\n— Pour ne plus recevoir d'annonces : /stop_annonces"
            )
        url = f"http://127.0.0.1:{app.port}" + frames["9000001"][0]["url"]
        async with aiohttp.ClientSession() as http:
            async with http.get(url) as served:
                assert served.status == 200 and await served.read() == IMAGE
                assert served.content_type == "image/jpeg"
            async with http.get(url[:-4] + "0000") as forged:
                assert forged.status == 404
        assert api.counts["getFile"] == 1  # fetched once, for every learner
        assert set((await statuses(store, bid)).values()) == {"sent"}
