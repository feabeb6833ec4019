"""axe-core on the web chat at 360×740, in French and in Arabic (right to left): no serious
or critical violation, with the page's menu open, an inline image, a document's card and
the image viewer. The pinned axe-core file lives in tests/e2e/vendor/ (never served)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page

from bot.admin_cli import grant as cli_grant
from bot.app import BotApp
from tests.e2e.test_web_chat import say, settle, tap
from tests.e2e.test_web_show import PHONE, SHOTS

AXE = Path(__file__).parent / "vendor" / "axe-4.10.2.min.js"
AXE_SHA256 = "b511cd9dec01c76f4b2ad1723b66b6db37d4c2eb4ed199076e1829d9ee7b75e3"
SERIOUS = ("serious", "critical")


def test_the_vendored_axe_is_the_pinned_one() -> None:
    assert hashlib.sha256(AXE.read_bytes()).hexdigest() == AXE_SHA256
    static = Path(__file__).parents[2] / "bot" / "web" / "static"
    assert not any("axe" in p.name for p in static.iterdir()), "never served to learners"


async def violations(page: Page, where: str) -> list[str]:
    """The serious and critical violations axe finds on the page as it is."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found = await page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    serious = [v for v in found if v["impact"] in SERIOUS]
    return [f"{where}: {json.dumps(v, ensure_ascii=False)}" for v in serious]


@pytest.mark.parametrize("language", ["fr", "ar"])
async def test_no_serious_accessibility_violation(
    browser: Browser, web_bot: BotApp, language: str
) -> None:
    context = await browser.new_context(viewport=PHONE, bypass_csp=True)  # to inject axe
    page = await context.new_page()
    await page.goto(f"http://127.0.0.1:{web_bot.port}/")
    await page.locator('button.option[data-option="fr"]').wait_for()
    found = await violations(page, "greeting")
    for option in (language, "yes", "SN", "teacher", "6e"):
        await tap(page, option)
    uid = await page.evaluate("localStorage.getItem('imaginecole.uid')")
    await cli_grant(web_bot.settings.database_url, "web", uid, "teacher", "SN", create=False)
    await page.reload()
    await settle(page, 0)
    await say(page, "/classes")
    await tap(page, "new")
    await say(page, "CM2 B")
    await tap(page, "CM2")
    await tap(page, "mathematiques")  # the class's links and its QR code, inline
    await say(page, "/menu")
    for option in ("courses", "mathematiques", "proportionnalite", "_booklet"):
        await tap(page, option)  # a document's card
    found += await violations(page, "conversation")
    await page.locator("button.more").click()
    found += await violations(page, "menu open")
    await page.screenshot(path=str(SHOTS / f"axe-menu-{language}.png"))
    await page.keyboard.press("Escape")
    await page.locator("#log button.zoom").last.click()
    found += await violations(page, "viewer open")
    await page.keyboard.press("Escape")
    await say(page, "/eleve")
    await tap(page, "pin")
    found += await violations(page, "PIN field")
    await page.screenshot(path=str(SHOTS / f"axe-pin-{language}.png"))
    assert found == []
    await context.close()
