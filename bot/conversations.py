"""One incoming event through the dialogs: lock, transaction, dialog, commit, then send.

The reply is written in the turn's transaction (bot/storage/replies.py) and deleted once sent:
a worker that dies between the commit and the send leaves it for the learner's next turn,
which sends it first, or for the resender (bot/resend.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from bot import inbound_files, metrics
from bot.channels import capabilities
from bot.flood import FloodGuard, Verdict, notice_text
from bot.i18n import I18n
from bot.inbound_files import Fetch
from bot.media_links import sign_media
from bot.rendering import made
from bot.sender import worker_name
from bot.storage.authoring import published_library
from bot.storage.course_translations import reviewed_texts, with_reviewed
from bot.storage.fallbacks import SqlPhoneFallback
from bot.storage.locks import KeyedLocks
from bot.storage.pseudonym import pseudonym
from bot.storage.replies import GROUP, Letter, PendingReplies, encode
from bot.storage.statements import KeptReply
from bot.storage.store import SqlStore, SqlTurn
from bot.storage.translations import LiveCatalogs
from bot.words import as_command
from content.library import Library
from dialogs.admin_ports import Charts
from dialogs.capabilities import Capabilities
from dialogs.certificate_ports import Certifier
from dialogs.context import Context
from dialogs.engine import Dialogs, Reply
from dialogs.events import GroupPosted, Incoming, MediaReceived, Resumed, TextReceived, UserRef
from dialogs.flows.authoring_files import TAKES_FILES
from dialogs.flows.circle_groups import group_turn
from dialogs.messages import Out, Say
from dialogs.ports import Booklets, EraseLearner, LibraryChanged
from dialogs.services import Services
from dialogs.streaks import Before, note_learning
from dialogs.teaching_ports import Links

log = logging.getLogger("imaginecole.conversations")


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
# How the resender sends a reply a crashed worker left: the reply, and when it was committed
# (WhatsApp's window: the learner wrote just before).
Resend = Callable[[Outcome, datetime], Awaitable[None]]


@dataclass
class _Committed:
    """A turn's outcome, and its rows among the pending replies (bot/storage/replies.py)."""

    outcome: Outcome
    ids: list[int] = field(default_factory=list)
    older: bool = False  # a crashed worker's replies to this address wait: they go first


def outcome_of(letter: Letter) -> Outcome:
    """A stored reply as the channels send it."""
    return Outcome(
        letter.user,
        list(letter.messages),
        letter.lang,
        letter.rtl,
        letter.user_id,
        letter.profile_id,
    )


def letter_of(outcome: Outcome) -> Letter:
    """An outcome as it is stored until sent."""
    return Letter(
        outcome.user,
        list(outcome.messages),
        outcome.lang,
        outcome.rtl,
        outcome.user_id,
        outcome.profile_id,
    )


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
        # What each channel can do, as the settings leave it (bot/channels.py).
        self.capabilities: Callable[[str], Capabilities] = capabilities
        # The enabled channel that takes over phones (bot/fallbacks.py); empty: none.
        self.fallback = ""
        self.replies = PendingReplies(store)
        self.worker = worker_name()  # whose turns' replies these are (claims, bot/resend.py)
        # How each route's replies are sent again after a crash; the channels register here.
        # A route without one (the web chat) keeps its replies for the learner's next turn.
        self.resenders: dict[str, Resend] = {}
        # Strings reviewed by translators, read again when they change; strings shown, counted.
        self.catalogs = LiveCatalogs(store, i18n)

    async def reload_library(self) -> None:
        """The bundled courses plus every published teacher's course, read again."""
        published, restricted = await published_library(self.store)
        async with self.store.transaction() as runner:
            reviewed = await reviewed_texts(runner)  # courses translated in the chat
        library = self.base_library.with_courses(published, restricted)
        self.library = with_reviewed(library, reviewed)

    async def handle(
        self, event: Incoming, update_key: str | None, send: Sender, fetch: Fetch | None = None
    ) -> bool:
        """Handle an event once (False for a duplicate) and send the reply after commit.

        `fetch` downloads a file the person sent from their platform: it runs here, before the
        turn's transaction, and only for files the dialog takes (bot/inbound_files.py).
        """
        started = time.perf_counter()
        if (
            isinstance(event, TextReceived)
            and self.capabilities(event.user.channel).slashless_commands
        ):
            event = replace(event, text=as_command(event.text))  # "PROGRES": /progres
        await self.catalogs.tick()  # a clock reading, unless a check is due
        if self.flood is not None and not await self._admitted(event, send):
            return False  # flooding: dropped unstored (the transport still acknowledges it)
        # In this process, then across workers (PostgreSQL): turn and reply, in arrival order.
        # A file to fetch first: the turn's transaction is not opened with the lock.
        fetching = fetch is not None and isinstance(event, MediaReceived)
        async with self.locks.hold(event.user), self.store.hold(event.user, turn=not fetching):
            if fetch is not None and isinstance(event, MediaReceived):
                event = await self._fetched(event, fetch)
            committed = await self._transact(event, update_key)
            if committed is None:
                log.info("duplicate channel=%s user=%s", event.user.channel, self._who(event))
                await self._deliver_left(event, send)
                return False
            await self._deliver(committed, send)
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

    async def _deliver(self, committed: _Committed, send: Sender) -> None:
        """Send what a crashed worker left for this address, then this turn's reply; each
        stored reply is forgotten once sent (a failed send leaves it for the resender)."""
        if committed.older:
            first = committed.ids[0]
            for left in await self.replies.of(committed.outcome.user, below=first):
                await send(await self._made(outcome_of(left.letter)))
                await self.replies.sent([left.id])
        await send(await self._made(committed.outcome))
        await self.replies.sent(committed.ids)

    async def _made(self, outcome: Outcome) -> Outcome:
        """The outcome with its certificates, booklets and charts made: after the commit,
        outside the turn's transaction and the SQLite lock (bot/rendering.py)."""
        words = self.i18n.translator(outcome.lang).gettext
        outcome.messages = await made(outcome.messages, words)
        return outcome

    async def _deliver_left(self, event: Incoming, send: Sender) -> None:
        """A delivery repeated because its first handler died after the commit: the reply
        that handler kept and never sent goes now (at least once), not a lease later."""
        route = event.user.channel + (GROUP if isinstance(event, GroupPosted) else "")
        for left in await self.replies.of(event.user):
            if left.route == route:
                await send(await self._made(outcome_of(left.letter)))
                await self.replies.sent([left.id])

    async def resend(self, user: UserRef) -> int:
        """Send the replies left for `user` (a crashed worker's), holding the learner like a
        turn; returns how many went. A route without a resender keeps its replies."""
        sent = 0
        async with self.locks.hold(user), self.store.hold(user):
            for left in await self.replies.of(user):
                resend = self.resenders.get(left.route)
                if resend is None:
                    continue
                await resend(await self._made(outcome_of(left.letter)), left.created_at)
                await self.replies.sent([left.id])
                sent += 1
        return sent

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

    async def _transact(self, event: Incoming, update_key: str | None) -> _Committed | None:
        """Run the dialog inside the learner's transaction, which keeps its reply until sent;
        None for a duplicate."""
        async with self.store.turn(event.user, update_key=update_key) as tx:
            if tx is None:
                return None
            # An id anyone can invent at will (the web chat's uid): a row is stored only once the
            # person answered the first question (Telegram and WhatsApp ids are accounts the
            # platform vouches for, and their channel bookkeeping needs the row at once).
            tx.drop_if_unchanged = self.capabilities(event.user.channel).address_is_key
            tx.now = self.clock()  # the step's clock is its desks' too (a circle's digest)
            ctx = self._context(event.user, tx)
            before = Before.of(ctx)
            reply = await self._reply(ctx, event)
            await note_learning(ctx, before, reply.effects)  # streaks: a row once a day
            tx.save(ctx.profile, ctx.state, reply.effects)
            erased = any(isinstance(effect, EraseLearner) for effect in reply.effects)
            user_id = None if erased else tx.account_id
            messages = sign_media(reply.messages, self.secret, self.library.restricted)
            outcome = Outcome(event.user, messages, ctx.t.lang, ctx.t.rtl, user_id)
            outcome.profile_id = None if erased else tx.user_id
            committed = _Committed(outcome)
            if outcome.messages:  # kept with the turn's last write, before its commit
                route = event.user.channel + (GROUP if isinstance(event, GroupPosted) else "")
                payload = encode(letter_of(outcome))
                user = event.user
                now = datetime.now(UTC)
                tx.keep(
                    KeptReply(route, user.channel, user.external_id, payload, self.worker[:64], now)
                )
        if tx.kept_reply is not None:
            kept, committed.older = tx.kept_reply
            committed.ids.append(kept)
        if not tx.kept:  # a newcomer's turn that changed nothing was rolled back: no row
            committed.outcome.user_id = committed.outcome.profile_id = None
            committed.ids, committed.older = [], False  # nor a kept reply
        if any(isinstance(effect, LibraryChanged) for effect in reply.effects):
            await self.reload_library()
        if tx.follow_up:  # another profile of the phone is in use now: show where it stands
            return await self._followed(committed, event)
        return committed

    async def _followed(self, committed: _Committed, event: Incoming) -> _Committed:
        """The outcome, then the prompt of the profile the phone uses now (its own turn)."""
        after = await self._transact(Resumed(event.user, event.message_id), None)
        assert after is not None  # without an update key, a turn is never a duplicate
        after.outcome.messages[:0] = committed.outcome.messages
        after.ids[:0] = committed.ids
        after.older = committed.older if committed.ids else after.older
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
            now=tx.now or self.clock(),
            languages=self.i18n.languages,
            translator_for=lambda lang: self.i18n.translator(lang, profile.country),
            caps=self.capabilities(user.channel),
            services=Services(
                booklets=self.booklets,
                admin=tx.admin,
                charts=self.charts,
                teaching=tx.teaching,
                links=self.links,
                authoring=tx.authoring,
                reports=tx.reports,
                shelf=tx.shelf,
                circles=tx.circles,
                moderation=tx.moderation,
                events=tx.events,
                threads=tx.threads,
                creathon=tx.creathon,
                review=tx.review,
                mastery=tx.mastery,
                families=tx.families,
                reminders=tx.reminders,
                data_saver=tx.data_saver,
                certificates=tx.certificates,
                certifier=self.certifier,
                groups=tx.groups,
                profiles=tx.profiles,
                translations=tx.translations,
                address_links=tx.address_links,
                course_translations=tx.course_translations,
                phone_fallback=self._phone_fallback(user, tx),
            ),
        )

    def _phone_fallback(self, user: UserRef, tx: SqlTurn) -> SqlPhoneFallback | None:
        """The phone fallback's setting, where it can happen: an address that is a phone
        number on a channel that writes first, and a channel taking over phones enabled."""
        caps = self.capabilities(user.channel)
        if not self.fallback or not caps.address_is_phone or not caps.can_push:
            return None
        if caps.takes_over_phones:
            return None
        return SqlPhoneFallback(tx.runner, tx.account_id, self.capabilities(self.fallback).label)

    def _who(self, event: Incoming) -> str:
        """The pseudonymous id used in logs."""
        return pseudonym(event.user, self.secret)
