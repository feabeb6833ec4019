"""A phone dialling the bot's USSD code: each key press is a callback posted over real HTTP
in the aggregators' format (bot/ussd/formats.py), the answer is the screen it shows."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import aiohttp

from bot.app import BotApp
from bot.config import Settings

SECRET = "ussd-test-secret"
SERVICE_CODE = "*384*123#"
_sessions = itertools.count(1)


def ussd_settings(database_url: str) -> Settings:
    """The real bot with USSD on, on a free port."""
    return Settings(
        database_url=database_url,
        web_host="127.0.0.1",
        web_port=0,
        pseudonym_secret=b"test",
        ussd_secret=SECRET,
        ussd_service_code=SERVICE_CODE,
    )


@dataclass
class UssdPhone:
    """One phone; `dial()` opens a session, `press()` answers the screen shown."""

    app: BotApp
    http: aiohttp.ClientSession
    phone: str = "+221770000001"
    secret: str = SECRET
    session: str = ""
    inputs: list[str] = field(default_factory=list)
    screen: str = ""  # what the phone shows now
    ended: bool = False
    screens: list[str] = field(default_factory=list)  # every screen since the last input

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.app.port}/ussd/{self.secret}"

    async def post(self, text: str, session: str | None = None) -> tuple[int, str]:
        """One callback as the aggregator sends it: its status and body."""
        form = {
            "sessionId": session or self.session,
            "serviceCode": SERVICE_CODE,
            "phoneNumber": self.phone,
            "text": text,
        }
        async with self.http.post(self.url, data=form) as response:
            return response.status, await response.text()

    async def _show(self, text: str) -> str:
        status, body = await self.post(text)
        assert status == 200, (status, body)
        kind, _, screen = body.partition(" ")
        assert kind in ("CON", "END"), body
        assert len(screen) <= 160, (len(screen), screen)
        self.screen, self.ended = screen, kind == "END"
        self.screens.append(screen)
        return screen

    async def dial(self) -> str:
        """Dial the code: a new session, its first screen."""
        self.session = f"ATUid_{next(_sessions):08d}"
        self.inputs = []
        self.screens = []
        return await self._show("")

    async def press(self, typed: str) -> str:
        """Type an input and send it."""
        self.inputs.append(typed)
        self.screens = []
        return await self._show("*".join(self.inputs))

    async def replay(self) -> str:
        """The aggregator sends the last callback again."""
        return await self._show("*".join(self.inputs))

    async def read_all(self) -> str:
        """Turn every page ("0") and return the whole reply, navigation entries aside."""
        texts = [_body(self.screen)]
        while "\n0. " in self.screen:
            await self.press("0")
            texts.append(_body(self.screen))
        return "\n".join(texts)


def _body(screen: str) -> str:
    lines = [line for line in screen.split("\n") if not line.startswith(("0. ", "00. "))]
    return "\n".join(lines)
