"""Tidying that keeps the database from growing without end, in every worker.

Update claims (`processed_updates`) only need to outlive the platforms' retries: Telegram
gives up on an update within a day, Meta retries a webhook for up to 7 days. Older claims
are deleted in small batches every hour; several workers doing it at once only find less
to delete. Web newcomers who chose a language and never consented are forgotten after two
days (bot/storage/newcomers.py). Web inbox messages a tab received are forgotten after 30
days (bot/storage/web_inbox.py; the learner's export shows them until then).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from bot.storage.dead_letters import DeadLetters, InboundAttempts
from bot.storage.newcomers import KEEP as KEEP_NEWCOMERS
from bot.storage.newcomers import forget_unconsented
from bot.storage.store import SqlStore
from bot.storage.web_files import WebFiles
from bot.storage.web_inbox import WebInbox

log = logging.getLogger("imaginecole.housekeeping")
EVERY = 3600.0  # seconds between two rounds
KEEP_CLAIMS = timedelta(days=8)  # longer than any platform retries a delivery
# Parked inbound items hold personal data: long enough to look at after a weekend.
KEEP_DEAD_LETTERS = timedelta(days=3)


async def tidy(store: SqlStore, now: datetime) -> int:
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
    return await store.prune_processed(now - KEEP_CLAIMS)


async def tidy_forever(store: SqlStore, every: float = EVERY) -> None:
    """A round now and then until cancelled; a failed round is logged and tried again later."""
    while True:
        try:
            forgotten = await tidy(store, datetime.now(UTC))
            if forgotten:
                log.info("housekeeping forgot %d old update claims", forgotten)
        except Exception:
            log.exception("housekeeping failed")
        await asyncio.sleep(every)
