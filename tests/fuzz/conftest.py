"""Fixtures of the fuzz layer: a harness (its own event loop thread, an error log) and the
whole bot on it. Plain synchronous fixtures: hypothesis runs its examples synchronously."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.conftest import POSTGRES_ENV, fresh_postgres_database
from tests.fuzz.support import Harness, LiveBot


@pytest.fixture(params=["sqlite", "postgres"])
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    """A loop in a thread, a temporary folder, an error log, and a database of its own:
    a SQLite file, or a fresh PostgreSQL database when TEST_POSTGRES_URL is set."""
    made = Harness()
    try:
        if request.param == "postgres":
            server = os.environ.get(POSTGRES_ENV)
            if not server:
                pytest.skip(f"set {POSTGRES_ENV} to fuzz on PostgreSQL too")
            made.database_url = made.enter(fresh_postgres_database(server))
        yield made
    finally:
        made.close()


@pytest.fixture
def live(harness: Harness) -> LiveBot:
    """The real bot on Telegram, WhatsApp and the web chat, one onboarded learner on each."""
    bot = LiveBot(harness).start()
    harness.assert_no_errors()
    return bot
