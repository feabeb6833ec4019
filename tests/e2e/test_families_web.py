"""Families and the question "girl or boy" in the browser at 360×740, in French and in Arabic
(right to left): a learner invites a guardian, the guardian (another browser) accepts with the
code, the learner answers the optional question. Screenshots go to SHOTS_DIR when it is set."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page

from bot.app import BotApp
from tests.e2e.test_web_chat import last_bot_text, say, settle, tap

CODE = re.compile(r"/parent ([A-Z0-9]{8})")


async def onboarded(browser: Browser, bot: BotApp, lang: str) -> Page:
    context = await browser.new_context(viewport={"width": 360, "height": 740})
    page = await context.new_page()
    await page.goto(f"http://127.0.0.1:{bot.port}/")
    await page.locator("#log .opts").last.wait_for()
    await settle(page, 0)
    for option in (lang, "yes", "SN", "student", "CM2"):
        await tap(page, option)
    return page


@pytest.mark.parametrize("lang", ["fr", "ar"])
async def test_a_guardian_invited_and_accepting_and_the_sex_question(
    browser: Browser, web_bot: BotApp, tmp_path: Path, lang: str
) -> None:
    shots = Path(os.environ.get("SHOTS_DIR") or tmp_path)
    learner = await onboarded(browser, web_bot, lang)
    errors: list[str] = []
    learner.on("pageerror", lambda error: errors.append(str(error)))
    await say(learner, "/famille")
    await tap(learner, "invite")
    await say(learner, "Awa")
    found = CODE.search(await last_bot_text(learner, 2))
    assert found is not None
    await learner.screenshot(path=str(shots / f"family-code-{lang}.png"))
    guardian = await onboarded(browser, web_bot, lang)
    await say(guardian, f"/parent {found[1]}")
    assert "Awa" in await last_bot_text(guardian, 1)
    await guardian.screenshot(path=str(shots / f"family-consent-{lang}.png"))
    await tap(guardian, "accept")
    assert "/stop_parent" in await last_bot_text(guardian, 2)
    await guardian.screenshot(path=str(shots / f"family-accepted-{lang}.png"))
    await say(learner, "/famille")
    await learner.screenshot(path=str(shots / f"family-list-{lang}.png"))
    await say(learner, "/menu")
    if await learner.locator("#log .opts").last.locator('[data-option="more"]').count():
        await tap(learner, "more")
    await tap(learner, "settings")
    await tap(learner, "sex")
    await learner.screenshot(path=str(shots / f"sex-question-{lang}.png"))
    await tap(learner, "none")
    assert not errors
