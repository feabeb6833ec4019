"""The USSD channel: the aggregator's callback, answered with the screen to show.

One callback per key press (bot/ussd/formats.py). It is authenticated first: the path's
token must be `USSD_SECRET` (aggregators call a URL, they sign nothing), else 403 and
nothing is read further. Then, holding the session:

- the same inputs again (the aggregator retried): the screen already answered, nothing
  handled twice (and the turn's update key makes a second worker's try a duplicate too);
- "0" / "00" on a paged reply: the next / previous page, no turn (a number or a letter typed
  before the last page, where the options are, turns the page too);
- a new session of a learner stopped in the middle of something (the phone's USSD
  session timed out): the offer to continue there, or go to the menu, or link an account;
- anything else: the newest input (after the inputs handled) as a typed text, through the
  dialogs like every channel's; the reply comes back in screens of 160 characters.

The bot cannot write first on USSD: announcements and reminders are never queued for it
(`can_push` is false), and a reply is only ever the answer to a callback.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re

from aiohttp import web

from bot import metrics
from bot.attachments import Unavailable
from bot.channel import Route
from bot.channels import USSD
from bot.config import Settings
from bot.conversations import Conversations, Outcome
from bot.i18n import BabelTranslator, I18n
from bot.limits import KIB, read_bounded
from bot.sender import Deliver, Failed, Result
from bot.storage.locks import KeyedLocks
from bot.storage.outbox import OutboxItem
from bot.storage.store import SqlStore
from bot.supervise import Supervisor
from bot.tokens import same_secret
from bot.ussd.formats import FORMATS, Dial, Format, newest
from bot.ussd.screens import BACK, NEXT, pages, screens_of
from bot.ussd.sessions import DIALOG, RESUME, Screens, UssdSessions, digest
from dialogs.events import Incoming, Resumed, TextReceived, UserRef

log = logging.getLogger("imaginecole.ussd")

CHANNEL = "ussd"
PATH = "/ussd/{token}"
# Four form fields; the inputs of a whole session (182 characters each at most) fit many times.
BODY = 32 * KIB
PRUNE_EVERY = 300.0  # seconds between two cleanings of the sessions' screens
# Steps with nothing to resume: a new dial shows them as they are.
FRESH_STEPS = frozenset({"menu", "welcome"})
MARK = re.compile(r"\s*(?:\d{1,2}|[A-Za-z])\s*")  # an option's number or letter


class UssdService:
    """The USSD channel of bot/channel.py."""

    name = CHANNEL
    capabilities = USSD
    pace = 0.0  # nothing is broadcast on USSD

    def __init__(
        self,
        settings: Settings,
        conversations: Conversations,
        store: SqlStore,
        i18n: I18n,
        supervisor: Supervisor | None = None,
    ) -> None:
        self.secret = settings.ussd_secret
        self.service_code = settings.ussd_service_code
        found = FORMATS.get(settings.ussd_format)
        if found is None:
            raise ValueError(f"USSD_FORMAT must be one of {sorted(FORMATS)}")
        self.format: Format = found
        self.conversations = conversations
        self.store = store
        self.i18n = i18n
        self.supervisor = supervisor
        self.sessions = UssdSessions(store)
        self.locks = KeyedLocks()

    def routes(self) -> list[Route]:
        return [("POST", PATH, self.callback)]

    async def start(self) -> None:
        if self.supervisor is not None:
            self.supervisor.run("ussd_prune", self._prune_forever)

    async def leaving(self) -> None:
        """Sessions in progress are answered by the next process (screens are stored)."""

    async def stop(self) -> None:
        """Nothing is in flight beyond the HTTP requests the server finishes."""

    async def send(self, outcome: Outcome) -> None:
        """A reply outside a callback has nowhere to go on USSD."""
        log.debug("ussd reply outside a session dropped")

    def deliverer(self) -> Deliver:
        async def deliver(item: OutboxItem) -> Result:
            return Failed("USSD cannot write first", retryable=False)

        return deliver

    async def fetch(self, file_id: str, limit: int) -> tuple[bytes, str, str]:
        raise Unavailable("no files on USSD")

    async def _prune_forever(self) -> None:
        while True:
            await asyncio.sleep(PRUNE_EVERY)
            await self.sessions.prune()

    # --- the callback ------------------------------------------------------------------

    async def callback(self, request: web.Request) -> web.Response:
        """Authenticate, parse, answer the screen."""
        if not same_secret(request.match_info.get("token", ""), self.secret):
            metrics.rejected(CHANNEL, "secret")
            raise web.HTTPForbidden()
        body = await read_bounded(request, BODY)
        dial = self.format.parse(body, request.content_type)
        if dial is None:
            metrics.rejected(CHANNEL, "malformed")
            raise web.HTTPBadRequest(text="not a USSD callback")
        if self.service_code and dial.service_code != self.service_code:
            metrics.rejected(CHANNEL, "service_code")
            raise web.HTTPBadRequest(text="unknown service code")
        key = hashlib.sha256(f"{self.secret}\n{dial.session_id}".encode()).hexdigest()
        async with self.locks.hold(key):
            screen, end = await self.answer(dial, key)
        return self.format.answer(screen, end)

    async def answer(self, dial: Dial, key: str) -> tuple[str, bool]:
        """The screen for this callback, and whether it ends the session."""
        user = UserRef(CHANNEL, dial.phone)
        kept = await self.sessions.get(key)
        if kept is not None and kept.matches(dial.text):
            return kept.shown, False  # a replay: the same screen
        if dial.text == "" or kept is None:
            typed = None if dial.text == "" else newest(dial.text, None)
            return await self._opening(dial, key, user, typed)
        typed = newest(dial.text, kept.handled_text(dial.text))
        if kept.mode == RESUME:
            return await self._resumed(dial, key, user, kept, typed)
        if kept.page < len(kept.screens) - 1 and (typed == NEXT or MARK.fullmatch(typed)):
            # A reply's options come on its last page: a mark typed before it was shown
            # answers nothing yet (dialogs/options.py), it turns the page.
            return await self._turn_page(dial, key, kept, +1)
        if typed == BACK and kept.page > 0:
            return await self._turn_page(dial, key, kept, -1)
        return await self._dialog(dial, key, user, TextReceived(user, "", typed))

    async def _opening(
        self, dial: Dial, key: str, user: UserRef, typed: str | None
    ) -> tuple[str, bool]:
        """A new session: a newcomer starts, a learner in the middle of something is offered
        to go on; a session whose screens are gone takes its newest input as typed."""
        if typed in (NEXT, BACK):  # pages of screens forgotten: where the learner stands
            return await self._dialog(dial, key, user, Resumed(user, ""))
        if typed is not None:
            return await self._dialog(dial, key, user, TextReceived(user, "", typed))
        step = await self.store.step_of(user)
        if step is None:
            return await self._dialog(dial, key, user, TextReceived(user, "", "/start"))
        if step in FRESH_STEPS:
            return await self._dialog(dial, key, user, Resumed(user, ""))
        t = await self._translator(user)
        offer = "\n".join(
            (
                t.gettext("Bon retour ! Reprendre là où vous vous êtes arrêté ?"),
                "1. " + t.gettext("Continuer"),
                "2. " + t.gettext("Menu"),
                "3. " + t.gettext("Lier mon compte"),
            )
        )
        kept = Screens(len(dial.text), digest(dial.text), RESUME, pages(offer, t))
        await self.sessions.put(key, kept)
        return kept.shown, False

    async def _resumed(
        self, dial: Dial, key: str, user: UserRef, kept: Screens, typed: str
    ) -> tuple[str, bool]:
        """The answer to the offer to continue."""
        chosen = {"1": None, "2": "/menu", "3": "/lier"}
        if typed.strip() not in chosen:
            kept.handled, kept.digest = len(dial.text), digest(dial.text)
            await self.sessions.put(key, kept)
            return kept.shown, False
        command = chosen[typed.strip()]
        event: Incoming = Resumed(user, "") if command is None else TextReceived(user, "", command)
        return await self._dialog(dial, key, user, event)

    async def _turn_page(self, dial: Dial, key: str, kept: Screens, step: int) -> tuple[str, bool]:
        kept.page += step
        kept.handled, kept.digest = len(dial.text), digest(dial.text)
        await self.sessions.put(key, kept)
        return kept.shown, False

    async def _dialog(
        self, dial: Dial, key: str, user: UserRef, event: Incoming
    ) -> tuple[str, bool]:
        """A turn of the dialogs; its reply in screens."""
        update_key = f"{key[:32]}:{digest(dial.text)[:32]}"
        event = _with_id(event, update_key)
        replies: list[Outcome] = []

        async def collect(outcome: Outcome) -> None:
            replies.append(outcome)

        try:
            await self.conversations.handle(event, update_key, collect)
        except Exception:
            log.exception("ussd turn failed")
            t = await self._translator(user)
            return t.gettext("Service indisponible. Réessayez dans un moment."), True
        if not replies:  # another worker took this very callback: its screens, once stored
            kept = await self.sessions.get(key)
            if kept is not None and kept.matches(dial.text):
                return kept.shown, False
            t = await self._translator(user)
            return t.gettext("Un instant, puis réessayez."), True
        t = self.i18n.translator(replies[-1].lang)
        messages = [message for outcome in replies for message in outcome.messages]
        screens = screens_of(messages, t, USSD)
        kept = Screens(len(dial.text), digest(dial.text), DIALOG, screens)
        await self.sessions.put(key, kept)
        return kept.shown, False

    async def _translator(self, user: UserRef) -> BabelTranslator:
        lang, country = await self.store.language_of(user)
        return self.i18n.translator(lang, country)


def _with_id(event: Incoming, message_id: str) -> Incoming:
    """The event with the callback's id (the platform's id of the message)."""
    if isinstance(event, TextReceived):
        return TextReceived(event.user, message_id, event.text)
    return Resumed(event.user, message_id)
