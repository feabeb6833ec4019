"""The circles desk (dialogs/circle_ports.py) in Core statements (bot/storage/sql.py).

A posted message is relayed in the author's own turn, so it is never lost nor sent twice:
- members who follow every message on a channel that writes first (Telegram, the web chat's
  inbox), or on WhatsApp inside the 24-hour window, get it through the outbox as one
  personal notice (the sender, its rates, its attachments);
- WhatsApp members outside the window get it in the circle's digest, not as a template each;
  a member who got every post of the day live gets no digest, even if their window closed
  since (who gets the digest is decided per member and post: bot/storage/admin.py);
- members who chose the daily digest get that digest: a scheduled personal notice per circle
  and per evening, rewritten at each message and queued once by the outbox's scheduler;
- muted members get nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.dml import ReturningInsert

from bot.channels import capabilities
from bot.storage.admin import SqlAdminDesk
from bot.storage.colleagues import colleague, colleague_asks, propose, settle
from bot.storage.models import (
    broadcasts,
    channel_contacts,
    circle_digests,
    circle_members,
    circle_messages,
    circle_relays,
    circles,
    users,
)
from bot.storage.sql import ByDialect, Row, Runner, utc
from dialogs.admin_ports import Attachment, Audience, BroadcastDraft
from dialogs.audiences import circle_delivery
from dialogs.circle_ports import CircleInfo, CirclePost, Colleague, ColleagueAsk, Posted

# sqlite.insert or postgresql.insert: the same upsert API, written once for both engines
Insert = Callable[[Table], sqlite.Insert | postgresql.Insert]

DIGEST_HOUR = 18  # UTC: the evening in West and Central Africa
PAIR = "pair"  # the level group of a one-to-one exchange (shown to its two members only)
QUOTE = 60  # characters of a message quoted by a reply
SOMEONE = "Enseignant·e"  # a teacher who never gave their name


_MEMBER = circle_members.c
_M = circle_messages.c
_QUOTED = circle_messages.alias("q")  # the message a reply answers

# A circle message as the desks read it: the text it answers comes with it.
_POSTS = select(
    _M.id,
    _M.author_id,
    _M.text,
    _M.attachment,
    _M.created_at,
    select(_QUOTED.c.text).where(_QUOTED.c.id == _M.reply_to).scalar_subquery(),
    _M.status,
)


def _add_member(insert_: Insert) -> ClauseElement:
    """Someone in a circle, or how they follow it changed (sqlite.insert or postgresql.insert)."""
    new = insert_(circle_members).values(
        circle_id=bindparam("cid"),
        user_id=bindparam("uid"),
        digest=bindparam("digest"),
        joined_at=bindparam("at"),
    )
    return new.on_conflict_do_update(
        index_elements=[_MEMBER.circle_id, _MEMBER.user_id], set_={"digest": new.excluded.digest}
    )


def _link_digest(insert_: Insert) -> ClauseElement:
    """The notice that carries a circle's digest at a time, kept once."""
    return (
        insert_(circle_digests)
        .values(circle_id=bindparam("cid"), send_at=bindparam("at"), broadcast_id=bindparam("bid"))
        .on_conflict_do_nothing()
    )


_COUNTED = circle_members.alias("a")
_CIRCLES = (
    select(
        circles.c.id,
        circles.c.name,
        circles.c.subject,
        circles.c.level_group,
        select(func.count())
        .select_from(_COUNTED)
        .where(_COUNTED.c.circle_id == circles.c.id)
        .scalar_subquery(),
        _MEMBER.digest,
    )
    .select_from(
        circles.outerjoin(
            circle_members,
            and_(_MEMBER.circle_id == circles.c.id, _MEMBER.user_id == bindparam("uid")),
        )
    )
    .where(or_(circles.c.level_group != bindparam("pair"), _MEMBER.user_id.is_not(None)))
    .order_by(circles.c.name, circles.c.id)
)
_CREATE = (
    insert(circles)
    .values(
        name=bindparam("name"),
        subject=bindparam("subject"),
        level_group=bindparam("level"),
        created_by=bindparam("uid"),
        created_at=bindparam("now"),
    )
    .returning(circles.c.id)
)
_LEAVE = delete(circle_members).where(
    _MEMBER.circle_id == bindparam("cid"), _MEMBER.user_id == bindparam("uid")
)
_RECENT = (
    _POSTS.where(_M.circle_id == bindparam("cid"), _M.status.in_(("relayed", "removed")))
    .order_by(_M.id.desc())
    .limit(bindparam("n"))
)


def new_post(status: str) -> ReturningInsert[tuple[int]]:
    """A circle message written with its status: "relayed", or "held" by moderation."""
    return (
        insert(circle_messages)
        .values(
            circle_id=bindparam("cid"),
            author_id=bindparam("uid"),
            text=bindparam("text"),
            attachment=bindparam("att"),
            reply_to=bindparam("reply"),
            created_at=bindparam("now"),
            status=status,
        )
        .returning(_M.id)
    )


_POST = new_post("relayed")
_RELAY = insert(circle_relays).values(message_id=bindparam("mid"), broadcast_id=bindparam("bid"))
_RECIPIENTS = (
    select(_MEMBER.user_id, _MEMBER.digest, users.c.channel, channel_contacts.c.last_inbound_at)
    .join(users, users.c.id == _MEMBER.user_id)
    .outerjoin(channel_contacts, channel_contacts.c.user_id == _MEMBER.user_id)
    .where(
        _MEMBER.circle_id == bindparam("cid"),
        _MEMBER.user_id != bindparam("uid"),
        _MEMBER.digest != "mute",
    )
    .order_by(_MEMBER.user_id)
)
_DIGEST_POSTS = _POSTS.where(
    _M.circle_id == bindparam("cid"),
    _M.status == "relayed",
    _M.created_at > bindparam("since"),
    _M.created_at <= bindparam("until"),
).order_by(_M.id)
_SCHEDULED = (
    select(broadcasts.c.id, broadcasts.c.audience)
    .select_from(circle_digests)
    .join(broadcasts, broadcasts.c.id == circle_digests.c.broadcast_id)
    .where(
        circle_digests.c.circle_id == bindparam("cid"),
        circle_digests.c.send_at == bindparam("at"),
        broadcasts.c.status == "scheduled",
    )
)
_REWRITE = (
    update(broadcasts).where(broadcasts.c.id == bindparam("bid")).values(texts=bindparam("texts"))
)
_LINK_DIGEST = ByDialect(
    sqlite=_link_digest(sqlite.insert), postgresql=_link_digest(postgresql.insert)
)
_CHANNELS = select(users.c.id, users.c.channel).where(
    users.c.id.in_(bindparam("ids", expanding=True))
)
_BY_ID = _POSTS.where(_M.id.in_(bindparam("ids", expanding=True))).order_by(_M.id)
_ADD_MEMBER = ByDialect(
    sqlite=_add_member(sqlite.insert), postgresql=_add_member(postgresql.insert)
)


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
        rows = await self.runner.run(_CIRCLES, uid=self.user_id, pair=PAIR)
        return [CircleInfo(int(i), str(n), str(s), str(g), int(k), d) for i, n, s, g, k, d in rows]

    async def create_circle(self, name: str, subject: str, level_group: str) -> int:
        """A new circle; its id."""
        rows = await self.runner.run(
            _CREATE,
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
            await self.runner.run(_LEAVE, cid=circle_id, uid=self.user_id)
            return
        await add_member(self.runner, circle_id, self.user_id, digest, self.now)

    async def recent(self, circle_id: int, limit: int) -> list[CirclePost]:
        """The last messages of a circle, oldest first."""
        rows = await self.runner.run(_RECENT, cid=circle_id, n=limit)
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
            _POST,
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
            # moderation finds the copies to withdraw through it
            await self.runner.run(_RELAY, mid=message_id, bid=sent)
        return Posted(message_id, len(now_ids), 0, digest)

    async def _recipients(self, circle_id: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Members other than the author on a channel that writes first: (now, digest)."""
        rows = await self.runner.run(_RECIPIENTS, cid=circle_id, uid=self.user_id)
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
            _DIGEST_POSTS, cid=circle_id, since=at - timedelta(days=1), until=self.now
        )
        return await self._posts(rows)

    async def schedule_digest(
        self, circle_id: int, user_ids: tuple[int, ...], texts: dict[str, str]
    ) -> None:
        """Rewrite the evening's scheduled notice of this circle, or create it.

        `user_ids` are the members who need it now; who gets it is read when it is queued
        (daily members, and WhatsApp members who missed one of its posts live), never as an
        id list.
        """
        del user_ids  # the audience is the circle's, read by the outbox's query
        at = next_digest(self.now)
        rows = await self.runner.run(_SCHEDULED, cid=circle_id, at=at)
        if rows:
            await self.runner.run(_REWRITE, texts=texts, bid=rows[0][0])
            return
        audience = Audience(personal=True, circle_id=circle_id, circle_mode="digest")
        draft = BroadcastDraft(texts, audience, None, at)
        broadcast_id, _ = await SqlAdminDesk(self.runner, self.user_id, self.now).create_broadcast(
            draft
        )
        await self.runner.run(_LINK_DIGEST, cid=circle_id, at=at, bid=broadcast_id)

    async def notice(self, user_ids: tuple[int, ...], texts: dict[str, str]) -> None:
        """A personal notice, through the outbox, to those whose channel writes first."""
        if not user_ids:
            return
        rows = await self.runner.run(_CHANNELS, ids=list(user_ids))
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
        rows = await self.runner.run(_BY_ID, ids=list(ids))
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


def _start(text: str) -> str:
    """The start of a message, on one line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= QUOTE else flat[: QUOTE - 1] + "…"


async def add_member(
    runner: Runner, circle_id: int, user_id: int, digest: str, at: datetime
) -> None:
    """Put someone in a circle, or change how they follow it."""
    await runner.run(_ADD_MEMBER, cid=circle_id, uid=user_id, digest=digest, at=at)
