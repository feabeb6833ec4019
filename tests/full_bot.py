"""The whole bot with every HTTP door open: Telegram (webhook), WhatsApp and the portal API,
against the fake Bot API and the fake Graph API, on a random local port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace

from sqlalchemy import text

from bot.app import BotApp
from tests.fakes.graph_api import FakeGraphApi
from tests.fakes.telegram_api import FakeBotApi
from tests.telegram_driver import start_bot, telegram_settings
from tests.whatsapp_driver import whatsapp_settings

PORTAL_TOKEN = "portal-token-for-tests"


@dataclass
class FullBot:
    """The running bot and the two platform fakes it talks to."""

    app: BotApp
    telegram: FakeBotApi
    graph: FakeGraphApi

    def url(self, path: str) -> str:
        """The address of one of the bot's routes."""
        return f"http://127.0.0.1:{self.app.port}{path}"

    async def count(self, table: str) -> int:
        """How many rows a table holds."""
        assert self.app.engine is not None
        async with self.app.engine.connect() as conn:
            found = await conn.execute(text(f"SELECT COUNT(*) FROM {table}"))
            return int(found.scalar_one())


@asynccontextmanager
async def full_bot(
    database_url: str, metrics_token: str = "", authored_dir: str = ""
) -> AsyncIterator[FullBot]:
    """Start the bot with Telegram, WhatsApp and the portal API; stop it afterwards."""
    async with FakeBotApi() as telegram, FakeGraphApi() as graph:
        settings = whatsapp_settings(database_url, graph.url)
        tg = telegram_settings(database_url, telegram.url)
        settings = replace(
            settings,
            telegram_bot_token=tg.telegram_bot_token,
            telegram_api_base_url=tg.telegram_api_base_url,
            telegram_webhook_url=tg.telegram_webhook_url,
            telegram_webhook_secret=tg.telegram_webhook_secret,
            portal_api_token=PORTAL_TOKEN,
            metrics_token=metrics_token,
            authored_dir=authored_dir or settings.authored_dir,
        )
        app = await start_bot(settings)
        try:
            yield FullBot(app, telegram, graph)
        finally:
            await app.stop()
