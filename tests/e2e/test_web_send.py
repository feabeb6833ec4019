"""Sending from the web chat at 360×740: a photo made smaller in the page, a voice note
recorded in the page, a course file and GIFT questions, bad files refused, a list typed on
several lines with the new-line button, an over-long paste refused. Screenshots in
/tmp/websend-shots/ (French and Arabic)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import Browser, Page, async_playwright

from bot.admin_cli import grant as cli_grant
from bot.app import BotApp
from tests.e2e.conftest import CHROMIUM, FLAGS
from tests.e2e.test_course_versions_web import _web_teachers
from tests.e2e.test_web_chat import BOT, last_bot_text, say, settle, tap

SHOTS = Path("/tmp/websend-shots")
MICROPHONE = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
# The page's second recording finds only WebM, as on a Chromium older than 126: the server
# rewrites it as Ogg (bot/web/remux.py). The first finds what this Chromium records (MP4).
ONLY_WEBM_THE_SECOND_TIME = """
(() => {
  const supported = MediaRecorder.isTypeSupported.bind(MediaRecorder);
  let recordings = 0;
  MediaRecorder.isTypeSupported = (type) => {
    if (type === 'audio/ogg;codecs=opus') recordings += 1;
    return recordings > 1 ? type.startsWith('audio/webm') && supported(type) : supported(type);
  };
})();
"""
GIFT = "::Q1:: Le compost nourrit la terre. {T}\n"
COURSE = """\
id: jardin
title: Le jardin de l'école
subject: sciences
levels: CM2
language: fr
country: SN

# Semer des graines {#semer}

On sème les graines quand la terre est humide.
"""


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Chromium with a fake microphone that needs no permission prompt."""
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=FLAGS + MICROPHONE
        )
        yield launched
        await launched.close()


async def shot(page: Page, name: str) -> None:
    await page.screenshot(path=str(SHOTS / f"{name}.png"))


async def a_teacher_writing_a_lesson(page: Page, bot: BotApp, lang: str) -> None:
    """A web teacher, granted, at the steps of a new lesson (a step that takes files)."""
    await page.goto(f"http://127.0.0.1:{bot.port}/")
    await page.locator(f'button.option[data-option="{lang}"]').wait_for()
    for option in (lang, "yes", "SN", "teacher", "CM2"):
        await tap(page, option)
    for external_id in await _web_teachers(bot):
        await cli_grant(bot.settings.database_url, "web", external_id, "teacher", "SN")
    await say(page, "/classes")
    await tap(page, "author")
    await tap(page, "new")
    await say(page, "Le compost")
    for option in ("sciences", "CM2", "fr", "lesson"):
        await tap(page, option)
    await say(page, "Faire un compost")


async def sent(page: Page, action: object) -> None:
    """Do something that sends, then wait for the bot's answer."""
    before = await page.locator(BOT).count()
    await action  # type: ignore[misc]
    await settle(page, before)


def authored(bot: BotApp, name: str) -> bytes:
    """A file of the teacher's draft, as it was kept."""
    found = list(Path(bot.settings.database_url[len("sqlite:///") :]).parent.rglob(name))
    assert len(found) == 1, found
    return found[0].read_bytes()


def big_photo(path: Path) -> Path:
    """A 3000×2000 PNG, far over what the page sends."""
    image = Image.effect_noise((3000, 2000), 60).convert("RGB")
    image.save(path)
    return path


async def test_a_teacher_sends_a_photo_a_voice_note_and_files_from_the_page(
    browser: Browser, web_bot: BotApp, tmp_path: Path
) -> None:
    page = await browser.new_page(viewport={"width": 360, "height": 740})
    await page.add_init_script(ONLY_WEBM_THE_SECOND_TIME)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await a_teacher_writing_a_lesson(page, web_bot, "fr")

    # A photo: made smaller in the page, then a step of the lesson.
    await page.locator(".attach").click()
    await page.locator(".attach-menu").wait_for()
    await shot(page, "attach-menu-fr")
    async with page.expect_file_chooser() as chooser:
        await page.locator('[data-pick="photo"]').click()
    await sent(page, (await chooser.value).set_files(str(big_photo(tmp_path / "big.png"))))
    assert "Étape 1 ajoutée." in await last_bot_text(page, 2)
    assert await page.locator("#log .msg.me").last.inner_text() == "Photo"
    with Image.open(io.BytesIO(authored(web_bot, "p1.jpg"))) as image:
        assert (image.format, image.size) == ("JPEG", (1600, 1067))

    # A voice note recorded in the page: a visible recording bar with its time, then sent.
    await page.locator(".attach").click()
    await page.locator('[data-pick="voice"]').click()
    await page.locator(".rec .rec-stop").wait_for()
    await page.wait_for_timeout(1500)
    assert "/ 2:00" in await page.locator(".rec-time").inner_text()
    await shot(page, "recording-fr")
    await sent(page, page.locator(".rec-stop").click())
    assert "Étape 2 ajoutée." in await last_bot_text(page, 2)
    assert (await page.locator("#log .msg.me").last.inner_text()).startswith("Note vocale · 0:0")
    await shot(page, "voice-sent-fr")
    assert authored(web_bot, "v2.m4a")[4:8] == b"ftyp"

    # Recorded as WebM, kept as Ogg Opus: the voice note every channel plays.
    await page.locator(".attach").click()
    await page.locator('[data-pick="voice"]').click()
    await page.locator(".rec .rec-stop").wait_for()
    await page.wait_for_timeout(1200)
    await sent(page, page.locator(".rec-stop").click())
    assert "Étape 3 ajoutée." in await last_bot_text(page, 2)
    ogg = authored(web_bot, "v3.ogg")
    assert ogg.startswith(b"OggS") and b"OpusHead" in ogg[:64]

    # GIFT questions, then a bad file, then a course file too large for a course.
    await tap(page, "done")
    await tap(page, "import")
    gift = tmp_path / "questions.gift"
    gift.write_text(GIFT, encoding="utf-8")
    await sent(page, page.set_input_files("#doc-file", str(gift)))
    assert "1 question ajoutée au quiz de la dernière leçon." in await last_bot_text(page)
    await tap(page, "import")
    bad = tmp_path / "notes.pdf"
    bad.write_bytes(b"%PDF-1.4 not a course")
    await sent(page, page.set_input_files("#doc-file", str(bad)))
    said = await last_bot_text(page, 2)
    assert "Envoyez un fichier de cours (.md), de questions GIFT (.gift) ou Aiken (.txt)" in said
    huge = tmp_path / "enorme.md"
    huge.write_text("# x\n" + "x" * 600_000, encoding="utf-8")
    await sent(page, page.set_input_files("#doc-file", str(huge)))
    said = await last_bot_text(page, 2)
    assert "Ce fichier est trop lourd (585 Ko) : la limite est de 512 Ko." in said, said
    await shot(page, "bad-files-fr")
    await tap(page, "back")

    # A whole course from "Mes cours": a new draft.
    await tap(page, "back")
    await tap(page, "import")
    course = tmp_path / "jardin.md"
    course.write_text(COURSE, encoding="utf-8")
    await sent(page, page.set_input_files("#doc-file", str(course)))
    assert "Le brouillon « Le jardin de l'école » est prêt." in await last_bot_text(page)
    assert errors == []


async def test_a_list_on_several_lines_and_an_over_long_paste(
    browser: Browser, web_bot: BotApp
) -> None:
    for lang in ("fr", "ar"):
        page = await browser.new_page(viewport={"width": 360, "height": 740})
        await a_teacher_writing_a_lesson(page, web_bot, lang)
        assert await page.locator(".newline").is_hidden()

        # The attach menu and the recording bar; a recording cancelled sends nothing.
        mine = await page.locator("#log .msg.me").count()
        await page.locator(".attach").click()
        await shot(page, f"attach-menu-{lang}")
        await page.keyboard.press("Escape")
        assert await page.locator(".attach-menu").is_hidden()
        await page.locator(".attach").click()
        await page.locator('[data-pick="voice"]').click()
        await page.locator(".rec .rec-cancel").wait_for()
        await page.wait_for_timeout(1100)
        await shot(page, f"recording-{lang}")
        await page.locator(".rec-cancel").click()
        await page.locator(".rec").wait_for(state="hidden")
        await page.wait_for_timeout(300)
        assert await page.locator("#log .msg.me").count() == mine
        assert await page.locator("#text").is_visible()
        await say(page, "Le compost transforme les épluchures en engrais.")
        await tap(page, "done")
        await tap(page, "question")
        await say(page, "Que met-on dans le compost ?")
        await tap(page, "choice")

        # The bot asks for one answer per line: the new-line button shows.
        newline = page.locator(".newline")
        await newline.wait_for()
        await page.locator("#text").click()
        for n, answer in enumerate(("Du plastique", "Des épluchures", "Des feuilles")):
            if n:
                await newline.click()
            await page.keyboard.type(answer)
        assert await page.input_value("#text") == "Du plastique\nDes épluchures\nDes feuilles"
        await shot(page, f"lines-{lang}")
        await sent(page, page.locator("#send").click())
        options = await page.locator("#log .opts").last.locator("button.option").all_inner_texts()
        assert options[:3] == ["⬜ Du plastique", "⬜ Des épluchures", "⬜ Des feuilles"]
        buttons = page.locator("#log .opts").last.locator("button.option")
        assert await buttons.first.get_attribute("aria-pressed") == "false"  # said, not "⬜"
        assert await buttons.first.locator("span[aria-hidden=true]").inner_text() == "⬜"
        assert await newline.is_hidden()

        # A paste over the limit stays in the box, refused with a word; nothing is sent or cut.
        sent_before = await page.locator("#log .msg.me").count()
        await page.locator("#text").click()
        await page.keyboard.insert_text("é" * 2500)
        note = page.locator("#composer-note")
        await note.wait_for()
        words = {"fr": "Trop long : 2 500 caractères, 2 000 au plus.", "ar": "النص طويل جدًا"}
        assert words[lang] in (await note.inner_text()).replace("\u202f", " ")
        await page.press("#text", "Enter")
        await page.wait_for_timeout(300)
        assert await page.locator("#log .msg.me").count() == sent_before
        assert len(await page.input_value("#text")) == 2500
        await shot(page, f"too-long-{lang}")
        await page.fill("#text", "")
        assert await note.is_hidden()
        await page.close()
