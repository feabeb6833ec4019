"""A translator in the web chat at 360×740: French (left to right), then an interface in
Arabic (right to left) translating into Wolof, the checks' refusal and the thanks.
Screenshots in `tmp_path` (and in /tmp/translate-shots/ when that folder exists)."""

from __future__ import annotations

import shutil
from pathlib import Path

from playwright.async_api import Browser, Page

from bot.admin_cli import grant as cli_grant
from bot.app import BotApp
from bot.catalogs import string_key
from bot.storage.translations import add_views
from tests.e2e.test_web_chat import last_bot_text, say, tap

SHOTS = Path("/tmp/translate-shots")
PROGRES = "/progres : vos progrès et vos certificats"


async def shot(page: Page, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    await page.screenshot(path=str(path))
    _keep(path)


def _keep(path: Path) -> None:
    """A copy to look at, when the folder for it exists."""
    if SHOTS.is_dir():
        shutil.copy(path, SHOTS / path.name)


async def translator(bot: BotApp, browser: Browser, lang: str) -> Page:
    """A teacher of Senegal on the web chat in `lang`, made a Wolof translator."""
    page = await browser.new_page(viewport={"width": 360, "height": 740})
    await page.goto(f"http://127.0.0.1:{bot.port}/")
    await page.locator(f'button.option[data-option="{lang}"]').wait_for()
    for option in (lang, "yes", "SN", "teacher", "CM2"):
        await tap(page, option)
    assert bot.conversations is not None
    store = bot.conversations.store
    rows = await store.statement(
        "SELECT external_id FROM users WHERE channel = 'web' AND locale = :lang", lang=lang
    )
    async with store.transaction() as runner:
        await add_views(runner, {string_key(PROGRES): 500})
    await cli_grant(
        bot.settings.database_url, "web", str(rows[0][0]), "translator", "", language="wo"
    )
    return page


async def test_a_translator_in_french_then_in_arabic(
    browser: Browser, web_bot: BotApp, tmp_path: Path
) -> None:
    page = await translator(web_bot, browser, "fr")
    await say(page, "/traduire")
    await tap(page, "translate")
    said = await last_bot_text(page, 2)
    assert "Français : « /progres : vos progrès et vos certificats »" in said, said
    await shot(page, tmp_path, "translator-card-fr")
    await say(page, "sa yokkute ak say seede")
    assert "Gardez la commande /progres telle quelle" in await last_bot_text(page, 2)
    await shot(page, tmp_path, "translator-refused-fr")
    await say(page, "/progres : sa yokkute ak say seede")
    assert "Merci !" in await last_bot_text(page, 3)
    await shot(page, tmp_path, "translator-thanks-fr")

    arabic = await translator(web_bot, browser, "ar")
    await say(arabic, "/traduire")
    home = await last_bot_text(arabic, 1)
    assert "للمراجعة: 1" in home, home
    await shot(arabic, tmp_path, "translator-home-ar")
    await tap(arabic, "review")
    said = await last_bot_text(arabic, 2)
    assert "المقترح: «\u2068/progres : sa yokkute ak say seede\u2069»" in said, said
    await shot(arabic, tmp_path, "translator-review-ar")
    await tap(arabic, "accept")
    assert "مقبولة" in await last_bot_text(arabic, 3)
    await shot(arabic, tmp_path, "translator-accepted-ar")
