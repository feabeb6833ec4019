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


_UPSERT = (
    "INSERT INTO ussd_sessions (session_key, handled, digest, mode, screens, page, updated_at)"
    " VALUES (:key, :handled, :digest, :mode, :screens, :page, :now)"
    " ON CONFLICT (session_key) DO UPDATE SET handled = excluded.handled,"
    " digest = excluded.digest, mode = excluded.mode, screens = excluded.screens,"
    " page = excluded.page, updated_at = excluded.updated_at"
)
_READ = "SELECT handled, digest, mode, screens, page FROM ussd_sessions WHERE session_key = :key"


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
        return await self.store.delete_in_batches(
            "ussd_sessions", "updated_at < :before", 1000, before=before
        )
