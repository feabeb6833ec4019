"""The circles desk (dialogs/circle_ports.py) on SQL that SQLite and PostgreSQL both read.

A posted message is relayed in the author's own turn, so it is never lost nor sent twice:
- members who follow every message on a channel that writes first (Telegram, the web chat's
  inbox), or on WhatsApp inside the 24-hour window, get it through the outbox as one
  personal notice (the sender, its rates, its attachments);
- WhatsApp members outside the window get it in the circle's digest, not as a template each;
- members who chose the daily digest get that digest: a scheduled personal notice per circle
  and per evening, rewritten at each message and queued once by the outbox's scheduler;
- muted members get nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.channels import capabilities
from bot.storage.admin import SqlAdminDesk
from bot.storage.colleagues import colleague, colleague_asks, propose, settle
from bot.storage.sql import Row, Runner, utc
from dialogs.admin_ports import Attachment, Audience, BroadcastDraft
from dialogs.audiences import circle_delivery
from dialogs.circle_ports import CircleInfo, CirclePost, Colleague, ColleagueAsk, Posted

DIGEST_HOUR = 18  # UTC: the evening in West and Central Africa
PAIR = "pair"  # the level group of a one-to-one exchange (shown to its two members only)
QUOTE = 60  # characters of a message quoted by a reply
SOMEONE = "Enseignant·e"  # a teacher who never gave their name


def next_digest(now: datetime) -> datetime:
    """When the digest of messages posted now goes: the next evening at DIGEST_HOUR."""
    today = now.replace(hour=DIGEST_HOUR, minute=0, second=0, microsecond=0)
    return today if now < today else today + timedelta(days=1)


class SqlCircleDesk:
    """CircleDesk for the person `user_id`, on the turn's runner."""

    def __init__(self, runner: Runner, user_id: int, now: datetime | None = None) -> None:
        self.runner = runner
        self.user_id = user_id
        self.now = now or datetime.now(UTC)

    async def circles(self) -> list[CircleInfo]:
        """Open circles, and the exchanges the current person is in."""
        rows = await self.runner.run(
            "SELECT c.id, c.name, c.subject, c.level_group,"
            " (SELECT COUNT(*) FROM circle_members a WHERE a.circle_id = c.id), m.digest"
            " FROM circles c LEFT JOIN circle_members m ON m.circle_id = c.id AND m.user_id = :uid"
            " WHERE c.level_group <> :pair OR m.user_id IS NOT NULL ORDER BY c.name, c.id",
            uid=self.user_id,
            pair=PAIR,
        )
        return [CircleInfo(int(i), str(n), str(s), str(g), int(k), d) for i, n, s, g, k, d in rows]

    async def create_circle(self, name: str, subject: str, level_group: str) -> int:
        """A new circle; its id."""
        rows = await self.runner.run(
            "INSERT INTO circles (name, subject, level_group, created_by, created_at)"
            " VALUES (:name, :subject, :level, :uid, :now) RETURNING id",
            name=name[:80],
            subject=subject,
            level=level_group,
            uid=self.user_id,
            now=self.now,
        )
        return int(rows[0][0])

    async def set_digest(self, circle_id: int, digest: str | None) -> None:
        """Join, change how one follows, or leave (None) a circle."""
        if digest is None:
            await self.runner.run(
                "DELETE FROM circle_members WHERE circle_id = :cid AND user_id = :uid",
                cid=circle_id,
                uid=self.user_id,
            )
            return
        await add_member(self.runner, circle_id, self.user_id, digest, self.now)

    async def recent(self, circle_id: int, limit: int) -> list[CirclePost]:
        """The last messages of a circle, oldest first."""
        rows = await self.runner.run(
            f"{_POSTS} WHERE m.circle_id = :cid AND m.status IN ('relayed', 'removed')"
            " ORDER BY m.id DESC LIMIT :n",
            cid=circle_id,
            n=limit,
        )
        return await self._posts(list(reversed(rows)))

    async def me(self) -> Colleague:
        """The current person as colleagues see them."""
        return await colleague(self.runner, self.user_id)

    async def post(
        self,
        circle_id: int,
        text: str,
        relay: dict[str, str],
        attachment: Attachment | None = None,
        reply_to: int | None = None,
    ) -> Posted:
        """Keep the message, then relay it to each member as they chose."""
        rows = await self.runner.run(
            "INSERT INTO circle_messages (circle_id, author_id, text, attachment, reply_to,"
            " created_at, status) VALUES (:cid, :uid, :text, :att, :reply, :now, 'relayed')"
            " RETURNING id",
            cid=circle_id,
            uid=self.user_id,
            text=text,
            att=attachment.as_dict() if attachment else None,
            reply=reply_to,
            now=self.now,
        )
        return await self.relay(int(rows[0][0]), circle_id, relay, attachment)

    async def relay(
        self,
        message_id: int,
        circle_id: int,
        relay: dict[str, str],
        attachment: Attachment | None = None,
    ) -> Posted:
        """Relay a kept message (the current person is its author) to the members."""
        now_ids, digest = await self._recipients(circle_id)
        if now_ids:  # the members are read by the outbox's query, never listed by id
            audience = Audience(
                personal=True, circle_id=circle_id, circle_mode="now", exclude_user=self.user_id
            )
            desk = SqlAdminDesk(self.runner, self.user_id, self.now)
            sent, _ = await desk.create_broadcast(BroadcastDraft(relay, audience, attachment))
            await self.runner.run(  # moderation finds the copies to withdraw through it
                "INSERT INTO circle_relays (message_id, broadcast_id) VALUES (:mid, :bid)",
                mid=message_id,
                bid=sent,
            )
        return Posted(message_id, len(now_ids), 0, digest)

    async def _recipients(self, circle_id: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Members other than the author on a channel that writes first: (now, digest)."""
        rows = await self.runner.run(
            "SELECT m.user_id, m.digest, u.channel, c.last_inbound_at"
            " FROM circle_members m JOIN users u ON u.id = m.user_id"
            " LEFT JOIN channel_contacts c ON c.user_id = m.user_id"
            " WHERE m.circle_id = :cid AND m.user_id <> :uid AND m.digest <> 'mute'"
            " ORDER BY m.user_id",
            cid=circle_id,
            uid=self.user_id,
        )
        now_ids: list[int] = []
        digest: list[int] = []
        for user_id, chosen, channel, inbound in rows:
            caps = capabilities(str(channel))
            window = caps.reply_window_hours
            is_open = not window or self._open(inbound, window)
            way = circle_delivery(str(chosen), caps.can_push, is_open)
            if way == "digest":
                digest.append(int(user_id))
            elif way == "now":
                now_ids.append(int(user_id))
        return tuple(now_ids), tuple(digest)

    def _open(self, inbound: Any, hours: int) -> bool:
        """Whether a member's reply window (WhatsApp's 24 hours) is open now."""
        last = utc(inbound)
        return last is not None and self.now - last < timedelta(hours=hours)

    async def digest_posts(self, circle_id: int) -> list[CirclePost]:
        """The messages posted since the last digest of this circle."""
        at = next_digest(self.now)
        rows = await self.runner.run(
            f"{_POSTS} WHERE m.circle_id = :cid AND m.status = 'relayed'"
            " AND m.created_at > :since AND m.created_at <= :until ORDER BY m.id",
            cid=circle_id,
            since=at - timedelta(days=1),
            until=self.now,
        )
        return await self._posts(rows)

    async def schedule_digest(
        self, circle_id: int, user_ids: tuple[int, ...], texts: dict[str, str]
    ) -> None:
        """Rewrite the evening's scheduled notice of this circle, or create it.

        `user_ids` are the members who need it now; who gets it is read when it is queued
        (daily members, and WhatsApp members then outside their window), never as an id list.
        """
        del user_ids  # the audience is the circle's, read by the outbox's query
        at = next_digest(self.now)
        rows = await self.runner.run(
            "SELECT b.id, b.audience FROM circle_digests d JOIN broadcasts b"
            " ON b.id = d.broadcast_id WHERE d.circle_id = :cid AND d.send_at = :at"
            " AND b.status = 'scheduled'",
            cid=circle_id,
            at=at,
        )
        if rows:
            await self.runner.run(
                "UPDATE broadcasts SET texts = :texts WHERE id = :id", texts=texts, id=rows[0][0]
            )
            return
        audience = Audience(personal=True, circle_id=circle_id, circle_mode="digest")
        draft = BroadcastDraft(texts, audience, None, at)
        broadcast_id, _ = await SqlAdminDesk(self.runner, self.user_id, self.now).create_broadcast(
            draft
        )
        await self.runner.run(
            "INSERT INTO circle_digests (circle_id, send_at, broadcast_id)"
            " VALUES (:cid, :at, :bid) ON CONFLICT DO NOTHING",
            cid=circle_id,
            at=at,
            bid=broadcast_id,
        )

    async def notice(self, user_ids: tuple[int, ...], texts: dict[str, str]) -> None:
        """A personal notice, through the outbox, to those whose channel writes first."""
        if not user_ids:
            return
        marks = ", ".join(f":u{i}" for i in range(len(user_ids)))
        rows = await self.runner.run(
            f"SELECT id, channel FROM users WHERE id IN ({marks})",
            **{f"u{i}": uid for i, uid in enumerate(user_ids)},
        )
        pushed = tuple(int(uid) for uid, channel in rows if capabilities(str(channel)).can_push)
        if pushed:
            draft = BroadcastDraft(texts, Audience(user_ids=pushed, personal=True))
            await SqlAdminDesk(self.runner, self.user_id, self.now).create_broadcast(draft)

    async def ask_colleague(self, asker_id: int, subject: str, level: str) -> Colleague | None:
        """Propose the request to the next matching teacher of another country."""
        return await propose(self.runner, asker_id, subject, level, self.now)

    async def asks(self) -> list[ColleagueAsk]:
        """The requests proposed to the current person, waiting for their answer."""
        return await colleague_asks(self.runner, self.user_id)

    async def answer(self, ask_id: int, accept: bool) -> tuple[ColleagueAsk, int | None] | None:
        """Accept (with a one-to-one circle) or decline a request proposed to me."""
        found = next((a for a in await self.asks() if a.id == ask_id), None)
        if found is None:
            return None
        await settle(self.runner, ask_id, accept)
        if not accept:
            return found, None
        me = await self.me()
        name = f"Échange {found.asker.name or SOMEONE} – {me.name or SOMEONE}"
        circle_id = await self.create_circle(name, found.subject, PAIR)
        for member in (found.asker.user_id, self.user_id):
            await add_member(self.runner, circle_id, member, "every", self.now)
        return found, circle_id

    async def posts_by_id(self, ids: list[int]) -> list[CirclePost]:
        """The messages with these ids, whatever their status, in id order."""
        if not ids:
            return []
        marks = ", ".join(f":p{i}" for i in range(len(ids)))
        rows = await self.runner.run(
            f"{_POSTS} WHERE m.id IN ({marks}) ORDER BY m.id",
            **{f"p{i}": post_id for i, post_id in enumerate(ids)},
        )
        return await self._posts(rows)

    async def _posts(self, rows: list[Row]) -> list[CirclePost]:
        """Posts from their rows, each author read once."""
        authors: dict[int, Colleague] = {}
        found = []
        for post_id, author_id, text, attachment, at, quoted, status in rows:
            uid = int(author_id or 0)
            if uid not in authors:
                authors[uid] = await colleague(self.runner, uid)
            start = _start(str(quoted)) if quoted is not None else ""
            when = utc(at) or self.now
            post = CirclePost(int(post_id), authors[uid], str(text), when, bool(attachment), start)
            found.append(replace(post, removed=status == "removed"))
        return found


_POSTS = (
    "SELECT m.id, m.author_id, m.text, m.attachment, m.created_at,"
    " (SELECT q.text FROM circle_messages q WHERE q.id = m.reply_to), m.status"
    " FROM circle_messages m"
)


def _start(text: str) -> str:
    """The start of a message, on one line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= QUOTE else flat[: QUOTE - 1] + "…"


async def add_member(
    runner: Runner, circle_id: int, user_id: int, digest: str, at: datetime
) -> None:
    """Put someone in a circle, or change how they follow it."""
    await runner.run(
        "INSERT INTO circle_members (circle_id, user_id, digest, joined_at)"
        " VALUES (:cid, :uid, :digest, :at)"
        " ON CONFLICT (circle_id, user_id) DO UPDATE SET digest = :digest",
        cid=circle_id,
        uid=user_id,
        digest=digest,
        at=at,
    )
