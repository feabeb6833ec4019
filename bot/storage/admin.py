"""The admin desk (dialogs/admin_ports.py) on SQL that SQLite and PostgreSQL both read.

It runs inside the admin's turn, on the turn's connection: a broadcast and its outbox rows
are written in the same transaction as the dialog state that confirmed them. The audience
goes to the outbox with one INSERT ... SELECT, so memory does not grow with its size.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.channels import capabilities, having, pushing, sql_names
from bot.storage.impact import impact as impact_of
from bot.storage.sql import Row, Runner, as_json, utc
from dialogs.admin_ports import (
    Audience,
    BroadcastDraft,
    BroadcastStats,
    Impact,
    Reach,
)
from dialogs.audiences import Condition, conditions
from dialogs.ports import SubmitEssay
from dialogs.roles import Grant, Role

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
CODE_LENGTH = 6
LISTED = 10  # broadcasts shown to an admin
WHATSAPP_WINDOW = timedelta(hours=24)  # free-form messages only this long after the last one
# The channels with such a window (WhatsApp's), as an SQL list.
WINDOWED = sql_names(having(lambda caps: caps.reply_window_hours))


class SqlAdminDesk:
    """AdminDesk for the person `user_id`, on the turn's runner."""

    def __init__(self, runner: Runner, user_id: int, now: datetime | None = None) -> None:
        self.runner = runner
        self.user_id = user_id
        self.now = now or datetime.now(UTC)

    async def grants(self) -> list[Grant]:
        """The roles the current person holds."""
        return await grants_of(self.runner, self.user_id)

    async def person_code(self) -> str:
        """The current person's short code, made on first ask."""
        rows = await self.runner.run(
            "SELECT code FROM person_codes WHERE user_id = :uid", uid=self.user_id
        )
        if rows:
            return str(rows[0][0])
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            taken = await self.runner.run("SELECT 1 FROM person_codes WHERE code = :c", c=code)
            if not taken:
                break
        await self.runner.run(
            "INSERT INTO person_codes (user_id, code) VALUES (:uid, :code)",
            uid=self.user_id,
            code=code,
        )
        return code

    async def find_person(self, code: str) -> tuple[int, str | None] | None:
        """The person behind a code, with their country."""
        wanted = "".join(code.split()).upper().replace("-", "")
        rows = await self.runner.run(
            "SELECT users.id, users.country FROM person_codes JOIN users"
            " ON users.id = person_codes.user_id WHERE person_codes.code = :code",
            code=wanted,
        )
        return (int(rows[0][0]), rows[0][1]) if rows else None

    async def grant(
        self, person: int, grant: Grant, notice: Mapping[str, str] | None = None
    ) -> None:
        """Give a role, granted by the current person; a new one is announced to them."""
        fresh = grant not in await grants_of(self.runner, person)
        await grant_role(self.runner, person, grant, self.user_id, self.now)
        if fresh and notice:
            await queue_notice(self.runner, person, notice, self.now, author=self.user_id)

    async def announcements_off(self) -> bool:
        """Whether the current person said /stop_annonces."""
        rows = await self.runner.run(
            "SELECT 1 FROM announcement_optouts WHERE user_id = :uid", uid=self.user_id
        )
        return bool(rows)

    async def set_announcements(self, on: bool) -> None:
        """Stop or restart announcements for the current person."""
        if on:
            await self.runner.run(
                "DELETE FROM announcement_optouts WHERE user_id = :uid", uid=self.user_id
            )
            return
        await self.runner.run(
            "INSERT INTO announcement_optouts (user_id, created_at) VALUES (:uid, :at)"
            " ON CONFLICT (user_id) DO NOTHING",
            uid=self.user_id,
            at=self.now,
        )

    async def count_audience(self, audience: Audience) -> list[Reach]:
        """How many people an audience is, per channel with its capabilities: those of a
        channel that cannot write first are counted too, to say so before sending."""
        where, params = audience_filter(audience, self.now, any_channel=True)
        counted = (
            "COUNT(*)" if audience.personal else "COUNT(DISTINCT COALESCE(pa.account_id, u.id))"
        )
        rows = await self.runner.run(
            f"SELECT u.channel, {counted} FROM users u{_PROFILE_JOIN} WHERE {where}"
            " GROUP BY u.channel",
            **params,
        )
        return [Reach(capabilities(str(channel)), int(count)) for channel, count in rows]

    async def count_waiting(self, audience: Audience) -> int:
        """How many of the audience are on WhatsApp outside the 24-hour window (a template
        only, or the message waits for them to write)."""
        where, params = audience_filter(audience, self.now)
        counted = (
            "COUNT(*)" if audience.personal else "COUNT(DISTINCT COALESCE(pa.account_id, u.id))"
        )
        rows = await self.runner.run(
            f"SELECT {counted} FROM users u{_PROFILE_JOIN} WHERE {where}"
            f" AND u.channel IN ({WINDOWED}) AND NOT EXISTS (SELECT 1 FROM channel_contacts wc"
            f" WHERE wc.user_id = {ADDRESS_ROW} AND wc.last_inbound_at >= :window_open)",
            **params,
            window_open=self.now - WHATSAPP_WINDOW,
        )
        return int(rows[0][0] or 0) if rows else 0

    async def create_broadcast(self, draft: BroadcastDraft) -> tuple[int, int]:
        """Store the announcement; queue its audience now unless it is scheduled."""
        scheduled = draft.scheduled_at is not None and draft.scheduled_at > self.now
        attachment = draft.attachment.as_dict() if draft.attachment is not None else None
        rows = await self.runner.run(
            "INSERT INTO broadcasts (author_id, texts, attachment, audience, status, total,"
            " scheduled_at, created_at) VALUES (:author, :texts, :attachment, :audience,"
            " :status, 0, :scheduled_at, :now) RETURNING id",
            author=self.user_id,
            texts=dict(draft.texts),
            attachment=attachment,
            audience=draft.audience.as_dict(),
            status="scheduled" if scheduled else "queued",
            scheduled_at=draft.scheduled_at,
            now=self.now,
        )
        broadcast_id = int(rows[0][0])
        total = 0 if scheduled else await queue_broadcast(self.runner, broadcast_id, self.now)
        return broadcast_id, total

    async def broadcasts(self, countries: frozenset[str] | None) -> list[BroadcastStats]:
        """The latest announcements within these countries, newest first."""
        rows = await self.runner.run(
            "SELECT id, status, total, created_at, audience, texts, scheduled_at"
            " FROM broadcasts ORDER BY id DESC LIMIT :n",
            n=LISTED * 5,
        )
        found = []
        for row in rows:
            if Audience.from_dict(as_json(row[4])).personal:
                continue  # a teacher's notice to learners, not an announcement
            stats = await _stats(self.runner, row)
            if countries is None or (stats.countries and set(stats.countries) <= countries):
                found.append(stats)
        return found[:LISTED]

    async def cancel_broadcast(self, broadcast_id: int) -> int:
        """Cancel what is still queued (what is being sent right now still goes)."""
        rows = await self.runner.run(
            "UPDATE outbox SET status = 'cancelled' WHERE broadcast_id = :id"
            " AND status = 'queued' RETURNING id",
            id=broadcast_id,
        )
        await self.runner.run(
            "UPDATE broadcasts SET status = 'cancelled' WHERE id = :id", id=broadcast_id
        )
        return len(rows)

    async def impact(self, countries: frozenset[str] | None, weeks: int) -> Impact:
        """The programme's figures within these countries (None: all)."""
        return await impact_of(self.runner, countries, weeks, self.now)


async def grants_of(runner: Runner, user_id: int) -> list[Grant]:
    """The roles a person holds."""
    rows = await runner.run(
        "SELECT role, country FROM role_grants WHERE user_id = :uid ORDER BY role, country",
        uid=user_id,
    )
    known = {role.value for role in Role}
    return [_grant_of(Role(role), scope) for role, scope in rows if role in known]


def _grant_of(role: Role, scope: str) -> Grant:
    """A row's grant: the `country` column holds a translator's language ("wo")."""
    if role is Role.TRANSLATOR:
        return Grant(role, None, scope or None)
    return Grant(role, scope or None)


async def grant_role(
    runner: Runner, person: int, grant: Grant, by: int | None, at: datetime
) -> None:
    """Give a role (idempotent)."""
    await runner.run(
        "INSERT INTO role_grants (user_id, role, country, granted_by, granted_at)"
        " VALUES (:uid, :role, :country, :by, :at) ON CONFLICT DO NOTHING",
        uid=person,
        role=grant.role.value,
        country=grant.language if grant.role is Role.TRANSLATOR else (grant.country or ""),
        by=by,
        at=at,
    )


async def queue_notice(
    runner: Runner,
    person: int,
    texts: Mapping[str, str],
    now: datetime,
    author: int | None = None,
) -> None:
    """A personal notice to one person, through the outbox (a channel that cannot write
    first gets nothing: the notice is not queued)."""
    rows = await runner.run("SELECT channel FROM users WHERE id = :uid", uid=person)
    if not rows or not capabilities(str(rows[0][0])).can_push:
        return
    rows = await runner.run(  # written by `author`, or by nobody (the command line)
        "INSERT INTO broadcasts (author_id, texts, attachment, audience, status, total,"
        " scheduled_at, created_at) VALUES (:author, :texts, NULL, :audience, 'queued', 0,"
        " NULL, :now) RETURNING id",
        author=author,
        texts=dict(texts),
        audience=Audience(user_ids=(person,), personal=True).as_dict(),
        now=now,
    )
    await queue_broadcast(runner, int(rows[0][0]), now)


# The row of the address a learner is reached at: their account's on a shared phone.
ADDRESS_ROW = (
    "COALESCE((SELECT ax.account_id FROM learner_profiles ax WHERE ax.user_id = u.id), u.id)"
)

_PROFILE_JOIN = " LEFT JOIN learner_profiles pa ON pa.user_id = u.id"


def audience_filter(
    audience: Audience, now: datetime, *, any_channel: bool = False
) -> tuple[str, dict[str, Any]]:
    """The WHERE clause (on `users u`) selecting an audience, and its parameters: on the
    channels that can write first only, unless `any_channel` (to count who is missed).

    Who is in the audience is decided by the pure rules of dialogs/audiences.py; this writes
    each of their conditions as a clause."""
    clauses: list[str] = []
    params: dict[str, Any] = {}
    for condition in conditions(audience, now, any_channel=any_channel):
        clauses.append(_clause(condition, params, now))
    return " AND ".join(clauses), params


_FIXED = {
    "consented": "u.consented_at IS NOT NULL",
    # Not marked unreachable by the platform, or falling back to another channel then
    # (bot/fallbacks.py: `queue_broadcast` sends it there).
    "reachable": f"(NOT EXISTS (SELECT 1 FROM channel_contacts c WHERE c.user_id = {ADDRESS_ROW}"
    " AND c.unreachable_at IS NOT NULL) OR EXISTS (SELECT 1 FROM phone_fallbacks pf"
    f" WHERE pf.user_id = {ADDRESS_ROW} AND pf.fallback_id IS NOT NULL))",
    "not_following": "NOT EXISTS (SELECT 1 FROM address_links al WHERE al.account_id = u.id)",
    "not_opted_out": "NOT EXISTS (SELECT 1 FROM announcement_optouts o WHERE o.user_id = u.id)",
    "not_group": "(u.role IS NULL OR u.role <> 'group')",
}
_COLUMNS = {  # condition -> (column, parameter prefix)
    "country": ("u.country", "co"),
    "role": ("u.role", "ro"),
    "level": ("u.level", "le"),
    "locale": ("u.locale", "la"),
    "in_classes": ("", "cl"),
    "is_one_of": ("u.id", "us"),
}


def _clause(condition: Condition, params: dict[str, Any], now: datetime) -> str:
    """One condition of dialogs/audiences.py as SQL on `users u`, its parameters added."""
    name, value = condition.name, condition.value
    if name in _FIXED:
        return _FIXED[name]
    if name == "pushing":
        params.update(_params("ch", pushing()))
        return _in("u.channel", "ch", pushing())
    if name in _COLUMNS:
        column, key = _COLUMNS[name]
        params.update(_params(key, value))
        if name == "in_classes":
            return (
                "EXISTS (SELECT 1 FROM class_members m WHERE m.user_id = u.id"
                f" AND m.class_id IN ({_marks(key, value)}))"
            )
        return _in(column, key, value)
    if name == "unfinished":
        params.update(unf_course=value[0], unf_lessons=value[1])
        return (
            "(SELECT COUNT(*) FROM lesson_progress lp WHERE lp.user_id = u.id"
            " AND lp.course_id = :unf_course) < :unf_lessons"
        )
    if name == "lesson_not_done":
        params.update(unl_course=value[0], unl_lesson=value[1])
        return (
            "NOT EXISTS (SELECT 1 FROM lesson_progress lp WHERE lp.user_id = u.id"
            " AND lp.course_id = :unl_course AND lp.lesson_id = :unl_lesson)"
        )
    if name == "circle":
        return _circle_filter(value[0], value[1], params, now)
    if name == "is_not":
        params["excluded"] = value
        return "u.id <> :excluded"
    if name == "attends":
        params["event"] = value
        return (
            "EXISTS (SELECT 1 FROM event_attendees ea WHERE ea.user_id = u.id"
            " AND ea.event_id = :event)"
        )
    if name == "seen_since":
        params["since"] = value
        return "u.last_seen_at >= :since"
    raise ValueError(f"no SQL for the audience condition {name!r}")


def _circle_filter(circle_id: int, mode: str, params: dict[str, Any], now: datetime) -> str:
    """A circle's members: those reached now, or those who get the evening digest."""
    member = (
        "EXISTS (SELECT 1 FROM circle_members cm WHERE cm.user_id = u.id"
        " AND cm.circle_id = :circle AND cm.digest = '{digest}')"
    )
    window = (
        f"EXISTS (SELECT 1 FROM channel_contacts wc WHERE wc.user_id = {ADDRESS_ROW}"
        " AND wc.last_inbound_at >= :window_start)"
    )
    params["circle"] = circle_id
    params["window_start"] = now - WHATSAPP_WINDOW
    if mode == "digest":
        return (
            f"({member.format(digest='daily')} OR ({member.format(digest='every')}"
            f" AND u.channel IN ({WINDOWED}) AND NOT {window}))"
        )
    every = member.format(digest="every")
    return f"{every} AND (u.channel NOT IN ({WINDOWED}) OR {window})"


def _marks(key: str, values: tuple[Any, ...]) -> str:
    """`:key0, :key1, ...`."""
    return ", ".join(f":{key}{i}" for i in range(len(values)))


def _in(column: str, key: str, values: tuple[Any, ...]) -> str:
    """`column IN (:key0, :key1, ...)`."""
    return f"{column} IN ({_marks(key, values)})"


def _params(key: str, values: tuple[Any, ...]) -> dict[str, Any]:
    """The parameters of `_in`."""
    return {f"{key}{i}": value for i, value in enumerate(values)}


async def queue_broadcast(runner: Runner, broadcast_id: int, now: datetime) -> int:
    """Write a broadcast's audience to the outbox in one statement; returns how many."""
    rows = await runner.run("SELECT audience FROM broadcasts WHERE id = :id", id=broadcast_id)
    audience = Audience.from_dict(as_json(rows[0][0]))
    where, params = audience_filter(audience, now)
    # An announcement goes once to a phone shared by several learner profiles (to the first
    # profile it selects); a personal notice (a teacher's, a reminder) to each profile.
    picked = "u.id, u.channel" if audience.personal else "MIN(u.id), MIN(u.channel)"
    grouped = "" if audience.personal else " GROUP BY COALESCE(pa.account_id, u.id)"
    await runner.run(
        "INSERT INTO outbox (broadcast_id, user_id, channel, status, attempts, not_before)"
        f" SELECT :bid, {picked}, 'queued', 0, :now FROM users u{_PROFILE_JOIN} WHERE {where}"
        f"{grouped}"
        f" ORDER BY {picked.split(',')[0]}",
        bid=broadcast_id,
        now=now,
        **params,
    )
    await runner.run(FALL_BACK, bid=broadcast_id)
    if not audience.personal:  # who cannot be written to first: counted, never dropped
        await _queue_unpushed(runner, broadcast_id, audience, now)
    counted = await runner.run(
        "SELECT COUNT(*) FROM outbox WHERE broadcast_id = :id", id=broadcast_id
    )
    total = int(counted[0][0])
    await runner.run(
        "UPDATE broadcasts SET status = 'queued', total = :total, queued_at = :now WHERE id = :id",
        total=total,
        now=now,
        id=broadcast_id,
    )
    return total


# The address an outbox row goes to (a profile's phone), and the rows to send on the
# fallback channel instead: their address is marked unreachable and has fallen back
# (bot/fallbacks.py). SET reads the row as it was: the channel, then the address.
_OUTBOX_ADDRESS = (
    "COALESCE((SELECT ax.account_id FROM learner_profiles ax WHERE ax.user_id = outbox.user_id),"
    " outbox.user_id)"
)
# The fallback's channel and address of an outbox row, and whether it falls back now.
REROUTED = (
    "channel = (SELECT f.channel FROM phone_fallbacks pf JOIN users f"
    f" ON f.id = pf.fallback_id WHERE pf.user_id = {_OUTBOX_ADDRESS}),"
    " user_id = (SELECT pf.fallback_id FROM phone_fallbacks pf"
    f" WHERE pf.user_id = {_OUTBOX_ADDRESS})"
)
FALLING_BACK = (
    "EXISTS (SELECT 1 FROM phone_fallbacks pf JOIN channel_contacts c ON c.user_id = pf.user_id"
    f" WHERE pf.user_id = {_OUTBOX_ADDRESS} AND pf.fallback_id IS NOT NULL"
    " AND c.unreachable_at IS NOT NULL)"
)
FALL_BACK = (
    f"UPDATE outbox SET {REROUTED} WHERE broadcast_id = :bid AND status = 'queued'"
    f" AND {FALLING_BACK}"
)


async def _queue_unpushed(
    runner: Runner, broadcast_id: int, audience: Audience, now: datetime
) -> None:
    """The audience on channels that cannot write first (USSD), as `unreachable` rows of the
    outbox: the announcement's figures count them, no sender ever claims them."""
    where, params = audience_filter(audience, now, any_channel=True)
    params.update(_params("np", pushing()))
    await runner.run(
        "INSERT INTO outbox (broadcast_id, user_id, channel, status, attempts, not_before,"
        " error) SELECT :bid, MIN(u.id), MIN(u.channel), 'unreachable', 0, :now, :why"
        f" FROM users u{_PROFILE_JOIN} WHERE {where}"
        f" AND NOT {_in('u.channel', 'np', pushing())}"
        " GROUP BY COALESCE(pa.account_id, u.id) ORDER BY MIN(u.id)",
        bid=broadcast_id,
        now=now,
        why="cannot write first",
        **params,
    )


async def _stats(runner: Runner, row: Row) -> BroadcastStats:
    """A broadcast's figures from its row and its outbox."""
    broadcast_id, status, total, created_at, audience, texts, scheduled_at = row
    counts = await runner.run(
        "SELECT status, COUNT(*) FROM outbox WHERE broadcast_id = :id GROUP BY status",
        id=broadcast_id,
    )
    delivered = await runner.run(
        "SELECT COUNT(*) FROM outbox o JOIN sent_messages s ON s.id = o.platform_id"
        " WHERE o.broadcast_id = :id AND s.status IN ('delivered', 'read')",
        id=broadcast_id,
    )
    reasons = await runner.run(
        "SELECT error, COUNT(*) FROM outbox WHERE broadcast_id = :id AND status = 'failed'"
        " GROUP BY error ORDER BY COUNT(*) DESC LIMIT 3",
        id=broadcast_id,
    )
    parts = await runner.run(
        "SELECT COALESCE(SUM(s.segments), 0) FROM outbox o JOIN sent_messages s"
        " ON s.id = o.platform_id WHERE o.broadcast_id = :id",
        id=broadcast_id,
    )
    by_status = {str(s): int(n) for s, n in counts}
    if (
        status == "queued"
        and total
        and not by_status.get("queued")
        and not by_status.get("sending")
    ):
        status = "done"
    stored_texts = as_json(texts) or {}
    preview = str(stored_texts.get("fr") or next(iter(stored_texts.values()), ""))
    created = utc(created_at)
    assert created is not None
    return BroadcastStats(
        id=int(broadcast_id),
        status=str(status),
        total=int(total),
        created_at=created,
        countries=tuple(Audience.from_dict(as_json(audience)).countries),
        preview=preview,
        counts=by_status,
        delivered=int(delivered[0][0]),
        scheduled_at=utc(scheduled_at),
        reasons={str(error or "?"): int(n) for error, n in reasons},
        parts=int(parts[0][0] or 0),
    )


async def keep_essay(runner: Runner, user_id: int, essay: SubmitEssay) -> None:
    """Keep a free answer for the teacher; a new answer replaces the earlier one."""
    await runner.run(
        "INSERT INTO essay_answers (user_id, course_id, lesson_id, question_id, text,"
        " submitted_at) VALUES (:uid, :course, :lesson, :question, :text, :at)"
        " ON CONFLICT (user_id, course_id, lesson_id, question_id) DO UPDATE SET"
        " text = :text, submitted_at = :at, score = NULL, graded_at = NULL, graded_by = NULL",
        uid=user_id,
        course=essay.course_id,
        lesson=essay.lesson_id,
        question=essay.question_id,
        text=essay.text,
        at=datetime.now(UTC),
    )
