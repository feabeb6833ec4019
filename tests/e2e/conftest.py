"""Browser tests: Debian's Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

from bot.app import BotApp
from bot.config import Settings

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _require_chromium() -> None:
    """Fail clearly (never skip) when the browser is missing."""
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is missing: ./scripts/test installs it")


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    _require_chromium()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        await launched.close()


@pytest.fixture
async def web_bot(tmp_path: Path) -> AsyncIterator[BotApp]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'web.db'}",
        web_host="127.0.0.1",
        web_port=0,
        pseudonym_secret=b"test",
    )
    app = BotApp(settings)
    await app.start()
    yield app
    await app.stop()
