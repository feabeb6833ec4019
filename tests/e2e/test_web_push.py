"""What the bot writes first reaches a web learner, in headless Chromium at 360×740: a
teacher's answer with the tab open (live) and closed (waiting, with the unread count in the
title), an announcement (in Arabic, right to left), and a server stopped by SIGTERM with a tab
open (the page says it reconnects; what the learner typed meanwhile goes once it is back)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page

from bot.app import BotApp
from bot.storage.admin import queue_notice
from tests.e2e.test_web_chat import BOT, say, tap
from tests.integration.test_admin_chat import compose
from tests.integration.test_class_reports import new_teacher, to_a_lesson
from tests.integration.test_teachers_classes import become_teacher, invite_code, national_admin
from tests.store_driver import Person

REPO = Path(__file__).resolve().parents[2]
SHOTS = Path("/tmp/webpush-shots")
UID = "e2e-web-student-0001"
# Whether the page is hidden is the test's to say (a headless tab is always visible).
HIDDEN = """
window.__hidden = window.__hidden || false;
Object.defineProperty(Document.prototype, 'hidden', {
  configurable: true, get: () => window.__hidden });
Object.defineProperty(Document.prototype, 'visibilityState', {
  configurable: true, get: () => (window.__hidden ? 'hidden' : 'visible') });
"""


def shot(name: str) -> str:
    SHOTS.mkdir(exist_ok=True)
    return str(SHOTS / name)


async def student_context(browser: Browser, *, hidden: bool = False) -> BrowserContext:
    """A browser whose page is the learner UID's (as if they had come before)."""
    context = await browser.new_context(viewport={"width": 360, "height": 740})
    await context.add_init_script(
        f"try {{ localStorage.setItem('imaginecole.uid', '{UID}'); }} catch (e) {{}}"
        f"window.__hidden = {'true' if hidden else 'false'};" + HIDDEN
    )
    return context


async def appears(page: Page, text: str, tries: int = 150) -> str:
    """The bot's messages once one of them holds `text` (the push comes within seconds)."""
    for _ in range(tries):
        said = "\n".join(await page.locator(BOT).all_inner_texts())
        if text in said:
            return said
        await page.wait_for_timeout(100)
    raise AssertionError(f"{text!r} never appeared in: {said[-600:]}")


async def onboard(page: Page, port: int, language: str = "fr") -> None:
    await page.goto(f"http://127.0.0.1:{port}/")
    await page.locator(f'button.option[data-option="{language}"]').wait_for()
    for option in (language, "yes", "SN", "student", "CM2"):
        await tap(page, option)


async def set_hidden(page: Page, hidden: bool) -> None:
    """The learner leaves the tab for another (hidden) or comes back to it."""
    await page.evaluate(
        f"window.__hidden = {'true' if hidden else 'false'};"
        " document.dispatchEvent(new Event('visibilitychange'))"
    )


async def test_a_teachers_answer_reaches_the_web_student_live_and_offline(
    browser: Browser, web_bot: BotApp
) -> None:
    talk = web_bot.conversations
    assert talk is not None
    admin = await national_admin(talk, web_bot.settings.database_url)
    teacher, join = await new_teacher(talk, await invite_code(admin), "teacher", "CM2 A")
    context = await student_context(browser)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await onboard(page, web_bot.port)
    await say(page, f"/rejoindre {join}")
    await say(page, "Awa")
    awa = Person.on(talk, "web", UID)  # her question, asked from the lesson
    await to_a_lesson(talk, awa)
    await awa.tap("Demander à mon enseignant")
    await awa.send("Pourquoi 1/4 est plus petit que 1/2 ?")

    await teacher.send("/questions")
    await teacher.send("Parce que le gâteau est coupé en plus de parts.")
    assert "Réponse envoyée à Awa." in teacher.texts()
    said = await appears(page, "coupé en plus de parts")  # live, the tab open
    assert "Pourquoi 1/4 est plus petit que 1/2 ?" in said
    assert await page.title() == "Imaginecole"  # seen as it came: nothing unread
    await page.screenshot(path=shot("answer-live.png"))

    await page.close()  # the tab closed: the next answer waits for her
    await to_a_lesson(talk, awa)
    await awa.tap("Demander à mon enseignant")
    await awa.send("Et 1/3 ?")
    await teacher.send("/questions")
    await teacher.send("1/3 est entre les deux.")
    user_id = await awa_id(web_bot)
    assert web_bot.chat is not None
    for _ in range(100):  # written by the sender into her inbox
        if await web_bot.chat.inbox.waiting(user_id):
            break
        await asyncio.sleep(0.1)

    page = await context.new_page()  # she opens it again, in a background tab
    await page.add_init_script("window.__hidden = true;")
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(f"http://127.0.0.1:{web_bot.port}/")
    said = await appears(page, "1/3 est entre les deux.")
    assert await page.title() == "(1) Imaginecole"
    answer = page.locator(BOT, has_text="1/3 est entre les deux.")
    await answer.scroll_into_view_if_needed()
    await page.screenshot(path=shot("answer-waiting.png"))
    await set_hidden(page, False)
    assert await page.title() == "Imaginecole"
    await page.reload()  # acknowledged: never shown twice, the first answer neither
    await appears(page, "1/3 est entre les deux.")
    await page.wait_for_timeout(1500)
    said = "\n".join(await page.locator(BOT).all_inner_texts())
    assert said.count("1/3 est entre les deux.") == 1
    assert said.count("coupé en plus de parts") == 1
    assert not errors
    await context.close()


async def awa_id(app: BotApp) -> int:
    assert app.store is not None
    rows = await app.store.statement(
        "SELECT id FROM users WHERE channel = 'web' AND external_id = :uid", uid=UID
    )
    return int(rows[0][0])


async def test_an_announcement_reaches_a_web_learner_in_arabic(
    browser: Browser, web_bot: BotApp
) -> None:
    talk = web_bot.conversations
    assert talk is not None
    context = await student_context(browser)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await onboard(page, web_bot.port, "ar")
    admin = await national_admin(talk, web_bot.settings.database_url)
    await compose(admin, "Les écoles rouvrent lundi.")
    assert "1 personne la lira en ouvrant le chat" in admin.texts()
    assert "Cette annonce touchera 1 personne." in admin.texts()
    await admin.tap("Envoyer maintenant")
    said = await appears(page, "إعلان: المدارس تفتح يوم الاثنين.")
    assert "/stop_annonces" in said  # an announcement says how to stop them
    assert await page.evaluate("document.documentElement.dir") == "rtl"
    await page.screenshot(path=shot("announcement-ar.png"))
    assert not errors
    await context.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(database: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "WEB_HOST": "127.0.0.1",
        "WEB_PORT": str(port),
        "PSEUDONYM_SECRET": "test",
        "PYTHONPATH": str(REPO),
        "RENDER_WARM": "false",  # no interpreter importing matplotlib for nothing
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def serving(port: int) -> None:
    for _ in range(300):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.1)
    raise AssertionError("the server did not start")


RECONNECTING = {"fr": ("Reconnexion…", "En ligne"), "ar": ("جارٍ إعادة الاتصال…", "متصل")}


@pytest.mark.parametrize("language", ["fr", "ar"])
async def test_sigterm_with_a_tab_open(browser: Browser, tmp_path: Path, language: str) -> None:
    reconnecting, online = RECONNECTING[language]
    port = free_port()
    database = tmp_path / "bot.db"
    server = start_server(database, port)
    try:
        await serving(port)
        page = await browser.new_page(viewport={"width": 360, "height": 740})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await onboard(page, port, language)
        assert await page.locator("#log .opts").count()

        server.send_signal(signal.SIGTERM)
        server.wait(timeout=5)  # the bound: stopped within 5 s with a tab open
        assert server.returncode == 0, server.stderr.read() if server.stderr else ""
        status = page.locator("#status")
        for _ in range(50):
            if await status.inner_text() == reconnecting:
                break
            await page.wait_for_timeout(100)
        assert await status.inner_text() == reconnecting
        await page.fill("#text", "/aide")  # typed while the server is down: kept
        await page.press("#text", "Enter")
        assert await page.locator("#log .msg.me.pending").count() == 1
        await page.screenshot(path=shot(f"sigterm-reconnecting-{language}.png"))

        server = start_server(database, port)
        await serving(port)
        said = await appears(page, "/menu", tries=300)  # /aide answered once back
        assert await page.locator("#log .msg.me.pending").count() == 0
        assert await status.inner_text() == online
        assert said
        await page.screenshot(path=shot(f"sigterm-back-{language}.png"))
        assert not errors
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=10)


async def test_thirty_waiting_messages_come_in_order_and_are_acknowledged_at_once(
    browser: Browser, web_bot: BotApp
) -> None:
    context = await student_context(browser)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await onboard(page, web_bot.port)
    await page.close()
    person = await awa_id(web_bot)
    assert web_bot.store is not None and web_bot.chat is not None
    async with web_bot.store.transaction() as runner:
        for n in range(1, 31):
            await queue_notice(runner, person, {"fr": f"Rappel n°{n}"}, datetime.now(UTC))
    for _ in range(200):
        if len(await web_bot.chat.inbox.waiting(person)) == 30:
            break
        await asyncio.sleep(0.05)
    page = await context.new_page()
    await page.add_init_script("window.__hidden = true;")
    await page.goto(f"http://127.0.0.1:{web_bot.port}/")
    said = await appears(page, "Rappel n°30")
    shown = [line for line in said.split("\n") if line.startswith("Rappel n°")]
    assert shown == [f"Rappel n°{n}" for n in range(1, 31)]
    assert await page.title() == "(30) Imaginecole"
    assert await page.locator("#log .msg.error").count() == 0  # no flood notice
    for _ in range(100):  # one acknowledgement frame for the burst
        if not await web_bot.chat.inbox.waiting(person):
            break
        await asyncio.sleep(0.05)
    assert await web_bot.chat.inbox.waiting(person) == []
    assert not errors
    await context.close()


async def _circle_of_two(web_bot: BotApp, author_uid: str) -> tuple[Person, int]:
    """A circle the author and the web member (UID) joined, the author's first post waiting
    in the member's inbox (not coming live during a visit's hello); the author, the member's
    id."""
    talk = web_bot.conversations
    assert talk is not None and web_bot.chat is not None
    admin = await national_admin(talk, web_bot.settings.database_url)
    await admin.send("/admin")
    await admin.tap("Cercles")
    await admin.tap("Nouveau cercle")
    await admin.tap("Mathématiques")
    await admin.tap("primaire")
    code = await invite_code(admin)
    author, member = Person.on(talk, "web", author_uid), Person.on(talk, "web", UID)
    for teacher in (author, member):
        await teacher.onboard(role="Enseignant")
        await become_teacher(teacher, code)
        await teacher.send("/cercles")
        await teacher.tap("Mathématiques - primaire")
        await teacher.tap("Rejoindre le cercle")
    await author.tap("Écrire")
    await author.send("Bonjour à tous !")
    person = await awa_id(web_bot)
    await _waiting(web_bot, person)
    return author, person


async def _waiting(web_bot: BotApp, person: int) -> None:
    """Once the sender has written a post into the member's inbox."""
    assert web_bot.chat is not None
    for _ in range(300):
        if await web_bot.chat.inbox.waiting(person):
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the post does not wait for the member")


async def _visit(context: BrowserContext, web_bot: BotApp, errors: list[str], text: str) -> Page:
    """The member opens the chat, on the circle page, and sees `text`."""
    page = await context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(f"http://127.0.0.1:{web_bot.port}/")
    await appears(page, text)
    return page


async def _shown_once(page: Page, errors: list[str], name: str, *texts: str) -> None:
    """Everything the hello brings shown, each text once, the page's buttons there."""
    await page.wait_for_timeout(1500)
    said = "\n".join(await page.locator(BOT).all_inner_texts())
    for text in texts:
        assert said.count(text) == 1, said[-800:]
    write = page.locator('#log .opts [data-option="write"]').last
    await write.scroll_into_view_if_needed()
    await page.screenshot(path=shot(name))
    assert await write.is_visible() and not errors


QUESTION = "Qui a un bon jeu pour les fractions en CM2 ?"


async def test_a_circle_post_that_waited_is_shown_once_on_the_circle_page(
    browser: Browser, web_bot: BotApp
) -> None:
    author, person = await _circle_of_two(web_bot, "e2e-circle-author-0001")
    assert web_bot.chat is not None
    context = await student_context(browser)
    errors: list[str] = []
    page = await _visit(context, web_bot, errors, "Bonjour à tous !")
    await page.locator('#log .opts [data-option="write"]').last.wait_for()
    await page.close()
    for _ in range(100):  # the server has let the tab go: the next post waits in the inbox
        if UID not in web_bot.chat.sockets:
            break
        await asyncio.sleep(0.1)
    assert UID not in web_bot.chat.sockets, "the closed tab is still held"

    await author.tap("Écrire")
    await author.send(QUESTION)
    await _waiting(web_bot, person)
    page = await _visit(context, web_bot, errors, QUESTION)  # the next visit, same page
    await _shown_once(page, errors, "circle-post-once.png", QUESTION, "Bonjour à tous !")
    await context.close()


async def test_a_circle_post_that_came_live_is_not_listed_again_at_the_next_visit(
    browser: Browser, web_bot: BotApp
) -> None:
    author, _ = await _circle_of_two(web_bot, "e2e-circle-author-0002")
    context = await student_context(browser)
    errors: list[str] = []
    page = await _visit(context, web_bot, errors, "Bonjour à tous !")
    await page.locator('#log .opts [data-option="write"]').last.wait_for()
    await author.tap("Écrire")
    await author.send(QUESTION)
    await appears(page, QUESTION)  # live, in the open tab
    await page.close()

    page = await _visit(context, web_bot, errors, QUESTION)  # the next visit, same page
    await _shown_once(page, errors, "circle-post-live-once.png", QUESTION, "Bonjour à tous !")
    await context.close()
