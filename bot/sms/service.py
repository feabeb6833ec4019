"""The SMS channel through Kannel: learners' messages arrive on the get-url, replies and
announcements leave through smsbox's sendsms, delivery reports come back on the dlr-url.

- A call without the shared secret is refused (403) before anything is read or stored.
- STOP (ARRET, ARRÊT, and local-language equivalents: bot/sms/words.py) is honoured at once
  and confirmed, outside the dialogs; nothing is pushed afterwards (reminders,
  announcements) until the learner writes again.
- Commands are typed without their slash ("PROGRES") and shown so.
- Every text is cleaned to GSM-7 where it can be (bot/sms/gsm.py) and counted in parts
  against the learner's daily budget (`SMS_DAILY_BUDGET`); once it is spent, the learner is
  told once, then nothing more goes that day, and what they write that day is not handled
  (nothing is answered blind). Their first message of the next day shows them where they
  are (the reply the budget cut), then they go on.
- Kannel's id of each message (`%I`) is the turn's idempotency key: a repeat is handled once.
- Failures smsbox reports at once, and delivery reports that say "failed", are recorded like
  WhatsApp's (sent_messages: the admins' failures by code).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from aiohttp import web

from bot import metrics
from bot.attachments import Unavailable
from bot.channels import SMS
from bot.config import Settings
from bot.conversations import Conversations, Outcome
from bot.i18n import I18n
from bot.outgoing import footer
from bot.sender import Deliver, Failed, Result, RetryAfter, Sent
from bot.server import Handler
from bot.sms.gsm import clean, segments
from bot.sms.kannel import (
    DLR_PATH,
    INBOUND_PATH,
    Account,
    KannelClient,
    KannelError,
    parse_inbound,
    parse_report,
    secret_ok,
)
from bot.sms.store import SmsStore, Spend, Standing
from bot.sms.words import is_stop
from bot.storage.channels import ChannelStore
from bot.storage.outbox import OutboxItem
from bot.storage.store import SqlStore
from bot.text_render import TextRenderer, chunks
from bot.words import shown_commands
from content.sms import TWO_SMS_UCS2, is_gsm7
from dialogs.events import Incoming, Resumed, TextReceived, UserRef

log = logging.getLogger("imaginecole.sms")

CHANNEL = "sms"
# Attempts after smsbox was away or busy, with doubling waits (0.5 s, then 1 s): Kannel waits
# for the get-url's answer meanwhile.
RETRIES = 2


class SmsService:
    """The SMS channel of bot/channel.py."""

    name = CHANNEL
    capabilities = SMS

    def __init__(
        self,
        settings: Settings,
        conversations: Conversations,
        store: SqlStore,
        i18n: I18n,
        backoff: float = 0.5,
    ) -> None:
        self.settings = settings
        self.conversations = conversations
        self.i18n = i18n
        self.pace = settings.sms_pace
        self.budget = settings.sms_daily_budget
        self.backoff = backoff
        self.sms = SmsStore(store)
        self.channels = ChannelStore(store)
        self.client = KannelClient(
            Account(
                settings.sms_kannel_url,
                settings.sms_kannel_user,
                settings.sms_kannel_password,
                settings.sms_sender_id or settings.sms_shortcode,
                dlr_url=dlr_url(settings),
            )
        )
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)  # tests move it
        conversations.resenders[CHANNEL] = lambda outcome, _at: self.send(outcome)

    def routes(self) -> list[tuple[str, str, Handler]]:
        """Kannel's get-url (a learner's message) and dlr-url (a delivery report)."""
        return [("GET", INBOUND_PATH, self.inbound), ("GET", DLR_PATH, self.report)]

    async def start(self) -> None:
        """Nothing to connect: smsbox is reached at each send."""

    async def leaving(self) -> None:
        """Nothing to tell."""

    async def stop(self) -> None:
        """Close the connections to smsbox."""
        await self.client.close()

    async def fetch(self, file_id: str, limit: int) -> tuple[bytes, str, str]:
        """SMS carries no file."""
        raise Unavailable("sms carries no file")

    # --- what Kannel calls -------------------------------------------------------------------

    async def inbound(self, request: web.Request) -> web.Response:
        """A learner's message (sms-service get-url): STOP, or a turn of the dialogs."""
        if not secret_ok(request.query, self.settings.sms_secret):
            log.warning("sms inbound rejected: bad or missing secret")
            metrics.rejected(CHANNEL, "secret")
            return web.Response(status=403, text="forbidden")
        message = parse_inbound(request.query)
        if message is None:
            metrics.rejected(CHANNEL, "malformed")
            return web.Response(status=400, text="from and id are required")
        user = UserRef(CHANNEL, message.sender)
        uid = await self.sms.user_id(message.sender)
        if is_stop(message.text):
            await self._stop(user, uid)
            return web.Response(text="")
        key = f"sms:{message.message_id}"
        event: Incoming = TextReceived(user, key, message.text)
        if uid is not None:
            await self.sms.resume(uid)
            standing = await self.sms.standing(uid, self.clock())
            if standing is Standing.SPENT:  # told today that the rest is for tomorrow
                return web.Response(text="")
            if standing is Standing.CUT:  # they never saw the reply the budget cut
                event = Resumed(user, key)
        await self.conversations.handle(event, key, self.send)
        return web.Response(text="")  # the reply goes through sendsms (max-messages = 0)

    async def report(self, request: web.Request) -> web.Response:
        """A delivery report (dlr-url): recorded against the message it is about."""
        if not secret_ok(request.query, self.settings.sms_secret):
            metrics.rejected(CHANNEL, "secret")
            return web.Response(status=403, text="forbidden")
        report = parse_report(request.query)
        if report is None:
            metrics.rejected(CHANNEL, "malformed")
            return web.Response(status=400, text="id and type are required")
        code = report.code if report.status == "failed" else None
        await self.channels.record_status(report.message_id, report.status, code, self.clock())
        if report.status == "failed":
            log.info("sms message failed dlr=%s", report.code)
        return web.Response(text="")

    async def _stop(self, user: UserRef, uid: int | None) -> None:
        """STOP: remembered at once, and confirmed (once: a repeated STOP says nothing)."""
        if uid is not None and not await self.sms.stop(uid, self.clock()):
            return
        lang, country = await self.conversations.store.language_of(user)
        t = self.i18n.translator(lang, country)
        text = t.gettext(
            "C'est noté : vous ne recevrez plus de SMS de notre part. Pour reprendre, "
            "écrivez START."
        )
        await self._send_text(user.external_id, clean(text), uid, "stop")

    # --- sending -----------------------------------------------------------------------------

    def texts(self, outcome: Outcome) -> list[str]:
        """A reply as the SMS texts it is sent as, in order."""
        t = self.i18n.translator(outcome.lang, None)
        renderer = TextRenderer(t, SMS, self.settings.public_url)
        return [part for text in renderer.render(outcome.messages) for part in within_two(text)]

    async def send(self, outcome: Outcome) -> None:
        """A reply or a push: nothing after STOP; within the daily budget, else told once."""
        uid = outcome.user_id
        to = outcome.user.external_id
        if uid is not None and await self.sms.stopped(uid):
            return
        for text in self.texts(outcome):
            if uid is not None and self.budget:
                spend = await self.sms.spend(uid, segments(text), self.budget, self.clock())
                if spend is Spend.TELL:
                    await self._send_text(to, self._spent(outcome.lang), uid, "budget")
                if spend is not Spend.SEND:
                    return
            if await self._send_text(to, text, uid, "reply") is None:
                return  # smsbox refused or is away: the rest would fare no better

    def _spent(self, lang: str) -> str:
        """The notice that today's SMS are spent."""
        t = self.i18n.translator(lang, None)
        return clean(
            t.gettext(
                "Vous avez reçu tous les SMS prévus pour aujourd'hui. La suite demain : "
                "écrivez-nous alors."
            )
        )

    async def _send_text(self, to: str, text: str, uid: int | None, kind: str) -> str | None:
        """One text through smsbox, retried while smsbox is away; recorded, with its cost.
        Returns our id of it (None when it could not go)."""
        message_id = uuid.uuid4().hex
        for attempt in range(RETRIES + 1):
            try:
                await self.client.send(to, text, message_id)
                break
            except KannelError as error:
                metrics.send_failed(CHANNEL, kind, error.status)
                if error.retryable and attempt < RETRIES:
                    await asyncio.sleep(self.backoff * 2**attempt)
                    continue
                log.warning("sms send failed status=%s", error.status)
                if uid is not None:
                    await self.channels.record_failure(
                        uid, CHANNEL, kind, error.status, self.clock()
                    )
                return None
        metrics.sent(CHANNEL, kind)
        if uid is not None:
            await self.channels.record_sent(message_id, uid, CHANNEL, kind, self.clock())
            await self.sms.record_parts(message_id, segments(text))
        return message_id

    def deliverer(self) -> Deliver:
        """Announcements to learners who did not send STOP, at the sender's pace (`SMS_PACE`);
        each recorded with its cost in parts (/stats). An attachment goes as its text only.
        Personal notices (reminders, teachers' answers, the phone fallback's) count in the
        learner's daily budget like replies; past it, they are not sent."""

        async def deliver(item: OutboxItem) -> Result:
            if await self.sms.stopped(item.user_id):
                return Failed("STOP", retryable=False)
            text = sms_text(item.with_footer(footer(self.i18n, item.locale)))
            if self.budget and item.personal:  # a reminder, a teacher's answer: the day's SMS
                spend = await self.sms.spend(
                    item.user_id, segments(text), self.budget, self.clock()
                )
                if spend is not Spend.SEND:
                    return Failed("daily SMS budget", retryable=False)
            message_id = uuid.uuid4().hex
            try:
                await self.client.send(item.external_id, text, message_id)
            except KannelError as error:
                metrics.send_failed(CHANNEL, "broadcast", error.status)
                if error.status == 503:
                    return RetryAfter(2.0)
                return Failed(f"{error.status} {error.reason}"[:200], error.retryable)
            now = self.clock()
            await self.channels.record_sent(message_id, item.user_id, CHANNEL, "broadcast", now)
            await self.sms.record_parts(message_id, segments(text))
            return Sent(message_id)

        return deliver


def within_two(text: str) -> list[str]:
    """A text as the SMS it goes in, each of two SMS at most: a text that stays UCS-2 (Arabic)
    holds 134 characters in two, not 306 (smsbox's `max-messages` cuts what is longer), so
    it goes in pieces, each cleaned alone (a piece without Arabic goes in GSM-7)."""
    cleaned = sms_text(text)
    if is_gsm7(cleaned) or len(cleaned) <= TWO_SMS_UCS2:
        return [cleaned] if cleaned else []
    return [piece for part in chunks(text, TWO_SMS_UCS2) if (piece := sms_text(part))]


def sms_text(text: str) -> str:
    """A text as it goes by SMS: commands as typed ("PROGRES"), GSM-7 where it can be."""
    return clean(shown_commands(text))


def dlr_url(settings: Settings) -> str:
    """Where Kannel reports deliveries (`SMS_CALLBACK_URL`, else the public address), with
    the secret; empty: no reports asked for."""
    base = settings.sms_callback_url or settings.public_url
    if not base:
        return ""
    return f"{base}{DLR_PATH}?secret={settings.sms_secret}"
