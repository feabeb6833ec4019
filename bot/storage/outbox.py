"""The outbox: announcements to send, claimed by exactly one sender, crash-safe.

A sender claims a small batch (status `sending`, with its name and the time): on PostgreSQL
with `FOR UPDATE SKIP LOCKED`, so several sender processes never take the same row. What a
crashed sender had claimed is taken again once its lease is over: those sends that were in
flight at the crash are the only possible duplicates. The platform's rate is shared through
`send_rates`: each sender reserves its sending slots there before sending.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, case, exists, func, literal, null, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.storage.admin import queue_broadcast
from bot.storage.channels import MARK_UNREACHABLE
from bot.storage.models import (
    broadcasts,
    channel_contacts,
    learner_profiles,
    outbox,
    phone_fallbacks,
    send_rates,
    users,
)
from bot.storage.sql import ByDialect, as_json, utc
from bot.storage.store import SqlStore


@dataclass(frozen=True)
class OutboxItem:
    """One announcement to one person, with what the sender needs to send it."""

    id: int
    broadcast_id: int
    user_id: int
    channel: str
    external_id: str
    locale: str | None
    texts: dict[str, str]
    attachment: dict[str, Any] | None
    attempts: int
    personal: bool = False  # a teacher's notice: no "stop announcements" footer
    # Shared phones: the first name of the profile a notice is for, when the phone is using
    # another profile now (the row and address above are the phone's, bot/storage/profiles.py).
    profile_name: str | None = None
    fallback: str = "fr"  # the version for people whose language has none (the admin's choice)
    # The row the message is for (a profile of a shared phone or computer; 0: `user_id`'s):
    # the web chat keeps it for that profile, shown when it is the one in use.
    recipient_id: int = 0

    @property
    def text(self) -> str:
        """The text in the person's language, else in the fallback language, else French,
        else any written (with whose it is, on a shared phone)."""
        texts = self.texts
        text = (
            texts.get(self.locale or self.fallback)
            or texts.get(self.fallback)
            or texts.get("fr")
            or next(iter(texts.values()), "")
        )
        return f"👤 {self.profile_name} : {text}" if self.profile_name else text

    def with_footer(self, footer: str) -> str:
        """The text as sent: an announcement ends with how to stop announcements."""
        return self.text if self.personal else f"{self.text}\n\n— {footer}"


class Outbox:
    """Claims, results and shared rates, on the store's database."""

    def __init__(self, store: SqlStore, worker: str, lease: timedelta = timedelta(seconds=60)):
        self.store = store
        self.worker = worker
        self.lease = lease

    async def queue_due(self, now: datetime) -> list[int]:
        """Write the audience of scheduled broadcasts whose time has come; their ids."""
        async with self.store.transaction() as runner:
            rows = await runner.run(_SCHEDULED, now=now)
            for (broadcast_id,) in rows:
                await queue_broadcast(runner, int(broadcast_id), now)
        return [int(row[0]) for row in rows]

    async def claim(self, channel: str, limit: int, now: datetime) -> list[OutboxItem]:
        """Take up to `limit` due messages of a channel (and expired claims of a crash)."""
        expired = now - self.lease
        async with self.store.transaction() as runner:
            rows = await runner.run(
                _CLAIMABLE,
                ch=channel,
                now=now,
                expired=expired,
                limit=limit,
            )
            ids = [int(row[0]) for row in rows]
            if not ids:
                return []
            await runner.run(_CLAIM, worker=self.worker, now=now, ids=ids)
            found = await runner.run(_CLAIMED, ids=ids)
        return [_item(row) for row in found]

    async def finish(self, results: list[tuple[int, str, str | None, str | None]]) -> None:
        """Record results: (outbox id, status, platform message id, error)."""
        if not results:
            return
        now = datetime.now(UTC)
        async with self.store.transaction() as runner:
            for outbox_id, status, platform_id, error in results:
                await runner.run(
                    _FINISH,
                    status=status,
                    pid=platform_id,
                    error=error,
                    now=now,
                    oid=outbox_id,
                    worker=self.worker,
                )

    async def renew(self, now: datetime) -> int:
        """Extend this sender's claims still being sent (it is alive): only a dead sender's
        claims expire, however long a batch waits for its sending slots."""
        async with self.store.transaction() as runner:
            rows = await runner.run(_RENEW, now=now, worker=self.worker)
        return len(rows)

    async def retry_later(
        self, outbox_id: int, at: datetime, error: str, *, counts: bool = True
    ) -> None:
        """Put a message back in the queue, to be sent after `at`.

        `counts=False` (a 429: the platform asked us to wait, the message did not fail) gives
        back the attempt its claim took, so waiting never uses up a message's attempts.
        """
        async with self.store.transaction() as runner:
            await runner.run(
                _RETRY,
                at=at,
                error=error,
                refund=0 if counts else 1,
                oid=outbox_id,
                worker=self.worker,
            )

    async def fall_back(self, outbox_id: int) -> bool:
        """Queue a claimed message again on the phone fallback's channel, where its address
        has just fallen back (bot/fallbacks.py); False: it has none."""
        async with self.store.transaction() as runner:
            rows = await runner.run(  # after the notice that says why (queued just now)
                _FALL_BACK,
                oid=outbox_id,
                worker=self.worker,
                later=datetime.now(UTC) + FALLBACK_AFTER,
            )
        return bool(rows)

    async def release(self, ids: list[int]) -> None:
        """Give back claimed messages not sent yet (the sender stops), attempts unchanged."""
        if not ids:
            return
        async with self.store.transaction() as runner:
            await runner.run(_RELEASE, worker=self.worker, ids=ids)

    async def reserve(self, channel: str, count: int, interval: float) -> datetime:
        """Reserve `count` sending slots `interval` seconds apart; returns the first slot.

        The next free slot of each channel lives in the database, so every sender process
        draws from the same budget: together they keep to the platform's rate.
        """
        now = datetime.now(UTC)
        async with self.store.transaction() as runner:
            # The row first, so that the lock below holds even for the very first reservation
            # (two senders finding no row would both start at `now`: twice the rate).
            await runner.run(_FIRST_RATE, ch=channel, now=now)
            rows = await runner.run(_RATE, ch=channel)
            start = max(utc(rows[0][0]) or now, now)
            following = start + timedelta(seconds=interval * count)
            await runner.run(_MOVE_RATE, ch=channel, next=following)
        return start

    async def pause(self, channel: str, until: datetime) -> None:
        """Nobody sends on this channel before `until` (the platform said 429)."""
        async with self.store.transaction() as runner:
            await runner.run(_PAUSE, ch=channel, until=until)

    async def mark_unreachable(self, user_id: int, code: int, at: datetime) -> None:
        """The platform said this person cannot be reached: no announcement tries them again."""
        async with self.store.transaction() as runner:
            await runner.run(MARK_UNREACHABLE, uid=user_id, at=at, code=code)
        if self.store.on_unreachable is not None:  # the phone fallback (bot/fallbacks.py)
            await self.store.on_unreachable(user_id, at)

    async def pending(self, channel: str | None = None) -> int:
        """How many messages wait or are being sent."""
        async with self.store.transaction() as runner:
            if channel:
                rows = await runner.run(_PENDING_ON, ch=channel)
            else:
                rows = await runner.run(_PENDING)
        return int(rows[0][0])


FALLBACK_AFTER = timedelta(seconds=2)  # a push that met "unreachable" follows the notice

_o = outbox.c
# Row locks on PostgreSQL (SQLite has one writer: BEGIN IMMEDIATE is the lock, and SQLite
# renders no FOR UPDATE).
_SCHEDULED = (
    select(broadcasts.c.id)
    .where(broadcasts.c.status == "scheduled", broadcasts.c.scheduled_at <= bindparam("now"))
    .with_for_update()
)
_CLAIMABLE = (
    select(_o.id)
    .where(
        _o.channel == bindparam("ch"),
        or_(
            and_(_o.status == "queued", _o.not_before <= bindparam("now")),
            and_(_o.status == "sending", _o.claimed_at < bindparam("expired")),
        ),
    )
    .order_by(_o.id)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True)
)
_CLAIM = (
    update(outbox)
    .where(_o.id.in_(bindparam("ids", expanding=True)))
    .values(
        status="sending",
        claimed_by=bindparam("worker"),
        claimed_at=bindparam("now"),
        attempts=_o.attempts + 1,
    )
)
_FINISH = (
    update(outbox)
    .where(_o.id == bindparam("oid"), _o.claimed_by == bindparam("worker"))
    .values(
        status=bindparam("status"),
        platform_id=bindparam("pid"),
        error=bindparam("error"),
        sent_at=bindparam("now"),
    )
)
_RENEW = (
    update(outbox)
    .where(_o.claimed_by == bindparam("worker"), _o.status == "sending")
    .values(claimed_at=bindparam("now"))
    .returning(_o.id)
)
_RETRY = (
    update(outbox)
    .where(_o.id == bindparam("oid"), _o.claimed_by == bindparam("worker"))
    .values(
        status="queued",
        not_before=bindparam("at"),
        error=bindparam("error"),
        attempts=_o.attempts - bindparam("refund"),
        claimed_by=null(),
        claimed_at=null(),
    )
)
_RELEASE = (
    update(outbox)
    .where(
        _o.id.in_(bindparam("ids", expanding=True)),
        _o.status == "sending",
        _o.claimed_by == bindparam("worker"),
    )
    .values(status="queued", attempts=_o.attempts - 1, claimed_by=null(), claimed_at=null())
)

# The address an outbox row goes to (a profile's phone), and the rows to send on the
# fallback channel instead: their address is marked unreachable and has fallen back
# (bot/fallbacks.py). SET reads the row as it was: the channel, then the address.
_ax = learner_profiles.alias("ax")
_pf = phone_fallbacks.alias("pf")
_address = func.coalesce(
    select(_ax.c.account_id).where(_ax.c.user_id == _o.user_id).correlate(outbox).scalar_subquery(),
    _o.user_id,
)
_fallback_user = users.alias("f")
_FALL_BACK = (
    update(outbox)
    .where(
        _o.id == bindparam("oid"),
        _o.claimed_by == bindparam("worker"),
        exists(
            select(_pf.c.user_id)
            .join(channel_contacts, channel_contacts.c.user_id == _pf.c.user_id)
            .where(
                _pf.c.user_id == _address,
                _pf.c.fallback_id.is_not(None),
                channel_contacts.c.unreachable_at.is_not(None),
            )
        ),
    )
    .values(
        channel=select(_fallback_user.c.channel)
        .select_from(_pf)
        .join(_fallback_user, _fallback_user.c.id == _pf.c.fallback_id)
        .where(_pf.c.user_id == _address)
        .scalar_subquery(),
        user_id=select(_pf.c.fallback_id).where(_pf.c.user_id == _address).scalar_subquery(),
        status="queued",
        attempts=0,
        not_before=bindparam("later"),
        claimed_by=null(),
        claimed_at=null(),
    )
    .returning(_o.id)
)

_NEW_RATE: dict[str, Any] = {"channel": bindparam("ch"), "next_at": bindparam("now")}
_FIRST_RATE = ByDialect(
    sqlite=sqlite.insert(send_rates).values(_NEW_RATE).on_conflict_do_nothing(),
    postgresql=postgresql.insert(send_rates).values(_NEW_RATE).on_conflict_do_nothing(),
)
_RATE = (
    select(send_rates.c.next_at).where(send_rates.c.channel == bindparam("ch")).with_for_update()
)
_MOVE_RATE = (
    update(send_rates)
    .where(send_rates.c.channel == bindparam("ch"))
    .values(next_at=bindparam("next"))
)
_PAUSED: dict[str, Any] = {"channel": bindparam("ch"), "next_at": bindparam("until")}
_LATER = case(
    (send_rates.c.next_at > bindparam("until"), send_rates.c.next_at), else_=bindparam("until")
)
_PAUSE = ByDialect(
    sqlite=sqlite.insert(send_rates)
    .values(_PAUSED)
    .on_conflict_do_update(index_elements=[send_rates.c.channel], set_={"next_at": _LATER}),
    postgresql=postgresql.insert(send_rates)
    .values(_PAUSED)
    .on_conflict_do_update(index_elements=[send_rates.c.channel], set_={"next_at": _LATER}),
)
_PENDING = (
    select(func.count())
    .select_from(outbox)
    .where(_o.status.in_((literal("queued"), literal("sending"))))
)
_PENDING_ON = _PENDING.where(_o.channel == bindparam("ch"))

# The claimed messages with their broadcast and their address: a learner profile of a shared
# phone is reached at its account's row and address (the sender's contacts, windows and
# "unreachable" marks are the address's), and a personal notice for a profile the phone is
# not using now carries that profile's first name.
_m = outbox.alias("o")
_u = users.alias("u")
_a = users.alias("a")
_b = broadcasts.alias("b")
_lp = learner_profiles.alias("lp")
_acc = learner_profiles.alias("acc")
_CLAIMED = (
    select(
        _m.c.id,
        _m.c.broadcast_id,
        func.coalesce(_lp.c.account_id, _m.c.user_id),
        _m.c.channel,
        func.coalesce(_a.c.external_id, _u.c.external_id),
        _u.c.locale,
        _b.c.texts,
        _b.c.attachment,
        _m.c.attempts,
        _b.c.audience,
        case(
            (
                or_(
                    _lp.c.user_id.is_(None),
                    func.coalesce(_acc.c.active_id, _acc.c.user_id) == _u.c.id,
                ),
                null(),
            ),
            else_=_lp.c.first_name,
        ),
        _m.c.user_id,
    )
    .select_from(_m)
    .join(_u, _u.c.id == _m.c.user_id)
    .join(_b, _b.c.id == _m.c.broadcast_id)
    .outerjoin(_lp, _lp.c.user_id == _u.c.id)
    .outerjoin(_a, _a.c.id == _lp.c.account_id)
    .outerjoin(_acc, _acc.c.user_id == _lp.c.account_id)
    .where(_m.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(_m.c.id)
)


def _item(row: Any) -> OutboxItem:
    """An outbox row joined with its person and broadcast."""
    oid, bid, uid, channel, external_id, locale, texts, attachment, attempts, audience = row[:10]
    stored = as_json(audience) or {}
    personal = bool(stored.get("personal", False))
    return OutboxItem(
        id=int(oid),
        broadcast_id=int(bid),
        user_id=int(uid),
        channel=str(channel),
        external_id=str(external_id),
        locale=locale,
        texts=dict(as_json(texts) or {}),
        attachment=as_json(attachment),
        attempts=int(attempts),
        personal=personal,
        profile_name=row[10] if personal else None,
        fallback=str(stored.get("fallback") or "fr"),
        recipient_id=int(row[11]),
    )
