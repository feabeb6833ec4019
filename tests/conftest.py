"""Shared fixtures: a migrated database on SQLite always, and on PostgreSQL when available.

Set TEST_POSTGRES_URL (for example postgresql://postgres@127.0.0.1:5432/test) to run every
storage test on PostgreSQL too: each test gets a fresh database created from that server and
dropped afterwards. Without it, the PostgreSQL variants are skipped.

The migrations run once per session, into a template (a SQLite file, a PostgreSQL template
database); each test gets a copy, which is what the migrations would have built, minutes
sooner over a thousand tests. tests/integration/test_migrations.py runs the migrations
themselves.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
from hypothesis import settings
from sqlalchemy.engine import make_url

from bot.app import BotApp
from bot.config import Settings
from bot.storage.db import create_engine, migrate_async
from bot.storage.store import SqlStore
from tests.conformance import require_conformance

POSTGRES_ENV = "TEST_POSTGRES_URL"


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database URL, migrated to head, that belongs to this test alone."""
    if request.param == "sqlite":
        path = tmp_path / "var" / "imaginecole.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(await _sqlite_template(), path)
        yield f"sqlite:///{path}"
        return
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"set {POSTGRES_ENV} to run the storage tests on PostgreSQL")
    async with fresh_postgres_database(server, template=await _postgres_template(server)) as url:
        yield url


_TEMPLATES: dict[str, str] = {}  # engine -> the migrated template of this session


async def _sqlite_template() -> str:
    """A SQLite file migrated to head, made on first use."""
    if "sqlite" not in _TEMPLATES:
        path = Path(tempfile.mkdtemp(prefix="imaginecole-template-")) / "template.db"
        await migrate_async(f"sqlite:///{path}")
        _TEMPLATES["sqlite"] = str(path)
    return _TEMPLATES["sqlite"]


async def _postgres_template(server_url: str) -> str:
    """A PostgreSQL database migrated to head, made on first use, dropped at the end."""
    if "postgres" not in _TEMPLATES:
        server = make_url(server_url).set(drivername="postgresql")
        name = f"imaginecole_template_{uuid.uuid4().hex[:12]}"
        admin = await asyncpg.connect(server.render_as_string(hide_password=False))
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        _TEMPLATES["postgres_server"] = server_url
        _TEMPLATES["postgres"] = name
        await migrate_async(server.set(database=name).render_as_string(hide_password=False))
    return _TEMPLATES["postgres"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "conformance(folder): reads ../shared/conformance/<folder>; skipped with the reason "
        "when it is absent, failed instead when IMAGINECOLE_REQUIRE_CONFORMANCE is set (CI)",
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test marked `conformance` needs the shared data outside the repository."""
    for mark in item.iter_markers("conformance"):
        require_conformance(*mark.args)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Drop this session's PostgreSQL template database."""
    name, server_url = _TEMPLATES.get("postgres"), _TEMPLATES.get("postgres_server")
    if not name or not server_url:
        return

    async def drop() -> None:
        server = make_url(server_url).set(drivername="postgresql")
        admin = await asyncpg.connect(server.render_as_string(hide_password=False))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()

    asyncio.run(drop())


@asynccontextmanager
async def fresh_postgres_database(
    server_url: str, template: str | None = None
) -> AsyncIterator[str]:
    """Create a uniquely named database (a copy of `template` when given) on the server of
    `server_url`; drop it afterwards."""
    server = make_url(server_url).set(drivername="postgresql")
    name = f"imaginecole_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(server.render_as_string(hide_password=False))
    try:
        copy = f' TEMPLATE "{template}"' if template else ""
        await admin.execute(f'CREATE DATABASE "{name}"{copy}')
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[SqlStore]:
    """A SqlStore on the test's database; its engine is disposed afterwards."""
    engine = create_engine(database_url)
    store = SqlStore(engine)
    try:
        yield store
    finally:
        store.close()
        await engine.dispose()


# CI replays the same examples every run (no flaky red); a developer's run explores new ones.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
async def web_bot(tmp_path: Path) -> AsyncIterator[BotApp]:
    """The whole bot on a fresh SQLite file, web chat only, on a random local port."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'web.db'}",
        web_host="127.0.0.1",
        web_port=0,
        pseudonym_secret=b"test",
    )
    app = BotApp(settings)
    await app.start()
    yield app
    await app.stop()


@pytest.fixture(autouse=True)
def _process_logging_restored() -> Iterator[None]:
    """A test that runs the command line (`bot.__main__.main`) sets up the process's logging
    on the stderr pytest captured for that test; put the root logger back afterwards, so later
    records do not go to a closed stream ("--- Logging error ---")."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
