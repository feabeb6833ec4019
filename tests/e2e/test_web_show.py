"""Issue 16 in the browser at 360×740: files shown, not downloaded; shared screens stay
private; links that work from a phone in the classroom. Screenshots go to
/tmp/webshow-shots/ (look at them: French and Arabic, right to left)."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.async_api import Browser, BrowserContext, Page

from bot.admin_cli import grant as cli_grant
from bot.app import BotApp
from tests.e2e.test_web_chat import BOT, last_bot_text, say, settle, tap

SHOTS = Path("/tmp/webshow-shots")
SHOTS.mkdir(exist_ok=True)
PHONE = {"width": 360, "height": 740}


async def shot(page: Page, name: str) -> None:
    """A screenshot to look at."""
    await page.screenshot(path=str(SHOTS / f"{name}.png"))


async def opened(browser: Browser, web_bot: BotApp) -> tuple[BrowserContext, Page, list[str]]:
    """A phone-sized page of the chat, its greeting shown; the page's script errors."""
    context = await browser.new_context(viewport=PHONE)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(f"http://127.0.0.1:{web_bot.port}/")
    await page.locator('button.option[data-option="fr"]').wait_for()
    return context, page, errors


async def onboard(page: Page, *taps: str) -> None:
    """Tap through the onboarding's questions."""
    for option in taps:
        await tap(page, option)


async def stored(page: Page) -> str:
    """Everything the page keeps in the browser's storage."""
    return str(await page.evaluate("JSON.stringify(Object.assign({}, localStorage))"))


async def granted_teacher(page: Page, web_bot: BotApp, language: str = "fr") -> None:
    """Onboard as a teacher, then get the teacher role from the command line."""
    await onboard(page, language, "yes", "SN", "teacher", "6e")
    uid = await page.evaluate("localStorage.getItem('imaginecole.uid')")
    await cli_grant(web_bot.settings.database_url, "web", uid, "teacher", "SN", create=False)
    await page.reload()
    await settle(page, 0)


async def test_a_class_qr_code_shows_inline_enlarges_and_links_to_the_pages_host(
    browser: Browser, web_bot: BotApp
) -> None:
    context, page, errors = await opened(browser, web_bot)
    await granted_teacher(page, web_bot)
    await say(page, "/classes")
    await tap(page, "new")
    await say(page, "CM2 B")
    await tap(page, "CM2")
    await tap(page, "mathematiques")
    told = await last_bot_text(page, 4)
    # No PUBLIC_URL: the page was opened at 127.0.0.1:<port>, not localhost.
    assert f"http://127.0.0.1:{web_bot.port}/c/" in told, told
    assert "localhost" not in told
    qr = page.locator("#log .msg.bot.media button.zoom img").last
    await qr.wait_for()
    assert await qr.evaluate("img => img.complete && img.naturalWidth > 0")
    download = page.locator("#log .msg.bot.media a.dl").last
    assert (await download.get_attribute("download") or "").startswith("classe-")
    assert "Télécharger" in await download.inner_text()
    await page.locator("#log .msg.bot.media").last.scroll_into_view_if_needed()
    await shot(page, "qr-inline-fr")
    await page.locator("#log button.zoom").last.click()
    viewer = page.locator("dialog.viewer")
    assert await viewer.evaluate("d => d.open")
    await shot(page, "qr-enlarged-fr")
    await page.keyboard.press("Escape")
    assert not await viewer.evaluate("d => d.open")
    await page.locator("#log button.zoom").last.click()
    await page.go_back()  # the phone's back button closes the viewer, the chat stays
    await page.wait_for_timeout(200)
    assert not await viewer.evaluate("d => d.open")
    assert page.url.startswith(f"http://127.0.0.1:{web_bot.port}/")

    await say(page, "/langue")
    await tap(page, "ar")
    await say(page, "/classes")
    await tap(page, "new")
    await say(page, "الصف أ")
    await tap(page, "CM2")
    await tap(page, "sciences")
    await page.locator("#log button.zoom").last.click()
    assert await page.locator("dialog.viewer .close").get_attribute("aria-label") == "إغلاق"
    await shot(page, "qr-enlarged-ar")
    await page.keyboard.press("Escape")
    await shot(page, "qr-inline-ar")
    assert errors == []
    await context.close()


async def test_a_booklet_is_a_card_with_its_name_and_size_that_opens_after_a_reload(
    browser: Browser, web_bot: BotApp
) -> None:
    context, page, errors = await opened(browser, web_bot)
    await onboard(page, "fr", "yes", "ML", "teacher", "6e")
    for option in ("courses", "mathematiques", "proportionnalite"):
        await tap(page, option)
    await tap(page, "_booklet")
    card = page.locator("#log a.card").last
    await card.wait_for()
    assert await card.locator(".name").inner_text() == "proportionnalite.pdf"
    size = await card.locator(".size").inner_text()
    assert size.endswith(" Ko") or size.endswith(" Mo"), size
    await card.scroll_into_view_if_needed()
    await shot(page, "booklet-card-fr")
    # The frame and the page's history carry the link, never the bytes.
    history = await page.evaluate("localStorage.getItem('imaginecole.history')")
    assert len(history) < 20_000 and "proportionnalite.pdf" in history and "JVBERi" not in history

    await page.reload()
    card = page.locator("#log a.card").last
    await card.wait_for()
    href = await card.get_attribute("href")
    assert href is not None and href.startswith("/files/")
    answer = await page.request.get(f"http://127.0.0.1:{web_bot.port}{href}")
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert (await answer.body()).startswith(b"%PDF")
    assert f"{len(await answer.body()) // 1024}" in size.replace("\u202f", "") or "Mo" in size
    async with context.expect_page() as opening:
        await card.click()
    tab = await opening.value
    assert tab.url.startswith(f"http://127.0.0.1:{web_bot.port}/files/")
    await tab.close()
    tampered = href.replace("k=", "k=0")
    assert (await page.request.get(f"http://127.0.0.1:{web_bot.port}{tampered}")).status == 404

    await say(page, "/langue")
    await tap(page, "ar")
    await tap(page, "menu")
    for option in ("courses", "mathematiques", "proportionnalite"):
        await tap(page, option)
    await tap(page, "_booklet")
    await page.locator("#log a.card").last.scroll_into_view_if_needed()
    await shot(page, "booklet-card-ar")
    assert errors == []
    await context.close()


async def test_two_profiles_on_a_shared_computer_see_only_their_own_history(
    browser: Browser, web_bot: BotApp
) -> None:
    context, page, errors = await opened(browser, web_bot)
    await onboard(page, "fr", "yes", "SN", "student", "CM2")
    await say(page, "un secret de Fatou")
    assert "un secret de Fatou" in await page.locator("#log").inner_text()
    await say(page, "/eleve")
    await tap(page, "add")
    await say(page, "Fatou")
    await say(page, "Awa")
    text = await page.locator("#log").inner_text()
    assert "Nouveau profil : Awa" in text
    assert "un secret de Fatou" not in text and "Fatou" not in text
    assert "un secret de Fatou" not in await stored(page)
    await shot(page, "second-profile-fr")
    await onboard(page, "ar", "yes", "student", "CE1")
    await say(page, "رسالة من عوا")
    await say(page, "/eleve")
    first = page.locator("#log .opts").last.locator("button.option").first  # Fatou
    await tap(page, await first.get_attribute("data-option") or "")
    text = await page.locator("#log").inner_text()
    assert "رسالة من عوا" not in text and "رسالة من عوا" not in await stored(page)
    await page.reload()
    await settle(page, 0)
    assert "رسالة من عوا" not in await page.locator("#log").inner_text()
    assert "un secret de Fatou" not in await page.locator("#log").inner_text()
    await shot(page, "back-to-first-profile")
    assert errors == []
    await context.close()


async def test_a_pin_is_typed_masked_and_never_kept_by_the_page(
    browser: Browser, web_bot: BotApp
) -> None:
    context, page, errors = await opened(browser, web_bot)
    await onboard(page, "ar", "yes", "SN", "student", "CM2")
    await say(page, "/eleve")
    await tap(page, "pin")
    secret = page.locator("#secret")
    assert await secret.is_visible() and await secret.get_attribute("type") == "password"
    assert not await page.locator("#text").is_visible()
    assert await secret.get_attribute("aria-label") == "رمز سري (مخفي)"
    await secret.fill("4821")
    await shot(page, "pin-masked-ar")
    before = await page.locator(BOT).count()
    await secret.press("Enter")
    await settle(page, before)
    shown = await page.locator("#log").inner_text()
    assert "4821" not in shown and "••••" in shown
    assert "4821" not in await stored(page)
    assert await page.locator("#text").is_visible()  # the menu's question: text again
    await shot(page, "pin-sent-ar")
    await page.reload()
    await settle(page, 0)
    assert "4821" not in await page.locator("#log").inner_text()
    assert "4821" not in await stored(page)
    assert errors == []
    await context.close()


async def test_leave_this_device_forgets_the_learner_after_saying_how_to_come_back(
    browser: Browser, web_bot: BotApp
) -> None:
    context, page, errors = await opened(browser, web_bot)
    await onboard(page, "fr", "yes", "SN", "student", "CM2")
    await say(page, "bonjour de Moussa")
    uid = await page.evaluate("localStorage.getItem('imaginecole.uid')")
    await page.locator("button.more").click()
    await shot(page, "menu-open-fr")
    before = await page.locator(BOT).count()
    await page.locator(".menu button.item", has_text="Quitter cet appareil").click()
    await settle(page, before)
    told = await last_bot_text(page, 1)
    link = f"http://127.0.0.1:{web_bot.port}/#reprendre={uid}"
    assert link in told, told
    await shot(page, "leave-fr")
    await page.locator("#log .opts").last.locator('[data-option="forget"]').click()
    await page.locator('button.option[data-option="fr"]').wait_for()  # a new visitor's welcome
    await settle(page, 0)
    assert "bonjour de Moussa" not in await page.locator("#log").inner_text()
    kept = json.loads(await stored(page))
    assert kept.get("imaginecole.uid") != uid and "bonjour de Moussa" not in json.dumps(kept)
    await shot(page, "after-leaving-fr")

    await page.goto(link)  # the resume link brings the conversation back
    await page.locator("#log .opts").last.wait_for()
    await settle(page, 0)
    assert await page.evaluate("localStorage.getItem('imaginecole.uid')") == uid
    assert "#reprendre" not in page.url
    await say(page, "/progres")
    assert "leçon" in await last_bot_text(page, 2)
    assert errors == []
    await context.close()


async def test_this_is_not_me_clears_the_screen_at_once(browser: Browser, web_bot: BotApp) -> None:
    context, page, errors = await opened(browser, web_bot)
    await onboard(page, "ar", "yes", "SN", "student", "CM2")
    await say(page, "رسالة خاصة")
    await page.locator("button.more").click()
    await shot(page, "menu-open-ar")
    before = await page.locator(BOT).count()
    await page.locator(".menu button.item", has_text="لست أنا").click()
    await settle(page, min(before, 1))
    text = await page.locator("#log").inner_text()
    assert "رسالة خاصة" not in text and "رسالة خاصة" not in await stored(page)
    assert await page.locator('#log .opts [data-option="add"]').count()
    await shot(page, "not-me-ar")
    assert errors == []
    await context.close()


async def test_a_card_whose_link_expired_says_so_after_a_reload(
    browser: Browser, web_bot: BotApp
) -> None:
    context, page, errors = await opened(browser, web_bot)
    old = {
        "type": "document",
        "filename": "certificat.pdf",
        "mime": "application/pdf",
        "size": 48_000,
        "url": "/files/tok/certificat.pdf?e=1&k=0",
        "expires": 1,
        "caption": "",
    }
    await page.evaluate(
        "h => localStorage.setItem('imaginecole.history', JSON.stringify(h))", [old]
    )
    await page.reload()
    note = page.locator("#log .msg.bot p.note").first
    await note.wait_for()
    assert await note.inner_text() == "certificat.pdf — lien expiré : redemandez le fichier"
    assert await page.locator("#log a.card").count() == 0
    assert errors == []
    await context.close()
