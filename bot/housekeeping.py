"""Tidying that keeps the database from growing without end, in every worker.

Update claims (`processed_updates`) only need to outlive the platforms' retries: Telegram
gives up on an update within a day, Meta retries a webhook for up to 7 days. Older claims
are deleted in small batches every hour; several workers doing it at once only find less
to delete. Web newcomers who chose a language and never consented are forgotten after two
days (bot/storage/newcomers.py). Web inbox messages a tab received are forgotten after 30
days (bot/storage/web_inbox.py; the learner's export shows them until then). Learning
records (xapi_statements) that the LRS and/or the national instance acknowledged are pruned
to their ids after XAPI_KEEP_DAYS (bot/storage/xapi.py, `prune`).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.storage.dead_letters import DeadLetters, InboundAttempts
from bot.storage.newcomers import KEEP as KEEP_NEWCOMERS
from bot.storage.newcomers import forget_unconsented
from bot.storage.store import SqlStore
from bot.storage.web_files import WebFiles
from bot.storage.web_inbox import WebInbox
from bot.storage.xapi import prune as prune_journal

log = logging.getLogger("imaginecole.housekeeping")
EVERY = 3600.0  # seconds between two rounds
KEEP_CLAIMS = timedelta(days=8)  # longer than any platform retries a delivery
# Parked inbound items hold personal data: long enough to look at after a weekend.
KEEP_DEAD_LETTERS = timedelta(days=3)


@dataclass(frozen=True)
class Journal:
    """Which destinations acknowledge the learning records' journal, and for how long a
    row is kept whole after (XAPI_KEEP_DAYS; 0 days: never pruned)."""

    lrs: bool = False  # XAPI_LRS_URL: the LRS has what it answered for (`sent_at`)
    national: bool = False  # a school server: the national instance has it (`synced_at`)
    keep: timedelta = timedelta(days=30)


async def tidy(store: SqlStore, now: datetime, journal: Journal | None = None) -> int:
    """One round; how many update claims were forgotten."""
    newcomers = await forget_unconsented(store, now - KEEP_NEWCOMERS)
    if newcomers:
        log.info("housekeeping forgot %d web newcomers who never consented", newcomers)
    parked = await DeadLetters(store).prune(now - KEEP_DEAD_LETTERS)
    if parked:
        log.info("housekeeping forgot %d dead letters", parked)
    await InboundAttempts(store).prune(now - KEEP_CLAIMS)  # updates Telegram gave up on
    await WebInbox(store).tidy(now)  # received by a tab long ago
    files = await WebFiles(store).prune(now)  # the web chat's files whose links expired
    if files:
        log.info("housekeeping forgot %d expired web chat files", files)
    if journal is not None and journal.keep > timedelta(0):
        pruned = await prune_journal(
            store, now - journal.keep, lrs=journal.lrs, national=journal.national
        )
        if pruned:
            log.info("housekeeping pruned %d acknowledged learning records", pruned)
    return await store.prune_processed(now - KEEP_CLAIMS)


async def tidy_forever(
    store: SqlStore, every: float = EVERY, journal: Journal | None = None
) -> None:
    """A round now and then until cancelled; a failed round is logged and tried again later."""
    while True:
        try:
            forgotten = await tidy(store, datetime.now(UTC), journal)
            if forgotten:
                log.info("housekeeping forgot %d old update claims", forgotten)
        except Exception:
            log.exception("housekeeping failed")
        await asyncio.sleep(every)
