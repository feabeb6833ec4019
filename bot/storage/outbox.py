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

from bot.storage.admin import FALLING_BACK, REROUTED, queue_broadcast
from bot.storage.channels import MARK_UNREACHABLE
from bot.storage.sql import as_json, utc
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
            rows = await runner.run(
                "SELECT id FROM broadcasts WHERE status = 'scheduled' AND scheduled_at <= :now"
                + self._lock(),
                now=now,
            )
            for (broadcast_id,) in rows:
                await queue_broadcast(runner, int(broadcast_id), now)
        return [int(row[0]) for row in rows]

    async def claim(self, channel: str, limit: int, now: datetime) -> list[OutboxItem]:
        """Take up to `limit` due messages of a channel (and expired claims of a crash)."""
        expired = now - self.lease
        async with self.store.transaction() as runner:
            rows = await runner.run(
                "SELECT o.id FROM outbox o WHERE o.channel = :ch AND ((o.status = 'queued'"
                " AND o.not_before <= :now) OR (o.status = 'sending' AND o.claimed_at < :expired))"
                " ORDER BY o.id LIMIT :limit" + self._lock(skip=True),
                ch=channel,
                now=now,
                expired=expired,
                limit=limit,
            )
            ids = [int(row[0]) for row in rows]
            if not ids:
                return []
            marks = ", ".join(f":i{n}" for n in range(len(ids)))
            params = {f"i{n}": value for n, value in enumerate(ids)}
            await runner.run(
                "UPDATE outbox SET status = 'sending', claimed_by = :worker, claimed_at = :now,"
                f" attempts = attempts + 1 WHERE id IN ({marks})",
                worker=self.worker,
                now=now,
                **params,
            )
            found = await runner.run(_CLAIMED.format(marks=marks), **params)
        return [_item(row) for row in found]

    def _lock(self, skip: bool = False) -> str:
        """Row locks on PostgreSQL (SQLite has one writer: BEGIN IMMEDIATE is the lock)."""
        if self.store.on_sqlite:
            return ""
        return " FOR UPDATE SKIP LOCKED" if skip else " FOR UPDATE"

    async def finish(self, results: list[tuple[int, str, str | None, str | None]]) -> None:
        """Record results: (outbox id, status, platform message id, error)."""
        if not results:
            return
        now = datetime.now(UTC)
        async with self.store.transaction() as runner:
            for outbox_id, status, platform_id, error in results:
                await runner.run(
                    "UPDATE outbox SET status = :status, platform_id = :pid, error = :error,"
                    " sent_at = :now WHERE id = :id AND claimed_by = :worker",
                    status=status,
                    pid=platform_id,
                    error=error,
                    now=now,
                    id=outbox_id,
                    worker=self.worker,
                )

    async def renew(self, now: datetime) -> int:
        """Extend this sender's claims still being sent (it is alive): only a dead sender's
        claims expire, however long a batch waits for its sending slots."""
        async with self.store.transaction() as runner:
            rows = await runner.run(
                "UPDATE outbox SET claimed_at = :now"
                " WHERE claimed_by = :worker AND status = 'sending' RETURNING id",
                now=now,
                worker=self.worker,
            )
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
                "UPDATE outbox SET status = 'queued', not_before = :at, error = :error,"
                " attempts = attempts - :refund, claimed_by = NULL, claimed_at = NULL"
                " WHERE id = :id AND claimed_by = :worker",
                at=at,
                error=error,
                refund=0 if counts else 1,
                id=outbox_id,
                worker=self.worker,
            )

    async def fall_back(self, outbox_id: int) -> bool:
        """Queue a claimed message again on the phone fallback's channel, where its address
        has just fallen back (bot/fallbacks.py); False: it has none."""
        async with self.store.transaction() as runner:
            rows = await runner.run(  # after the notice that says why (queued just now)
                f"UPDATE outbox SET {REROUTED}, status = 'queued', attempts = 0,"
                " not_before = :later, claimed_by = NULL, claimed_at = NULL"
                f" WHERE id = :id AND claimed_by = :worker AND {FALLING_BACK} RETURNING id",
                id=outbox_id,
                worker=self.worker,
                later=datetime.now(UTC) + FALLBACK_AFTER,
            )
        return bool(rows)

    async def release(self, ids: list[int]) -> None:
        """Give back claimed messages not sent yet (the sender stops), attempts unchanged."""
        if not ids:
            return
        marks = ", ".join(f":i{n}" for n in range(len(ids)))
        params = {f"i{n}": value for n, value in enumerate(ids)}
        async with self.store.transaction() as runner:
            await runner.run(
                "UPDATE outbox SET status = 'queued', attempts = attempts - 1,"
                f" claimed_by = NULL, claimed_at = NULL WHERE id IN ({marks})"
                " AND status = 'sending' AND claimed_by = :worker",
                worker=self.worker,
                **params,
            )

    async def reserve(self, channel: str, count: int, interval: float) -> datetime:
        """Reserve `count` sending slots `interval` seconds apart; returns the first slot.

        The next free slot of each channel lives in the database, so every sender process
        draws from the same budget: together they keep to the platform's rate.
        """
        now = datetime.now(UTC)
        async with self.store.transaction() as runner:
            # The row first, so that the lock below holds even for the very first reservation
            # (two senders finding no row would both start at `now`: twice the rate).
            await runner.run(
                "INSERT INTO send_rates (channel, next_at) VALUES (:ch, :now)"
                " ON CONFLICT (channel) DO NOTHING",
                ch=channel,
                now=now,
            )
            rows = await runner.run(
                "SELECT next_at FROM send_rates WHERE channel = :ch" + self._lock(), ch=channel
            )
            start = max(utc(rows[0][0]) or now, now)
            following = start + timedelta(seconds=interval * count)
            await runner.run(
                "UPDATE send_rates SET next_at = :next WHERE channel = :ch",
                ch=channel,
                next=following,
            )
        return start

    async def pause(self, channel: str, until: datetime) -> None:
        """Nobody sends on this channel before `until` (the platform said 429)."""
        async with self.store.transaction() as runner:
            await runner.run(
                "INSERT INTO send_rates (channel, next_at) VALUES (:ch, :until)"
                " ON CONFLICT (channel) DO UPDATE SET next_at = CASE"
                " WHEN send_rates.next_at > :until THEN send_rates.next_at ELSE :until END",
                ch=channel,
                until=until,
            )

    async def mark_unreachable(self, user_id: int, code: int, at: datetime) -> None:
        """The platform said this person cannot be reached: no announcement tries them again."""
        async with self.store.transaction() as runner:
            await runner.run(MARK_UNREACHABLE, uid=user_id, at=at, code=code)
        if self.store.on_unreachable is not None:  # the phone fallback (bot/fallbacks.py)
            await self.store.on_unreachable(user_id, at)

    async def pending(self, channel: str | None = None) -> int:
        """How many messages wait or are being sent."""
        async with self.store.transaction() as runner:
            rows = await runner.run(
                "SELECT COUNT(*) FROM outbox WHERE status IN ('queued', 'sending')"
                + (" AND channel = :ch" if channel else ""),
                **({"ch": channel} if channel else {}),
            )
        return int(rows[0][0])


# The claimed messages with their broadcast and their address: a learner profile of a shared
# phone is reached at its account's row and address (the sender's contacts, windows and
# "unreachable" marks are the address's), and a personal notice for a profile the phone is
# not using now carries that profile's first name.
FALLBACK_AFTER = timedelta(seconds=2)  # a push that met "unreachable" follows the notice

_CLAIMED = (
    "SELECT o.id, o.broadcast_id, COALESCE(lp.account_id, o.user_id), o.channel,"
    " COALESCE(a.external_id, u.external_id), u.locale, b.texts, b.attachment, o.attempts,"
    " b.audience, CASE WHEN lp.user_id IS NULL OR COALESCE(acc.active_id, acc.user_id) = u.id"
    " THEN NULL ELSE lp.first_name END, o.user_id FROM outbox o"
    " JOIN users u ON u.id = o.user_id JOIN broadcasts b ON b.id = o.broadcast_id"
    " LEFT JOIN learner_profiles lp ON lp.user_id = u.id"
    " LEFT JOIN users a ON a.id = lp.account_id"
    " LEFT JOIN learner_profiles acc ON acc.user_id = lp.account_id"
    " WHERE o.id IN ({marks}) ORDER BY o.id"
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
