"""Drives the whole bot over HTTP as a Telegram learner would, against the fake Bot API."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import aiohttp

from bot.app import BotApp
from bot.config import Settings
from tests.fakes.telegram_api import Call, FakeBotApi

TOKEN = "123456:TEST-token"
SECRET = "s3cret-token_for-tests"


def telegram_settings(database_url: str, api_url: str, webhook: bool = True) -> Settings:
    """Settings for a bot on a random port talking to the fake Bot API."""
    return Settings(
        database_url=database_url,
        web_host="127.0.0.1",
        web_port=0,
        pseudonym_secret=b"test",
        telegram_bot_token=TOKEN,
        telegram_api_base_url=api_url,
        telegram_webhook_url="https://bot.example.org/telegram/webhook" if webhook else "",
        telegram_webhook_secret=SECRET if webhook else "",
    )


async def start_bot(settings: Settings) -> BotApp:
    """Start the real application."""
    app = BotApp(replace(settings))
    await app.start()
    return app


@dataclass
class TelegramLearner:
    """A learner whose updates are posted to the bot's webhook; replies land in the fake."""

    api: FakeBotApi
    app: BotApp
    http: aiohttp.ClientSession
    user_id: int = 777_001

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.app.port}/telegram/webhook"

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> int:
        """Deliver an update; the webhook answers once it is handled."""
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        async with self.http.post(self.webhook, json=update, headers=headers) as response:
            return response.status

    async def send(self, text: str) -> list[Call]:
        """Type a message; returns what the bot sent back."""
        return await self._exchange(self.api.updates.text(self.user_id, text))

    async def tap(self, label: str, of: Call | None = None) -> list[Call]:
        """Tap the inline button whose label contains `label` (on the last keyboard by default)."""
        call = of or self.last_keyboard()
        data = button(call, label)["callback_data"]
        update = self.api.updates.callback(self.user_id, data, call.result["message_id"])
        return await self._exchange(update)

    async def vote(self, *indexes: int) -> list[Call]:
        """Answer the last native poll."""
        poll_id = self.api.last_poll_id(self.user_id)
        return await self._exchange(self.api.updates.poll_answer(self.user_id, poll_id, [*indexes]))

    async def _exchange(self, update: dict[str, Any]) -> list[Call]:
        before = len(self.api.sent(self.user_id))
        status = await self.post(update)
        assert status == 200, status
        return self.api.sent(self.user_id)[before:]

    def last_keyboard(self) -> Call:
        """The last message that carried inline buttons."""
        for call in reversed(self.api.sent(self.user_id)):
            if call.params.get("reply_markup"):
                return call
        raise AssertionError("no keyboard was sent")

    def texts(self, calls: list[Call] | None = None) -> str:
        """Every text, caption and poll question, one per line."""
        calls = self.api.sent(self.user_id) if calls is None else calls
        keys = ("text", "caption", "question")
        found = (next((c.params[k] for k in keys if k in c.params), "") for c in calls)
        return "\n".join(str(t) for t in found)


def buttons(call: Call) -> list[dict[str, str]]:
    """The inline buttons of a sent message, flattened."""
    markup = call.params.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def button(call: Call, label: str) -> dict[str, str]:
    """The button whose label contains `label`."""
    for candidate in buttons(call):
        if label in candidate["text"] or label == candidate["callback_data"].split(":", 1)[1]:
            return candidate
    raise AssertionError(f"no button {label!r} in {[b['text'] for b in buttons(call)]}")
