"""PTB's Bot and Application on our aiohttp transport, against the fake Bot API over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import socket
import time
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Poll, Update
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import Application, ApplicationBuilder, CommandHandler, ContextTypes

from bot.telegram.request import AiohttpRequest
from tests.fakes.telegram_api import FakeBotApi

TOKEN = "123456:TEST-token"
LEARNER = 221_770_001


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """A running fake Bot API."""
    async with FakeBotApi() as fake:
        yield fake


def make_bot(url: str, request: AiohttpRequest | None = None, poll_read: float = 5.0) -> Bot:
    """A Bot whose two transports are AiohttpRequest, talking to ``url``."""
    return Bot(
        TOKEN,
        base_url=f"{url}/bot",
        base_file_url=f"{url}/file/bot",
        request=request or AiohttpRequest(),
        get_updates_request=AiohttpRequest(connection_limit=1, read_timeout=poll_read),
    )


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    """An initialized Bot pointed at the fake."""
    async with make_bot(api.url) as initialized:
        yield initialized


async def test_get_me_returns_the_fake_bot(bot: Bot, api: FakeBotApi) -> None:
    """getMe goes over HTTP and comes back as the bot's User."""
    me = await bot.get_me()
    assert me.is_bot and me.username == "imaginecole_test_bot"
    assert [call.method for call in api.calls] == ["getMe", "getMe"]  # initialize() + ours


async def test_send_message_with_inline_keyboard(bot: Bot, api: FakeBotApi) -> None:
    """The keyboard arrives JSON-decoded and the Message comes back with increasing ids."""
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Oui", callback_data="q1:a")]])
    first = await bot.send_message(LEARNER, "Bonjour Awa", reply_markup=markup)
    second = await bot.send_message(LEARNER, "42")
    call = api.sent(LEARNER)[0]
    assert call.params["chat_id"] == LEARNER
    assert call.params["reply_markup"] == {
        "inline_keyboard": [[{"text": "Oui", "callback_data": "q1:a"}]]
    }
    assert first.reply_markup == markup and first.chat.type == "private"
    assert second.message_id == first.message_id + 1
    assert api.texts(LEARNER) == ["Bonjour Awa", "42"]  # a numeric text stays a string


async def test_long_callback_data_is_refused_like_telegram(bot: Bot, api: FakeBotApi) -> None:
    """Callback data over 64 bytes is a BadRequest, as on the real Bot API."""
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("é", callback_data="é" * 33)]])
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(LEARNER, "Choisis", reply_markup=markup)
    assert api.sent(LEARNER) == []


async def test_send_photo_uploads_bytes_as_multipart(bot: Bot, api: FakeBotApi) -> None:
    """Bytes go multipart and arrive intact next to the decoded fields."""
    image = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64
    message = await bot.send_photo(LEARNER, photo=image, caption="Figure 1 : le Sahel")
    call = api.last(LEARNER)
    assert call.files["photo"] == image
    assert call.params == {"chat_id": LEARNER, "caption": "Figure 1 : le Sahel"}
    assert message.photo[-1].file_size == len(image)
    assert message.caption == "Figure 1 : le Sahel"


async def test_send_document_keeps_a_french_file_name(bot: Bot, api: FakeBotApi) -> None:
    """A non-ASCII file name survives aiohttp's multipart encoding."""
    pdf = b"%PDF-1.4 le\xc3\xa7on"
    message = await bot.send_document(LEARNER, pdf, filename="leçon 1 – fractions.pdf")
    assert message.document is not None
    assert message.document.file_name == "leçon 1 – fractions.pdf"
    assert api.last(LEARNER).files == {"document": pdf}
    odd = await bot.send_document(LEARNER, pdf, filename='a"b\r\nX-Evil: 1.pdf')
    assert odd.document is not None and odd.document.file_name == "a%22b%0D%0AX-Evil: 1.pdf"


async def test_send_quiz_poll(bot: Bot, api: FakeBotApi) -> None:
    """A quiz poll comes back with a unique id the fake maps to the chat."""
    message = await bot.send_poll(
        LEARNER, "2 + 2 = ?", ["3", "4", "5"], type=Poll.QUIZ, correct_option_ids=[1],
        is_anonymous=False,
    )  # fmt: skip
    assert api.last(LEARNER).params["options"][1] == {"text": "4"}  # InputPollOption, decoded
    again = await bot.send_poll(LEARNER, "Capitale du Mali ?", ["Bamako", "Dakar"])
    assert message.poll is not None and again.poll is not None
    assert message.poll.type == "quiz" and message.poll.correct_option_ids == (1,)
    assert [option.text for option in message.poll.options] == ["3", "4", "5"]
    assert message.poll.id != again.poll.id
    assert api.poll_chats[message.poll.id] == LEARNER
    assert api.last_poll_id(LEARNER) == again.poll.id


async def test_get_updates_confirms_offsets_and_long_polls(api: FakeBotApi) -> None:
    """Offsets confirm; an empty long poll outlives a short read timeout (PTB adds them)."""
    async with make_bot(api.url, poll_read=0.2) as bot:
        api.push_update(api.updates.text(LEARNER, "/start"))
        api.push_update(api.updates.text(LEARNER, "bonjour"))
        updates = await bot.get_updates(timeout=0)
        assert [u.message.text for u in updates if u.message] == ["/start", "bonjour"]
        started = time.monotonic()
        assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=1) == ()
        assert time.monotonic() - started >= 0.9
        assert not api.pending


async def test_long_poll_wakes_when_an_update_arrives(bot: Bot, api: FakeBotApi) -> None:
    """A waiting getUpdates answers as soon as an update is pushed."""
    asyncio.get_running_loop().call_later(0.1, api.push_update, api.updates.text(LEARNER, "?"))
    started = time.monotonic()
    updates = await bot.get_updates(timeout=5)
    assert len(updates) == 1 and time.monotonic() - started < 2


async def test_flood_control_surfaces_as_retry_after(
    bot: Bot, api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 429 with parameters.retry_after becomes RetryAfter; the next send goes through."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # PTB warns on the legacy int form otherwise
    api.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(LEARNER, "Rappel")
    assert raised.value.retry_after == dt.timedelta(seconds=7)
    await bot.send_message(LEARNER, "Rappel")
    assert [call.ok for call in api.calls if call.method == "sendMessage"] == [False, True]
    assert len(api.sent(LEARNER)) == 1


async def test_blocked_user_surfaces_as_forbidden(bot: Bot, api: FakeBotApi) -> None:
    """A 403 becomes Forbidden with Telegram's description."""
    api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(LEARNER, "Nouveau cours")


async def test_unknown_method_is_404(bot: Bot) -> None:
    """Unknown methods answer 404, which PTB reports as EndPointNotFound."""
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy")


async def test_wrong_token_is_unauthorized() -> None:
    """A fake with a token refuses others with 401, i.e. InvalidToken."""
    async with FakeBotApi(TOKEN.replace("TEST", "OTHER")) as fake:
        with pytest.raises(InvalidToken, match="rejected") as raised:
            async with make_bot(fake.url):  # closes the sessions when initialize() fails
                pass
    assert "Unauthorized" in str(raised.value.__cause__)


async def test_environment_proxy_is_honoured(
    api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HTTP_PROXY routes requests like httpx would (the fake answers absolute-form requests)."""
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", api.url)
    async with make_bot("http://api.telegram.invalid") as bot:
        assert (await bot.get_me()).is_bot


async def test_benchmark_mode_counts_without_recording() -> None:
    """record=False keeps counts only, and wait_for_count still works."""
    async with FakeBotApi(record=False) as fake, make_bot(fake.url) as bot:
        await asyncio.gather(*(bot.send_message(LEARNER, str(i)) for i in range(20)))
        await fake.wait_for_count(20, "sendMessage", timeout=1)
        assert fake.calls == [] and fake.counts["getMe"] == 1


async def test_connection_refused_is_network_error() -> None:
    """Nobody listening is a NetworkError, not a timeout."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bot = make_bot(f"http://127.0.0.1:{port}")
    try:
        with pytest.raises(NetworkError) as raised:
            await bot.initialize()
        assert not isinstance(raised.value, TimedOut)
        assert "ClientConnectorError" in str(raised.value)
    finally:
        await bot.shutdown()


async def test_hanging_server_times_out_after_delivery(bot: Bot, api: FakeBotApi) -> None:
    """A lost answer is TimedOut, yet the message was delivered: sends are ambiguous."""
    api.delay_next("sendMessage", 30)
    with pytest.raises(TimedOut):
        await bot.send_message(LEARNER, "Es-tu là ?", read_timeout=0.2)
    assert api.texts(LEARNER) == ["Es-tu là ?"]


async def test_busy_pool_is_a_pool_timeout_and_sends_nothing(api: FakeBotApi) -> None:
    """With every connection busy, the request fails fast and never reaches the server."""
    async with make_bot(api.url, AiohttpRequest(connection_limit=1, pool_timeout=0.1)) as bot:
        api.delay_next("sendMessage", 30)
        stuck = asyncio.create_task(bot.send_message(LEARNER, "un", read_timeout=5))
        await api.wait_for("sendMessage")
        with pytest.raises(TimedOut, match="Pool timeout"):
            await bot.send_message(LEARNER, "deux")
        stuck.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await stuck
        assert api.texts(LEARNER) == ["un"]


async def greet(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply to /start with the learner's first name."""
    if update.effective_message and update.effective_user:
        await update.effective_message.reply_text(f"Bienvenue {update.effective_user.first_name}")


def build_app(api: FakeBotApi) -> ApplicationBuilder:  # type: ignore[type-arg]
    """An ApplicationBuilder wired to the fake through AiohttpRequest."""
    return (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{api.url}/bot")
        .base_file_url(f"{api.url}/file/bot")
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(connection_limit=1))
    )


async def test_application_handles_a_pushed_update(api: FakeBotApi) -> None:
    """An Application without updater fetches a pushed update and its handler replies."""
    app: Application = build_app(api).updater(None).build()  # type: ignore[type-arg]
    app.add_handler(CommandHandler("start", greet))
    api.push_update(api.updates.text(LEARNER, "/start", first_name="Moussa"))
    async with app:
        await app.start()
        for update in await app.bot.get_updates(timeout=0):
            await app.update_queue.put(update)
        reply = await api.wait_for("sendMessage")
        await app.stop()
    assert reply.params["text"] == "Bienvenue Moussa"
    assert reply.params["chat_id"] == LEARNER


async def test_polling_application_end_to_end(api: FakeBotApi) -> None:
    """PTB's Updater long-polls the fake through the single-connection transport."""
    app: Application = build_app(api).build()  # type: ignore[type-arg]
    app.add_handler(CommandHandler("start", greet))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=1, poll_interval=0)
        api.push_update(api.updates.text(LEARNER, "/start"))
        reply = await api.wait_for("sendMessage")
        await app.updater.stop()
        await app.stop()
    assert reply.params["text"] == "Bienvenue Awa"
    assert not api.pending  # the Updater confirmed the offset on its way out


async def test_keyboard_tap_round_trip(bot: Bot, api: FakeBotApi) -> None:
    """Callback, answer, edits and deletion behave (and refuse) like Telegram."""
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Oui", callback_data="q1:a")]])
    sent = await bot.send_message(LEARNER, "Question 1", reply_markup=markup)
    api.push_update(api.updates.callback(LEARNER, "q1:a", sent.message_id))
    (update,) = await bot.get_updates(timeout=0)
    query = update.callback_query
    assert query is not None and query.data == "q1:a"
    assert isinstance(query.message, Message) and query.message.reply_markup == markup
    assert await bot.answer_callback_query(query.id, "Bravo")
    assert api.last_call("answerCallbackQuery").params["callback_query_id"] == query.id
    edited = await bot.edit_message_text("Question 1 ✓", LEARNER, sent.message_id)
    assert isinstance(edited, Message) and edited.reply_markup is None  # no markup: dropped
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("Question 1 ✓", LEARNER, sent.message_id)
    assert await bot.delete_message(LEARNER, sent.message_id)
    with pytest.raises(BadRequest, match="not found"):
        await bot.edit_message_reply_markup(LEARNER, sent.message_id, reply_markup=markup)


async def test_poll_answer_and_webhook_bookkeeping(bot: Bot, api: FakeBotApi) -> None:
    """Poll answers carry Bot API 9.6 persistent ids; a webhook blocks getUpdates."""
    await bot.send_poll(LEARNER, "Capitale du Niger ?", ["Niamey", "Agadez"], is_anonymous=False)
    api.push_update(api.updates.poll_answer(LEARNER, api.last_poll_id(LEARNER), [0]))
    (update,) = await bot.get_updates(timeout=0)
    assert update.poll_answer is not None and update.poll_answer.option_ids == (0,)
    assert api.poll_chats[update.poll_answer.poll_id] == LEARNER
    assert await bot.set_webhook("https://example.invalid/hook", secret_token="s3cret")
    assert (await bot.get_webhook_info()).url == "https://example.invalid/hook"
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates(timeout=0)
    assert await bot.delete_webhook() and api.webhook == {}
    assert await bot.set_my_commands([("start", "Commencer")], language_code="fr")
    assert [c.command for c in await bot.get_my_commands(language_code="fr")] == ["start"]


async def test_factory_updates_parse_in_ptb(bot: Bot, api: FakeBotApi) -> None:
    """Every UpdateFactory builder yields an update PTB parses into the expected kind."""
    factory = api.updates
    built = {
        "text": factory.text(LEARNER, "/start cours-42"),
        "photo": factory.photo(LEARNER, caption="mon devoir"),
        "sticker": factory.sticker(LEARNER),
        "voice": factory.voice(LEARNER),
        "document": factory.document(LEARNER),
        "location": factory.location(LEARNER),
        "contact": factory.contact(LEARNER),
    }
    for attribute, data in built.items():
        message = Update.de_json(data, bot).message
        assert message is not None and getattr(message, attribute), attribute
        assert message.from_user is not None and message.from_user.id == message.chat.id
    command = Update.de_json(built["text"], bot).message
    assert command is not None
    assert command.parse_entities(["bot_command"]) == {command.entities[0]: "/start"}
    edit = factory.edited_text(LEARNER, command.message_id, "Bonjour")
    edited = Update.de_json(edit, bot).edited_message
    assert edited is not None and edited.edit_date is not None and edited.text == "Bonjour"
