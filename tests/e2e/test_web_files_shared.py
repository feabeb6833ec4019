"""Files sent from the web chat go where Telegram's and WhatsApp's go, in headless Chromium at
360×740: a web teacher attaches a photo to their circle from the page, and another web
teacher sees it inline; a web admin's PDF announcement shows as a card with its name and size
(in Arabic, right to left); on a shared computer, each profile sees only the messages written
for it. Screenshots go to /tmp/webfiles16-shots/ (look at them)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import Browser, BrowserContext, Page

from bot.admin_cli import grant as cli_grant
from bot.app import BotApp
from bot.storage.admin import queue_notice
from bot.storage.web_files import WebFiles
from tests.e2e.test_web_chat import BOT, last_bot_text, say, settle, tap
from tests.e2e.test_web_push import appears
from tests.integration.test_circle_relay import CIRCLE
from tests.integration.test_teachers_classes import become_teacher, invite_code, national_admin
from tests.sender_support import user_id
from tests.store_driver import Person

SHOTS = Path("/tmp/webfiles16-shots")
SHOTS.mkdir(exist_ok=True)
PHONE = {"width": 360, "height": 740}
PDF = b"%PDF-1.4\n" + b"calendrier des examens\n" * 800  # 18 Ko


async def shot(page: Page, name: str) -> None:
    await page.screenshot(path=str(SHOTS / f"{name}.png"))


async def as_learner(browser: Browser, uid: str) -> tuple[BrowserContext, Page, list[str]]:
    """A phone-sized page of a learner who came before (their uid kept by the browser)."""
    context = await browser.new_context(viewport=PHONE)
    await context.add_init_script(f"localStorage.setItem('imaginecole.uid', '{uid}');")
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, errors


async def test_a_photo_attached_in_a_circle_reaches_a_web_member_inline(
    browser: Browser, web_bot: BotApp, tmp_path: Path
) -> None:
    talk = web_bot.conversations
    assert talk is not None
    admin = await national_admin(talk, web_bot.settings.database_url)
    await admin.send("/admin")
    for label in ("Cercles", "Nouveau cercle", "Mathématiques", "primaire", "Quitter le cercle"):
        await admin.tap(label)
    code = await invite_code(admin)
    for uid in ("web-author-0000000001", "web-member-0000000001"):
        teacher = Person.on(talk, "web", uid)
        await teacher.onboard(role="Enseignant")
        await become_teacher(teacher, code)
        await teacher.send("/cercles")
        await teacher.tap(CIRCLE)
        await teacher.tap("Rejoindre le cercle")
    await teacher.send("/menu")  # the member is elsewhere when the photo comes
    author = Person.on(talk, "web", "web-author-0000000001")
    await author.send("/cercles")
    await author.tap(CIRCLE)
    await author.tap("Écrire")

    context, page, errors = await as_learner(browser, "web-author-0000000001")
    await page.goto(f"http://127.0.0.1:{web_bot.port}/")
    await settle(page, 0)
    assert "Écrivez votre message au cercle" in await last_bot_text(page, 1)
    photo = tmp_path / "tableau.png"
    Image.linear_gradient("L").resize((800, 600)).convert("RGB").save(photo)
    await page.locator(".attach").click()
    async with page.expect_file_chooser() as chooser:
        await page.locator('[data-pick="photo"]').click()
    before = await page.locator(BOT).count()
    await (await chooser.value).set_files(str(photo))
    await settle(page, before)
    assert "Message envoyé au cercle (1 membre" in await page.locator("#log").inner_text()
    await shot(page, "circle-photo-sent-fr")
    assert errors == []
    await context.close()

    context, page, errors = await as_learner(browser, "web-member-0000000001")
    await page.goto(f"http://127.0.0.1:{web_bot.port}/")
    said = await appears(page, "📎 tableau.jpg")
    assert "Enseignant·e (Sénégal, École Liberté 6, Dakar)" in said
    image = page.locator("#log .msg.bot.media img").last
    await image.wait_for()
    for _ in range(50):  # the image loads from the chat's own address
        if await image.evaluate("i => i.complete && i.naturalWidth") == 800:
            break
        await page.wait_for_timeout(100)
    assert await image.evaluate("i => i.naturalWidth") == 800
    await image.scroll_into_view_if_needed()
    await shot(page, "circle-photo-received-fr")
    assert errors == []
    await context.close()


async def test_a_pdf_announcement_is_a_card_with_its_name_and_size_in_arabic(
    browser: Browser, web_bot: BotApp
) -> None:
    talk = web_bot.conversations
    assert talk is not None and web_bot.store is not None
    context, page, errors = await as_learner(browser, "web-learner-000000001")
    await page.goto(f"http://127.0.0.1:{web_bot.port}/")
    await page.locator('button.option[data-option="ar"]').wait_for()
    for option in ("ar", "yes", "SN", "student", "CM2"):
        await tap(page, option)

    admin = Person.on(talk, "web", "web-admin-00000000001")  # sent the PDF from the page
    await admin.onboard(role="Enseignant")
    database = web_bot.settings.database_url
    await cli_grant(database, "web", admin.user.external_id, "national_admin", "SN")
    owner = await user_id(web_bot.store, "web", admin.user.external_id)
    now = datetime.now(UTC)
    token = await WebFiles(web_bot.store).put(
        owner, "examens.pdf", "application/pdf", PDF, now, now + timedelta(days=1), share=False
    )
    await admin.send("/admin")
    await admin.tap("Nouvelle annonce")
    await admin.send_file("document", token, "examens.pdf", PDF, "application/pdf")
    await admin.send("Voici le calendrier des examens.")
    for label in ("Continuer", "Les élèves", "Toutes les classes", "Toutes les langues"):
        await admin.tap(label)
    await admin.tap("Pas de classe précise")
    await admin.tap("Tout le monde")
    await admin.tap("Envoyer maintenant")

    await appears(page, "Voici le calendrier des examens.")
    card = page.locator("#log a.card").last
    await card.wait_for()
    assert await card.locator(".name").inner_text() == "examens.pdf"
    assert (await card.locator(".size").inner_text()).strip() != ""
    link = await card.get_attribute("href") or "/none"
    opened = await page.request.get(f"http://127.0.0.1:{web_bot.port}{link}")
    assert (await opened.body(), opened.headers["content-type"]) == (PDF, "application/pdf")
    assert await page.evaluate("document.documentElement.dir") == "rtl"
    await card.scroll_into_view_if_needed()
    await shot(page, "announcement-pdf-card-ar")
    assert errors == []
    await context.close()


async def test_two_profiles_on_a_shared_computer_each_get_only_their_own_messages(
    browser: Browser, web_bot: BotApp
) -> None:
    talk = web_bot.conversations
    assert talk is not None and web_bot.store is not None
    context, page, errors = await as_learner(browser, "web-shared-0000000001")
    await page.goto(f"http://127.0.0.1:{web_bot.port}/")
    await page.locator('button.option[data-option="fr"]').wait_for()
    for option in ("fr", "yes", "SN", "student", "CM2"):
        await tap(page, option)
    await say(page, "/eleve")
    await tap(page, "add")
    await say(page, "Fatou")
    await say(page, "Awa")
    for option in ("fr", "yes", "student", "CE1"):
        await tap(page, option)
    rows = await web_bot.store.statement(
        "SELECT lp.user_id, lp.first_name FROM learner_profiles lp ORDER BY lp.first_name"
    )
    ids = {str(name): int(uid) for uid, name in rows}
    await page.close()  # nobody at the computer: both messages wait

    for name, text in (
        ("Fatou", "Bravo Fatou, ton devoir est corrigé."),
        ("Awa", "Awa, à demain !"),
    ):
        async with web_bot.store.transaction() as runner:
            await queue_notice(runner, ids[name], {"fr": text}, datetime.now(UTC))
    assert web_bot.chat is not None
    for _ in range(100):  # written by the sender into the inboxes
        waiting = [await web_bot.chat.inbox.waiting(ids[n]) for n in ("Fatou", "Awa")]
        if all(waiting):
            break
        await asyncio.sleep(0.1)

    page = await context.new_page()  # Awa (the profile in use) opens the chat
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(f"http://127.0.0.1:{web_bot.port}/")
    await appears(page, "Awa, à demain !")
    await page.wait_for_timeout(800)
    assert "Fatou" not in await page.locator("#log").inner_text()
    await shot(page, "shared-awa-fr")
    await say(page, "/eleve")
    first = page.locator("#log .opts").last.locator("button.option").first  # Fatou
    before = await page.locator(BOT).count()
    await first.click()
    await settle(page, before)
    text = await appears(page, "Bravo Fatou, ton devoir est corrigé.")
    assert "Awa, à demain !" not in text
    await shot(page, "shared-fatou-fr")
    assert errors == []
    await context.close()


@pytest.mark.parametrize("language", ["fr", "ar"])
async def test_the_page_works_at_320_pixels_with_the_text_at_200_percent(
    browser: Browser, web_bot: BotApp, language: str
) -> None:
    context = await browser.new_context(viewport={"width": 320, "height": 740}, bypass_csp=True)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(f"http://127.0.0.1:{web_bot.port}/")
    await page.locator(f'button.option[data-option="{language}"]').wait_for()
    # The browser's text at 200 %: the page's sizes follow the root's (rem and em).
    await page.add_style_tag(content="html { font-size: 200% !important; }")
    for option in (language, "yes", "SN", "student", "CM2"):
        await tap(page, option)
    await say(page, "/menu")
    wide = await page.evaluate("document.scrollingElement.scrollWidth")
    assert wide <= 320, "nothing scrolls sideways"
    for part in ("#text", "#send", ".attach", "button.more"):
        box = await page.locator(part).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 320, part
    last = page.locator("#log .opts").last.locator("button.option").last
    await last.scroll_into_view_if_needed()
    box = await last.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 320
    await shot(page, f"320px-text-200-{language}")
    assert errors == []
    await context.close()
