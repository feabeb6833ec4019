"""Files sent from the web chat: announced by a frame, sent in binary frames on the same
socket, then named by a `file` frame. Refused before a byte travels (wrong kind or type, a
step that takes no file, too large), and while the bytes come (more than announced); a
course file reaches the same flow as on Telegram."""

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
        size: int | None = None,
    ) -> dict[str, Any]:
        """Announce a file, send its pieces when the server says so; the server's last word."""
        self.count += 1
        upload = f"u{self.count}"
        announce = {"type": "upload", "upload": upload, "kind": kind, "name": name}
        await self.ws.send_json(
            {**announce, "mime": mime, "size": len(data) if size is None else size}
        )
        answer = await self._upload_answer(upload)
        if "chunk" not in answer:
            return answer
        for at in range(0, len(data), answer["chunk"]):
            await self.ws.send_bytes(data[at : at + answer["chunk"]])
        return await self._upload_answer(upload)

    async def _upload_answer(self, upload: str) -> dict[str, Any]:
        while True:
            frame = json.loads((await self.ws.receive(timeout=5)).data)
            if frame.pop("type") == "upload":
                assert frame.pop("upload") == upload
                return frame
            assert "code" in frame, frame  # a flood notice, if any


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


async def test_a_course_file_sent_from_the_page_becomes_a_draft(
    app: BotApp, database_url: str
) -> None:
    async with aiohttp.ClientSession() as http:
        tab = Tab(app, http)
        await a_teacher_importing(app, tab, database_url)
        answer = await tab.upload(COURSE.encode(), "document", "compost.md", "text/markdown")
        assert answer["size"] == len(COURSE.encode()) and answer["name"] == "compost.md"
        frame = {"type": "file", "file": answer["file"], "kind": "document", "name": "compost.md"}
        replies = await tab.send(frame)
        assert "Le brouillon « Le compost » est prêt." in texts(replies)
        # The draft is made: the step takes no more files, a second frame gets its answer.
        replies = await tab.send(frame)
        assert "Je ne peux pas utiliser ce type de message ici." in texts(replies)


async def test_a_webm_voice_note_is_kept_as_ogg(app: BotApp, database_url: str) -> None:
    async with aiohttp.ClientSession() as http:
        tab = Tab(app, http)
        await a_teacher_importing(app, tab, database_url)
        webm = (FIXTURES / "voice-chromium.webm").read_bytes()
        answer = await tab.upload(webm, "voice", "note-vocale.webm", "audio/webm;codecs=opus")
        assert (answer["name"], answer["mime"]) == ("note-vocale.ogg", "audio/ogg")
        assert answer["size"] > len(webm) // 2
        answer = await tab.upload(b"\x1a\x45\xdf\xa3 not opus", "voice", "n.webm", "audio/webm")
        assert answer == {"code": "type"}


async def test_a_file_is_refused_before_a_byte_travels(app: BotApp) -> None:
    async with aiohttp.ClientSession() as http:
        tab = Tab(app, http)
        await tab.open()
        for option in ("fr", "yes", "SN", "teacher", "CM2"):
            await tab.tap(option)

        # A kind, or a type, the chat does not take.
        for kind, mime in (("video", "video/mp4"), ("photo", "application/pdf")):
            assert await tab.upload(b"x", kind, "a", mime) == {"code": "type"}

        # The main menu takes no file: refused, and the page's frame without a file gets the
        # step's own answer, as on Telegram.
        assert await tab.upload(COURSE.encode(), "document", "c.md", "text/markdown") == {
            "code": "not_here"
        }
        replies = await tab.send({"type": "file", "kind": "document", "name": "c.md"})
        assert "Je ne peux pas utiliser ce type de message ici." in texts(replies)

        # Pieces nobody announced are not kept, and break nothing.
        await tab.ws.send_bytes(b"x" * 1000)
        assert "Je n'ai pas compris" in texts(await tab.say("bonjour ?"))


async def test_files_over_their_limits_are_refused_and_the_step_says_why(
    app: BotApp, database_url: str
) -> None:
    async with aiohttp.ClientSession() as http:
        tab = Tab(app, http)
        await a_teacher_importing(app, tab, database_url)
        course = b"# " + b"x" * COURSE_FILE_LIMIT
        assert await tab.upload(course, "document", "grand.md", "text/markdown") == {
            "code": "too_large",
            "limit": COURSE_FILE_LIMIT,
        }
        replies = await tab.send(
            {"type": "file", "kind": "document", "name": "grand.md", "size": len(course)}
        )
        assert "Ce fichier est trop lourd (512 Ko) : la limite est de 512 Ko." in texts(replies)
        photo = b"\xff\xd8\xff" + b"0" * STEP_FILE_LIMIT
        assert await tab.upload(photo, "photo", "p.jpg", "image/jpeg") == {
            "code": "too_large",
            "limit": STEP_FILE_LIMIT,
        }

        # More bytes than announced: refused as they come, nothing kept.
        answer = await tab.upload(COURSE.encode() * 3, "document", "c.md", "text/plain", size=10)
        assert answer == {"code": "too_large", "limit": COURSE_FILE_LIMIT}
        # A photo that is no image.
        assert await tab.upload(b"%PDF-1.4", "photo", "a.jpg", "image/jpeg") == {"code": "type"}
        # A piece larger than the server asked for ends the upload.
        await tab.ws.send_json(
            {"type": "upload", "upload": "big", "kind": "document", "name": "g.pdf", "size": 40_000}
        )
        assert (await tab._upload_answer("big"))["chunk"] == 32 * 1024
        await tab.ws.send_bytes(b"0" * 40_000)
        assert await tab._upload_answer("big") == {"code": "too_large", "limit": STEP_FILE_LIMIT}


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


async def test_announces_count_against_the_address_s_frame_limit(database_url: str) -> None:
    """A script cannot send files faster than frames: each announce is a frame."""
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
            answers = [await tab.upload(b"x", "document", "c.md", "text/plain") for _ in range(7)]
            assert answers == [{"code": "not_here"}] * 7, "within the burst: refused for the step"
            await tab.ws.send_json(
                {"type": "upload", "upload": "u99", "kind": "document", "name": "c.md", "size": 1}
            )
            notice = json.loads((await tab.ws.receive(timeout=5)).data)
            assert notice["type"] == "error" and notice["code"] == "flood"
    finally:
        await bot.stop()


async def test_the_flood_notice_of_a_tab_is_in_its_learner_s_language(database_url: str) -> None:
    settings = Settings(
        database_url=database_url,
        web_host="127.0.0.1",
        web_port=0,
        pseudonym_secret=b"t",
        web_address_flood_limit="12,1",
    )
    bot = BotApp(settings)
    await bot.start()
    try:
        async with aiohttp.ClientSession() as http:
            tab = Tab(bot, http)
            await tab.open()
            for option in ("ar", "yes"):  # the learner chose Arabic: their tab speaks it
                await tab.tap(option)
            for _ in range(12):
                await tab.ws.send_json({"type": "upload", "upload": "u9", "kind": "document"})
            notice: dict[str, Any] = {}
            while notice.get("code") != "flood":  # refusals of the bad frames, then it
                notice = json.loads((await tab.ws.receive(timeout=5)).data)
            assert notice["text"] == (
                "على مهلك! أنت ترسل رسائل كثيرة متتالية. انتظر دقيقة قبل أن تتابع: الرسائل"
                " التي تُرسل في هذه الأثناء لن تُقرأ."
            )
    finally:
        await bot.stop()


async def test_a_tab_that_has_not_said_hello_sends_no_file(app: BotApp) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(f"http://127.0.0.1:{app.port}/ws") as ws,
    ):
        announce = {"type": "upload", "upload": "u1", "kind": "document", "name": "c.md"}
        await ws.send_json({**announce, "mime": "text/plain", "size": 10})
        assert json.loads((await ws.receive(timeout=5)).data) == {
            "type": "error",
            "text": "bad frame",
        }
        await ws.send_bytes(b"0123456789")  # pieces of nothing: not kept
        frame = {"type": "file", "id": "f1", "file": "x", "kind": "document", "name": "c.md"}
        await ws.send_json(frame)
        assert json.loads((await ws.receive(timeout=5)).data)["type"] == "error"
        assert app.conversations is not None
        assert await app.conversations.store.count_users() == 0
