"""The web chat's server side of issue 16: documents behind signed, expiring links, the
screen cleared for the next person, secret prompts, and links that follow the page's own
address. Spoken over the real WebSocket of the whole bot (SQLite, and PostgreSQL when set)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from bot.app import BotApp
from bot.config import Settings
from bot.housekeeping import tidy
from bot.storage.web_files import WebFiles
from tests.chat_drivers import ChatLearner
from tests.chat_drivers import chat_fixture as chat_fixture  # the `chat` fixture

UID = "shared-computer-0123456789"
JSON = dict[str, Any]


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[BotApp]:
    settings = Settings(
        database_url=database_url, web_host="127.0.0.1", web_port=0, pseudonym_secret=b"t"
    )
    bot = BotApp(settings)
    await bot.start()
    yield bot
    await bot.stop()


class Tab:
    """A browser tab spoken for by hand: frames out, frames in up to the acknowledgement."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.frames: list[JSON] = []
        self.number = 0

    async def hello(self, uid: str = UID) -> list[JSON]:
        await self.ws.send_json({"type": "hello", "uid": uid})
        self.frames = []
        while not self.frames or self.frames[-1]["type"] not in ("ask", "quiz"):
            self.frames.append(json.loads((await self.ws.receive(timeout=5)).data))
        return self.frames

    async def _exchange(self, frame: JSON) -> list[JSON]:
        self.number += 1
        ack = f"m{self.number}"
        await self.ws.send_json({**frame, "id": ack})
        got: list[JSON] = []
        while (received := json.loads((await self.ws.receive(timeout=10)).data)) != {
            "type": "ack",
            "id": ack,
        }:
            got.append(received)
        self.frames = got or self.frames
        return got

    def asked(self) -> JSON:
        return next(f for f in reversed(self.frames) if f["type"] in ("ask", "quiz"))

    async def tap(self, option: str) -> list[JSON]:
        prompt = self.asked()["prompt"]
        return await self._exchange({"type": "option", "prompt": prompt, "option": option})

    async def send(self, text: str) -> list[JSON]:
        return await self._exchange({"type": "text", "text": text})

    async def onboard(self) -> None:
        await self.hello()
        for option in ("fr", "yes", "SN", "student", "CM2"):
            await self.tap(option)


def texts(frames: list[JSON]) -> str:
    return "\n".join(str(f.get("text", "")) for f in frames)


async def test_a_document_is_a_link_that_opens_until_its_learner_is_erased(app: BotApp) -> None:
    base = f"http://127.0.0.1:{app.port}"
    async with aiohttp.ClientSession() as http, http.ws_connect(f"{base}/ws") as ws:
        tab = Tab(ws)
        await tab.onboard()
        [document] = [f for f in await tab.send("/mes_donnees") if f["type"] == "document"]
        assert document["filename"] == "mes_donnees.json" and "data" not in document
        assert document["url"].startswith("/files/") and document["size"] > 100
        assert len(json.dumps(document)) < 400
        async with http.get(base + document["url"]) as answer:
            assert answer.status == 200
            assert answer.headers["Content-Type"].startswith("application/json")
            assert answer.headers["X-Content-Type-Options"] == "nosniff"
            assert "attachment" in answer.headers["Content-Disposition"]
            kept = json.loads(await answer.read())
            assert document["size"] == len(json.dumps(kept, ensure_ascii=False, indent=2).encode())
        async with http.get(base + document["url"].replace("&k=", "&k=f")) as answer:
            assert answer.status == 404
        assert app.store is not None
        files, now = WebFiles(app.store), datetime.now(UTC)
        [[owner]] = await app.store.statement("SELECT id FROM users")
        chart = await files.put(owner, "suivi.png", "image/png", b"png", now, now)
        later = now + timedelta(hours=1)  # the same bytes again: the same row, a longer life
        assert await files.put(owner, "suivi.png", "image/png", b"png", now, later) == chart
        assert await files.get(chart, now) is not None

        await tab.send("/supprimer_mes_donnees")
        erased = await tab.tap("erase")
        assert erased[1] == {"type": "clear", "forget": False}  # first, the screen is cleared
        assert "tout est effacé" in texts(erased)
        async with http.get(base + document["url"]) as answer:
            assert answer.status == 404, "erased with the learner"
        assert await files.get(chart, now) is None


async def test_expired_files_are_refused_and_forgotten(app: BotApp) -> None:
    assert app.store is not None
    files = WebFiles(app.store)
    now = datetime.now(UTC)
    old = await files.put(None, "a.png", "image/png", b"old", now - timedelta(days=3), now)
    new = await files.put(None, "b.png", "image/png", b"new", now, now + timedelta(hours=1))
    later = now + timedelta(seconds=1)
    assert await files.get(old, later) is None
    found = await files.get(new, later)
    assert found is not None and found.data == b"new" and found.mime == "image/png"
    await tidy(app.store, later)
    assert await files.prune(later) == 0  # housekeeping forgot the expired one already
    assert await files.get(new, later) is not None


async def test_a_pin_prompt_is_secret_and_switching_clears_the_screen(app: BotApp) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(f"http://127.0.0.1:{app.port}/ws") as ws,
    ):
        tab = Tab(ws)
        await tab.onboard()
        await tab.send("/eleve")
        assert "secret" not in tab.asked()
        asked = await tab.tap("pin")
        assert asked[-1]["secret"] is True and "Choisissez un code PIN" in asked[-1]["text"]
        await tab.send("2580")
        assert "secret" not in tab.asked()
        await tab.send("/eleve")
        await tab.tap("add")
        await tab.send("Fatou")
        added = await tab.send("Awa")
        assert [f["type"] for f in added[:3]] == ["locale", "clear", "say"]
        assert "Nouveau profil : Awa" in added[2]["text"]
        for option in ("fr", "yes", "student", "CE1"):
            await tab.tap(option)
        await tab.send("/eleve")
        fatou = next(o["id"] for o in tab.asked()["options"] if "Fatou" in o["label"])
        pin = await tab.tap(fatou)
        assert pin[-1]["secret"] is True and "Code PIN de Fatou" in pin[-1]["text"]
        switched = await tab.send("2580")
        assert {"type": "clear", "forget": False} in switched
        assert "C'est au tour de Fatou" in texts(switched)


async def test_leaving_gives_a_resume_link_on_the_pages_own_address(app: BotApp) -> None:
    async with aiohttp.ClientSession() as http:
        # A phone opened the page at the computer's network address; a client's own
        # X-Forwarded-Host is not believed (no trusted proxy).
        headers = {"Host": "192.168.1.20:8080", "X-Forwarded-Host": "evil.example"}
        async with http.ws_connect(f"http://127.0.0.1:{app.port}/ws", headers=headers) as ws:
            tab = Tab(ws)
            await tab.onboard()
            told = await tab.send("/quitter_cet_appareil")
            link = f"http://192.168.1.20:8080/#reprendre={UID}"
            assert link in told[-1]["text"]
            assert [o["id"] for o in told[-1]["options"]] == ["forget", "stay"]
            stay = await tab.tap("stay")
            assert "cet appareil vous garde" in texts(stay)
            assert "Que voulez-vous faire" in texts(stay)  # back where /quitter... was typed
            await tab.send("/quitter_cet_appareil")
            assert await tab.tap("forget") == [
                {"type": "locale", "lang": "fr", "rtl": False},
                {"type": "clear", "forget": True},
            ]
        async with http.ws_connect(f"http://127.0.0.1:{app.port}/ws") as ws:
            tab = Tab(ws)
            back = await tab.hello()  # the resume link's key: the learner's own menu
            assert "Que voulez-vous faire" in texts(back)


async def test_this_is_not_me_and_leaving_on_every_channel(chat: ChatLearner) -> None:
    await chat.send("/start")
    for label in ("Français", "J'accepte", "Sénégal", "Élève", "CM2"):
        await chat.tap(label)
    await chat.send("/pas_moi")
    assert "Cette discussion était celle d'un autre élève" in chat.last_text()
    assert "Ajouter un élève" in " ".join(chat.options())
    await chat.send("/quitter_cet_appareil")
    if chat.channel == "web":
        assert "Pour revenir, ouvrez ce lien de reprise" in chat.last_text()
    else:
        assert "il n'y a rien à oublier sur cet appareil" in chat.last_text()
