"""Drives the whole bot over HTTP as an SMS learner would: Kannel's get-url calls in, texts
read from a fake smsbox (tests/fakes/smsbox.py)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import Any

import aiohttp

from bot.app import BotApp
from bot.config import Settings
from tests.fakes.smsbox import PASSWORD, USER, FakeSmsbox

SECRET = "kannel-callback-secret"
SHORTCODE = "7070"
_ids = itertools.count(1)


def sms_settings(database_url: str, smsbox_url: str, **overrides: Any) -> Settings:
    """Settings for a bot on a random local port sending through the fake smsbox."""
    settings = Settings(
        database_url=database_url,
        web_host="127.0.0.1",
        web_port=0,
        pseudonym_secret=b"test",
        sms_kannel_url=smsbox_url,
        sms_kannel_user=USER,
        sms_kannel_password=PASSWORD,
        sms_shortcode=SHORTCODE,
        sms_secret=SECRET,
        sms_daily_budget=0,
    )
    return replace(settings, **overrides)


@dataclass
class SmsLearner:
    """A learner whose texts reach the bot as Kannel's get-url would pass them."""

    smsbox: FakeSmsbox
    bot: BotApp
    http: aiohttp.ClientSession
    phone: str = "22507000001"

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.bot.port}{path}"

    async def call(self, text: str, secret: str = SECRET, message_id: str = "") -> int:
        """Kannel's get-url for one text; its HTTP status (handled before it answers)."""
        query = {
            "secret": secret,
            "from": self.phone,
            "to": SHORTCODE,
            "text": text,
            "id": message_id or f"kannel-{next(_ids)}",
        }
        async with self.http.get(self.url("/sms/inbound"), params=query) as response:
            return response.status

    async def send(self, text: str, message_id: str = "") -> list[str]:
        """Type a text; returns the texts the bot sent back."""
        before = len(self.smsbox.texts(self.phone))
        status = await self.call(text, message_id=message_id)
        assert status == 200, status
        return self.smsbox.texts(self.phone)[before:]

    async def report(self, message_id: str, kind: int, secret: str = SECRET) -> int:
        """Kannel's dlr-url for one of the bot's texts."""
        query = {"secret": secret, "id": message_id, "type": str(kind)}
        async with self.http.get(self.url("/sms/dlr"), params=query) as response:
            return response.status
