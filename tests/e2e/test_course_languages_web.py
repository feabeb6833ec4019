"""A Wolof learner in the web chat at 360×740 reads the fractions course: the Wolof steps of
course.wo.md, the French ones where the Wolof lacks a step. Screenshots in `tmp_path` (and in
/tmp/lang20b-shots/ when that folder exists)."""

from __future__ import annotations

import shutil
from pathlib import Path

from playwright.async_api import Browser

from bot.app import BotApp
from tests.e2e.test_web_chat import last_bot_text, tap

SHOTS = Path("/tmp/lang20b-shots")


async def test_a_wolof_learner_reads_a_course_partly_in_wolof(
    browser: Browser, web_bot: BotApp, tmp_path: Path
) -> None:
    page = await browser.new_page(viewport={"width": 360, "height": 740})
    await page.goto(f"http://127.0.0.1:{web_bot.port}/")
    await page.locator('button.option[data-option="wo"]').wait_for()
    for option in ("wo", "yes", "SN", "student", "CM2"):
        await tap(page, option)
    for option in ("courses", "mathematiques", "fractions", "comprendre", "parts-egales"):
        await tap(page, option)
    assert "Aminata am na benn galett." in await last_bot_text(page, 1)
    await page.screenshot(path=str(tmp_path / "wolof-step-1.png"))
    for _ in range(3):
        await tap(page, "next")
    assert "Moussa a très faim." in await last_bot_text(page, 1)  # no Wolof yet: French
    await page.screenshot(path=str(tmp_path / "french-step-4.png"))
    _keep(tmp_path, "wolof-step-1.png", "french-step-4.png")


def _keep(folder: Path, *names: str) -> None:
    """Copies to look at, when the folder for them exists."""
    if SHOTS.is_dir():
        for name in names:
            shutil.copy(folder / name, SHOTS / name)
