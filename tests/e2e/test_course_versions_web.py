"""A teacher's course as versions, and a course for teachers, in the web chat at 360×740,
in Arabic (right to left). Screenshots in `tmp_path`."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser

from bot.admin_cli import grant as cli_grant
from bot.app import BotApp
from bot.storage.sql import SqliteRunner
from tests.e2e.test_web_chat import last_bot_text, say, tap


async def test_a_pupil_and_a_teacher_in_arabic(
    browser: Browser, web_bot: BotApp, tmp_path: Path
) -> None:
    pupil = await browser.new_page(viewport={"width": 360, "height": 740})
    await pupil.goto(f"http://127.0.0.1:{web_bot.port}/?start=l_enseigner-telephone__groupe-classe")
    await pupil.locator('button.option[data-option="ar"]').last.wait_for()
    for option in ("ar", "yes", "SN", "student", "CM2"):
        await tap(pupil, option)
    said = await last_bot_text(pupil)
    assert "هذه الدورة موجّهة إلى المعلمين" in said, said
    await pupil.screenshot(path=str(tmp_path / "pupil-link-teachers-course-ar.png"))

    teacher = await browser.new_page(viewport={"width": 360, "height": 740})
    await teacher.goto(f"http://127.0.0.1:{web_bot.port}/")
    await teacher.locator('button.option[data-option="ar"]').wait_for()
    for option in ("ar", "yes", "SN", "teacher", "CM2"):
        await tap(teacher, option)
    for external_id in await _web_teachers(web_bot):
        await cli_grant(web_bot.settings.database_url, "web", external_id, "teacher", "SN")
    await say(teacher, "/classes")
    await tap(teacher, "author")
    await tap(teacher, "new")
    await say(teacher, "Le compost")
    for option in ("sciences", "CM2", "fr", "lesson"):
        await tap(teacher, option)
    await say(teacher, "Faire un compost")
    await say(teacher, "Le compost transforme les épluchures en engrais.")
    await tap(teacher, "done")
    await tap(teacher, "publish")
    await tap(teacher, "country")
    await tap(teacher, "l0")
    await say(teacher, "Awa Ndiaye")
    await tap(teacher, "edit")
    await tap(teacher, "l0")
    await tap(teacher, "s0")
    await tap(teacher, "replace")
    await say(teacher, "Le compost nourrit la terre.")
    await say(teacher, "/classes")
    await tap(teacher, "author")
    await tap(teacher, "a0")
    page = await last_bot_text(teacher, 1)
    assert "تعديلات غير منشورة (درس واحد معدّل)" in page, page
    await teacher.screenshot(path=str(tmp_path / "teacher-draft-ar.png"))
    await tap(teacher, "publish")
    assert "نسخة جديدة: درس واحد معدّل." in await last_bot_text(teacher, 1)
    await teacher.screenshot(path=str(tmp_path / "teacher-new-version-ar.png"))
    await tap(teacher, "back")
    await tap(teacher, "discard")
    await teacher.screenshot(path=str(tmp_path / "teacher-discard-ar.png"))
    await tap(teacher, "discard")
    assert "أُلغيت التعديلات" in await last_bot_text(teacher)


async def _web_teachers(bot: BotApp) -> list[str]:
    """The web chat people who said they teach."""
    assert bot.conversations is not None
    async with bot.conversations.store.sqlite_transaction() as db:
        rows = await SqliteRunner(db).run(
            "SELECT external_id FROM users WHERE channel = 'web' AND role = 'teacher'"
        )
    return [str(row[0]) for row in rows]
