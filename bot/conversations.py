"""One incoming event through the dialogs: lock, transaction, dialog, commit, then send."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot import inbound_files, metrics
from bot.flood import FloodGuard, Verdict, notice_text
from bot.i18n import I18n
from bot.inbound_files import Fetch
from bot.media_links import sign_media
from bot.rendering import made
from bot.storage.authoring import published_library
from bot.storage.locks import KeyedLocks
from bot.storage.pseudonym import pseudonym
from bot.storage.store import SqlStore, SqlTurn
from content.library import Library
from dialogs.admin_ports import CHANNELS_WITH_PUSH, Charts
from dialogs.certificate_ports import Certifier
from dialogs.context import Context
from dialogs.engine import Dialogs, Reply
from dialogs.events import GroupPosted, Incoming, MediaReceived, Resumed, UserRef
from dialogs.flows.authoring_files import TAKES_FILES
from dialogs.flows.circle_groups import group_turn
from dialogs.messages import Out, Say
from dialogs.ports import Booklets, EraseLearner, LibraryChanged
from dialogs.streaks import Before, note_learning
from dialogs.teaching_ports import Links

log = logging.getLogger("imaginecole.conversations")
PHONE_CHANNELS = frozenset({"whatsapp"})  # channels whose id of a person is their number
# Channels whose ids anyone can invent at will (the web chat's uid): a row is stored only once
# the person answered the first question (Telegram and WhatsApp ids are accounts the platform
# vouches for, and their channel bookkeeping needs the row from the first message).
INVENTED_IDS = frozenset({"web"})


@dataclass
class Outcome:
    """What to send back to one learner, and in which language and direction."""

    user: UserRef
    messages: list[Out]
    lang: str
    rtl: bool
    user_id: int | None = None  # the learner's row, None once erased
    # On a shared phone `user_id` is the row of the phone's account (its channel bookkeeping)
    # and this the learner profile the messages were made for (its Telegram polls).
    profile_id: int | None = None


Sender = Callable[[Outcome], Awaitable[None]]


class Conversations:
    """Handles events of every channel the same way."""

    def __init__(
        self,
        store: SqlStore,
        dialogs: Dialogs,
        library: Library,
        i18n: I18n,
        secret: bytes,
        booklets: Booklets | None = None,
        charts: Charts | None = None,
        links: Links | None = None,
        certifier: Certifier | None = None,
        flood: FloodGuard | None = None,
    ) -> None:
        self.flood = flood  # per-person flood limit (bot/flood.py); None: no limit
        self.certifier = certifier
        self.links = links
        self.booklets = booklets
        self.charts = charts
        self.store = store
        self.dialogs = dialogs
        self.library = library
        self.base_library = library  # the bundled courses; teachers' courses are added
        self.i18n = i18n
        self.secret = secret
        self.locks = KeyedLocks()  # covers the send too, so replies keep their order
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)  # tests move it

    async def reload_library(self) -> None:
        """The bundled courses plus every published teacher's course, read again."""
        published, restricted = await published_library(self.store)
        self.library = self.base_library.with_courses(published, restricted)

    async def handle(
        self, event: Incoming, update_key: str | None, send: Sender, fetch: Fetch | None = None
    ) -> bool:
        """Handle an event once (False for a duplicate) and send the reply after commit.

        `fetch` downloads a file the person sent from their platform: it runs here, before the
        turn's transaction, and only for files the dialog takes (bot/inbound_files.py).
        """
        started = time.perf_counter()
        if self.flood is not None and not await self._admitted(event, send):
            return False  # flooding: dropped unstored (the transport still acknowledges it)
        # In this process, then across workers (PostgreSQL): turn and reply, in arrival order.
        async with self.locks.hold(event.user), self.store.hold(event.user):
            if fetch is not None and isinstance(event, MediaReceived):
                event = await self._fetched(event, fetch)
            outcome = await self._transact(event, update_key)
            if outcome is None:
                log.info("duplicate channel=%s user=%s", event.user.channel, self._who(event))
                return False
            # Certificates, booklets, charts: made now, after the commit (bot/rendering.py).
            lang = outcome.lang
            words = lambda m: self.i18n.translator(lang).gettext(m)  # noqa: E731
            outcome.messages = await made(outcome.messages, words)
            await send(outcome)
        elapsed = time.perf_counter() - started
        metrics.handled(event.user.channel, elapsed)
        log.info(
            "handled channel=%s user=%s event=%s ms=%.1f",
            event.user.channel,
            self._who(event),
            type(event).__name__,
            elapsed * 1000,
        )
        return True

    async def _admitted(self, event: Incoming, send: Sender) -> bool:
        """Whether the flood limit lets the message through; tells a flooder once to wait."""
        assert self.flood is not None
        if isinstance(event, GroupPosted):
            return True  # a Telegram group's relays are the circle's business (moderation)
        verdict = self.flood.check(event.user)
        if verdict is Verdict.NOTICE:
            log.info("flood channel=%s user=%s", event.user.channel, self._who(event))
            lang, country = await self.store.language_of(event.user)
            t = self.i18n.translator(lang, country)
            await send(Outcome(event.user, [Say(notice_text(t.gettext))], t.lang, t.rtl))
        return verdict is Verdict.ADMIT

    async def _fetched(self, event: MediaReceived, fetch: Fetch) -> MediaReceived:
        """The event with its file's bytes when the person's step takes that file."""
        takes = False
        if event.file_id and event.kind in inbound_files.STEP_FILE_KINDS:
            takes = await self.store.step_of(event.user) in TAKES_FILES
        limit = inbound_files.limit_for(event, takes)
        return await inbound_files.with_content(event, fetch, limit) if limit else event

    async def _transact(self, event: Incoming, update_key: str | None) -> Outcome | None:
        """Run the dialog inside the learner's transaction; None for a duplicate."""
        async with self.store.turn(event.user, update_key=update_key) as tx:
            if tx is None:
                return None
            # A web uid is made up by the browser: a newcomer's greeting stores nothing.
            tx.drop_if_unchanged = event.user.channel in INVENTED_IDS
            ctx = self._context(event.user, tx)
            before = Before.of(ctx)
            reply = await self._reply(ctx, event)
            await note_learning(ctx, before, reply.effects)  # streaks: a row once a day
            tx.save(ctx.profile, ctx.state, reply.effects)
        if any(isinstance(effect, LibraryChanged) for effect in reply.effects):
            await self.reload_library()
        # Erased, or a newcomer's turn that changed nothing (rolled back): no row.
        erased = any(isinstance(effect, EraseLearner) for effect in reply.effects) or not tx.kept
        user_id = None if erased else tx.account_id
        messages = sign_media(reply.messages, self.secret, self.library.restricted)
        outcome = Outcome(event.user, messages, ctx.t.lang, ctx.t.rtl, user_id)
        outcome.profile_id = None if erased else tx.user_id
        if tx.follow_up:  # another profile of the phone is in use now: show where it stands
            return await self._followed(outcome, event)
        return outcome

    async def _followed(self, outcome: Outcome, event: Incoming) -> Outcome:
        """The outcome, then the prompt of the profile the phone uses now (its own turn)."""
        after = await self._transact(Resumed(event.user, event.message_id), None)
        assert after is not None  # without an update key, a turn is never a duplicate
        after.messages[:0] = outcome.messages
        return after

    async def _reply(self, ctx: Context, event: Incoming) -> Reply:
        """A person's turn goes through the dialogs; a Telegram group's, to its circle."""
        if not isinstance(event, GroupPosted):
            return await self.dialogs.handle(ctx, event)
        turn = await group_turn(ctx, event)
        return Reply(list(turn.messages), list(turn.effects))

    def _context(self, user: UserRef, tx: SqlTurn) -> Context:
        """The step context for this person: their state, and every port of the turn."""
        profile = tx.profile
        return Context(
            user=user,
            profile=profile,
            state=tx.state,
            t=self.i18n.translator(profile.locale, profile.country),
            library=self.library,
            records=tx.records,
            now=self.clock(),
            languages=self.i18n.languages,
            booklets=self.booklets,
            translator_for=lambda lang: self.i18n.translator(lang, profile.country),
            admin=tx.admin,
            charts=self.charts,
            teaching=tx.teaching,
            links=self.links,
            authoring=tx.authoring,
            address_is_phone=user.channel in PHONE_CHANNELS,
            reports=tx.reports,
            shelf=tx.shelf,
            circles=tx.circles,
            moderation=tx.moderation,
            events=tx.events,
            threads=tx.threads,
            creathon=tx.creathon,
            review=tx.review,
            reminders=tx.reminders,
            can_remind=user.channel in CHANNELS_WITH_PUSH,
            data_saver=tx.data_saver,
            certificates=tx.certificates,
            certifier=self.certifier,
            groups=tx.groups,
            profiles=tx.profiles,
        )

    def _who(self, event: Incoming) -> str:
        """The pseudonymous id used in logs."""
        return pseudonym(event.user, self.secret)
