"""The contract tests' world: the in-memory fakes (tests/fakes/ports.py), and the SQL desks
of bot/storage/ on SQLite and on PostgreSQL (when TEST_POSTGRES_URL is set), seeded the same
way. Every test of tests/contract/ runs three times, once on each."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import pytest

from bot.storage.admin import SqlAdminDesk, grant_role
from bot.storage.circles import SqlCircleDesk
from bot.storage.creathon import SqlCreathonDesk
from bot.storage.db import create_engine
from bot.storage.reports import SqlReportDesk
from bot.storage.sql import Runner
from bot.storage.store import SqlStore
from bot.storage.teaching import SqlTeachingDesk
from dialogs.admin_ports import AdminDesk
from dialogs.circle_ports import CircleDesk
from dialogs.creathon_ports import CreathonDesk
from dialogs.report_ports import ReportDesk
from dialogs.roles import Grant, Role
from dialogs.state import DialogState
from dialogs.teaching_ports import TeachingDesk
from tests.conftest import (
    POSTGRES_ENV,
    _postgres_template,
    _sqlite_template,
    fresh_postgres_database,
)
from tests.fakes.ports import World

_external = itertools.count(1)


class PersonDesks(Protocol):
    """The desks of one person's turn."""

    @property
    def teaching(self) -> TeachingDesk: ...
    @property
    def admin(self) -> AdminDesk: ...
    @property
    def circles(self) -> CircleDesk: ...
    @property
    def reports(self) -> ReportDesk: ...
    @property
    def creathon(self) -> CreathonDesk: ...


class Seeded(Protocol):
    """What a contract test may do to its world, whichever it is."""

    now: datetime

    async def add_person(self, **values: Any) -> int: ...
    async def add_teacher(self, uid: int, country: str) -> None: ...
    async def add_course(self, author_id: int, course_id: str, source: str) -> None: ...
    def desks(self, uid: int) -> PersonDesks: ...


class MemoryWorld(World):
    """The fakes' world, with the seeding methods awaited like the SQL one's."""

    async def add_person(self, **values: Any) -> int:
        return self.person(**values)

    async def add_teacher(self, uid: int, country: str) -> None:
        self.teacher_of(uid, country)

    async def add_course(self, author_id: int, course_id: str, source: str) -> None:
        self.course(author_id, course_id, source)


@dataclass
class SqlDesks:
    """The SQL desks of one person, on the world's transaction."""

    runner: Runner
    uid: int
    now: datetime

    @property
    def teaching(self) -> SqlTeachingDesk:
        return SqlTeachingDesk(self.runner, self.uid, self.now)

    @property
    def admin(self) -> SqlAdminDesk:
        return SqlAdminDesk(self.runner, self.uid, self.now)

    @property
    def circles(self) -> SqlCircleDesk:
        return SqlCircleDesk(self.runner, self.uid, self.now)

    @property
    def reports(self) -> SqlReportDesk:
        return SqlReportDesk(self.runner, self.uid, self.now)

    @property
    def creathon(self) -> SqlCreathonDesk:
        return SqlCreathonDesk(self.runner, self.uid, self.now)


class SqlWorld:
    """A migrated database, seeded with plain rows, inside one transaction."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.now = datetime.now(UTC)

    async def add_person(self, **values: Any) -> int:
        state = DialogState()
        rows = await self.runner.run(
            "INSERT INTO users (channel, external_id, locale, country, role, level,"
            " consented_at, state_step, state_data, state_prompt, created_at, last_seen_at)"
            " VALUES (:channel, :ext, :locale, :country, :role, :level, :consented, :step,"
            " '{}', :prompt, :now, :now) RETURNING id",
            channel=values.get("channel", "telegram"),
            ext=f"c{next(_external)}",
            locale=values.get("locale", "fr"),
            country=values.get("country"),
            role=values.get("role"),
            level=values.get("level"),
            consented=self.now if values.get("consented", True) else None,
            step=state.step,
            prompt=state.prompt,
            now=self.now,
        )
        return int(rows[0][0])

    async def add_teacher(self, uid: int, country: str) -> None:
        await grant_role(self.runner, uid, Grant(Role.TEACHER, country), None, self.now)

    async def add_course(self, author_id: int, course_id: str, source: str) -> None:
        await self.runner.run(
            "INSERT INTO authored_courses (course_id, author_id, status, visibility, country,"
            " source, created_at, updated_at) VALUES (:course, :author, 'draft', 'private',"
            " '', :source, :now, :now)",
            course=course_id,
            author=author_id,
            source=source,
            now=self.now,
        )

    def desks(self, uid: int) -> SqlDesks:
        return SqlDesks(self.runner, uid, self.now)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def world(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Seeded]:
    """The same world three ways: fakes in memory, SQL on SQLite, SQL on PostgreSQL."""
    if request.param == "memory":
        yield MemoryWorld()
        return
    if request.param == "sqlite":
        path = tmp_path / "contract.db"
        shutil.copyfile(await _sqlite_template(), path)
        async for seeded in _sql_world(f"sqlite:///{path}"):
            yield seeded
        return
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"set {POSTGRES_ENV} to run the contract tests on PostgreSQL")
    async with fresh_postgres_database(server, template=await _postgres_template(server)) as url:
        async for seeded in _sql_world(url):
            yield seeded


async def _sql_world(url: str) -> AsyncIterator[Seeded]:
    """A SqlWorld on a store of `url`, one transaction for the test."""
    engine = create_engine(url)
    store = SqlStore(engine)
    try:
        async with store.transaction() as runner:
            yield SqlWorld(runner)
    finally:
        store.close()
        await engine.dispose()
