"""The screens of each USSD session, kept a few minutes in the database (any worker may get
the next callback of a session): a replayed callback is answered the same, and "0"/"00"
turn the pages of the last reply without a turn.

What the learner typed is never kept: only how long the inputs handled so far are, and a
digest of them (a replay is the same inputs; what is new follows them).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

from bot.storage.models import ussd_sessions
from bot.storage.sql import ByDialect
from bot.storage.store import SqlStore

KEEP = timedelta(minutes=15)  # USSD sessions last two or three minutes at most
DIALOG = "dialog"  # the screens are a reply of the dialogs
RESUME = "resume"  # the screen offers to continue where the learner stopped


def digest(text: str) -> str:
    """A stored stand-in for the inputs so far."""
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Screens:
    """Where one session stands: the inputs handled, the pages shown, which one."""

    handled: int  # the length of the inputs handled so far
    digest: str
    mode: str
    screens: list[str]
    page: int = 0

    def matches(self, text: str) -> bool:
        """Whether `text` is the inputs already handled (a replayed callback)."""
        return len(text) == self.handled and digest(text) == self.digest

    def handled_text(self, text: str) -> str | None:
        """The part of `text` already handled, when `text` goes on from it."""
        before = text[: self.handled]
        return before if digest(before) == self.digest else None

    @property
    def shown(self) -> str:
        return self.screens[min(self.page, len(self.screens) - 1)]


_s = ussd_sessions.c
_SESSION: dict[str, Any] = {
    "session_key": bindparam("key"),
    "handled": bindparam("handled"),
    "digest": bindparam("digest"),
    "mode": bindparam("mode"),
    "screens": bindparam("screens"),
    "page": bindparam("page"),
    "updated_at": bindparam("now"),
}
_KEPT = ("handled", "digest", "mode", "screens", "page", "updated_at")
_sqlite_put = sqlite.insert(ussd_sessions).values(_SESSION)
_pg_put = postgresql.insert(ussd_sessions).values(_SESSION)
_UPSERT = ByDialect(
    sqlite=_sqlite_put.on_conflict_do_update(
        index_elements=[_s.session_key], set_={k: _sqlite_put.excluded[k] for k in _KEPT}
    ),
    postgresql=_pg_put.on_conflict_do_update(
        index_elements=[_s.session_key], set_={k: _pg_put.excluded[k] for k in _KEPT}
    ),
)
_READ = select(_s.handled, _s.digest, _s.mode, _s.screens, _s.page).where(
    _s.session_key == bindparam("key")
)


class UssdSessions:
    """The `ussd_sessions` table."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store

    async def get(self, key: str) -> Screens | None:
        rows = await self.store.statement(_READ, key=key)
        if not rows:
            return None
        handled, kept, mode, screens, page = rows[0]
        return Screens(int(handled), str(kept), str(mode), list(json.loads(screens)), int(page))

    async def put(self, key: str, screens: Screens) -> None:
        await self.store.statement(
            _UPSERT,
            key=key,
            handled=screens.handled,
            digest=screens.digest,
            mode=screens.mode,
            screens=json.dumps(screens.screens, ensure_ascii=False),
            page=screens.page,
            now=datetime.now(UTC),
        )

    async def prune(self, now: datetime | None = None) -> int:
        """Forget sessions older than `KEEP`."""
        before = (now or datetime.now(UTC)) - KEEP
        return await self.store.delete_in_batches(  # SQL text: the store's batched DELETE
            "ussd_sessions", "updated_at < :before", 1000, before=before
        )
