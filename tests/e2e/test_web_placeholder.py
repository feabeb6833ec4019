"""The message field's placeholder at 360×740 stays on one line, in French, English and
Arabic: it used to wrap ("Écrivez votre / message…") and be cut by the field's height.
Screenshots in /tmp/placeholder-shots/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser

from bot.app import BotApp
from tests.e2e.test_web_chat import tap

SHOTS = Path("/tmp/placeholder-shots")
# The placeholder's width in its own font, the room the field gives it, and the heights.
MEASURE = """() => {
  const field = document.querySelector('#text'), style = getComputedStyle(field);
  const pen = document.createElement('canvas').getContext('2d');
  pen.font = getComputedStyle(field, '::placeholder').font;
  const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
  return {
    text: pen.measureText(field.placeholder).width,
    room: field.clientWidth - padding,
    height: field.clientHeight,
    content: field.scrollHeight,
  };
}"""


@pytest.mark.parametrize("language", ["fr", "en", "ar"])
async def test_the_placeholder_stays_on_one_line_at_360_px(
    browser: Browser, web_bot: BotApp, language: str
) -> None:
    page = await browser.new_page(viewport={"width": 360, "height": 740})
    await page.goto(f"http://127.0.0.1:{web_bot.port}/")
    await page.locator('button.option[data-option="fr"]').wait_for()
    await tap(page, language)
    field = page.locator("#text")
    assert await field.get_attribute("placeholder") != ""
    measured = await page.evaluate(MEASURE)
    assert measured["text"] <= measured["room"], measured
    assert measured["content"] == measured["height"], "no second line"
    await page.locator("#composer").screenshot(path=str(SHOTS / f"{language}.png"))
    # Longer (a narrower phone, another language): one line still, clipped at its end.
    await field.evaluate("f => { f.placeholder = 'Écrivez votre message '.repeat(4); }")
    measured = await page.evaluate(MEASURE)
    assert measured["content"] == measured["height"], "a long placeholder wraps"
    await page.close()
