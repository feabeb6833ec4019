"""The moderation desk (dialogs/moderation_ports.py) in Core statements (bot/storage/sql.py).

A message is screened in its author's turn before anything is relayed: a sanction or the rate
limit refuses it; a listed word, a new member's link or a flood holds it (status "held", no
outbox row, no web copy) until a moderator releases or removes it. Removing a relayed message
cancels the copies still queued in the outbox and queues the withdrawal of those Telegram
already shows (`withdrawals`, platform ids "tg:<chat>:<message_id>"; bot/withdrawals.py
deletes them). Every moderator action is written to `moderation_log`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Table, and_, bindparam, delete, exists, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import ClauseElement

from bot.storage.circles import SqlCircleDesk, new_post
from bot.storage.colleagues import colleague
from bot.storage.models import (
    circle_members,
    circle_messages,
    circle_relays,
    circle_reports,
    circle_sanctions,
    circles,
    moderation_log,
    outbox,
    role_grants,
    web_inbox,
    withdrawals,
)
from bot.storage.sql import ByDialect, Runner, as_json, utc
from dialogs.admin_ports import Attachment
from dialogs.circle_ports import Posted
from dialogs.moderation_ports import LogEntry, Pending, Screened

# sqlite.insert or postgresql.insert: the same upsert API, written once for both engines
Insert = Callable[[Table], sqlite.Insert | postgresql.Insert]

DEFAULT_WORDS = Path(__file__).resolve().parents[1] / "moderation_words.toml"
MODERATORS = ("moderator", "national_admin", "regional_admin")
# A domain is tried from the start of its run of letters and dashes only: `\b[\w-]+\.`, tried
# at every boundary, backtracked quadratically on "a-a-a-…" (same matches, one pass).
LINK = re.compile(
    r"(https?://|www\.|(?<![\w-])-*\w[\w-]*\.(com|org|net|info|io|me|ly|xyz|africa)\b)", re.I
)
REASON = 300


@dataclass(frozen=True)
class Rules:
    """The filter's thresholds (per member and per circle)."""

    rate: int = 10  # posts allowed per `rate_window`; beyond, refused
    rate_window: timedelta = timedelta(minutes=10)
    flood: int = 5  # posts within `flood_window` beyond which the next ones are held
    flood_window: timedelta = timedelta(minutes=2)
    new_days: int = 3  # members who joined more recently are "new" (their links are held)
    new_posts: int = 3  # so are members with fewer relayed messages in the circle
    words: tuple[str, ...] = field(default_factory=tuple)


def load_words(extra: str | Path | None = None) -> tuple[str, ...]:
    """The bundled word lists, plus an operator's file of the same shape."""
    found: list[str] = []
    for path in (DEFAULT_WORDS, Path(extra) if extra else None):
        if path is None:
            continue
        with path.open("rb") as file:
            lists = tomllib.load(file)
        found += [str(w).casefold() for words in lists.values() for w in words if str(w).strip()]
    return tuple(dict.fromkeys(found))


def listed_word(text: str, words: tuple[str, ...]) -> str | None:
    """The first listed word or phrase the text contains as whole words."""
    folded = " ".join(text.casefold().split())
    for word in words:
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", folded):
            return word
    return None


_M = circle_messages.c
_REP = circle_reports.c


def _sanction_until(insert_: Insert) -> ClauseElement:
    """A sanction written, or lengthened (sqlite.insert or postgresql.insert)."""
    new = insert_(circle_sanctions).values(
        circle_id=bindparam("cid"), user_id=bindparam("uid"), until=bindparam("until")
    )
    return new.on_conflict_do_update(
        index_elements=[circle_sanctions.c.circle_id, circle_sanctions.c.user_id],
        set_={"until": new.excluded.until},
    )


_SANCTION = select(circle_sanctions.c.until).where(
    circle_sanctions.c.circle_id == bindparam("cid"),
    circle_sanctions.c.user_id == bindparam("uid"),
    circle_sanctions.c.until > bindparam("now"),
)
_POSTS_SINCE = (
    select(func.count())
    .select_from(circle_messages)
    .where(
        _M.circle_id == bindparam("cid"),
        _M.author_id == bindparam("uid"),
        _M.created_at > bindparam("since"),
    )
)
_RELAYED_BY_MEMBER = (
    select(func.count())
    .select_from(circle_messages)
    .where(
        _M.circle_id == circle_members.c.circle_id,
        _M.author_id == circle_members.c.user_id,
        _M.status == "relayed",
    )
    .scalar_subquery()
)
_IS_NEW = select(circle_members.c.joined_at, _RELAYED_BY_MEMBER).where(
    circle_members.c.circle_id == bindparam("cid"), circle_members.c.user_id == bindparam("uid")
)
_HOLD = new_post("held")
_REPORT = (
    insert(circle_reports)
    .values(
        message_id=bindparam("mid"),
        reporter_id=bindparam("uid"),
        reason=bindparam("reason"),
        status="pending",
        created_at=bindparam("now"),
    )
    .inline()
)
_PENDING = (
    select(_M.id, _M.circle_id, circles.c.name, _M.status)
    .join(circles, circles.c.id == _M.circle_id)
    .where(
        or_(
            _M.status == "held",
            and_(
                _M.status == "relayed",
                exists().where(_REP.message_id == _M.id, _REP.status == "pending"),
            ),
        )
    )
    .order_by(_M.id)
    .limit(20)
)
_REASONS = (
    select(_REP.reason)
    .where(_REP.message_id == bindparam("mid"), _REP.status == "pending")
    .order_by(_REP.id)
)
_MESSAGE = select(_M.circle_id, _M.author_id, _M.status).where(_M.id == bindparam("mid"))
_REMOVE = (
    update(circle_messages)
    .where(_M.id == bindparam("mid"), _M.status != "removed")
    .values(status="removed")
    .returning(_M.id)
)
_RELAYS = select(circle_relays.c.broadcast_id).where(circle_relays.c.message_id == bindparam("mid"))
_UNDELIVERED = delete(web_inbox).where(  # the copies waiting in web inboxes
    web_inbox.c.delivered_at.is_(None), web_inbox.c.broadcast_id.in_(_RELAYS)
)
_CANCEL = (
    update(outbox)
    .where(outbox.c.status == "queued", outbox.c.broadcast_id.in_(_RELAYS))
    .values(status="cancelled")
)
_TELEGRAM_COPIES = (
    select(outbox.c.platform_id)
    .join(circle_relays, circle_relays.c.broadcast_id == outbox.c.broadcast_id)
    .where(circle_relays.c.message_id == bindparam("mid"), outbox.c.platform_id.like("tg:%"))
)
_WITHDRAW = (
    insert(withdrawals)
    .values(platform_id=bindparam("pid"), status="queued", created_at=bindparam("now"))
    .inline()
)
_CLOSE_REPORTS = (
    update(circle_reports)
    .where(_REP.message_id == bindparam("mid"), _REP.status == "pending")
    .values(status="handled")
)
_RELEASE = (  # one moderator releases it: the status moves from held once
    update(circle_messages)
    .where(_M.id == bindparam("mid"), _M.status == "held", _M.author_id.is_not(None))
    .values(status="relayed")
    .returning(_M.circle_id, _M.author_id)
)
_ATTACHMENT = select(_M.attachment).where(_M.id == bindparam("mid"))
_SANCTION_UNTIL = ByDialect(
    sqlite=_sanction_until(sqlite.insert), postgresql=_sanction_until(postgresql.insert)
)
_EXCLUDE = delete(circle_members).where(
    circle_members.c.circle_id == bindparam("cid"), circle_members.c.user_id == bindparam("uid")
)
_LOG = (
    insert(moderation_log)
    .values(
        moderator_id=bindparam("uid"),
        action=bindparam("action"),
        circle_id=bindparam("cid"),
        message_id=bindparam("mid"),
        member_id=bindparam("member"),
        reason=bindparam("reason"),
        created_at=bindparam("now"),
    )
    .inline()
)
_L = moderation_log.c
_JOURNAL = (
    select(
        _L.created_at,
        _L.moderator_id,
        _L.action,
        circles.c.name,
        _L.message_id,
        _L.member_id,
        _L.reason,
    )
    .select_from(moderation_log.outerjoin(circles, circles.c.id == _L.circle_id))
    .order_by(_L.id.desc())
    .limit(bindparam("n"))
)
_MODERATORS = (
    select(role_grants.c.user_id)
    .distinct()
    .where(role_grants.c.role.in_(MODERATORS), role_grants.c.user_id != bindparam("uid"))
    .order_by(role_grants.c.user_id)
)


class SqlModerationDesk:
    """ModerationDesk for the person `user_id`, on the turn's runner."""

    def __init__(
        self, runner: Runner, user_id: int, rules: Rules, now: datetime | None = None
    ) -> None:
        self.runner = runner
        self.user_id = user_id
        self.rules = rules
        self.now = now or datetime.now(UTC)

    async def screen(self, circle_id: int, text: str) -> Screened:
        """A sanction or the rate limit refuses; a word, a new member's link or a flood holds."""
        until = await self._sanction(circle_id, self.user_id)
        if until is not None:
            return Screened("muted", until=until)
        if await self._posts_since(circle_id, self.rules.rate_window) >= self.rules.rate:
            return Screened("limited")
        if await self._posts_since(circle_id, self.rules.flood_window) >= self.rules.flood:
            return Screened("held", "flood")
        if listed_word(text, self.rules.words):
            return Screened("held", "word")
        if LINK.search(text) and await self._is_new(circle_id):
            return Screened("held", "link")
        return Screened("ok")

    async def _sanction(self, circle_id: int, user_id: int) -> datetime | None:
        """Until when this person may not post in this circle (None: they may)."""
        rows = await self.runner.run(_SANCTION, cid=circle_id, uid=user_id, now=self.now)
        return utc(rows[0][0]) if rows else None

    async def _posts_since(self, circle_id: int, window: timedelta) -> int:
        """The current person's messages (any status) in the circle within the window."""
        rows = await self.runner.run(
            _POSTS_SINCE, cid=circle_id, uid=self.user_id, since=self.now - window
        )
        return int(rows[0][0])

    async def _is_new(self, circle_id: int) -> bool:
        """Joined recently, or few messages relayed in the circle yet."""
        rows = await self.runner.run(_IS_NEW, cid=circle_id, uid=self.user_id)
        if not rows:
            return True
        joined = utc(rows[0][0]) or self.now
        recent = self.now - joined < timedelta(days=self.rules.new_days)
        return recent or int(rows[0][1]) < self.rules.new_posts

    async def hold(
        self, circle_id: int, text: str, attachment: Attachment | None, reply_to: int | None
    ) -> int:
        """Keep the message as held: nothing is relayed until a moderator releases it."""
        rows = await self.runner.run(
            _HOLD,
            cid=circle_id,
            uid=self.user_id,
            text=text,
            att=attachment.as_dict() if attachment else None,
            reply=reply_to,
            now=self.now,
        )
        return int(rows[0][0])

    async def report(self, message_id: int, reason: str) -> tuple[int, ...]:
        """Keep the report; the moderators and admins to tell (never the reporter)."""
        await self.runner.run(
            _REPORT, mid=message_id, uid=self.user_id, reason=reason[:REASON], now=self.now
        )
        return await moderators(self.runner, exclude=self.user_id)

    async def pending(self) -> list[Pending]:
        """Held messages and messages with pending reports, oldest first."""
        rows = await self.runner.run(_PENDING)
        posts = await self._circles().posts_by_id([int(r[0]) for r in rows])
        found = []
        for post, (_, circle_id, name, status) in zip(posts, rows, strict=True):
            why = await self._held_why(post.id) if status == "held" else ""
            reasons = await self._reasons(post.id)
            found.append(Pending(post, int(circle_id), str(name), why, reasons))
        return found

    def _circles(self, user_id: int | None = None) -> SqlCircleDesk:
        """The circles desk, for the current person or another one (an author)."""
        return SqlCircleDesk(self.runner, user_id or self.user_id, self.now)

    async def _held_why(self, message_id: int) -> str:
        """Why the filter held a message, as the screen said it then."""
        post = (await self._circles().posts_by_id([message_id]))[0]
        if listed_word(post.text, self.rules.words):
            return "word"
        return "link" if LINK.search(post.text) else "flood"

    async def _reasons(self, message_id: int) -> tuple[str, ...]:
        """The reasons of the pending reports of a message."""
        rows = await self.runner.run(_REASONS, mid=message_id)
        return tuple(str(r[0]) for r in rows)

    async def _message(self, message_id: int) -> tuple[int, int | None, str] | None:
        """(circle, author, status) of a message."""
        rows = await self.runner.run(_MESSAGE, mid=message_id)
        if not rows:
            return None
        circle_id, author_id, status = rows[0]
        return int(circle_id), int(author_id) if author_id else None, str(status)

    async def remove(self, message_id: int, reason: str) -> int:
        """Mark it removed, cancel its queued copies, queue the withdrawal of the sent ones.
        Two moderators removing it at once: the second finds it removed (no second set of
        withdrawals, no second log line)."""
        moved = await self.runner.run(_REMOVE, mid=message_id)
        if not moved:
            return 0
        await self._close_reports(message_id)
        await self.runner.run(_UNDELIVERED, mid=message_id)  # not delivered either
        await self.runner.run(_CANCEL, mid=message_id)
        rows = await self.runner.run(_TELEGRAM_COPIES, mid=message_id)
        for (platform_id,) in rows:
            await self.runner.run(_WITHDRAW, pid=platform_id, now=self.now)
        await self._log("remove", message_id, reason)
        return len(rows)

    async def _close_reports(self, message_id: int) -> None:
        """The pending reports of a message are handled."""
        await self.runner.run(_CLOSE_REPORTS, mid=message_id)

    async def release(self, message_id: int, relay: dict[str, str]) -> Posted | None:
        """Relay a held message as its author would have; None when it is not held."""
        # One moderator releases it: the status moves from held once, a second finds it moved.
        moved = await self.runner.run(_RELEASE, mid=message_id)
        if not moved:
            return None
        circle_id, author_id = int(moved[0][0]), int(moved[0][1])
        await self._close_reports(message_id)
        attachment = await self._attachment(message_id)
        posted = await self._circles(author_id).relay(message_id, circle_id, relay, attachment)
        await self._log("release", message_id, "")
        return posted

    async def _attachment(self, message_id: int) -> Attachment | None:
        """The file a message carries, if any."""
        rows = await self.runner.run(_ATTACHMENT, mid=message_id)
        data = as_json(rows[0][0]) if rows and rows[0][0] is not None else None
        if not data:
            return None
        size = data.get("size")
        found = {k: str(v) for k, v in data.items() if k != "size"}
        return Attachment(**found, size=size if isinstance(size, int) else 0)

    async def dismiss(self, message_id: int, reason: str) -> None:
        """Close the reports; the message stays."""
        await self._close_reports(message_id)
        await self._log("dismiss", message_id, reason)

    async def warn(self, message_id: int, reason: str) -> None:
        """A warning to the author, for the log (the flow sends the notice)."""
        await self._close_reports(message_id)
        await self._log("warn", message_id, reason)

    async def mute(self, message_id: int, until: datetime, reason: str) -> None:
        """No posts from the author in that circle until then."""
        found = await self._message(message_id)
        if found is None or found[1] is None:
            return
        await self._sanction_until(found[0], found[1], until)
        await self._close_reports(message_id)
        await self._log("mute", message_id, reason)

    async def _sanction_until(self, circle_id: int, user_id: int, until: datetime) -> None:
        """Write (or lengthen) a sanction."""
        await self.runner.run(_SANCTION_UNTIL, cid=circle_id, uid=user_id, until=until)

    async def exclude(self, message_id: int, reason: str) -> None:
        """Out of the circle, and no posts there for 30 days should they join again."""
        found = await self._message(message_id)
        if found is None or found[1] is None:
            return
        await self.runner.run(_EXCLUDE, cid=found[0], uid=found[1])
        await self._sanction_until(found[0], found[1], self.now + timedelta(days=30))
        await self._close_reports(message_id)
        await self._log("exclude", message_id, reason)

    async def _log(self, action: str, message_id: int, reason: str) -> None:
        """Write the audit log line of an action on a message (and its author)."""
        found = await self._message(message_id)
        circle_id, author_id = (found[0], found[1]) if found else (None, None)
        await self.runner.run(
            _LOG,
            uid=self.user_id,
            action=action,
            cid=circle_id,
            mid=message_id if found else None,
            member=author_id,
            reason=reason[:REASON],
            now=self.now,
        )

    async def journal(self, limit: int) -> list[LogEntry]:
        """The last entries, newest first, with names as colleagues see them."""
        rows = await self.runner.run(_JOURNAL, n=limit)
        found = []
        for at, moderator_id, action, circle, message_id, member_id, reason in rows:
            found.append(
                LogEntry(
                    utc(at) or self.now,
                    await self._name(moderator_id),
                    str(action),
                    str(circle or ""),
                    int(message_id) if message_id is not None else None,
                    await self._name(member_id),
                    str(reason),
                )
            )
        return found

    async def _name(self, user_id: int | None) -> str:
        """A person as the log shows them: name (country), or their number."""
        if user_id is None:
            return "—"
        person = await colleague(self.runner, int(user_id))
        who = person.name or f"#{user_id}"
        return f"{who} ({person.country})" if person.country else who


async def moderators(runner: Runner, exclude: int = 0) -> tuple[int, ...]:
    """The people who moderate circles: moderators of any country and admins."""
    rows = await runner.run(_MODERATORS, uid=exclude)
    return tuple(int(r[0]) for r in rows)
