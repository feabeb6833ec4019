"""Help at a question and the skills in /progres, in the browser at 360×740, in French and in
Arabic (right to left): "plus facile" takes an option away, "indice" gives the hint, and the
skills read as words. Screenshots go to SHOTS_DIR when it is set (to look at them)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.async_api import Browser

from bot.app import BotApp
from tests.e2e.test_web_chat import BOT, last_bot_text, say, settle, tap

WORDS = {
    "fr": ("plus facile", "indice", "🎯 Vos compétences", "✅ Partager en parts égales : maîtrisé"),
    "ar": ("أسهل", "تلميح", "🎯 كفاءاتك", "✅ Partager en parts égales: متقَن"),
}


@pytest.mark.parametrize("lang", ["fr", "ar"])
async def test_help_and_skills_in_the_browser(
    browser: Browser, web_bot: BotApp, tmp_path: Path, lang: str
) -> None:
    shots = Path(os.environ.get("SHOTS_DIR") or tmp_path)
    easier, hint, heading, mastered = WORDS[lang]
    page = await browser.new_page(viewport={"width": 360, "height": 740})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(f"http://127.0.0.1:{web_bot.port}/l/fractions/parts-egales")
    await page.locator("#log .opts").last.wait_for()
    await settle(page, 0)
    for option in (lang, "yes", "SN", "student", "CM2"):
        await tap(page, option)
    for _ in range(10):
        if await page.locator("#log .opts").last.locator('[data-option="a"]').count():
            break  # the first question: 3, 5, 8 or 15
        await tap(page, "next")
    prompt = page.locator("#log .opts").last
    assert "3/5" in await last_bot_text(page, 1)
    await page.screenshot(path=str(shots / f"question-{lang}.png"))
    assert await prompt.locator('[data-option="d"]').count() == 1  # 15, the fourth option
    await say(page, easier)
    assert await page.locator("#log .opts").last.locator('[data-option="d"]').count() == 0
    await page.screenshot(path=str(shots / f"easier-{lang}.png"))
    await say(page, hint)
    assert "💡" in await last_bot_text(page, 2)
    await page.screenshot(path=str(shots / f"hint-{lang}.png"))
    await say(page, "/menu")
    await say(page, "FRA1 b ; fau ; un quart ; six")
    await say(page, "/progres")
    said = await last_bot_text(page, 2)
    assert heading in said and mastered in said
    progress = page.locator(BOT, has_text=heading).last
    await progress.scroll_into_view_if_needed()
    await page.screenshot(path=str(shots / f"progres-{lang}.png"))
    assert not errors
