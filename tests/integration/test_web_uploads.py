"""Files sent from the web chat: the upload endpoint's refusals (unknown tab, wrong type, a
step that takes no file, too large) and a course file reaching the same flow as on Telegram.

A plain client speaks the page's protocol: a hello with an upload token, a POST /upload
with the uid and token in headers, then a `file` frame naming what the POST returned."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.admin_cli import grant as cli_grant
from bot.app import BotApp
from bot.config import Settings
from bot.inbound_files import COURSE_FILE_LIMIT, STEP_FILE_LIMIT
from tests.integration.test_web_socket import frames_until_ack

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

UID = "web-teacher-0123456789"
TOKEN = "tab-token-0123456789"
COURSE = """\
id: compost
title: Le compost
subject: sciences
levels: CM2
language: fr
country: SN

# Faire un compost {#faire}

Le compost transforme les épluchures en engrais.
"""


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
    """One tab of the page: its socket, and its uploads."""

    def __init__(self, app: BotApp, http: aiohttp.ClientSession) -> None:
        self.base = f"http://127.0.0.1:{app.port}"
        self.http = http
        self.ws: aiohttp.ClientWebSocketResponse
        self.prompt = 0
        self.count = 0

    async def open(self, uid: str = UID, token: str = TOKEN) -> list[dict[str, Any]]:
        self.ws = await self.http.ws_connect(f"{self.base}/ws")
        await self.ws.send_json({"type": "hello", "uid": uid, "token": token})
        return await self._until_prompt()

    async def _until_prompt(self) -> list[dict[str, Any]]:
        received: list[dict[str, Any]] = []
        while not received or received[-1]["type"] not in ("ask", "quiz"):
            received.append(json.loads((await self.ws.receive(timeout=5)).data))
        self.prompt = received[-1]["prompt"]
        return received

    async def send(self, frame: dict[str, Any]) -> list[dict[str, Any]]:
        """A frame, and every frame up to its acknowledgement."""
        self.count += 1
        frame = {"id": f"m{self.count}", **frame}
        await self.ws.send_json(frame)
        replies = await frames_until_ack(self.ws, frame["id"])
        asks = [f for f in replies if f["type"] in ("ask", "quiz")]
        self.prompt = asks[-1]["prompt"] if asks else self.prompt
        return replies

    async def tap(self, option: str) -> list[dict[str, Any]]:
        return await self.send({"type": "option", "prompt": self.prompt, "option": option})

    async def say(self, text: str) -> list[dict[str, Any]]:
        return await self.send({"type": "text", "text": text})

    async def upload(
        self,
        data: bytes,
        kind: str,
        name: str,
        mime: str,
        uid: str = UID,
        token: str = TOKEN,
    ) -> tuple[int, dict[str, Any]]:
        headers = {
            "X-Imaginecole-Uid": uid,
            "X-Imaginecole-Token": token,
            "X-File-Name": name,
            "Content-Type": mime,
        }
        async with self.http.post(
            f"{self.base}/upload", params={"kind": kind}, data=data, headers=headers
        ) as response:
            body = await response.read()
            return response.status, json.loads(body) if body.startswith(b"{") else {}

    async def check(self, kind: str, mime: str, name: str, size: int) -> tuple[int, dict[str, Any]]:
        """The page's question before it sends a file: would it be taken?"""
        headers = {"X-Imaginecole-Uid": UID, "X-Imaginecole-Token": TOKEN}
        query = {"kind": kind, "type": mime, "name": name, "size": str(size)}
        async with self.http.get(f"{self.base}/upload", params=query, headers=headers) as response:
            return response.status, await response.json()


def texts(frames: list[dict[str, Any]]) -> str:
    return "\n".join(str(f.get("text", "")) for f in frames)


async def a_teacher_importing(app: BotApp, tab: Tab, database_url: str) -> None:
    """A web teacher at "Importer un fichier" of "Mes cours" (a step that takes files)."""
    await tab.open()
    for option in ("fr", "yes", "SN", "teacher", "CM2"):
        await tab.tap(option)
    await cli_grant(database_url, "web", UID, "teacher", "SN")
    await tab.say("/classes")
    await tab.tap("author")
    replies = await tab.tap("import")
    assert "Envoyez le fichier du cours (.md, au format Imaginecole) comme document." in texts(
        replies
    )


async def test_a_course_file_uploaded_from_the_page_becomes_a_draft(
    app: BotApp, database_url: str
) -> None:
    async with aiohttp.ClientSession() as http:
        tab = Tab(app, http)
        await a_teacher_importing(app, tab, database_url)
        status, body = await tab.upload(COURSE.encode(), "document", "compost.md", "text/markdown")
        assert status == 200 and body["size"] == len(COURSE.encode())
        replies = await tab.send(
            {"type": "file", "file": body["file"], "kind": "document", "name": "compost.md"}
        )
        assert "Le brouillon « Le compost » est prêt." in texts(replies)
        # The upload was taken once: a second frame naming it finds nothing.
        replies = await tab.send(
            {"type": "file", "file": body["file"], "kind": "document", "name": "compost.md"}
        )
        assert "Je ne peux pas utiliser ce type de message ici." in texts(replies)


async def test_the_page_asks_before_it_sends_and_a_webm_voice_note_comes_back_as_ogg(
    app: BotApp, database_url: str
) -> None:
    async with aiohttp.ClientSession() as http:
        tab = Tab(app, http)
        await a_teacher_importing(app, tab, database_url)
        assert await tab.check("document", "text/markdown", "c.md", 1000) == (
            200,
            {"limit": COURSE_FILE_LIMIT},
        )
        assert await tab.check("photo", "image/jpeg", "p.jpg", STEP_FILE_LIMIT + 1) == (
            413,
            {"code": "too_large", "limit": STEP_FILE_LIMIT},
        )
        assert await tab.check("video", "video/mp4", "v.mp4", 10) == (415, {"code": "type"})

        webm = (FIXTURES / "voice-chromium.webm").read_bytes()
        status, body = await tab.upload(webm, "voice", "note-vocale.webm", "audio/webm")
        assert status == 200
        assert (body["name"], body["mime"]) == ("note-vocale.ogg", "audio/ogg")
        assert body["size"] > len(webm) // 2

        await tab.tap("back")  # "Mes cours" takes no file
        assert await tab.check("document", "text/markdown", "c.md", 1000) == (
            409,
            {"code": "not_here"},
        )


async def test_a_closed_tab_s_token_no_longer_opens_the_door(app: BotApp) -> None:
    async with aiohttp.ClientSession() as http:
        tab = Tab(app, http)
        await tab.open()
        await tab.ws.close()
        status, body = await tab.upload(b"x", "document", "a.md", "text/plain")
        assert (status, body) == (403, {"code": "unknown"})
        # The same token from another learner's tab is not theirs either.
        other = Tab(app, http)
        await other.open(uid="another-learner-0123456789")
        status, body = await other.upload(b"x", "document", "a.md", "text/plain")
        assert (status, body) == (403, {"code": "unknown"})


async def test_an_upload_is_refused_before_it_is_read(app: BotApp, database_url: str) -> None:
    async with aiohttp.ClientSession() as http:
        tab = Tab(app, http)
        await tab.open()
        for option in ("fr", "yes", "SN", "teacher", "CM2"):
            await tab.tap(option)

        # An uid or a token no open tab gave.
        status, body = await tab.upload(b"x", "document", "a.md", "text/plain", uid="nobody" * 4)
        assert (status, body) == (403, {"code": "unknown"})
        status, body = await tab.upload(b"x", "document", "a.md", "text/plain", token="z" * 20)
        assert (status, body) == (403, {"code": "unknown"})

        # A kind, or a type, the chat does not take.
        for kind, mime in (("video", "video/mp4"), ("photo", "application/pdf")):
            status, body = await tab.upload(b"x", kind, "a", mime)
            assert (status, body) == (415, {"code": "type"})

        # The main menu takes no file: refused, and the page's frame without a file gets the
        # step's own answer, as on Telegram.
        status, body = await tab.upload(COURSE.encode(), "document", "c.md", "text/markdown")
        assert (status, body) == (409, {"code": "not_here"})
        replies = await tab.send({"type": "file", "kind": "document", "name": "c.md"})
        assert "Je ne peux pas utiliser ce type de message ici." in texts(replies)


async def test_files_over_their_limits_are_refused_and_the_step_says_why(
    app: BotApp, database_url: str
) -> None:
    async with aiohttp.ClientSession() as http:
        tab = Tab(app, http)
        await a_teacher_importing(app, tab, database_url)
        course = b"# " + b"x" * COURSE_FILE_LIMIT
        status, body = await tab.upload(course, "document", "grand.md", "text/markdown")
        assert (status, body) == (413, {"code": "too_large", "limit": COURSE_FILE_LIMIT})
        replies = await tab.send(
            {"type": "file", "kind": "document", "name": "grand.md", "size": len(course)}
        )
        assert "Ce fichier est trop lourd (512 Ko) : la limite est de 512 Ko." in texts(replies)

        status, body = await tab.upload(b"%PDF-1.4", "photo", "a.jpg", "image/jpeg")
        assert (status, body) == (415, {"code": "type"}), "a photo that is no image"

        # Past the route's own limit the server answers before the handler reads anything.
        photo = b"\xff\xd8\xff" + b"0" * STEP_FILE_LIMIT
        status, _ = await tab.upload(photo, "photo", "p.jpg", "image/jpeg")
        assert status == 413


async def test_an_over_long_text_frame_is_refused_not_cut(app: BotApp) -> None:
    async with aiohttp.ClientSession() as http:
        tab = Tab(app, http)
        await tab.open()
        replies = await tab.say("a" * 2001)
        assert replies == [
            {
                "type": "error",
                "code": "too_long",
                "text": "Ce message est trop long (2\u202f001 caractères, 2\u202f000 au plus) : il "
                "n'a pas été envoyé. Raccourcissez-le ou envoyez-le en plusieurs fois.",
            }
        ]


async def test_uploads_count_against_the_address_s_frame_limit(database_url: str) -> None:
    """A script cannot send files faster than frames: each check and upload is a frame."""
    settings = Settings(
        database_url=database_url,
        web_host="127.0.0.1",
        web_port=0,
        pseudonym_secret=b"t",
        web_address_flood_limit="8,1",
    )
    bot = BotApp(settings)
    await bot.start()
    try:
        async with aiohttp.ClientSession() as http:
            tab = Tab(bot, http)
            await tab.open()  # the hello is the first frame
            statuses = [
                (await tab.check("document", "text/markdown", "c.md", 10))[0] for _ in range(10)
            ]
            assert statuses[:7] == [409] * 7, "within the burst: refused for the step only"
            assert statuses[7:] == [429] * 3
    finally:
        await bot.stop()
