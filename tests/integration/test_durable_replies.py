"""Nothing a turn committed is lost: its reply is kept with the turn and sent after.

A worker that dies between a turn's commit and its send (the send below raises, as a process
killed there never sends) leaves the reply in the database: the learner's next turn sends it
first, or the resender sends it on its own; two resenders never both send it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.conversations import Conversations, Outcome
from bot.resend import Resender
from dialogs.events import OptionChosen, Resumed, TextReceived, UserRef
from dialogs.messages import Ask
from tests.driver import find_option, text_of
from tests.store_driver import open_conversations


def later(minutes: float = 1) -> datetime:
    """A moment when the lease of a dead worker's claim is over (taken when the test runs:
    a module-level time is minutes old by the time a long suite reaches these tests)."""
    return datetime.now(UTC) + timedelta(minutes=minutes)


class Died(Exception):
    """The worker died before its send reached the platform."""


class Phone:
    """What reached one learner's chat, through any worker."""

    def __init__(self) -> None:
        self.read: list[str] = []
        self.last: Ask | None = None
        self.replies = 0

    async def receive(self, outcome: Outcome) -> None:
        self.replies += 1
        for message in outcome.messages:
            self.read.append(text_of(message))
            if isinstance(message, Ask):
                self.last = message

    async def resend(self, outcome: Outcome, _: datetime) -> None:
        await self.receive(outcome)


async def dies(_: Outcome) -> None:
    raise Died


def dies_after_reading(into: Phone) -> Callable[[Outcome], Awaitable[None]]:
    """A send that dies too, but lets the test see what it was to send."""

    async def send(outcome: Outcome) -> None:
        await into.receive(outcome)
        raise Died

    return send


def tap(user: UserRef, phone: Phone, label: str, key: str) -> OptionChosen:
    assert phone.last is not None
    option = find_option(phone.last, label)
    return OptionChosen(user, key, phone.last.prompt, option.id)


async def pending(conversations: Conversations) -> int:
    return await conversations.replies.count()


async def test_a_consent_saved_by_a_dying_worker_is_answered_by_the_resender(
    database_url: str,
) -> None:
    user, phone = UserRef("telegram", "501"), Phone()
    async with open_conversations(database_url) as bot:
        bot.resenders["telegram"] = phone.resend
        await bot.handle(TextReceived(user, "m1", "/start"), "u1", phone.receive)
        await bot.handle(tap(user, phone, "Français", "u2"), "u2", phone.receive)
        consent = tap(user, phone, "J'accepte", "u3")
        with pytest.raises(Died):
            await bot.handle(consent, "u3", dies)  # committed, never sent
        assert await pending(bot) == 1
        before = len(phone.read)
        # The resender leaves a reply alone while its worker's lease lasts...
        assert await Resender(bot).sweep() == 0
        assert await Resender(bot).sweep(later()) == 1
        assert await pending(bot) == 0
        asked = phone.read[before:]
        assert len(asked) == 1 and "pays" in asked[0].lower()  # the next question: a country
        assert await Resender(bot).sweep(later(2)) == 0  # sent once
        # ...and Telegram delivering the update again is a duplicate: nothing more is sent.
        assert not await bot.handle(consent, "u3", phone.receive)
        assert len(phone.read) == before + 1


async def test_a_delivery_repeated_after_the_worker_died_gets_the_kept_reply_at_once(
    database_url: str,
) -> None:
    """Telegram delivers again what a dead worker never acknowledged: the duplicate is not
    handled twice, but the reply that worker committed goes now, not a lease later."""
    user, phone = UserRef("telegram", "506"), Phone()
    async with open_conversations(database_url) as bot:
        await bot.handle(TextReceived(user, "m1", "/start"), "u1", phone.receive)
        await bot.handle(tap(user, phone, "Français", "u2"), "u2", phone.receive)
        consent = tap(user, phone, "J'accepte", "u3")
        with pytest.raises(Died):
            await bot.handle(consent, "u3", dies)  # committed, never sent
        before = len(phone.read)
        assert not await bot.handle(consent, "u3", phone.receive)  # a duplicate...
        asked = phone.read[before:]
        assert len(asked) == 1 and "pays" in asked[0].lower()  # ...answered with the kept reply
        assert await pending(bot) == 0
        assert await Resender(bot).sweep(later()) == 0  # nothing left to send twice


async def test_the_next_turn_sends_what_was_left_first(database_url: str) -> None:
    user, phone = UserRef("telegram", "502"), Phone()
    async with open_conversations(database_url) as bot:
        await bot.handle(TextReceived(user, "m1", "/start"), "u1", phone.receive)
        lost = Phone()
        with pytest.raises(Died):
            await bot.handle(tap(user, phone, "Français", "u2"), "u2", dies_after_reading(lost))
        before = len(phone.read)
        await bot.handle(TextReceived(user, "m3", "/aide"), "u3", phone.receive)
        after = phone.read[before:]
        # The consent question (the reply of the dying worker), then the answer to /aide.
        assert lost.read and after[: len(lost.read)] == lost.read
        assert len(after) > len(lost.read)
        assert await pending(bot) == 0


async def test_replies_are_forgotten_once_sent(database_url: str) -> None:
    user, phone = UserRef("telegram", "503"), Phone()
    async with open_conversations(database_url) as bot:
        await bot.handle(TextReceived(user, "m1", "/start"), "u1", phone.receive)
        await bot.handle(tap(user, phone, "Français", "u2"), "u2", phone.receive)
        assert await pending(bot) == 0


async def test_two_resenders_send_a_left_reply_once(database_url: str) -> None:
    user, phone = UserRef("telegram", "504"), Phone()
    async with open_conversations(database_url) as one, open_conversations(database_url) as two:
        for bot in (one, two):
            bot.resenders["telegram"] = phone.resend
        await one.handle(TextReceived(user, "m1", "/start"), "u1", phone.receive)
        with pytest.raises(Died):
            await one.handle(tap(user, phone, "Français", "u2"), "u2", dies)
        before = phone.replies
        sent = await asyncio.gather(Resender(one).sweep(later()), Resender(two).sweep(later()))
        assert sorted(sent) == [0, 1]
        assert phone.replies == before + 1


async def test_a_failing_send_is_retried_then_given_up(database_url: str) -> None:
    user = UserRef("telegram", "505")
    async with open_conversations(database_url) as bot:
        bot.resenders["telegram"] = lambda outcome, at: dies(outcome)
        with pytest.raises(Died):
            await bot.handle(TextReceived(user, "m1", "/start"), "u1", dies)
        resender = Resender(bot, max_attempts=2)
        for minutes in range(1, 4):
            await resender.sweep(later(1 + minutes))
        assert await pending(bot) == 0  # tried twice, then given up (logged)


async def test_a_web_reply_left_behind_comes_with_the_next_hello(database_url: str) -> None:
    user, phone = UserRef("web", "w" * 20), Phone()
    async with open_conversations(database_url) as bot:
        await bot.handle(Resumed(user, "hello"), None, phone.receive)
        with pytest.raises(Died):
            await bot.handle(TextReceived(user, "m1", "/aide"), "web:1", dies)
        assert await Resender(bot).sweep(later()) == 0  # no tab to reach from here
        before = len(phone.read)
        await bot.handle(Resumed(user, "hello"), None, phone.receive)  # the tab opens again
        assert len(phone.read) > before + 1 and await pending(bot) == 0
