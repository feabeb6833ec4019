"""The moderation desk (dialogs/moderation_ports.py) on SQL that SQLite and PostgreSQL read.

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
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.storage.circles import SqlCircleDesk
from bot.storage.colleagues import colleague
from bot.storage.sql import Runner, as_json, utc
from dialogs.admin_ports import Attachment
from dialogs.circle_ports import Posted
from dialogs.moderation_ports import LogEntry, Pending, Screened

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
        rows = await self.runner.run(
            "SELECT until FROM circle_sanctions WHERE circle_id = :cid AND user_id = :uid"
            " AND until > :now",
            cid=circle_id,
            uid=user_id,
            now=self.now,
        )
        return utc(rows[0][0]) if rows else None

    async def _posts_since(self, circle_id: int, window: timedelta) -> int:
        """The current person's messages (any status) in the circle within the window."""
        rows = await self.runner.run(
            "SELECT COUNT(*) FROM circle_messages WHERE circle_id = :cid AND author_id = :uid"
            " AND created_at > :since",
            cid=circle_id,
            uid=self.user_id,
            since=self.now - window,
        )
        return int(rows[0][0])

    async def _is_new(self, circle_id: int) -> bool:
        """Joined recently, or few messages relayed in the circle yet."""
        rows = await self.runner.run(
            "SELECT m.joined_at, (SELECT COUNT(*) FROM circle_messages c WHERE c.circle_id ="
            " m.circle_id AND c.author_id = m.user_id AND c.status = 'relayed')"
            " FROM circle_members m WHERE m.circle_id = :cid AND m.user_id = :uid",
            cid=circle_id,
            uid=self.user_id,
        )
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
            "INSERT INTO circle_messages (circle_id, author_id, text, attachment, reply_to,"
            " created_at, status) VALUES (:cid, :uid, :text, :att, :reply, :now, 'held')"
            " RETURNING id",
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
            "INSERT INTO circle_reports (message_id, reporter_id, reason, status, created_at)"
            " VALUES (:mid, :uid, :reason, 'pending', :now)",
            mid=message_id,
            uid=self.user_id,
            reason=reason[:REASON],
            now=self.now,
        )
        return await moderators(self.runner, exclude=self.user_id)

    async def pending(self) -> list[Pending]:
        """Held messages and messages with pending reports, oldest first."""
        rows = await self.runner.run(
            "SELECT m.id, m.circle_id, c.name, m.status FROM circle_messages m"
            " JOIN circles c ON c.id = m.circle_id WHERE m.status = 'held' OR (m.status ="
            " 'relayed' AND EXISTS (SELECT 1 FROM circle_reports r WHERE r.message_id = m.id"
            " AND r.status = 'pending')) ORDER BY m.id LIMIT 20",
        )
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
        rows = await self.runner.run(
            "SELECT reason FROM circle_reports WHERE message_id = :mid AND status = 'pending'"
            " ORDER BY id",
            mid=message_id,
        )
        return tuple(str(r[0]) for r in rows)

    async def _message(self, message_id: int) -> tuple[int, int | None, str] | None:
        """(circle, author, status) of a message."""
        rows = await self.runner.run(
            "SELECT circle_id, author_id, status FROM circle_messages WHERE id = :mid",
            mid=message_id,
        )
        if not rows:
            return None
        circle_id, author_id, status = rows[0]
        return int(circle_id), int(author_id) if author_id else None, str(status)

    async def remove(self, message_id: int, reason: str) -> int:
        """Mark it removed, cancel its queued copies, queue the withdrawal of the sent ones.
        Two moderators removing it at once: the second finds it removed (no second set of
        withdrawals, no second log line)."""
        moved = await self.runner.run(
            "UPDATE circle_messages SET status = 'removed' WHERE id = :mid"
            " AND status <> 'removed' RETURNING id",
            mid=message_id,
        )
        if not moved:
            return 0
        await self._close_reports(message_id)
        await self.runner.run(  # the copies waiting in web inboxes are not delivered either
            "DELETE FROM web_inbox WHERE delivered_at IS NULL AND broadcast_id IN"
            " (SELECT broadcast_id FROM circle_relays WHERE message_id = :mid)",
            mid=message_id,
        )
        await self.runner.run(
            "UPDATE outbox SET status = 'cancelled' WHERE status = 'queued' AND broadcast_id IN"
            " (SELECT broadcast_id FROM circle_relays WHERE message_id = :mid)",
            mid=message_id,
        )
        rows = await self.runner.run(
            "SELECT o.platform_id FROM outbox o JOIN circle_relays r ON r.broadcast_id ="
            " o.broadcast_id WHERE r.message_id = :mid AND o.platform_id LIKE 'tg:%'",
            mid=message_id,
        )
        for (platform_id,) in rows:
            await self.runner.run(
                "INSERT INTO withdrawals (platform_id, status, created_at)"
                " VALUES (:pid, 'queued', :now)",
                pid=platform_id,
                now=self.now,
            )
        await self._log("remove", message_id, reason)
        return len(rows)

    async def _close_reports(self, message_id: int) -> None:
        """The pending reports of a message are handled."""
        await self.runner.run(
            "UPDATE circle_reports SET status = 'handled' WHERE message_id = :mid"
            " AND status = 'pending'",
            mid=message_id,
        )

    async def release(self, message_id: int, relay: dict[str, str]) -> Posted | None:
        """Relay a held message as its author would have; None when it is not held."""
        # One moderator releases it: the status moves from held once, a second finds it moved.
        moved = await self.runner.run(
            "UPDATE circle_messages SET status = 'relayed' WHERE id = :mid AND status = 'held'"
            " AND author_id IS NOT NULL RETURNING circle_id, author_id",
            mid=message_id,
        )
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
        rows = await self.runner.run(
            "SELECT attachment FROM circle_messages WHERE id = :mid", mid=message_id
        )
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
        await self.runner.run(
            "INSERT INTO circle_sanctions (circle_id, user_id, until) VALUES (:cid, :uid, :until)"
            " ON CONFLICT (circle_id, user_id) DO UPDATE SET until = :until",
            cid=circle_id,
            uid=user_id,
            until=until,
        )

    async def exclude(self, message_id: int, reason: str) -> None:
        """Out of the circle, and no posts there for 30 days should they join again."""
        found = await self._message(message_id)
        if found is None or found[1] is None:
            return
        await self.runner.run(
            "DELETE FROM circle_members WHERE circle_id = :cid AND user_id = :uid",
            cid=found[0],
            uid=found[1],
        )
        await self._sanction_until(found[0], found[1], self.now + timedelta(days=30))
        await self._close_reports(message_id)
        await self._log("exclude", message_id, reason)

    async def _log(self, action: str, message_id: int, reason: str) -> None:
        """Write the audit log line of an action on a message (and its author)."""
        found = await self._message(message_id)
        circle_id, author_id = (found[0], found[1]) if found else (None, None)
        await self.runner.run(
            "INSERT INTO moderation_log (moderator_id, action, circle_id, message_id, member_id,"
            " reason, created_at) VALUES (:uid, :action, :cid, :mid, :member, :reason, :now)",
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
        rows = await self.runner.run(
            "SELECT l.created_at, l.moderator_id, l.action, c.name, l.message_id, l.member_id,"
            " l.reason FROM moderation_log l LEFT JOIN circles c ON c.id = l.circle_id"
            " ORDER BY l.id DESC LIMIT :n",
            n=limit,
        )
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
    rows = await runner.run(
        "SELECT DISTINCT user_id FROM role_grants WHERE role IN"
        " ('moderator', 'national_admin', 'regional_admin') AND user_id <> :uid ORDER BY user_id",
        uid=exclude,
    )
    return tuple(int(r[0]) for r in rows)
