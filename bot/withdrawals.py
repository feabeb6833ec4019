"""Withdrawing the Telegram copies of circle messages a moderator removed.

Removal (bot/storage/moderation.py) queues one row per copy Telegram already showed, by the
platform id the sender recorded ("tg:<chat>:<message_id>"). A loop in each sending process
deletes them with the Bot API's deleteMessage. Two processes may try the same copy: the
second answer is "message to delete not found", which changes nothing. Telegram lets a bot
delete its messages in private chats for 48 hours; a failure is recorded, not retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy import bindparam, select, update
from telegram import Bot
from telegram.error import TelegramError

from bot.storage.models import withdrawals
from bot.storage.store import SqlStore

log = logging.getLogger("imaginecole.withdrawals")
BATCH = 50
PAUSE = 30.0  # seconds between two looks at the queue

_QUEUED = (
    select(withdrawals.c.id, withdrawals.c.platform_id)
    .where(withdrawals.c.status == "queued")
    .order_by(withdrawals.c.id)
    .limit(bindparam("n"))
)
_DONE = (
    update(withdrawals)
    .where(withdrawals.c.id == bindparam("wid"))
    .values(status=bindparam("status"))
)


def _address(platform_id: str) -> tuple[int, int] | None:
    """(chat, message) of a Telegram platform id; None when it is not one."""
    parts = platform_id.split(":")
    if len(parts) != 3 or parts[0] != "tg":
        return None
    try:
        return int(parts[1]), int(parts[2])
    except ValueError:
        return None


async def withdraw(store: SqlStore, bot: Bot, limit: int = BATCH) -> int:
    """Delete the queued copies on Telegram; how many were deleted."""
    async with store.transaction() as runner:
        rows = await runner.run(_QUEUED, n=limit)
    done = 0
    for row_id, platform_id in rows:
        address = _address(str(platform_id))
        status = "failed"
        if address is not None:
            try:
                await bot.delete_message(chat_id=address[0], message_id=address[1])
                status, done = "done", done + 1
            except TelegramError as error:
                log.info("withdrawal %s failed: %s", row_id, error)
        async with store.transaction() as runner:
            await runner.run(_DONE, status=status, wid=row_id)
    return done


async def withdraw_forever(store: SqlStore, bot: Bot, pause: float = PAUSE) -> None:
    """The withdrawal loop of a sending process (cancelled when the app stops)."""
    while True:
        with contextlib.suppress(Exception):  # a bad moment of the database: try later
            await withdraw(store, bot)
        await asyncio.sleep(pause)
