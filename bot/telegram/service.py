"""Telegram: PTB's Application on our aiohttp transport, by webhook or by our own polling."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections import defaultdict
from contextvars import ContextVar
from datetime import UTC, datetime
from urllib.parse import urlparse

from aiohttp import web
from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot import metrics, safe_json
from bot.attachments import Attachments, from_telegram
from bot.channels import configured
from bot.config import Settings
from bot.conversations import Conversations, Outcome
from bot.dead_letters import Budget, Parking
from bot.limits import TELEGRAM_BODY, accepts_body, read_bounded
from bot.links import ClassLinks
from bot.sender import Deliver
from bot.server import Handler
from bot.storage.dead_letters import InboundAttempts
from bot.storage.store import SqlStore
from bot.supervise import Supervisor
from bot.telegram.address import chat_address
from bot.telegram.broadcast import telegram_deliverer
from bot.telegram.render import TelegramChannel
from bot.telegram.request import AiohttpRequest
from bot.telegram.updates import to_event, update_key
from bot.tokens import same_secret
from bot.withdrawals import withdraw_forever
from dialogs.events import GroupPosted
from dialogs.flows.commands import command_descriptions
from dialogs.messages import Say

log = logging.getLogger("imaginecole.telegram")

ALLOWED_UPDATES = ["message", "callback_query", "poll_answer"]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
POLL_TIMEOUT = 25
CONNECT_WAIT = 5.0  # seconds an update waits for the Bot API's first answer, then 503
POLL_SLACK = 10  # seconds of read timeout beyond the long poll's
POLL_RETRY_PAUSE = 1.0  # seconds before a polled update that failed is tried again
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
    """Receives updates (webhook or polling), hands them to the conversations, renders replies.

    The Telegram channel of bot/channel.py."""

    name = "telegram"

    def __init__(
        self,
        settings: Settings,
        conversations: Conversations,
        store: SqlStore,
        supervisor: Supervisor | None = None,
        budget: Budget | None = None,
        files: Attachments | None = None,
        links: ClassLinks | None = None,
    ) -> None:
        self.settings = settings
        self.capabilities = configured(settings.telegram_native_polls)(self.name)
        self.pace = settings.broadcast_rate_telegram
        self.primary = True  # of several workers, the one that registers the webhook, polls
        self.files = files
        self.links = links  # the bot's @username, once known, for the links it shares
        self.store = store
        self._withdrawer: asyncio.Task[None] | None = None
        self.conversations = conversations
        self.app = build_application(settings.telegram_bot_token, settings.telegram_api_base_url)
        self.app.add_handler(TypeHandler(Update, self._on_update))
        self.channel = TelegramChannel(self.app.bot, store, settings.telegram_native_polls)
        self.secret = settings.telegram_webhook_secret or secrets.token_urlsafe(32)
        self._polling: asyncio.Task[None] | None = None
        self.supervisor = supervisor or Supervisor()
        self.parking = Parking(store, budget or Budget.of(settings))
        self.attempts = InboundAttempts(store)  # polled updates' handlings, counted
        self._connected = asyncio.Event()  # the Bot API answered (start's getMe)
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

    async def start(self, primary: bool | None = None) -> None:
        """Say hello to the Bot API, then register the webhook or start polling.

        Of several workers, only the primary one registers the webhook and the command menu,
        or polls (Telegram allows one poller); the others serve the webhook they are given.
        """
        primary = self.primary if primary is None else primary
        await self.app.initialize()
        self._connected.set()  # the bot knows itself (getMe): updates can be handled
        bot = self.app.bot
        if self.links is not None:
            self.links.telegram_username = bot.username or ""
        if self.settings.sender_enabled and self._withdrawer is None:  # removed circle messages
            store = self.store
            self._withdrawer = self.supervisor.run(
                "withdrawals", lambda: withdraw_forever(store, bot)
            )
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
            if self._polling is None:
                self._polling = self.supervisor.run("telegram_polling", self._poll)
        await _quietly(self._publish_commands())
        log.info("telegram connected as @%s", bot.username)

    @property
    def ready(self) -> bool:
        """Whether the Bot API answered at start (updates can be handled)."""
        return self._connected.is_set()

    async def _connection(self) -> bool:
        """Whether connected, waiting a little while the start is under way."""
        if not self._connected.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(CONNECT_WAIT):
                    await self._connected.wait()
        return self._connected.is_set()

    async def _publish_commands(self) -> None:
        """The command menu in every interface language (French is the default)."""
        i18n = self.conversations.i18n
        for language in i18n.languages:
            described = command_descriptions(i18n.translator(language.code).gettext)
            commands = [BotCommand(name, text) for name, text in described]
            code = None if language.code == i18n.default else language.code
            await self.app.bot.set_my_commands(commands, language_code=code)

    async def send(self, outcome: Outcome) -> None:
        """Render and send a reply."""
        await self.channel.send(outcome)

    def deliverer(self) -> Deliver:
        """Announcements, paced by the sender (bot/telegram/broadcast.py)."""
        return telegram_deliverer(self.app.bot, self.conversations.i18n, self.files)

    async def leaving(self) -> None:
        """Nothing to tell: the people write again when the bot is back."""

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
        if not same_secret(given, self.secret):
            log.warning("telegram webhook rejected: wrong secret token")
            metrics.rejected("telegram", "secret")
            return web.Response(status=401)
        if not await self._connection():  # unreachable at start: Telegram delivers it again
            return web.Response(status=503, text="not connected yet")
        try:
            data = safe_json.loads(await read_bounded(request, TELEGRAM_BODY))
            if not isinstance(data, dict):
                raise ValueError("an update is a JSON object")
        except web.HTTPRequestEntityTooLarge:  # over the route's limit: refused, unread
            metrics.rejected("telegram", "oversized")
            raise
        except Exception as error:  # not an update at all: the sender's fault
            log.info("telegram webhook: unreadable body refused (%s)", type(error).__name__)
            metrics.rejected("telegram", "malformed")
            return web.Response(status=400)
        try:
            update = await self._read(data)
        except Exception:  # it could not even be parked (the database is away): again later
            log.warning("telegram webhook: an unreadable update could not be parked")
            return web.Response(status=503, text="try again")
        if update is None:  # parked: acknowledged, so Telegram does not hold the chat back
            return web.Response(text="ok")
        token = _IN_WEBHOOK.set(True)
        try:
            await self.parking.budget.run(self._handle_update(update))
        except Exception as error:
            # PTB's process_update would swallow this and Telegram would get a 200: the
            # update lost. A 503 makes Telegram deliver it again, until its attempts are spent.
            if not await self._given_up(update, data, error):
                return web.Response(status=503, text="try again")
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

    async def _read(self, data: dict[str, object]) -> Update | None:
        """The update PTB reads from `data`, or None when it cannot: parked at once (PTB
        reads a field of the wrong type with AttributeError, OverflowError...; a field the
        Bot API added as required in a later version, with TypeError)."""
        try:
            return Update.de_json(data, self.app.bot)
        except Exception as error:
            metrics.rejected("telegram", "malformed")
            payload = json.dumps(data, ensure_ascii=False, default=str)
            await self.parking.park(
                "telegram", sender_of(data), payload, 1, error, reason="unreadable"
            )
            return None

    async def _given_up(self, update: Update, data: dict[str, object], error: Exception) -> bool:
        """After a failed handling: whether the update is parked (its attempts are spent),
        else it is to be delivered again (a failure while the database is away never
        counts)."""
        payload = json.dumps(data, ensure_ascii=False, default=str)
        key = update_key(update)
        return await self.parking.failed("telegram", key, sender_of(data), payload, error)

    async def _handle_update(self, update: Update) -> None:
        """One update through the conversations; exceptions reach the caller."""
        await self._on_update(update, None)

    async def _on_update(self, update: object, _: ContextTypes.DEFAULT_TYPE | None) -> None:
        """PTB's handler: turn the update into an event and handle it."""
        assert isinstance(update, Update)
        if update.callback_query is not None and not _IN_WEBHOOK.get():
            await _quietly(update.callback_query.answer())
        event = await to_event(update, self.store)
        if isinstance(event, GroupPosted):
            await self.conversations.handle(event, update_key(update), self._to_group)
        elif event is not None:
            await self.conversations.handle(
                event, update_key(update), self.channel.send, self.fetch
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

    async def fetch(self, file_id: str, limit: int) -> tuple[bytes, str, str]:
        """A file a person sent (getFile, then the download), refused past `limit` bytes."""
        return await from_telegram(self.app.bot, file_id, limit)

    async def _poll(self) -> None:
        """Our own long polling: an update is confirmed only once it was handled or parked.

        The updates are read one by one from the raw answer: one PTB cannot read is parked
        and the others go on (PTB's get_updates raises for the whole batch, for good)."""
        offset: int | None = None
        while True:
            try:
                raws = await self._get_updates(offset)
            except TelegramError as error:
                log.warning("telegram polling failed: %s", error)
                await asyncio.sleep(3)
                continue
            by_id = {
                int(str(raw["update_id"])): raw
                for raw in raws
                if _is_update_id(raw.get("update_id"))
            }
            if not by_id:
                continue
            updates = [u for u in [await self._read(raw) for raw in raws] if u is not None]
            await self._handle_batch(updates, by_id)
            offset = max(by_id) + 1

    async def _get_updates(self, offset: int | None) -> list[dict[str, object]]:
        """The raw updates of one long poll (JSON objects only)."""
        params: dict[str, object] = {"timeout": POLL_TIMEOUT, "allowed_updates": ALLOWED_UPDATES}
        if offset is not None:
            params["offset"] = offset
        # Bot._post: the raw JSON answer, before PTB reads it (its get_updates reads the whole
        # batch at once, raises for one bad update and logs the batch's texts at CRITICAL).
        result = await self.app.bot._post(
            "getUpdates", params, read_timeout=POLL_TIMEOUT + POLL_SLACK
        )
        return [raw for raw in result if isinstance(raw, dict)] if isinstance(result, list) else []

    async def _handle_batch(
        self, updates: list[Update], raws: dict[int, dict[str, object]] | None = None
    ) -> None:
        """Different learners in parallel, each learner's updates in order.

        Handlings are counted in the database before they begin: updates already seen (the
        process died while handling them, Telegram gives them again) go first, one at a
        time, each counted once more, and are parked unhandled once their attempts are
        spent; so an update that kills the process is not handled at every start."""
        raws = raws or {}
        now = datetime.now(UTC)
        keys = [update_key(update) for update in updates]
        seen = await self.attempts.begin(keys, now)
        for update in updates:
            key = update_key(update)
            if key not in seen:
                continue
            attempts = await self.attempts.again(key, now)
            raw = raws.get(update.update_id) or update.to_dict()
            if attempts > self.parking.budget.attempts:  # each attempt died with the process
                payload = json.dumps(raw, ensure_ascii=False, default=str)
                await self.parking.park("telegram", sender_of(raw), payload, attempts - 1)
            else:
                await self._handle_polled(update, raw)
            await self.attempts.done([key])
        by_user: dict[int, list[Update]] = defaultdict(list)
        for update in updates:
            if update_key(update) not in seen:
                who = update.effective_user
                by_user[who.id if who else 0].append(update)

        async def run(batch: list[Update]) -> None:
            for update in batch:
                await self._handle_polled(update, raws.get(update.update_id))

        await asyncio.gather(*(run(batch) for batch in by_user.values()))
        await self.attempts.done([key for key in keys if key not in seen])

    async def _handle_polled(self, update: Update, raw: dict[str, object] | None) -> None:
        """One polled update within its budget, tried again until handled or parked (while
        the database is away, until it is back: nothing is confirmed meanwhile)."""
        while True:
            try:
                await self.parking.budget.run(self._handle_update(update))
                return
            except Exception as error:
                try:
                    if await self._given_up(update, raw or update.to_dict(), error):
                        return
                except Exception:
                    log.warning("telegram update could not be parked: tried again")
            await asyncio.sleep(POLL_RETRY_PAUSE)


async def _quietly(call: object) -> None:
    """Answer a callback query; a failure there must not stop the learner's turn."""
    try:
        await call  # type: ignore[misc]
    except TelegramError as error:
        log.debug("answerCallbackQuery failed: %s", error)


def _is_update_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def sender_of(data: dict[str, object]) -> str | None:
    """The address of whoever sent a raw update (for the dead letters' erasure), if any."""
    for kind in ("message", "edited_message", "callback_query", "poll_answer"):
        part = data.get(kind)
        if not isinstance(part, dict):
            continue
        who = part.get("user") if kind == "poll_answer" else part.get("from")
        if isinstance(who, dict) and _is_update_id(who.get("id")):
            return str(who["id"])
    return None
