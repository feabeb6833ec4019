"""The WhatsApp webhook: Meta's verification, signed bodies stored durably, then handled.

A POST's body is read only up to its limit (3 MiB, bot/limits.py: 413 beyond), then checked
(HMAC-SHA256 of the raw body with the app secret, compared in constant time) before
anything else; a good body is written to the inbox table and acknowledged with
200 at once, then handled in the background. Bodies still in the inbox at start-up (a crash
between the 200 and the end of handling) are handled then. Meta redelivers for days: a
message id already handled is acknowledged and not handled again (the store's claim).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime, timedelta

from aiohttp import web

from bot import metrics
from bot.attachments import from_whatsapp
from bot.config import Settings
from bot.conversations import Conversations, Outcome
from bot.i18n import I18n
from bot.limits import WHATSAPP_BODY, accepts_body, read_bounded
from bot.server import Handler
from bot.storage.channels import ChannelStore
from bot.storage.store import SqlStore
from bot.whatsapp.channel import TemplateSettings, WhatsAppChannel
from bot.whatsapp.client import GraphClient
from bot.whatsapp.inbound import InboundMessage, StatusUpdate, parse_body

log = logging.getLogger("imaginecole.whatsapp")

WEBHOOK_PATH = "/whatsapp/webhook"
CONCURRENCY = 32  # bodies handled at once: enough for many learners, and the acks keep their turn
# Handled bodies are deleted from the inbox by groups: one statement instead of one per body.
# A crash before the delete only means handling them again, which the claims make a no-op.
FORGET_BATCH = 32
SWEEP_EVERY = 300.0  # seconds between two looks for bodies whose handling failed
SWEEP_AGE = timedelta(minutes=2)  # younger bodies may still be on their way
MAX_FAILURES = 3  # attempts per body in one process; the body stays stored for an operator


def signature_ok(secret: bytes, body: bytes, header: str | None) -> bool:
    """Whether `X-Hub-Signature-256` is "sha256=" + HMAC-SHA256(body) under the app secret."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower())


class WhatsAppService:
    """Webhook routes, the background handling of stored bodies, and the channel."""

    def __init__(
        self, settings: Settings, conversations: Conversations, store: SqlStore, i18n: I18n
    ) -> None:
        self.settings = settings
        self.conversations = conversations
        self.channels = ChannelStore(store)
        self.secret = settings.whatsapp_app_secret.encode()
        self.client = GraphClient(
            base_url=settings.whatsapp_api_base_url,
            api_version=settings.whatsapp_api_version,
            phone_number_id=settings.whatsapp_phone_number_id,
            access_token=settings.whatsapp_access_token,
        )
        template = TemplateSettings(
            settings.whatsapp_template_name,
            settings.whatsapp_template_language,
            settings.whatsapp_template_params,
        )
        self.channel = WhatsAppChannel(
            self.client,
            self.channels,
            i18n,
            public_url=settings.public_url,
            template=template,
            pace=settings.whatsapp_pace_seconds,
            backoff=settings.whatsapp_backoff_seconds,
        )
        self._slots = asyncio.Semaphore(CONCURRENCY)
        self._handled: list[int] = []  # handled bodies not yet deleted from the inbox
        self._active: set[int] = set()  # bodies being handled by this process
        self._failures: dict[int, int] = {}  # failed attempts per body, in this process
        self._sweeper: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        # Replies a crashed worker committed and did not send (bot/resend.py): the learner
        # wrote just before their reply was committed.
        conversations.resenders["whatsapp"] = lambda outcome, at: self.channel.send(outcome, at)

    def routes(self) -> list[tuple[str, str, Handler]]:
        """The webhook's two routes on the shared aiohttp server."""
        return [("GET", WEBHOOK_PATH, self.verify), ("POST", WEBHOOK_PATH, self.receive)]

    async def start(self) -> None:
        """Handle the bodies a previous run left, then keep sweeping for stragglers."""
        await self._resume(datetime.now(UTC))
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep())

    async def _resume(self, before: datetime) -> None:
        """Handle stored bodies that are not being handled here (a crash, a failed attempt)."""
        pending = [
            (body_id, body)
            for body_id, body in await self.channels.inbox_pending(before=before)
            if body_id not in self._active and self._failures.get(body_id, 0) < MAX_FAILURES
        ]
        if pending:
            log.info("whatsapp resuming %d stored webhook bodies", len(pending))
        for body_id, body in pending:
            self._spawn(body_id, body)

    async def _sweep(self) -> None:
        """Every few minutes, retry bodies whose handling failed (the database was away...)."""
        while True:
            await asyncio.sleep(SWEEP_EVERY)
            try:
                await self._resume(datetime.now(UTC) - SWEEP_AGE)
            except Exception:
                log.exception("whatsapp inbox sweep failed")

    async def stop(self) -> None:
        """Let the bodies being handled finish (they stay stored if they cannot), then close."""
        if self._sweeper is not None:
            self._sweeper.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=10)
        await self._forget_handled()
        await self.client.close()

    async def drain(self) -> None:
        """Wait until every stored body has been handled and forgotten (tests, benchmarks)."""
        while self._tasks:
            await asyncio.gather(*set(self._tasks), return_exceptions=True)
        await self._forget_handled()

    async def verify(self, request: web.Request) -> web.Response:
        """Meta's subscription check: echo the challenge for the right verify token."""
        query = request.query
        token = self.settings.whatsapp_verify_token
        given = query.get("hub.verify_token", "")
        if query.get("hub.mode") != "subscribe" or not token or not _same(given, token):
            metrics.rejected("whatsapp", "verify_token")
            return web.Response(status=403, text="forbidden")
        return web.Response(text=query.get("hub.challenge", ""))

    @accepts_body(WHATSAPP_BODY)
    async def receive(self, request: web.Request) -> web.Response:
        """Check the signature, store the body, acknowledge; handling happens afterwards."""
        try:
            body = await read_bounded(request, WHATSAPP_BODY)  # 413 past the limit, unread
        except web.HTTPRequestEntityTooLarge:
            metrics.rejected("whatsapp", "oversized")
            raise
        if not signature_ok(self.secret, body, request.headers.get("X-Hub-Signature-256")):
            log.warning("whatsapp webhook rejected: bad or missing signature")
            metrics.rejected("whatsapp", "signature")
            return web.Response(status=401, text="bad signature")
        try:
            json.loads(body)
        except ValueError:
            metrics.rejected("whatsapp", "malformed")
            return web.Response(status=400, text="not JSON")
        body_id = await self.channels.inbox_put(body, datetime.now(UTC))
        self._spawn(body_id, body)
        return web.Response(text="ok")

    def _spawn(self, body_id: int, body: bytes) -> None:
        """Handle a stored body in the background, keeping a reference to the task."""
        task = asyncio.get_running_loop().create_task(self._handle(body_id, body))
        self._tasks.add(task)
        self._active.add(body_id)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(lambda _: self._active.discard(body_id))

    async def _handle(self, body_id: int, body: bytes) -> None:
        """Every message and status of one body, then forget the body."""
        async with self._slots:
            try:
                for item in parse_body(json.loads(body)):
                    await self._handle_item(item)
            except Exception:
                self._failures[body_id] = self._failures.get(body_id, 0) + 1
                log.exception("whatsapp body %d could not be handled", body_id)
                return  # kept in the inbox: the sweep (or the next start) tries again
            self._handled.append(body_id)
            if len(self._handled) >= FORGET_BATCH:
                await self._forget_handled()

    async def _forget_handled(self) -> None:
        """Delete handled bodies from the inbox, many at once (one statement)."""
        handled, self._handled = self._handled, []
        await self.channels.inbox_done(*handled)

    async def _handle_item(self, item: InboundMessage | StatusUpdate) -> None:
        """A learner's message goes through the dialogs; a status is recorded."""
        if isinstance(item, StatusUpdate):
            await self.channels.record_status(item.wamid, item.status, item.error_code, item.at)
            if item.status == "failed":
                log.info("whatsapp message failed code=%s", item.error_code)
            return
        if item.phone_number_id != self.settings.whatsapp_phone_number_id:
            return  # a body for another number of the same app

        async def send(outcome: Outcome) -> None:
            await self.channel.send(outcome, inbound_at=item.sent_at)

        await self.conversations.handle(item.event, item.event.message_id, send, self._fetch)

    async def _fetch(self, media_id: str) -> tuple[bytes, str, str]:
        """A file a person sent (its media URL, then the file)."""
        return await from_whatsapp(self.client, media_id)


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison of two tokens."""
    return hmac.compare_digest(given.encode(), expected.encode())
