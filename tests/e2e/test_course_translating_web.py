"""A translator translates a course's question option in the web chat at 360×740: the card
(where, the French, the button's limit), a refused label, the thanks. Screenshots in
`tmp_path` (and in /tmp/translate-shots/ when that folder exists)."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser

from bot.app import BotApp
from tests.e2e.test_translators_web import shot, translator
from tests.e2e.test_web_chat import last_bot_text, say, tap


async def test_a_course_translated_at_360_px(
    browser: Browser, web_bot: BotApp, tmp_path: Path
) -> None:
    page = await translator(web_bot, browser, "fr")
    await say(page, "/traduire_cours")
    await tap(page, "fractions")
    await tap(page, "translate")
    said = await last_bot_text(page, 2)
    assert "Les fractions · Résumé du cours" in said, said
    await tap(page, "skip")
    said = await last_bot_text(page, 2)
    assert "Français : « Comprendre les fractions »" in said, said
    assert "Un bouton : au plus 24 caractères." in said, said
    await shot(page, tmp_path, "course-card-fr")
    await say(page, "Xam xaaj yi, ak li ñuy tekki ci wàll wu nekk")
    assert "Trop long : 44 caractères" in await last_bot_text(page, 2)
    await shot(page, tmp_path, "course-refused-fr")
    await say(page, "Xam xaaj yi")
    assert "Merci !" in await last_bot_text(page, 3)
    await shot(page, tmp_path, "course-thanks-fr")
