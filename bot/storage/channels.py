"""What the channels keep between messages: the WhatsApp inbox, service windows, sent
messages and their statuses, messages held for later, and uploaded media ids.

The statements are plain SQL that SQLite and PostgreSQL both read; on SQLite they run on the
store's loop-thread connection (microseconds, no thread hop), on PostgreSQL in a short
transaction of their own. None of them may run inside a learner's turn.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.storage.sql import as_json, utc
from bot.storage.store import SqlStore

Row = Sequence[Any]


# The platform said this person cannot be reached (blocked, not on WhatsApp): remember it.
MARK_UNREACHABLE = (
    "INSERT INTO channel_contacts (user_id, unreachable_at, unreachable_code) "
    "VALUES (:uid, :at, :code) ON CONFLICT (user_id) DO UPDATE "
    "SET unreachable_at = :at, unreachable_code = :code"
)


@dataclass(frozen=True)
class Contact:
    """A learner's standing on a channel: their last message, and whether they are gone."""

    last_inbound_at: datetime | None
    unreachable_at: datetime | None


# Later statuses never go back to earlier ones (Meta may deliver "read" before "delivered").
_STATUS_RANK = {"accepted": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4, "deleted": 4}


class ChannelStore:
    """Channel bookkeeping on the same database as the learners."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store

    async def inbox_put(self, body: bytes, at: datetime) -> int:
        """Store a verified webhook body durably, its first handling begun; returns its id."""
        rows = await self.store.statement(
            "INSERT INTO whatsapp_inbox (body, received_at, attempts) VALUES (:body, :at, 1)"
            " RETURNING id",
            body=body,
            at=at,
        )
        return int(rows[0][0])

    async def inbox_pending(
        self, limit: int = 500, before: datetime | None = None
    ) -> list[tuple[int, bytes]]:
        """Bodies stored but not yet handled (received before `before`), oldest first."""
        rows = await self.store.statement(
            "SELECT id, body FROM whatsapp_inbox WHERE received_at < :before"
            " ORDER BY id LIMIT :limit",
            limit=limit,
            before=before or datetime.now(UTC) + timedelta(days=1),
        )
        return [(int(row[0]), bytes(row[1])) for row in rows]

    async def inbox_attempt(self, body_id: int, step: int = 1) -> int | None:
        """Count one more handling of a stored body before it begins (a crash counts too);
        how many have begun, None when the body is gone (handled elsewhere)."""
        rows = await self.store.statement(
            "UPDATE whatsapp_inbox SET attempts = attempts + :step WHERE id = :id"
            " RETURNING attempts",
            id=body_id,
            step=step,
        )
        return int(rows[0][0]) if rows else None

    async def inbox_done(self, *body_ids: int) -> None:
        """Forget handled bodies (they hold phone numbers and message text)."""
        if not body_ids:
            return
        marks = ", ".join(f":i{n}" for n in range(len(body_ids)))
        params = {f"i{n}": body_id for n, body_id in enumerate(body_ids)}
        await self.store.statement(f"DELETE FROM whatsapp_inbox WHERE id IN ({marks})", **params)

    # --- the 24-hour window and reachability ----------------------------------------------

    async def touch(self, user_id: int, inbound_at: datetime) -> Contact:
        """The learner wrote at `inbound_at`: their window opens, they are reachable again."""
        rows = await self.store.statement(
            "INSERT INTO channel_contacts (user_id, last_inbound_at) VALUES (:uid, :at) "
            "ON CONFLICT (user_id) DO UPDATE SET unreachable_at = NULL, unreachable_code = NULL,"
            " last_inbound_at = CASE WHEN channel_contacts.last_inbound_at IS NULL"
            " OR channel_contacts.last_inbound_at < :at THEN :at"
            " ELSE channel_contacts.last_inbound_at END RETURNING last_inbound_at",
            uid=user_id,
            at=inbound_at,
        )
        return Contact(utc(rows[0][0]) if rows else inbound_at, None)

    async def contact(self, user_id: int) -> Contact:
        """When the learner last wrote, and whether the platform said they cannot be reached."""
        rows = await self.store.statement(
            "SELECT last_inbound_at, unreachable_at FROM channel_contacts WHERE user_id = :uid",
            uid=user_id,
        )
        if not rows:
            return Contact(None, None)
        return Contact(utc(rows[0][0]), utc(rows[0][1]))

    async def mark_unreachable(self, user_id: int, code: int, at: datetime) -> None:
        """The platform refused for good (blocked, not on WhatsApp): stop trying (and fall
        back where the learner said yes: bot/fallbacks.py)."""
        await self.store.statement(MARK_UNREACHABLE, uid=user_id, at=at, code=code)
        if self.store.on_unreachable is not None:
            await self.store.on_unreachable(user_id, at)

    # --- sent messages and their statuses -------------------------------------------------

    async def record_sent(
        self, message_id: str, user_id: int, channel: str, kind: str, at: datetime
    ) -> None:
        """Remember a message we sent, to attach the statuses the platform reports."""
        await self.store.statement(
            "INSERT INTO sent_messages (id, user_id, channel, kind, status, sent_at, updated_at)"
            " VALUES (:id, :uid, :channel, :kind, 'accepted', :at, :at)"
            " ON CONFLICT (id) DO NOTHING",
            id=message_id,
            uid=user_id,
            channel=channel,
            kind=kind,
            at=at,
        )

    async def record_failure(
        self, user_id: int, channel: str, kind: str, code: int, at: datetime
    ) -> None:
        """A message the platform refused: kept as failed with its code, for the admins."""
        await self.store.statement(
            "INSERT INTO sent_messages"
            " (id, user_id, channel, kind, status, error_code, sent_at, updated_at)"
            " VALUES (:id, :uid, :channel, :kind, 'failed', :code, :at, :at)",
            id=f"failed:{uuid.uuid4().hex}",
            uid=user_id,
            channel=channel,
            kind=kind,
            code=code,
            at=at,
        )

    async def record_status(
        self, message_id: str, status: str, error_code: int | None, at: datetime
    ) -> bool:
        """Attach a status to a sent message, never going back; False if it is not ours."""
        rows = await self.store.statement(
            "SELECT status FROM sent_messages WHERE id = :id", id=message_id
        )
        if not rows:
            return False
        if _STATUS_RANK.get(status, 1) < _STATUS_RANK.get(str(rows[0][0]), 1):
            return True
        await self.store.statement(
            "UPDATE sent_messages SET status = :status, error_code = :code, updated_at = :at"
            " WHERE id = :id",
            id=message_id,
            status=status[:16],
            code=error_code,
            at=at,
        )
        return True

    async def status_of(self, message_id: str) -> tuple[str, int | None] | None:
        """The last status of a sent message and its error code, if we know the message."""
        rows = await self.store.statement(
            "SELECT status, error_code FROM sent_messages WHERE id = :id", id=message_id
        )
        return (str(rows[0][0]), rows[0][1]) if rows else None

    async def failures(self, channel: str) -> dict[int, int]:
        """How many sent messages failed, per error code (for the admins' statistics)."""
        rows = await self.store.statement(
            "SELECT error_code, COUNT(*) FROM sent_messages WHERE channel = :channel"
            " AND status = 'failed' GROUP BY error_code",
            channel=channel,
        )
        return {int(row[0] or 0): int(row[1]) for row in rows}

    # --- messages held outside the window -------------------------------------------------

    async def hold(self, user_id: int, payload: dict[str, Any], at: datetime) -> None:
        """Keep a message to send when the learner next writes."""
        await self.store.statement(
            "INSERT INTO pending_messages (user_id, payload, created_at)"
            " VALUES (:uid, :payload, :at)",
            uid=user_id,
            payload=payload,
            at=at,
        )

    async def has_held(self, user_id: int) -> bool:
        """Whether messages already wait for the learner's next message."""
        rows = await self.store.statement(
            "SELECT 1 FROM pending_messages WHERE user_id = :uid LIMIT 1", uid=user_id
        )
        return bool(rows)

    async def held(self, user_id: int) -> list[tuple[int, dict[str, Any]]]:
        """The messages held for a learner, oldest first, with their ids; kept until
        `forget_held` (a crash while sending them must not lose them)."""
        rows = await self.store.statement(
            "SELECT id, payload FROM pending_messages WHERE user_id = :uid ORDER BY id",
            uid=user_id,
        )
        return [(int(row[0]), _json(row[1])) for row in rows]

    async def forget_held(self, ids: list[int]) -> None:
        """Forget held messages once they went out."""
        if ids:
            marks = ", ".join(str(int(i)) for i in ids)
            await self.store.statement(f"DELETE FROM pending_messages WHERE id IN ({marks})")

    async def take_held(self, user_id: int) -> list[dict[str, Any]]:
        """The messages held for a learner, oldest first, removed from the store."""
        rows = await self.store.statement(
            "DELETE FROM pending_messages WHERE user_id = :uid RETURNING id, payload",
            uid=user_id,
        )
        ordered = sorted(rows, key=lambda row: int(row[0]))
        return [_json(row[1]) for row in ordered]

    # --- uploaded media --------------------------------------------------------------------

    async def media_id(self, channel: str, digest: str) -> str | None:
        """The platform's id of a file already uploaded, if any."""
        rows = await self.store.statement(
            "SELECT media_id FROM media_uploads WHERE channel = :channel AND digest = :digest",
            channel=channel,
            digest=digest,
        )
        return str(rows[0][0]) if rows else None

    async def remember_media(self, channel: str, digest: str, media_id: str, at: datetime) -> None:
        """Remember an upload's media id."""
        await self.store.statement(
            "INSERT INTO media_uploads (channel, digest, media_id, created_at)"
            " VALUES (:channel, :digest, :media_id, :at)"
            " ON CONFLICT (channel, digest) DO UPDATE SET media_id = :media_id, created_at = :at",
            channel=channel,
            digest=digest,
            media_id=media_id,
            at=at,
        )

    async def forget_media(self, channel: str, digest: str) -> None:
        """Drop a media id the platform no longer knows (ids expire after 30 days)."""
        await self.store.statement(
            "DELETE FROM media_uploads WHERE channel = :channel AND digest = :digest",
            channel=channel,
            digest=digest,
        )


def _json(value: Any) -> dict[str, Any]:
    """A stored JSON object (SQLite hands back text)."""
    loaded = as_json(value)
    assert isinstance(loaded, dict)
    return loaded
