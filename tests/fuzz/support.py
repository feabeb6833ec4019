"""What every fuzz property shares: its settings, the real bot on its own event loop, the
error log it must keep empty, and the invariants that say no state was corrupted.

Hypothesis calls a property synchronously, example after example; the bot (aiohttp server,
PTB, the WhatsApp worker, SQLAlchemy) lives on an event loop in a thread of its own, and each
example hands it coroutines with `Harness.run`. The loop, the bot and the database are built once
per test, so an example costs a few HTTP round trips, not a bot start.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis.strategies import DataObject
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.admin_cli import grant as cli_grant
from bot.catalogs import sources
from bot.conversations import Conversations
from bot.i18n import I18n
from bot.storage.models import User
from content.model import LEVELS
from dialogs.flows import build_dialogs
from dialogs.flows.onboarding import COUNTRIES

T = TypeVar("T")

# --- settings --------------------------------------------------------------------------------

# IMAGINECOLE_FUZZ_EXAMPLES=2000 python -m pytest tests/fuzz  runs a long, randomised fuzz
# (new examples each run, failures remembered in .hypothesis/); without it every run replays
# the same few examples (derandomize), so CI is repeatable and quick.
EXAMPLES_ENV = "IMAGINECOLE_FUZZ_EXAMPLES"


# IMAGINECOLE_FUZZ_BUDGET=20 gives each example 20 s of wall time (a slow machine); the default
# is generous: an example takes well under a second, a backtracking expression minutes.
BUDGET_ENV = "IMAGINECOLE_FUZZ_BUDGET"
BUDGET = 5.0  # seconds of wall time for one example

Test = TypeVar("Test", bound=Callable[..., Any])


class SlowExample(AssertionError):
    """An example went over its time budget: some input makes the code slow (issue 14)."""


def fuzz(examples: int, budget: float | None = None) -> Callable[[Test], Test]:
    """Settings of one property: `examples` in CI, the env var's number in a long run; each
    example gets a wall-time budget, so a pathologically slow input fails the property."""
    wanted = int(os.environ.get(EXAMPLES_ENV, "0") or 0)
    chosen = settings(
        max_examples=wanted or examples,
        deadline=None,  # ours below names the input's size and survives a run that times out
        derandomize=not wanted,
        database=None if not wanted else settings.default.database,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )
    return lambda test: budgeted(chosen(test), budget)


def budgeted(test: Test, seconds: float | None = None) -> Test:
    """A hypothesis test whose every example must end within `seconds` (by default
    IMAGINECOLE_FUZZ_BUDGET, else BUDGET)."""
    seconds = seconds or float(os.environ.get(BUDGET_ENV, "0") or 0) or BUDGET
    hypothesis = test.hypothesis  # type: ignore[attr-defined]
    hypothesis.inner_test = within_budget(hypothesis.inner_test, seconds)
    return test


def within_budget(example: Test, seconds: float) -> Test:
    """`example`, failing with SlowExample when one run takes more than `seconds`; the message
    says how long and how big the input was (what it was, hypothesis prints)."""

    @functools.wraps(example)
    def timed(*args: Any, **kwargs: Any) -> Any:
        drawn: list[object] = [*args, *kwargs.values()]
        for value in drawn[:]:
            if isinstance(value, DataObject):
                value.draw = _recording(value.draw, drawn)  # type: ignore[method-assign]
        started = time.monotonic()
        try:
            return example(*args, **kwargs)
        finally:
            took = time.monotonic() - started
            if took > seconds:
                size = sum(input_size(value) for value in drawn)
                raise SlowExample(
                    f"one example took {took:.1f} s, over its budget of {seconds:g} s, "
                    f"for an input of {size:,} characters"
                )

    return timed  # type: ignore[return-value]


def _recording(draw: Callable[..., Any], drawn: list[object]) -> Callable[..., Any]:
    """`data.draw`, also keeping what it drew."""

    def recorded(*args: Any, **kwargs: Any) -> Any:
        value = draw(*args, **kwargs)
        drawn.append(value)
        return value

    return recorded


def input_size(value: object) -> int:
    """How many characters (or bytes) an input holds, through lists, dicts and dataclasses."""
    if isinstance(value, str | bytes | bytearray):
        return len(value)
    if isinstance(value, dict):
        return sum(input_size(k) + input_size(v) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return sum(input_size(item) for item in value)
    if isinstance(value, DataObject):
        return 0  # counted through what it drew
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sum(input_size(getattr(value, f.name)) for f in dataclasses.fields(value))
    return len(repr(value))


# --- the error log ---------------------------------------------------------------------------


class ErrorLog(logging.Handler):
    """Collects ERROR records (a handler's traceback, PTB's "no error handler", aiohttp's
    "Error handling request") from every logger while a property runs."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def take(self) -> list[str]:
        """The records since the last call, formatted with their traceback."""
        taken, self.records = self.records, []
        formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
        return [formatter.format(record) for record in taken]


# --- an event loop of its own ----------------------------------------------------------------


class LoopThread:
    """An asyncio loop running in a thread, for synchronous hypothesis examples."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        """Run a coroutine on the loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        """Stop the loop and its thread."""
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


# --- invariants ------------------------------------------------------------------------------

STEPS = frozenset(build_dialogs().steps)
LOCALES = frozenset(language.code for language in I18n().languages)
PLACES = frozenset((*COUNTRIES, "other"))
ROLES = frozenset({"student", "teacher"})
# Tables that a learner's stray input never writes to: roles, announcements and their outbox,
# invitations, classes, courses, circles and contests. Compared before and after an example.
GUARDED = (
    "role_grants",
    "broadcasts",
    "outbox",
    "teacher_invites",
    "classes",
    "authored_courses",
    "circles",
    "circle_members",
    "creathon_contests",
    "certificates",
)


async def table_counts(engine: AsyncEngine, tables: tuple[str, ...] = GUARDED) -> dict[str, int]:
    """How many rows each table holds."""
    async with engine.connect() as connection:
        return {
            name: int((await connection.execute(text(f"SELECT COUNT(*) FROM {name}"))).scalar_one())
            for name in tables
        }


async def check_people(engine: AsyncEngine) -> int:
    """Every person's row loads; its step exists; its profile holds valid values. Returns
    how many rows were checked."""
    async with engine.connect() as connection:
        rows = (await connection.execute(select(User))).all()
        assert int((await connection.execute(select(func.count(User.id)))).scalar_one()) == len(
            rows
        )
    for row in rows:
        who = f"{row.channel}:{row.external_id}"
        assert row.state_step in STEPS, f"{who} is at unknown step {row.state_step!r}"
        assert isinstance(row.state_data, dict), f"{who} state data {row.state_data!r}"
        assert isinstance(row.state_prompt, int) and row.state_prompt >= 0, who
        assert row.locale is None or row.locale in LOCALES, f"{who} locale {row.locale!r}"
        assert row.country is None or row.country in PLACES, f"{who} country {row.country!r}"
        assert row.role is None or row.role in ROLES, f"{who} role {row.role!r}"
        assert row.level is None or row.level in LEVELS, f"{who} level {row.level!r}"
        assert row.bookmark is None or isinstance(row.bookmark, dict), f"{who} bookmark"
    return len(rows)


async def row_of(engine: AsyncEngine, channel: str, external_id: str) -> Any:
    """A person's row (None when there is none)."""
    async with engine.connect() as connection:
        query = select(User).where(User.channel == channel, User.external_id == external_id)
        return (await connection.execute(query)).first()


async def grant(database_url: str, channel: str, external_id: str, role: str) -> None:
    """Give a role (in Senegal) the way an operator does, with the CLI."""
    await cli_grant(database_url, channel, external_id, role, "SN")


@dataclass
class Harness:
    """A loop thread, an exit stack on it, and the error log: torn down by `close`."""

    loop: LoopThread = field(default_factory=LoopThread)
    errors: ErrorLog = field(default_factory=ErrorLog)
    stack: AsyncExitStack = field(default_factory=AsyncExitStack)
    tmp: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="fuzz-")))

    database_url: str = ""  # a SQLite file in `tmp` unless given

    def __post_init__(self) -> None:
        logging.getLogger().addHandler(self.errors)
        self.database_url = self.database_url or f"sqlite:///{self.tmp / 'fuzz.db'}"

    @property
    def on_postgres(self) -> bool:
        return self.database_url.startswith("postgresql")

    def examples(self, on_sqlite: int) -> int:
        """How many examples a property runs: a third on PostgreSQL, which CI runs too (the
        engine that refuses a string longer than its column), to stay within CI's time."""
        return max(10, on_sqlite // 3) if self.on_postgres else on_sqlite

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return self.loop.run(coro, timeout)

    def enter(self, manager: Any) -> Any:
        """Enter an async context manager for the harness's lifetime."""
        return self.run(self.stack.enter_async_context(manager))

    def defer(self, callback: Callable[[], Awaitable[object]]) -> None:
        """Run `callback` on close."""
        self.stack.push_async_callback(callback)

    def assert_no_errors(self) -> None:
        """Nothing was logged at ERROR since the last check."""
        errors = self.errors.take()
        assert not errors, "\n\n".join(errors)

    def close(self) -> None:
        logging.getLogger().removeHandler(self.errors)
        try:
            self.run(self.stack.aclose())
        finally:
            self.loop.close()
            shutil.rmtree(self.tmp, ignore_errors=True)


def conversations_of(harness: Harness) -> Conversations:
    """Conversations on the harness's database (store_driver's `open_conversations`)."""
    from bot.storage.db import migrate_async
    from tests.store_driver import open_conversations

    harness.run(migrate_async(harness.database_url))
    conversations: Conversations = harness.enter(open_conversations(harness.database_url))
    return conversations


# --- the whole bot on three channels ----------------------------------------------------------

LEARNER_TG = 777_001
LEARNER_WA = "221771234567"


@dataclass(repr=False)
class LiveBot:
    """The real BotApp serving Telegram (webhook), WhatsApp and the web chat at once, against
    the fake Bot API and the fake Graph API, with one onboarded learner on each channel."""

    harness: Harness
    app: Any = None
    telegram: Any = None  # FakeBotApi
    graph: Any = None  # FakeGraphApi
    http: Any = None  # aiohttp.ClientSession
    tg: Any = None  # TelegramLearner
    wa: Any = None  # WhatsAppLearner
    web: Any = None  # WebChat of tests.chat_drivers

    def __repr__(self) -> str:
        return "LiveBot()"

    @property
    def engine(self) -> AsyncEngine:
        assert self.app.engine is not None
        return self.app.engine  # type: ignore[no-any-return]

    def start(self) -> LiveBot:
        # BotApp.start reads the interface's strings (bot/catalogs.py: an ast.parse of every
        # module of bot/, dialogs/ and content/) in an executor thread. Here, hypothesis and
        # pytest's assertion rewriting (of hypothesis's modules, imported lazily mid-example)
        # parse code in this thread at the same time, and on CPython 3.11 two threads
        # parsing at once can fail either parse with "SystemError: AST constructor
        # recursion depth mismatch" (python/cpython#106905): a flaky property, or a catalog
        # silently left unread. Read them here first, before any example; the app's read
        # then finds them in the process's cache and parses nothing.
        sources()
        self.harness.run(self._start())
        return self

    async def _start(self) -> None:
        import aiohttp

        from bot.app import BotApp
        from tests.chat_drivers import WebChat
        from tests.fakes.graph_api import FakeGraphApi
        from tests.fakes.telegram_api import FakeBotApi
        from tests.telegram_driver import SECRET, TOKEN, TelegramLearner
        from tests.whatsapp_driver import WhatsAppLearner, whatsapp_settings

        stack = self.harness.stack
        self.telegram = await stack.enter_async_context(FakeBotApi())
        self.graph = await stack.enter_async_context(FakeGraphApi())
        self.http = await stack.enter_async_context(aiohttp.ClientSession())
        settings = whatsapp_settings(
            self.harness.database_url,
            self.graph.url,
            telegram_bot_token=TOKEN,
            telegram_api_base_url=self.telegram.url,
            telegram_webhook_url="https://bot.example.org/telegram/webhook",
            telegram_webhook_secret=SECRET,
            authored_dir=str(self.harness.tmp / "authored"),
        )
        self.app = BotApp(settings)
        await self.app.start()
        stack.push_async_callback(self.app.stop)
        self.tg = TelegramLearner(self.telegram, self.app, self.http, user_id=LEARNER_TG)
        self.wa = WhatsAppLearner(self.graph, self.app, self.http, phone=LEARNER_WA)
        self.web = WebChat(self.app, self.http)
        await self.web.open()
        stack.push_async_callback(self.web.close)
        await self._onboard()

    async def _onboard(self) -> None:
        """Each channel's learner says /start and goes through onboarding to the menu."""
        from tests.chat_drivers import TelegramChat, WhatsAppChat

        for chat in (TelegramChat(self.tg), WhatsAppChat(self.wa), self.web):
            await chat.send("/start")
            for label in ("Français", "J'accepte", "Sénégal", "Élève", "CM2"):
                await chat.tap(label)
            assert "Votre profil est prêt" in chat.last_text(), chat.last_text()

    async def menu_still_works(self) -> None:
        """Every channel's learner says /menu (then /start) and gets the menu back."""
        from tests.chat_drivers import TelegramChat, WhatsAppChat

        chats = ((TelegramChat(self.tg), str(LEARNER_TG)), (WhatsAppChat(self.wa), LEARNER_WA))
        for chat, external_id in (*chats, (self.web, self.web.uid)):
            for command in ("/menu", "/start"):
                await chat.send(command)
                assert chat.last_text(), f"{chat.channel}: no answer to {command}"
                row = await row_of(self.engine, chat.channel, external_id)
                if row is None:  # the learner erased their data: /start began again
                    continue
                complete = None not in (
                    row.locale,
                    row.country,
                    row.role,
                    row.level,
                    row.consented_at,
                )
                wanted = "menu" if complete else None
                assert wanted is None or row.state_step == wanted, (
                    f"{chat.channel}: {command} left the learner at {row.state_step!r}"
                )
        if self.app.whatsapp is not None:
            await self.app.whatsapp.drain()

    async def settled(self) -> None:
        """The WhatsApp worker has handled every body it was given."""
        if self.app.whatsapp is not None:
            await self.app.whatsapp.drain()
            assert not self.app.whatsapp.failing, self.app.whatsapp.failing

    def check(self, before: dict[str, int]) -> None:
        """After an example: no error logged, rows valid, menus answer, guarded rows intact."""
        self.harness.run(self.settled())
        self.harness.assert_no_errors()
        self.harness.run(check_people(self.engine))
        self.harness.run(self.menu_still_works())
        self.harness.assert_no_errors()
        assert self.harness.run(table_counts(self.engine)) == before
