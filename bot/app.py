"""Assembles the running bot: database, library, dialogs, and the channels the settings
enable (bot/channels.py lists them, bot/channel.py says what each one is)."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.absences import AbsenceLoop
from bot.addresses import lan_addresses
from bot.attachments import Attachments
from bot.booklet.service import CachedBooklets
from bot.catalogs import sources
from bot.certificates.service import SignedCertificates
from bot.certificates.signing import load_key
from bot.channel import Channel, ChannelContext
from bot.channels import LISTED, capabilities, configured
from bot.charts import MatplotlibCharts, warm_png
from bot.config import Settings
from bot.connections import ConnectionGuard, GuardedSite, connection_limits, raise_descriptor_limit
from bot.conversations import Conversations
from bot.fallbacks import Fallbacks
from bot.families import SummaryLoop
from bot.flood import FloodGuard, FloodLimit
from bot.housekeeping import Journal, tidy_forever
from bot.i18n import I18n
from bot.links import ClassLinks
from bot.metrics import MetricsEndpoint
from bot.portal_api import PortalApi
from bot.reminders import ReminderLoop
from bot.rendering import Renderer
from bot.resend import Resender
from bot.sender import ChannelPace, Sender, worker_name
from bot.server import Handler, build_server
from bot.storage.channels import ChannelStore
from bot.storage.db import create_engine, migrate_async
from bot.storage.moderation import load_words
from bot.storage.outbox import Outbox
from bot.storage.store import SqlStore
from bot.storage.xapi import DEFAULT_HOME_PAGE, Vocabulary
from bot.supervise import Supervisor
from bot.sync import SchoolSync, SyncService, school_tokens
from bot.workers import WorkerSlot
from bot.xapi_sender import XapiSender
from content.library import Library, load_library
from dialogs.flows import build_dialogs
from dialogs.reminding import QuietHours

if TYPE_CHECKING:
    from bot.telegram.service import TelegramService
    from bot.web.chat import WebChat
    from bot.whatsapp.service import WhatsAppService

log = logging.getLogger("imaginecole")
T = TypeVar("T")
LIBRARY_REFRESH = 60.0  # seconds between two readings of teachers' courses and course translations


@dataclass
class BotApp:
    """The running process: start() brings everything up, stop() takes it down."""

    settings: Settings
    slot: WorkerSlot = field(default_factory=WorkerSlot)  # which of `--workers N` this is
    engine: AsyncEngine | None = None
    store: SqlStore | None = None
    runner: web.AppRunner | None = None
    channels: dict[str, Channel] = field(default_factory=dict)  # the enabled ones, by name
    sender: Sender | None = None
    files: Attachments | None = None  # announcement files, from the channel they came on
    links: ClassLinks = field(default_factory=lambda: ClassLinks(""))
    _refresher: asyncio.Task[None] | None = field(default=None, repr=False)
    _tidier: asyncio.Task[None] | None = field(default=None, repr=False)
    _reminders: asyncio.Task[None] | None = field(default=None, repr=False)
    _summaries: asyncio.Task[None] | None = field(default=None, repr=False)
    supervisor: Supervisor = field(default_factory=Supervisor)  # loops and channels
    _resender: asyncio.Task[None] | None = field(default=None, repr=False)
    conversations: Conversations | None = field(default=None, repr=False)
    # Certificates, booklets and charts: made in a process pool, cached (bot/rendering.py).
    renderer: Renderer = field(default_factory=Renderer, repr=False)
    port: int = 0

    async def start(self) -> None:
        """Migrate, load the library and catalogs, serve HTTP, connect the channels."""
        settings = self.settings
        store = await self._open_store()
        library = load_library(settings.library_path)
        i18n = I18n(default=settings.default_locale)
        public_url = settings.public_url or f"http://localhost:{settings.web_port}"
        conversations = self._build_conversations(store, library, i18n, public_url)
        routes = self._channels(store, i18n, conversations)
        routes += self._services(store, public_url, conversations)
        await conversations.reload_library()  # the bundled courses and the teachers' ones
        await self._serve(routes, conversations)
        self._start_loops(store, i18n, conversations)
        # Each channel starts on its own, all at once: one that cannot (Telegram unreachable,
        # or a school server offline) is retried in the background while the others serve,
        # and one whose host hangs holds no other back (bot/supervise.py).
        await asyncio.gather(
            *(self.supervisor.start_channel(name, c.start) for name, c in self.channels.items())
        )
        # What start-up built (library, catalogs, PTB, SQLAlchemy) lives as long as the
        # process: keep it out of the collector's scans, which showed in p99 (bench/).
        gc.collect()
        gc.freeze()
        if settings.render_warm:  # after readiness, in the background: off every turn's path
            self.renderer.warm(warm_png)  # a tiny chart per worker (9.5 s for the first one cold)
        log.info(
            "web chat on http://localhost:%s courses=%d%s",
            self.port,
            len(library.courses),
            _reach(settings, self.port),
        )

    async def _open_store(self) -> SqlStore:
        """The migrated database and its store, with the settings its desks read."""
        settings = self.settings
        if self.slot.count == 1:  # with --workers, the parent migrated before starting us
            await migrate_async(settings.database_url)
        self.engine = create_engine(settings.database_url)
        authored = Path(settings.authored_dir) if settings.authored_dir else None
        store = self.store = SqlStore(self.engine, authored)
        store.quiet_hours = QuietHours.parse(settings.reminder_quiet_hours)
        store.media_budget_kb = settings.media_daily_budget_kb
        home_page = settings.public_url or DEFAULT_HOME_PAGE
        store.xapi = Vocabulary(home_page, settings.xapi_activity_base, settings.pseudonym_secret)
        if settings.moderation_words_file:
            words = load_words(settings.moderation_words_file)
            store.moderation_rules = replace(store.moderation_rules, words=words)
        return store

    def _build_conversations(
        self, store: SqlStore, library: Library, i18n: I18n, public_url: str
    ) -> Conversations:
        """The conversations every channel hands its events to, with their services."""
        settings = self.settings
        self.links.public_url = public_url
        self.links.whatsapp_number = settings.whatsapp_display_number
        self.links.configured = bool(settings.public_url)  # else: the web page's own address
        booklets = CachedBooklets(public_url, self.renderer)
        certificates = SignedCertificates(
            load_key(settings.certificate_signing_key, settings.database_url),
            public_url,
            self.renderer,
        )
        booklets.configured = certificates.configured = self.links.configured
        conversations = self.conversations = Conversations(
            store,
            build_dialogs(),
            library,
            i18n,
            settings.pseudonym_secret,
            booklets,
            MatplotlibCharts(self.renderer),
            self.links,
            certificates,
            flood=_flood_guard(settings.flood_limit),
        )
        conversations.capabilities = configured(settings.telegram_native_polls)
        conversations.catalogs.refresh_seconds = settings.translations_refresh_seconds
        # The interface's strings as translators see them (the code is read: about a second),
        # made in a thread now rather than in a translator's first turn.
        self._sources = asyncio.get_running_loop().run_in_executor(None, sources)
        self._sources.add_done_callback(_sources_read)
        return conversations

    def _channels(
        self, store: SqlStore, i18n: I18n, conversations: Conversations
    ) -> list[tuple[str, str, Handler]]:
        """The enabled channels of the registry, built; their HTTP routes."""
        settings = self.settings
        self.files = Attachments(ChannelStore(store))
        context = ChannelContext(
            settings,
            conversations,
            store,
            i18n,
            self.supervisor,
            self.files,
            self.links,
            primary=self.slot.primary,
        )
        routes: list[tuple[str, str, Handler]] = []
        for name, listed in LISTED.items():
            if listed.enabled(settings):
                channel = self.channels[name] = listed.build(context)
                self.files.fetchers[name] = channel.fetch
                routes += channel.routes()
        taking_over = [name for name in self.channels if capabilities(name).takes_over_phones]
        if taking_over:  # the phone fallback (bot/fallbacks.py)
            conversations.fallback = taking_over[0]
            store.on_unreachable = Fallbacks(store, i18n, taking_over[0]).switch
        return routes

    def _services(
        self, store: SqlStore, public_url: str, conversations: Conversations
    ) -> list[tuple[str, str, Handler]]:
        """The HTTP routes of what is configured: the portal API, the schools' sync, metrics
        (the portal reads the conversations' library: bundled and teachers' courses)."""
        settings = self.settings
        routes: list[tuple[str, str, Handler]] = []
        if settings.portal_api_token:
            portal = PortalApi(
                settings.portal_api_token, lambda: conversations.library, store, public_url
            )
            routes += portal.routes()
        if settings.sync_schools:  # the national instance: school servers push and pull
            routes += SyncService(store, school_tokens(settings.sync_schools)).routes()
        if settings.metrics_token:
            assert self.engine is not None
            status = self.supervisor.status
            routes += MetricsEndpoint(settings.metrics_token, self.engine, status).routes()
        return routes

    async def _serve(
        self, routes: list[tuple[str, str, Handler]], conversations: Conversations
    ) -> None:
        """The HTTP server on its port, behind the connection guard."""
        settings = self.settings
        assert self.engine is not None
        self.runner = web.AppRunner(
            build_server(
                self.engine,
                lambda: conversations.library,
                None,
                routes,
                conversations.certifier,
                media_secret=settings.pseudonym_secret,
                status=self.supervisor.status,
            ),
            keepalive_timeout=settings.keepalive_timeout,
        )
        await self.runner.setup()
        shared = self.slot.count > 1  # the workers of `--workers N` share the port
        guard = ConnectionGuard(connection_limits(settings, raise_descriptor_limit()))
        site = GuardedSite(
            self.runner, guard, settings.web_host, settings.web_port, reuse_port=shared
        )
        await site.start()
        self.port = _bound_port(self.runner, settings.web_port)

    def _start_loops(self, store: SqlStore, i18n: I18n, conversations: Conversations) -> None:
        """The background work: library refresh, housekeeping, resending, learning records,
        the school's sync, reminders and summaries, and the sender."""
        settings = self.settings
        supervisor = self.supervisor
        self._refresher = supervisor.run("library_refresh", self._refresh_library)
        journal = Journal(
            lrs=bool(settings.xapi_lrs_url),
            national=bool(settings.sync_url or settings.sync_school),
            keep=timedelta(days=settings.xapi_keep_days),
        )
        self._tidier = supervisor.run("housekeeping", lambda: tidy_forever(store, journal=journal))
        # The replies a crashed worker committed and did not send: now, then every few seconds.
        resender = Resender(
            conversations,
            lease=timedelta(seconds=settings.reply_lease_seconds),
            every=min(5.0, settings.reply_lease_seconds / 2),
        )
        self._resender = supervisor.run("resender", resender.forever)
        if settings.xapi_lrs_url and self.slot.primary:  # learning records to the LRS
            assert self.engine is not None
            lrs = XapiSender(
                self.engine,
                settings.xapi_lrs_url,
                settings.xapi_lrs_username,
                settings.xapi_lrs_password,
            )
            supervisor.run("xapi_sender", lrs.forever)
        if settings.sync_url and settings.sync_every > 0 and self.slot.primary:
            school = school_sync(settings, store, conversations.reload_library)
            school.attempts = 2  # a failed sync is tried again at the next round anyway
            supervisor.run("sync", lambda: school.forever(settings.sync_every))
        self.sender = self._sender(i18n)
        if settings.sender_enabled:  # learners' daily reminders, queued to the outbox
            library = lambda: conversations.library  # noqa: E731 - read at each round
            loop = ReminderLoop(store, i18n, library, store.quiet_hours)
            self._reminders = supervisor.run("reminders", loop.forever)
            summaries = SummaryLoop(store, i18n, library, store.quiet_hours)
            self._summaries = supervisor.run("summaries", summaries.forever)
            alerts = AbsenceLoop(store, i18n, library, store.quiet_hours)
            supervisor.run("absence_alerts", alerts.forever)
        if self.sender is not None:
            self.sender.start(supervisor.run)

    async def stop(self) -> None:
        """Tell the people connected (the web tabs), then stop the sender, the loops, the
        HTTP server, the channels' work in hand, the database."""
        for channel in self.channels.values():  # first: the tabs show "reconnecting" at once
            await channel.leaving()
        if self.sender is not None:
            await self.sender.stop()
        await self.supervisor.stop()  # every other loop, and channel starts still retrying
        if self.runner is not None:
            await self.runner.cleanup()
        for channel in self.channels.values():
            await channel.stop()
        if self.conversations is not None:
            try:  # the counts of strings shown since the last flush
                await self.conversations.catalogs.flush()
            except Exception:
                log.warning("could not store the counts of strings shown", exc_info=True)
        if self.store is not None:
            self.store.close()
        if self.engine is not None:
            await self.engine.dispose()
        await self.renderer.stop()  # its workers ended: no process outlives the bot

    async def _refresh_library(self) -> None:
        """Read the teachers' published courses again now and then (other workers publish)."""
        while True:
            await asyncio.sleep(LIBRARY_REFRESH)
            if self.conversations is not None:
                try:
                    await self.conversations.reload_library()
                except Exception:
                    log.exception("could not read the published courses")

    def _sender(self, i18n: I18n) -> Sender | None:
        """The broadcast sender of the channels this process serves, when enabled."""
        settings = self.settings
        if not settings.sender_enabled or self.store is None:
            return None
        deliverers = {name: channel.deliverer() for name, channel in self.channels.items()}
        paces = {name: ChannelPace(channel.pace) for name, channel in self.channels.items()}
        if not deliverers:
            return None
        lease = timedelta(seconds=settings.broadcast_lease_seconds)
        return Sender(Outbox(self.store, worker_name(), lease), deliverers, paces)

    def attachments(self) -> Attachments:
        """Announcement files, fetched from whichever channel this process serves."""
        assert self.files is not None
        return self.files

    def channel(self, kind: type[T]) -> T | None:
        """The enabled channel of that class (tests: `app.channel(WhatsAppService)`)."""
        return next((c for c in self.channels.values() if isinstance(c, kind)), None)

    # The three first channels by their class, for the tests and benchmarks that drive them.
    @property
    def telegram(self) -> TelegramService | None:
        from bot.telegram.service import TelegramService

        return self.channel(TelegramService)

    @property
    def whatsapp(self) -> WhatsAppService | None:
        from bot.whatsapp.service import WhatsAppService

        return self.channel(WhatsAppService)

    @property
    def chat(self) -> WebChat | None:
        from bot.web.chat import WebChat

        return self.channel(WebChat)


def school_sync(
    settings: Settings, store: SqlStore, on_courses: Callable[[], Awaitable[None]] | None = None
) -> SchoolSync:
    """A school server's exchange with the national instance, as configured."""
    return SchoolSync(
        store,
        settings.sync_url,
        settings.sync_token,
        max_bytes=settings.sync_max_kb * 1024,
        on_courses=on_courses,
        country=settings.sync_country,
    )


def _flood_guard(setting: str) -> FloodGuard | None:
    """The per-person flood limit of FLOOD_LIMIT, None when it is off."""
    limit = FloodLimit.parse(setting)
    return FloodGuard(limit) if limit is not None else None


def _bound_port(runner: web.AppRunner, configured: int) -> int:
    """The real port (a test may ask for port 0)."""
    for address in runner.addresses:
        if isinstance(address, tuple):
            return int(address[1])
    return configured


async def serve(settings: Settings, slot: WorkerSlot | None = None) -> None:
    """Run until SIGINT or SIGTERM."""
    app = BotApp(settings, slot or WorkerSlot())
    await app.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await app.stop()


def _reach(settings: Settings, port: int) -> str:
    """What the start log adds: the base of the links sent, and the addresses phones on
    the same network can open (the web chat's links follow the address a page was opened
    with when PUBLIC_URL is not set)."""
    lan = [f"http://{address}:{port}" for address in lan_addresses(settings.web_host)]
    phones = f" phones on this network: {' '.join(lan)}" if lan else " (this machine only)"
    if settings.public_url:
        return f" links: {settings.public_url} (PUBLIC_URL);{phones}"
    return f" links: the address each page was opened with;{phones}"


def _sources_read(done: asyncio.Future[Any]) -> None:
    """Say when reading the interface's strings at start failed (a translator's first turn
    reads them again, since a failure is not cached); nothing when it worked."""
    if not done.cancelled() and (error := done.exception()) is not None:
        log.warning("reading the interface's strings at start failed: %r", error)
