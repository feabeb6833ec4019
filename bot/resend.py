"""The resender: sends the replies a crashed worker committed and never sent.

At start and then every few seconds, it claims (for a lease) the addresses whose replies
nobody has been sending for a lease, then sends each address's replies in order while holding
the learner like a turn does (bot/conversations.py): a reply being sent by a live worker is
gone by the time the lock is ours, so it is never sent twice by two live workers. A reply is
given up after a few attempts, or after a day (a web learner who never opened the chat again).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from bot.conversations import Conversations

log = logging.getLogger("imaginecole.resend")

LEASE = timedelta(seconds=10)  # how long a reply is its turn's (or a resender's) to send
EVERY = 5.0  # seconds between two looks
MAX_ATTEMPTS = 5  # resends of one reply before it is given up
KEEP = timedelta(days=1)  # the longest a reply waits (a web chat that never opens again)


class Resender:
    """Sends the replies left behind, at start and every few seconds."""

    def __init__(
        self,
        conversations: Conversations,
        *,
        lease: timedelta = LEASE,
        every: float = EVERY,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self.conversations = conversations
        self.lease = lease
        self.every = every
        self.max_attempts = max_attempts

    async def sweep(self, now: datetime | None = None) -> int:
        """One look: send what is left and due; returns how many replies went."""
        conversations = self.conversations
        replies = conversations.replies
        now = now or datetime.now(UTC)
        given_up = await replies.forget(now - KEEP, self.max_attempts)
        if given_up:
            log.warning("pending replies given up count=%d", given_up)
        routes = sorted(conversations.resenders)
        users = await replies.claim(routes, now, self.lease, conversations.worker)
        sent = 0
        for user in users:
            try:
                sent += await conversations.resend(user)
            except Exception:  # this learner's replies wait for the next look; others go on
                log.exception("resending failed channel=%s", user.channel)
        if sent:
            log.info("pending replies resent count=%d", sent)
        return sent

    async def forever(self) -> None:
        """Sweep now (what a crash left), then every few seconds."""
        while True:
            try:
                await self.sweep()
            except Exception:
                log.exception("resender sweep failed")
            await asyncio.sleep(self.every)
