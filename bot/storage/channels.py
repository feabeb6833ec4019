"""What the channels keep between messages: the WhatsApp inbox, service windows, sent
messages and their statuses, messages held for later, and uploaded media ids.

The statements are Core statements (bot/storage/sql.py), compiled once for each engine; on
SQLite they run on the store's loop-thread connection (microseconds, no thread hop), on
PostgreSQL in a short transaction of their own. None of them may run inside a learner's turn.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, case, delete, func, insert, null, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import ClauseElement

from bot.storage.models import (
    channel_contacts,
    media_uploads,
    pending_messages,
    sent_messages,
    whatsapp_inbox,
)
from bot.storage.sql import as_json, both, utc
from bot.storage.store import SqlStore

Row = Sequence[Any]
# sqlite.insert or postgresql.insert: the same upsert API, written once for both engines
Insert = Callable[[Table], sqlite.Insert | postgresql.Insert]


def _mark_unreachable(insert_: Insert) -> ClauseElement:
    """The platform said this person cannot be reached: their contact row says so."""
    new = insert_(channel_contacts).values(
        user_id=bindparam("uid"), unreachable_at=bindparam("at"), unreachable_code=bindparam("code")
    )
    return new.on_conflict_do_update(
        index_elements=[channel_contacts.c.user_id],
        set_={
            "unreachable_at": new.excluded.unreachable_at,
            "unreachable_code": new.excluded.unreachable_code,
        },
    )


def _touch(insert_: Insert) -> ClauseElement:
    """The learner wrote: the window opens (never moved back), they are reachable again."""
    last = channel_contacts.c.last_inbound_at
    new = insert_(channel_contacts).values(
        user_id=bindparam("uid"), last_inbound_at=bindparam("at")
    )
    return new.on_conflict_do_update(
        index_elements=[channel_contacts.c.user_id],
        set_={
            "unreachable_at": null(),
            "unreachable_code": null(),
            "last_inbound_at": case(
                (or_(last.is_(None), last < bindparam("at")), bindparam("at")), else_=last
            ),
        },
    ).returning(last)


def _remember_media(insert_: Insert) -> ClauseElement:
    """An upload's media id, replacing an older one of the same bytes."""
    new = insert_(media_uploads).values(
        channel=bindparam("channel"),
        digest=bindparam("digest"),
        media_id=bindparam("media_id"),
        created_at=bindparam("at"),
    )
    return new.on_conflict_do_update(
        index_elements=[media_uploads.c.channel, media_uploads.c.digest],
        set_={"media_id": new.excluded.media_id, "created_at": new.excluded.created_at},
    )


def _record_sent(insert_: Insert) -> ClauseElement:
    """A message we sent, accepted by the platform (kept once per platform id)."""
    return (
        insert_(sent_messages)
        .values(
            id=bindparam("mid"),
            user_id=bindparam("uid"),
            channel=bindparam("channel"),
            kind=bindparam("kind"),
            status="accepted",
            sent_at=bindparam("at"),
            updated_at=bindparam("at"),
        )
        .on_conflict_do_nothing(index_elements=[sent_messages.c.id])
    )


# The platform said this person cannot be reached (blocked, not on WhatsApp): remember it.
MARK_UNREACHABLE = both(_mark_unreachable)

_INBOX_PUT = (
    insert(whatsapp_inbox)
    .values(body=bindparam("body"), received_at=bindparam("at"), attempts=1)
    .returning(whatsapp_inbox.c.id)
)
_INBOX_PENDING = (
    select(whatsapp_inbox.c.id, whatsapp_inbox.c.body)
    .where(whatsapp_inbox.c.received_at < bindparam("before"))
    .order_by(whatsapp_inbox.c.id)
    .limit(bindparam("limit"))
)
_INBOX_ATTEMPT = (
    update(whatsapp_inbox)
    .where(whatsapp_inbox.c.id == bindparam("body_id"))
    .values(attempts=whatsapp_inbox.c.attempts + bindparam("step"))
    .returning(whatsapp_inbox.c.attempts)
)
_INBOX_DONE = delete(whatsapp_inbox).where(
    whatsapp_inbox.c.id.in_(bindparam("ids", expanding=True))
)
_TOUCH = both(_touch)
_CONTACT = select(channel_contacts.c.last_inbound_at, channel_contacts.c.unreachable_at).where(
    channel_contacts.c.user_id == bindparam("uid")
)
_RECORD_SENT = both(_record_sent)
_RECORD_FAILURE = insert(sent_messages).values(
    id=bindparam("mid"),
    user_id=bindparam("uid"),
    channel=bindparam("channel"),
    kind=bindparam("kind"),
    status="failed",
    error_code=bindparam("code"),
    sent_at=bindparam("at"),
    updated_at=bindparam("at"),
)
_SENT_STATUS = select(sent_messages.c.status).where(sent_messages.c.id == bindparam("mid"))
_SET_STATUS = (
    update(sent_messages)
    .where(sent_messages.c.id == bindparam("mid"))
    .values(status=bindparam("status"), error_code=bindparam("code"), updated_at=bindparam("at"))
)
_STATUS_OF = select(sent_messages.c.status, sent_messages.c.error_code).where(
    sent_messages.c.id == bindparam("mid")
)
_FAILURES = (
    select(sent_messages.c.error_code, func.count())
    .where(sent_messages.c.channel == bindparam("channel"), sent_messages.c.status == "failed")
    .group_by(sent_messages.c.error_code)
)
_HOLD = (
    insert(pending_messages)
    .values(user_id=bindparam("uid"), payload=bindparam("payload"), created_at=bindparam("at"))
    .inline()
)
_HAS_HELD = (
    select(pending_messages.c.id).where(pending_messages.c.user_id == bindparam("uid")).limit(1)
)
_HELD = (
    select(pending_messages.c.id, pending_messages.c.payload)
    .where(pending_messages.c.user_id == bindparam("uid"))
    .order_by(pending_messages.c.id)
)
_FORGET_HELD = delete(pending_messages).where(
    pending_messages.c.id.in_(bindparam("ids", expanding=True))
)
_TAKE_HELD = (
    delete(pending_messages)
    .where(pending_messages.c.user_id == bindparam("uid"))
    .returning(pending_messages.c.id, pending_messages.c.payload)
)
_MEDIA_ID = select(media_uploads.c.media_id).where(
    media_uploads.c.channel == bindparam("channel"), media_uploads.c.digest == bindparam("digest")
)
_REMEMBER_MEDIA = both(_remember_media)
_FORGET_MEDIA = delete(media_uploads).where(
    media_uploads.c.channel == bindparam("channel"), media_uploads.c.digest == bindparam("digest")
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
        rows = await self.store.statement(_INBOX_PUT, body=body, at=at)
        return int(rows[0][0])

    async def inbox_pending(
        self, limit: int = 500, before: datetime | None = None
    ) -> list[tuple[int, bytes]]:
        """Bodies stored but not yet handled (received before `before`), oldest first."""
        rows = await self.store.statement(
            _INBOX_PENDING, limit=limit, before=before or datetime.now(UTC) + timedelta(days=1)
        )
        return [(int(row[0]), bytes(row[1])) for row in rows]

    async def inbox_attempt(self, body_id: int, step: int = 1) -> int | None:
        """Count one more handling of a stored body before it begins (a crash counts too);
        how many have begun, None when the body is gone (handled elsewhere)."""
        rows = await self.store.statement(_INBOX_ATTEMPT, body_id=body_id, step=step)
        return int(rows[0][0]) if rows else None

    async def inbox_done(self, *body_ids: int) -> None:
        """Forget handled bodies (they hold phone numbers and message text)."""
        if not body_ids:
            return
        await self.store.statement(_INBOX_DONE, ids=list(body_ids))

    # --- the 24-hour window and reachability ----------------------------------------------

    async def touch(self, user_id: int, inbound_at: datetime) -> Contact:
        """The learner wrote at `inbound_at`: their window opens, they are reachable again."""
        rows = await self.store.statement(_TOUCH, uid=user_id, at=inbound_at)
        return Contact(utc(rows[0][0]) if rows else inbound_at, None)

    async def contact(self, user_id: int) -> Contact:
        """When the learner last wrote, and whether the platform said they cannot be reached."""
        rows = await self.store.statement(_CONTACT, uid=user_id)
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
            _RECORD_SENT, mid=message_id, uid=user_id, channel=channel, kind=kind, at=at
        )

    async def record_failure(
        self, user_id: int, channel: str, kind: str, code: int, at: datetime
    ) -> None:
        """A message the platform refused: kept as failed with its code, for the admins."""
        await self.store.statement(
            _RECORD_FAILURE,
            mid=f"failed:{uuid.uuid4().hex}",
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
        rows = await self.store.statement(_SENT_STATUS, mid=message_id)
        if not rows:
            return False
        if _STATUS_RANK.get(status, 1) < _STATUS_RANK.get(str(rows[0][0]), 1):
            return True
        await self.store.statement(
            _SET_STATUS, mid=message_id, status=status[:16], code=error_code, at=at
        )
        return True

    async def status_of(self, message_id: str) -> tuple[str, int | None] | None:
        """The last status of a sent message and its error code, if we know the message."""
        rows = await self.store.statement(_STATUS_OF, mid=message_id)
        return (str(rows[0][0]), rows[0][1]) if rows else None

    async def failures(self, channel: str) -> dict[int, int]:
        """How many sent messages failed, per error code (for the admins' statistics)."""
        rows = await self.store.statement(_FAILURES, channel=channel)
        return {int(row[0] or 0): int(row[1]) for row in rows}

    # --- messages held outside the window -------------------------------------------------

    async def hold(self, user_id: int, payload: dict[str, Any], at: datetime) -> None:
        """Keep a message to send when the learner next writes."""
        await self.store.statement(_HOLD, uid=user_id, payload=payload, at=at)

    async def has_held(self, user_id: int) -> bool:
        """Whether messages already wait for the learner's next message."""
        rows = await self.store.statement(_HAS_HELD, uid=user_id)
        return bool(rows)

    async def held(self, user_id: int) -> list[tuple[int, dict[str, Any]]]:
        """The messages held for a learner, oldest first, with their ids; kept until
        `forget_held` (a crash while sending them must not lose them)."""
        rows = await self.store.statement(_HELD, uid=user_id)
        return [(int(row[0]), _json(row[1])) for row in rows]

    async def forget_held(self, ids: list[int]) -> None:
        """Forget held messages once they went out."""
        if ids:
            await self.store.statement(_FORGET_HELD, ids=[int(i) for i in ids])

    async def take_held(self, user_id: int) -> list[dict[str, Any]]:
        """The messages held for a learner, oldest first, removed from the store."""
        rows = await self.store.statement(_TAKE_HELD, uid=user_id)
        ordered = sorted(rows, key=lambda row: int(row[0]))
        return [_json(row[1]) for row in ordered]

    # --- uploaded media --------------------------------------------------------------------

    async def media_id(self, channel: str, digest: str) -> str | None:
        """The platform's id of a file already uploaded, if any."""
        rows = await self.store.statement(_MEDIA_ID, channel=channel, digest=digest)
        return str(rows[0][0]) if rows else None

    async def remember_media(self, channel: str, digest: str, media_id: str, at: datetime) -> None:
        """Remember an upload's media id."""
        await self.store.statement(
            _REMEMBER_MEDIA, channel=channel, digest=digest, media_id=media_id, at=at
        )

    async def forget_media(self, channel: str, digest: str) -> None:
        """Drop a media id the platform no longer knows (ids expire after 30 days)."""
        await self.store.statement(_FORGET_MEDIA, channel=channel, digest=digest)


def _json(value: Any) -> dict[str, Any]:
    """A stored JSON object (SQLite hands back text)."""
    loaded = as_json(value)
    assert isinstance(loaded, dict)
    return loaded
