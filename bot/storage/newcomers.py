"""Web newcomers who never consented, forgotten after a while.

A web chat greeting stores nothing (bot/conversations.py: the channel's address_is_key); the
row comes with the person's first answer, the language, and consent is the very next
question. Someone who chose a language and went away leaves a row holding a made-up uid, a
language and a step: after `KEEP` without coming back it is deleted (whatever hangs on it
goes with it).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.channels import having, sql_names
from bot.storage.store import SqlStore

KEEP = timedelta(days=2)

# The channels whose ids anyone can make up (the web chat's browser uid).
_INVENTED = sql_names(having(lambda caps: caps.address_is_key))
_WHERE = f"channel IN ({_INVENTED}) AND consented_at IS NULL AND last_seen_at < :before"


async def forget_unconsented(store: SqlStore, older_than: datetime, batch: int = 1000) -> int:
    """Delete web rows never consented and not seen since `older_than`; how many."""
    return await store.delete_in_batches("users", _WHERE, batch, before=older_than)
