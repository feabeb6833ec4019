"""Telegram: PTB's Application on our aiohttp transport, by webhook or by our own polling."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import secrets
from collections import defaultdict
from contextvars import ContextVar
from urllib.parse import urlparse

from aiohttp import web
from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot import metrics
from bot.attachments import from_telegram
from bot.config import Settings
from bot.conversations import Conversations, Outcome
from bot.limits import TELEGRAM_BODY, accepts_body, read_bounded
from bot.server import Handler
from bot.storage.store import SqlStore
from bot.telegram.address import chat_address
from bot.telegram.render import TelegramChannel
from bot.telegram.request import AiohttpRequest
from bot.telegram.updates import to_event, update_key
from dialogs.events import GroupPosted
from dialogs.flows.commands import command_descriptions
from dialogs.messages import Say

log = logging.getLogger("imaginecole.telegram")

ALLOWED_UPDATES = ["message", "callback_query", "poll_answer"]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
POLL_TIMEOUT = 25
# Set while the webhook handles an update: the callback query is answered in its response.
_IN_WEBHOOK: ContextVar[bool] = ContextVar("imaginecole_in_webhook", default=False)


def build_application(token: str, api_base_url: str) -> Application:  # type: ignore[type-arg]
    """A PTB Application talking to `api_base_url` through aiohttp, without PTB's Updater."""
    return (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{api_base_url}/bot")
        .base_file_url(f"{api_base_url}/file/bot")
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(connection_limit=1))
        .updater(None)
        .build()
    )


class TelegramService:
    """Receives updates (webhook or polling), hands them to the conversations, renders replies."""

    def __init__(self, settings: Settings, conversations: Conversations, store: SqlStore) -> None:
        self.settings = settings
        self.conversations = conversations
        self.store = store
        self.app = build_application(settings.telegram_bot_token, settings.telegram_api_base_url)
        self.app.add_handler(TypeHandler(Update, self._on_update))
        self.channel = TelegramChannel(self.app.bot, store, settings.telegram_native_polls)
        self.secret = settings.telegram_webhook_secret or secrets.token_urlsafe(32)
        self._polling: asyncio.Task[None] | None = None
        # Replies a crashed worker committed and did not send (bot/resend.py).
        conversations.resenders["telegram"] = lambda outcome, _: self.channel.send(outcome)
        conversations.resenders["telegram:group"] = lambda outcome, _: self._to_group(outcome)

    @property
    def webhook_path(self) -> str:
        """The local path of the webhook: the path of the public URL."""
        return urlparse(self.settings.telegram_webhook_url).path or "/telegram/webhook"

    def routes(self) -> list[tuple[str, str, Handler]]:
        """The webhook route, in webhook mode."""
        if not self.settings.telegram_webhook_url:
            return []
        return [("POST", self.webhook_path, self.webhook)]

    async def start(self, primary: bool = True) -> None:
        """Say hello to the Bot API, then register the webhook or start polling.

        Of several workers, only the primary one registers the webhook and the command menu,
        or polls (Telegram allows one poller); the others serve the webhook they are given.
        """
        await self.app.initialize()
        bot = self.app.bot
        if not primary:
            log.info("telegram connected as @%s (secondary worker)", bot.username)
            return
        if self.settings.telegram_webhook_url:
            await bot.set_webhook(
                self.settings.telegram_webhook_url,
                secret_token=self.secret,
                allowed_updates=ALLOWED_UPDATES,
            )
        else:
            await bot.delete_webhook()
            self._polling = asyncio.create_task(self._poll())
        await _quietly(self._publish_commands())
        log.info("telegram connected as @%s", bot.username)

    async def _publish_commands(self) -> None:
        """The command menu in every interface language (French is the default)."""
        i18n = self.conversations.i18n
        for language in i18n.languages:
            described = command_descriptions(i18n.translator(language.code).gettext)
            commands = [BotCommand(name, text) for name, text in described]
            code = None if language.code == i18n.default else language.code
            await self.app.bot.set_my_commands(commands, language_code=code)

    async def stop(self) -> None:
        """Stop polling and close the HTTP sessions."""
        if self._polling is not None:
            self._polling.cancel()
            await asyncio.gather(self._polling, return_exceptions=True)
        await self.app.shutdown()

    @accepts_body(TELEGRAM_BODY)
    async def webhook(self, request: web.Request) -> web.Response:
        """Check the secret token in constant time before reading anything else."""
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            log.warning("telegram webhook rejected: wrong secret token")
            metrics.rejected("telegram", "secret")
            return web.Response(status=401)
        try:
            data = json.loads(await read_bounded(request, TELEGRAM_BODY))
            if not isinstance(data, dict):
                raise ValueError("an update is a JSON object")
            update = Update.de_json(data, self.app.bot)
        except web.HTTPRequestEntityTooLarge:  # over the route's limit: refused, unread
            metrics.rejected("telegram", "oversized")
            raise
        except Exception as error:  # any unreadable update is the sender's fault
            # PTB reads a field of the wrong type with AttributeError, OverflowError...: a body
            # it cannot read is refused, never a 500 with a traceback.
            log.info("telegram webhook: unreadable update refused (%s)", type(error).__name__)
            metrics.rejected("telegram", "malformed")
            return web.Response(status=400)
        token = _IN_WEBHOOK.set(True)
        try:
            await self.app.process_update(update)
        finally:
            _IN_WEBHOOK.reset(token)
        if update.callback_query is not None:
            # One Bot API call may ride on the webhook's answer: it saves a request per tap.
            answer = {
                "method": "answerCallbackQuery",
                "callback_query_id": update.callback_query.id,
            }
            return web.json_response(answer)
        return web.Response(text="ok")

    async def _on_update(self, update: object, _: ContextTypes.DEFAULT_TYPE) -> None:
        """PTB's handler: turn the update into an event and handle it."""
        assert isinstance(update, Update)
        if update.callback_query is not None and not _IN_WEBHOOK.get():
            await _quietly(update.callback_query.answer())
        event = await to_event(update, self.store)
        if isinstance(event, GroupPosted):
            await self.conversations.handle(event, update_key(update), self._to_group)
        elif event is not None:
            await self.conversations.handle(
                event, update_key(update), self.channel.send, self._fetch
            )

    async def _to_group(self, outcome: Outcome) -> None:
        """The bot's few words in a group (or its forum topic): plain texts."""
        for message in outcome.messages:
            if isinstance(message, Say):
                chat, topic = chat_address(outcome.user.external_id)
                try:
                    await self.app.bot.send_message(chat, message.text, message_thread_id=topic)
                except TelegramError as error:
                    log.info("telegram refused the group message: %s", error)

    async def _fetch(self, file_id: str) -> tuple[bytes, str, str]:
        """A file a person sent (getFile, then the download through our transport)."""
        return await from_telegram(self.app.bot, file_id)

    async def _poll(self) -> None:
        """Our own long polling: an update is confirmed only once it was handled."""
        offset: int | None = None
        while True:
            try:
                updates = await self.app.bot.get_updates(
                    offset=offset, timeout=POLL_TIMEOUT, allowed_updates=ALLOWED_UPDATES
                )
            except TelegramError as error:
                log.warning("telegram polling failed: %s", error)
                await asyncio.sleep(3)
                continue
            if updates:
                await self._handle_batch(updates)
                offset = updates[-1].update_id + 1

    async def _handle_batch(self, updates: tuple[Update, ...]) -> None:
        """Different learners in parallel, each learner's updates in order."""
        by_user: dict[int, list[Update]] = defaultdict(list)
        for update in updates:
            who = update.effective_user
            by_user[who.id if who else 0].append(update)

        async def run(batch: list[Update]) -> None:
            for update in batch:
                await self.app.process_update(update)

        await asyncio.gather(*(run(batch) for batch in by_user.values()))


async def _quietly(call: object) -> None:
    """Answer a callback query; a failure there must not stop the learner's turn."""
    try:
        await call  # type: ignore[misc]
    except TelegramError as error:
        log.debug("answerCallbackQuery failed: %s", error)
