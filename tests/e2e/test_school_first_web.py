"""A teacher granted on the command line, in the browser at 360×740 (French and Arabic): at
"✍️ Écrire" in a circle they are asked for their school first, then write; and a letter typed
to a question shown as buttons is read as text, not as a position."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.async_api import Browser, Page

from bot.admin_cli import grant as cli_grant
from bot.app import BotApp
from tests.e2e.test_web_chat import last_bot_text, say, tap

SHOTS = Path(os.environ.get("SHOTS_DIR", ""))


async def shot(page: Page, tmp_path: Path, name: str) -> None:
    """A screenshot in `tmp_path` (and in SHOTS_DIR when set, to look at)."""
    for folder in (tmp_path, SHOTS) if str(SHOTS) not in ("", ".") else (tmp_path,):
        folder.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(folder / name))


async def test_a_granted_teacher_gives_their_school_before_writing_to_a_circle(
    browser: Browser, web_bot: BotApp, tmp_path: Path
) -> None:
    errors: list[str] = []
    for language in ("fr", "ar"):
        page = await browser.new_page(viewport={"width": 360, "height": 740})
        page.on("pageerror", lambda error: errors.append(str(error)))
        await page.goto(f"http://127.0.0.1:{web_bot.port}/")
        await page.locator('button.option[data-option="fr"]').wait_for()
        for option in (language, "yes", "SN", "student", "CM2"):
            await tap(page, option)
        await say(page, "/mon_id")
        external_id = (await last_bot_text(page, 2)).split("--id ")[1].split()[0]
        database = web_bot.settings.database_url
        await cli_grant(database, "web", external_id, "teacher", "SN", create=False)
        await cli_grant(database, "web", external_id, "national_admin", "SN")
        await say(page, "/cercles")
        for option in ("new", "mathematiques", "primary", "write"):
            await tap(page, option)
        asked = await last_bot_text(page, 1)
        assert ("Dans quelle école enseignez-vous ?" in asked) is (language == "fr"), asked
        assert await page.locator("#log .opts").last.locator('[data-option="later"]').count()
        await shot(page, tmp_path, f"school-asked-{language}.png")
        await say(page, "École Liberté 6, Dakar")
        assert "École Liberté 6, Dakar" in await last_bot_text(page, 2)
        await say(page, "Bonjour à toutes et à tous !")
        said = await last_bot_text(page, 3)
        assert "École Liberté 6, Dakar" in said and "Bonjour à toutes et à tous !" in said
        await shot(page, tmp_path, f"school-posted-{language}.png")
        assert not errors
        await page.close()


async def test_a_letter_typed_to_buttons_is_text(
    browser: Browser, web_bot: BotApp, tmp_path: Path
) -> None:
    page = await browser.new_page(viewport={"width": 360, "height": 740})
    await page.goto(f"http://127.0.0.1:{web_bot.port}/")
    await page.locator('button.option[data-option="fr"]').wait_for()
    for option in ("fr", "yes", "SN", "student", "CM2", "courses", "mathematiques"):
        await tap(page, option)
    for option in ("fractions", "comprendre", "parts-egales"):
        await tap(page, option)
    while await page.locator('#log .opts >> nth=-1 >> [data-option="next"]').count():
        await tap(page, "next")
    labels = await page.locator("#log .opts").last.locator("button.option").all_inner_texts()
    assert labels[:4] == ["3", "5", "8", "15"], labels  # buttons, no letters
    await say(page, "b")  # the 2nd button is the right answer, but no "b" was shown
    assert "Je n'ai pas compris" in await last_bot_text(page, 2)
    await shot(page, tmp_path, "typed-b-fr.png")
    await page.close()
