"""The student's journey in the web chat, in headless Chromium."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, Page

from bot.app import BotApp

BOT = "#log .msg.bot"
# Where an icon's tip is drawn on the screen: the x of the point of its path farthest along
# the path's own x (the arrow's tip), through the transforms the page applies to it.
_TIP = """path => {
  const box = path.getBBox(), m = path.getScreenCTM();
  const p = path.ownerSVGElement.createSVGPoint();
  p.x = box.x + box.width; p.y = box.y + box.height / 2;
  return p.matrixTransform(m).x;
}"""


# Whether, in a line's text, the words `a` are drawn left of the words `b`.
_LEFT_OF = """(element, [a, b]) => {
  const walk = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  let text = walk.nextNode();
  while (text && !text.data.includes(a)) text = walk.nextNode();
  const x = (s) => {
    const at = text.data.indexOf(s), range = document.createRange();
    range.setStart(text, at); range.setEnd(text, at + s.length);
    return range.getBoundingClientRect().left;
  };
  return x(a) < x(b);
}"""


async def settle(page: Page, before: int) -> None:
    """Wait until the bot answered (more bot messages than `before`) and went quiet."""
    for _ in range(100):  # the page's CSP forbids evaluated predicates: poll from here
        if await page.locator(BOT).count() > before:
            break
        await page.wait_for_timeout(100)
    count = -1
    while count != (count := await page.locator(BOT).count()):
        await page.wait_for_timeout(120)


async def tap(page: Page, option: str) -> None:
    """Tap an option of the newest prompt."""
    before = await page.locator(BOT).count()
    await page.locator("#log .opts").last.locator(f'[data-option="{option}"]').click()
    await settle(page, before)


async def say(page: Page, text: str) -> None:
    """Type a message and send it with Enter."""
    before = await page.locator(BOT).count()
    await page.fill("#text", text)
    await page.press("#text", "Enter")
    await settle(page, before)


async def last_bot_text(page: Page, n: int = 4) -> str:
    """The text of the last bot messages."""
    texts = await page.locator(BOT).all_inner_texts()
    return "\n".join(texts[-n:])


async def answer_something(page: Page) -> None:
    """Answer the current question, whatever its shape."""
    prompt = page.locator("#log .opts").last
    if await prompt.locator("input[type=checkbox]").count():
        before = await page.locator(BOT).count()
        await prompt.locator("label.choice").first.click()
        await prompt.locator("button.submit").click()
        await settle(page, before)
    elif await prompt.locator("button.option:not(.extra):not([data-option=menu])").count():
        before = await page.locator(BOT).count()
        await prompt.locator("button.option:not(.extra)").first.click()
        await settle(page, before)
    else:
        await say(page, "42")


async def test_the_whole_journey_in_the_browser(
    browser: Browser, web_bot: BotApp, tmp_path: Path
) -> None:
    page = await browser.new_page(viewport={"width": 360, "height": 740})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(f"http://127.0.0.1:{web_bot.port}/")
    await page.locator('button.option[data-option="fr"]').wait_for()
    assert "Bienvenue" in await last_bot_text(page) or "bienvenue" in await last_bot_text(page)
    assert await page.locator('button.option[data-option="ar"]').inner_text() == "العربية"

    for option in ("fr", "yes", "SN", "student", "CM2"):
        await tap(page, option)
    assert "Que voulez-vous faire" in await last_bot_text(page)

    await say(page, "une phrase que le bot n'attend pas")
    assert "Je n'ai pas compris" in await last_bot_text(page)

    # The fractions course (its first lesson has a picture); a pupil is never offered the
    # course for teachers that once came first under "Autres sujets".
    for option in ("courses", "mathematiques", "fractions", "comprendre", "parts-egales"):
        await tap(page, option)
    assert await page.locator("#log img").count() >= 0
    while await page.locator('#log .opts >> nth=-1 >> [data-option="next"]').count():
        await tap(page, "next")
    assert await page.locator("#log img").count() >= 1, "the lesson showed its image"
    image = page.locator("#log img").first
    assert await image.evaluate("img => img.complete && img.naturalWidth > 0")

    for _ in range(40):
        if "Quiz terminé" in await last_bot_text(page, 8):
            break
        await answer_something(page)
    assert "Quiz terminé" in await last_bot_text(page, 8)
    await page.screenshot(path=str(tmp_path / "quiz-done.png"), full_page=False)

    await page.reload()
    await page.locator("#log .msg.bot").first.wait_for()
    await say(page, "/progres")
    assert "1 leçon terminée sur" in await last_bot_text(page)

    await say(page, "/langue")
    await tap(page, "ar")
    assert await page.evaluate("document.documentElement.dir") == "rtl"
    assert await page.evaluate("document.documentElement.lang") == "ar"
    await page.screenshot(path=str(tmp_path / "arabic.png"))
    assert errors == []


async def test_progress_survives_closing_the_tab(browser: Browser, web_bot: BotApp) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"http://127.0.0.1:{web_bot.port}/")
    await page.locator('button.option[data-option="fr"]').wait_for()
    for option in ("fr", "yes", "ML", "teacher", "6e"):
        await tap(page, option)
    uid = await page.evaluate("localStorage.getItem('imaginecole.uid')")
    await page.close()

    page = await context.new_page()
    await page.goto(f"http://127.0.0.1:{web_bot.port}/")
    await page.locator("#log .opts").last.wait_for()
    assert await page.evaluate("localStorage.getItem('imaginecole.uid')") == uid
    await say(page, "/mes_donnees")
    link = page.locator("#log a[download]").last
    assert await link.get_attribute("download") == "mes_donnees.json"
    await context.close()


async def test_a_booklet_link_opens_its_lesson_after_onboarding(
    browser: Browser, web_bot: BotApp
) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(f"http://127.0.0.1:{web_bot.port}/l/paludisme/moustiquaire")
    await page.locator("#log .msg.bot", has_text="juste après quelques questions").wait_for()
    await settle(page, 0)
    assert page.url == f"http://127.0.0.1:{web_bot.port}/", "the payload left the address bar"
    for option in ("fr", "yes", "SN", "student", "CM2"):
        await tap(page, option)
    assert "La moustiquaire (1/" in await last_bot_text(page)
    assert await page.locator('#log .opts >> nth=-1 >> [data-option="next"]').count()

    await page.reload()
    await page.locator("#log .opts").last.wait_for()
    await say(page, "/progres")
    note = page.locator("#log .msg.bot", has_text="juste après quelques questions")
    assert await note.count() == 1, "the link was followed once"
    assert "La moustiquaire (1/" in await last_bot_text(page), "still in the lesson"
    assert errors == []
    await context.close()


async def test_a_number_typed_to_options_that_are_numbers(
    browser: Browser, web_bot: BotApp, tmp_path: Path
) -> None:
    """Options 3 / 5 / 8 / 15: a typed 2 is no answer (not the 2nd button), a typed "cinq"
    is 5; in Arabic too (right to left). Screenshots at 360×740 in `tmp_path`."""
    for language in ("fr", "ar"):
        page = await browser.new_page(viewport={"width": 360, "height": 740})
        await page.goto(f"http://127.0.0.1:{web_bot.port}/")
        await page.locator('button.option[data-option="fr"]').wait_for()
        for option in (language, "yes", "SN", "student", "CM2", "courses", "mathematiques"):
            await tap(page, option)
        for option in ("fractions", "comprendre", "parts-egales"):
            await tap(page, option)
        while await page.locator('#log .opts >> nth=-1 >> [data-option="next"]').count():
            await tap(page, "next")
        labels = await page.locator("#log .opts").last.locator("button.option").all_inner_texts()
        assert labels[:4] == ["3", "5", "8", "15"], labels
        await say(page, "2")
        reply = await last_bot_text(page, 2)
        assert ("Je n'ai pas compris" in reply) is (language == "fr"), reply
        await page.screenshot(path=str(tmp_path / f"typed-2-{language}.png"))
        await say(page, "cinq")
        assert "✅" in await last_bot_text(page, 3)
        await page.screenshot(path=str(tmp_path / f"typed-cinq-{language}.png"))
        await page.close()


async def test_a_french_course_text_reads_left_to_right_in_the_arabic_chat(
    browser: Browser, web_bot: BotApp, tmp_path: Path
) -> None:
    """The bundled courses are in French: in an Arabic chat each line takes the direction of
    its own words (the question mark stays at the end of a French question)."""
    page = await browser.new_page(viewport={"width": 360, "height": 740})
    await page.goto(f"http://127.0.0.1:{web_bot.port}/")
    await page.locator('button.option[data-option="ar"]').wait_for()
    for option in ("ar", "yes", "TD", "student", "CM2", "courses", "mathematiques"):
        await tap(page, option)
    for option in ("fractions", "comprendre", "parts-egales"):
        await tap(page, option)
    while await page.locator('#log .opts >> nth=-1 >> [data-option="next"]').count():
        await tap(page, "next")
    question = page.locator("#log .msg.bot p", has_text="dénominateur").last
    assert await page.evaluate("document.documentElement.dir") == "rtl"
    assert await question.evaluate("p => getComputedStyle(p).unicodeBidi") == "plaintext"
    await page.screenshot(path=str(tmp_path / "french-in-arabic.png"))
    # a French line under Arabic ones keeps its numbers in order: "6/6 = 1", never "1 = 6/6"
    # (across a mere line break, Chromium read them as Arabic numbers)
    for _ in range(16):  # two tries a question, a worked example after the second miss
        if await page.locator(BOT, has_text="6/6 = 1").count():
            break
        await answer_something(page)
    line = page.locator(f"{BOT} p", has_text="6/6 = 1").last
    assert await line.evaluate(_LEFT_OF, ["6/6", "= 1"]), "1 = 6/6"
    assert await line.evaluate(_LEFT_OF, ["= 1", "quand"])
    assert "6/6 = 1 : quand" in await last_bot_text(page, 3)  # the text as written
    await page.screenshot(path=str(tmp_path / "french-numbers-in-arabic.png"))
    # the send button's arrow points the way Arabic is written: to the left
    arrow = await page.locator("#send svg").bounding_box()
    tip = await page.locator("#send svg path").evaluate(_TIP)
    assert arrow is not None and tip < arrow["x"] + arrow["width"] / 2, (tip, arrow)
    await page.close()
