"""The WhatsApp webhook: Meta's verification, signed bodies stored durably, then handled.

A POST's body is read only up to its limit (3 MiB, bot/limits.py: 413 beyond), then checked
(HMAC-SHA256 of the raw body with the app secret, compared in constant time) before
anything else; a good body is written to the inbox table and acknowledged with
200 at once, then handled in the background. Bodies still in the inbox at start-up (a crash
between the 200 and the end of handling) are handled then, one after the other. Meta
redelivers for days: a message id already handled is acknowledged and not handled again (the
store's claim).

Poison bodies (bot/dead_letters.py): each message gets a time budget; a body's handlings are
counted in the inbox before they begin (storing it begins the first), so a body that kills
the process is counted too. A failed body is tried again after a pause; once its attempts
are spent, its failed messages (every message, when the process died on it) are parked in
the dead letters and the body is forgotten. Failures while the database is away do not
count.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from bot import metrics, safe_json
from bot.attachments import Attachments, from_whatsapp
from bot.channels import WHATSAPP
from bot.config import Settings
from bot.conversations import Conversations, Outcome
from bot.dead_letters import Budget, Parking
from bot.i18n import I18n
from bot.limits import WHATSAPP_BODY, accepts_body, read_bounded
from bot.sender import Deliver
from bot.server import Handler
from bot.storage.channels import ChannelStore
from bot.storage.store import SqlStore
from bot.supervise import Supervisor
from bot.tokens import same_secret
from bot.whatsapp.broadcast import whatsapp_deliverer
from bot.whatsapp.channel import TemplateSettings, WhatsAppChannel
from bot.whatsapp.client import GraphClient
from bot.whatsapp.inbound import (
    InboundMessage,
    Parsed,
    RawMessage,
    StatusUpdate,
    parse_body,
    raw_messages,
)

log = logging.getLogger("imaginecole.whatsapp")

WEBHOOK_PATH = "/whatsapp/webhook"
CONCURRENCY = 32  # bodies handled at once: enough for many learners, and the acks keep their turn
# Handled bodies are deleted from the inbox by groups: one statement instead of one per body.
# A crash before the delete only means handling them again, which the claims make a no-op.
FORGET_BATCH = 32
SWEEP_EVERY = 300.0  # seconds between two looks for bodies whose handling failed
SWEEP_AGE = timedelta(minutes=2)  # younger bodies may still be on their way
RETRY_PAUSE = 5.0  # seconds (times the attempts so far) before a failed body is tried again


def signature_ok(secret: bytes, body: bytes, header: str | None) -> bool:
    """Whether `X-Hub-Signature-256` is "sha256=" + HMAC-SHA256(body) under the app secret."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret, body, hashlib.sha256).hexdigest()
    return same_secret(header.removeprefix("sha256=").strip().lower(), expected)


class WhatsAppService:
    """Webhook routes, the background handling of stored bodies, and the channel (the
    WhatsApp channel of bot/channel.py)."""

    name = "whatsapp"
    capabilities = WHATSAPP

    def __init__(
        self,
        settings: Settings,
        conversations: Conversations,
        store: SqlStore,
        i18n: I18n,
        budget: Budget | None = None,
        supervisor: Supervisor | None = None,
        files: Attachments | None = None,
    ) -> None:
        self.settings = settings
        self.pace = settings.broadcast_rate_whatsapp
        self.i18n = i18n
        self.files = files
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
        self._not_counted: set[int] = set()  # failed while the database was away
        self._sweeper: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._retries: set[asyncio.Task[None]] = set()
        self.parking = Parking(store, budget or Budget.of(settings))
        self.supervisor = supervisor or Supervisor()
        # Replies a crashed worker committed and did not send (bot/resend.py): the learner
        # wrote just before their reply was committed.
        conversations.resenders["whatsapp"] = lambda outcome, at: self.channel.send(outcome, at)

    def routes(self) -> list[tuple[str, str, Handler]]:
        """The webhook's two routes on the shared aiohttp server."""
        return [("GET", WEBHOOK_PATH, self.verify), ("POST", WEBHOOK_PATH, self.receive)]

    async def start(self) -> None:
        """Handle the bodies a previous run left, then keep sweeping for stragglers."""
        await self._resume(datetime.now(UTC))
        if self._sweeper is None:
            self._sweeper = self.supervisor.run("whatsapp_sweep", self.sweep)

    async def _resume(self, before: datetime) -> None:
        """Handle stored bodies that are not being handled here (a crash, a failed attempt)."""
        pending = [
            (body_id, body)
            for body_id, body in await self.channels.inbox_pending(before=before)
            if body_id not in self._active
        ]
        if pending:
            log.info("whatsapp resuming %d stored webhook bodies", len(pending))
            self._spawn(self._resume_in_order(pending), *(body_id for body_id, _ in pending))

    async def sweep(self) -> None:
        """Every few minutes, retry bodies whose handling failed (the database was away...)."""
        while True:
            await asyncio.sleep(SWEEP_EVERY)
            try:
                await self._resume(datetime.now(UTC) - SWEEP_AGE)
            except Exception:
                log.exception("whatsapp inbox sweep failed")

    async def send(self, outcome: Outcome) -> None:
        """Render and send a reply (its window counted from now)."""
        await self.channel.send(outcome)

    def deliverer(self) -> Deliver:
        """Announcements, paced by the sender (bot/whatsapp/broadcast.py)."""
        template = self.channel.template
        return whatsapp_deliverer(self.client, self.channels, self.i18n, template, self.files)

    async def leaving(self) -> None:
        """Nothing to tell: the bodies arriving meanwhile are stored and handled next time."""

    async def stop(self) -> None:
        """Let the bodies being handled finish (they stay stored if they cannot), then close."""
        if self._sweeper is not None:
            self._sweeper.cancel()
        for retry in self._retries:
            retry.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=10)
        await self._forget_handled()
        await self.client.close()

    @property
    def failing(self) -> int:
        """Bodies whose last handling failed and that wait to be tried again (tests)."""
        return len(self._retries) + len(self._not_counted)

    async def drain(self, retries: bool = False) -> None:
        """Wait until every stored body has been handled and forgotten (tests, benchmarks);
        with `retries`, until the failed ones were retried and handled or parked too."""
        while self._tasks or (retries and self._retries):
            waiting = [*self._tasks, *(self._retries if retries else ())]
            await asyncio.gather(*waiting, return_exceptions=True)
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
            safe_json.loads(body)  # nested too deep is "not JSON" too, never a 500
        except ValueError:
            metrics.rejected("whatsapp", "malformed")
            return web.Response(status=400, text="not JSON")
        body_id = await self.channels.inbox_put(body, datetime.now(UTC))  # attempt 1 begins
        self._spawn(self._handle(body_id, body), body_id)
        return web.Response(text="ok")

    def _spawn(self, work: Coroutine[Any, Any, None], *body_ids: int) -> asyncio.Task[None]:
        """Handle stored bodies in the background, keeping a reference to the task."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        self._active.update(body_ids)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(lambda _: self._active.difference_update(body_ids))
        return task

    async def _resume_in_order(self, pending: list[tuple[int, bytes]]) -> None:
        """Stored bodies one after the other: the one whose handling kills the process is
        then the only one whose attempts grow at each start."""
        for body_id, body in pending:
            try:
                await self._resume_one(body_id, body)
            except Exception:  # the database went away: the sweep tries again
                log.exception("whatsapp body %d could not be resumed", body_id)
                return

    async def _resume_one(self, body_id: int, body: bytes) -> None:
        """Count the attempt, then handle the body, or park it when its attempts are spent."""
        step = 0 if body_id in self._not_counted else 1  # the database was away: not its fault
        self._not_counted.discard(body_id)
        attempts = await self.channels.inbox_attempt(body_id, step)
        if attempts is None:
            return  # handled and forgotten meanwhile (another worker)
        if attempts > self.parking.budget.attempts:  # each attempt died with its process
            await self._park(body, attempts - 1, None)
            await self.channels.inbox_done(body_id)
            return
        await self._handle(body_id, body, attempts, resumed=True)

    async def _handle(
        self, body_id: int, body: bytes, attempts: int = 1, resumed: bool = False
    ) -> None:
        """Every message and status of one body, each within the time budget; then forget
        the body, or try it again later, or park what failed once the attempts are spent."""
        async with self._slots:
            failures: list[tuple[Parsed, Exception]] = []
            for item in parse_body(safe_json.loads(body)):
                try:
                    await self.parking.budget.run(self._handle_item(item))
                except Exception as error:
                    log.warning(
                        "whatsapp body %d: an item failed (%s), attempt %d",
                        body_id,
                        type(error).__name__,
                        attempts,
                        exc_info=not isinstance(error, TimeoutError),
                    )
                    failures.append((item, error))
            if failures and await self.parking.outage():
                self._not_counted.add(body_id)
                return  # kept in the inbox: the sweep (or the next start) tries again
            if failures and attempts < self.parking.budget.attempts:
                self._retry_later(body_id, body, RETRY_PAUSE * attempts)
                return
            if failures:
                await self._park(body, attempts, failures)
            if resumed or failures:
                await self.channels.inbox_done(body_id)
                return
            self._handled.append(body_id)
            if len(self._handled) >= FORGET_BATCH:
                await self._forget_handled()

    def _retry_later(self, body_id: int, body: bytes, pause: float) -> None:
        """Try a failed body again after a pause (kept in the inbox meanwhile)."""

        async def later() -> None:
            await asyncio.sleep(pause)
            if body_id not in self._active:  # else a sweep took it meanwhile
                self._spawn(self._resume_in_order([(body_id, body)]), body_id)

        retry = asyncio.get_running_loop().create_task(later())
        self._retries.add(retry)
        retry.add_done_callback(self._retries.discard)

    async def _park(
        self, body: bytes, attempts: int, failures: list[tuple[Parsed, Exception]] | None
    ) -> None:
        """Park the messages that failed (None: every message, the process died on them).
        Statuses are only bookkeeping: dropped."""
        raws = {raw.wamid: raw for raw in raw_messages(safe_json.loads(body))}
        if failures is None:
            parked: list[tuple[RawMessage, Exception | None]] = [(r, None) for r in raws.values()]
        else:
            parked = [
                (raws[item.wamid], error)
                for item, error in failures
                if isinstance(item, InboundMessage) and item.wamid in raws
            ]
        for raw, error in parked:
            payload = json.dumps(raw.payload, ensure_ascii=False)
            await self.parking.park("whatsapp", raw.wa_id, payload, attempts, error)

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

        await self.conversations.handle(item.event, item.event.message_id, send, self.fetch)

    async def fetch(self, media_id: str, limit: int) -> tuple[bytes, str, str]:
        """A file a person sent (its media URL, then the file), cut past `limit` bytes."""
        return await from_whatsapp(self.client, media_id, limit)


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison of two tokens."""
    return same_secret(given, expected)
