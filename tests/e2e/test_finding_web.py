"""Finding things in the browser at 360×740, in Arabic: /mon_id, the notice of a role given
from the command line (shown at the next visit), /aide by role and the admin's menu entry."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser

from bot.admin_cli import grant as cli_grant
from bot.app import BotApp
from tests.e2e.test_web_chat import BOT, last_bot_text, say, settle, tap


async def test_a_role_given_is_found_in_arabic(
    browser: Browser, web_bot: BotApp, tmp_path: Path
) -> None:
    page = await browser.new_page(viewport={"width": 360, "height": 740})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(f"http://127.0.0.1:{web_bot.port}/")
    await page.locator('button.option[data-option="ar"]').wait_for()
    for option in ("ar", "yes", "SN", "student", "CM2"):
        await tap(page, option)
    await say(page, "/mon_id")
    said = await last_bot_text(page, 2)
    external_id = said.split("--id ")[1].split()[0]
    assert "web" in said and external_id
    await page.screenshot(path=str(tmp_path / "mon-id-ar.png"))
    await cli_grant(
        web_bot.settings.database_url, "web", external_id, "national_admin", "SN",
        create=False, notify=True,
    )  # fmt: skip
    await page.reload()  # the notice is waiting for her, or comes live within a second or two
    await page.locator(BOT, has_text="لقد حصلت على دور جديد").first.wait_for()
    await settle(page, 0)
    told = "\n".join(await page.locator(BOT).all_inner_texts())
    assert "لقد حصلت على دور جديد" in told and "/admin" in told
    await page.screenshot(path=str(tmp_path / "notice-ar.png"))
    await say(page, "/aide")
    assert "/admin" in await last_bot_text(page, 3)
    await page.screenshot(path=str(tmp_path / "aide-ar.png"), full_page=True)
    await say(page, "/menu")
    assert await page.locator('#log .opts button.option[data-option="admin"]').last.count()
    await page.screenshot(path=str(tmp_path / "menu-ar.png"))
    await tap(page, "admin")
    assert "/admin" not in await last_bot_text(page, 1)
    assert not errors
