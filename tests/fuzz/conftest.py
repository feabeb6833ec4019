"""Fixtures of the fuzz layer: a harness (its own event loop thread, an error log) and the
whole bot on it. Plain synchronous fixtures: hypothesis runs its examples synchronously."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fuzz.support import Harness, LiveBot


@pytest.fixture
def harness() -> Iterator[Harness]:
    """A loop in a thread, a temporary folder and database, an error log."""
    made = Harness()
    try:
        yield made
    finally:
        made.close()


@pytest.fixture
def live(harness: Harness) -> LiveBot:
    """The real bot on Telegram, WhatsApp and the web chat, one onboarded learner on each."""
    bot = LiveBot(harness).start()
    harness.assert_no_errors()
    return bot
