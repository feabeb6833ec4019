"""The admin desk (dialogs/admin_ports.py) in SQLAlchemy Core statements that SQLite and
PostgreSQL both run (bot/storage/sql.py).

It runs inside the admin's turn, on the turn's connection: a broadcast and its outbox rows
are written in the same transaction as the dialog state that confirmed them. The audience
goes to the outbox with one INSERT ... SELECT, so memory does not grow with its size; the
statements over an audience are built once per shape of audience (which conditions it has),
its values passed as parameters.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Insert,
    Select,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    update,
)

from bot.channels import capabilities, having, pushing
from bot.storage.impact import PAID_TEMPLATE
from bot.storage.impact import impact as impact_of
from bot.storage.models import (
    address_links,
    announcement_optouts,
    broadcasts,
    channel_contacts,
    circle_members,
    circle_messages,
    circle_relays,
    class_members,
    essay_answers,
    event_attendees,
    learner_profiles,
    lesson_progress,
    outbox,
    person_codes,
    phone_fallbacks,
    role_grants,
    sent_messages,
    users,
)
from bot.storage.sql import Row, Runner, as_json, both, utc
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
# The channels with such a window (WhatsApp's).
WINDOWED_CHANNELS = having(lambda caps: caps.reply_window_hours)


_CODE_OF = select(person_codes.c.code).where(person_codes.c.user_id == bindparam("uid"))
_CODE_TAKEN = select(person_codes.c.user_id).where(person_codes.c.code == bindparam("c"))
_ADD_CODE = insert(person_codes).values(user_id=bindparam("uid"), code=bindparam("new_code"))
_FIND_PERSON = (
    select(users.c.id, users.c.country)
    .join_from(person_codes, users, users.c.id == person_codes.c.user_id)
    .where(person_codes.c.code == bindparam("wanted"))
)
_OPTED_OUT = select(announcement_optouts.c.user_id).where(
    announcement_optouts.c.user_id == bindparam("uid")
)
_OPT_IN = delete(announcement_optouts).where(announcement_optouts.c.user_id == bindparam("uid"))
_OPT_OUT = both(
    lambda ins: (
        ins(announcement_optouts)
        .values(user_id=bindparam("uid"), created_at=bindparam("at"))
        .on_conflict_do_nothing(index_elements=[announcement_optouts.c.user_id])
    )
)
_NEW_BROADCAST = (
    insert(broadcasts)
    .values(
        author_id=bindparam("author"),
        texts=bindparam("b_texts"),
        attachment=bindparam("b_attachment"),
        audience=bindparam("b_audience"),
        status=bindparam("b_status"),
        total=0,
        scheduled_at=bindparam("b_scheduled_at"),
        created_at=bindparam("now"),
    )
    .returning(broadcasts.c.id)
)
_NEW_NOTICE = (  # written by `author`, or by nobody (the command line)
    insert(broadcasts)
    .values(
        author_id=bindparam("author"),
        texts=bindparam("b_texts"),
        attachment=null(),
        audience=bindparam("b_audience"),
        status="queued",
        total=0,
        scheduled_at=null(),
        created_at=bindparam("now"),
    )
    .returning(broadcasts.c.id)
)
_LATEST = (
    select(
        broadcasts.c.id,
        broadcasts.c.status,
        broadcasts.c.total,
        broadcasts.c.created_at,
        broadcasts.c.audience,
        broadcasts.c.texts,
        broadcasts.c.scheduled_at,
    )
    .order_by(broadcasts.c.id.desc())
    .limit(bindparam("n"))
)
_CANCEL_QUEUED = (
    update(outbox)
    .where(outbox.c.broadcast_id == bindparam("bid"), outbox.c.status == "queued")
    .values(status="cancelled")
    .returning(outbox.c.id)
)
_CANCEL = update(broadcasts).where(broadcasts.c.id == bindparam("bid")).values(status="cancelled")
_GRANTS = (
    select(role_grants.c.role, role_grants.c.country)
    .where(role_grants.c.user_id == bindparam("uid"))
    .order_by(role_grants.c.role, role_grants.c.country)
)
_GRANT = both(
    lambda ins: (
        ins(role_grants)
        .values(
            user_id=bindparam("uid"),
            role=bindparam("g_role"),
            country=bindparam("g_country"),
            granted_by=bindparam("by"),
            granted_at=bindparam("at"),
        )
        .on_conflict_do_nothing()
    )
)
_CHANNEL_OF = select(users.c.channel).where(users.c.id == bindparam("uid"))
_AUDIENCE_OF = select(broadcasts.c.audience).where(broadcasts.c.id == bindparam("bid"))
_QUEUED_COUNT = (
    select(func.count()).select_from(outbox).where(outbox.c.broadcast_id == bindparam("bid"))
)
_QUEUED = (
    update(broadcasts)
    .where(broadcasts.c.id == bindparam("bid"))
    .values(status="queued", total=bindparam("b_total"), queued_at=bindparam("now"))
)


class SqlAdminDesk:
    """AdminDesk for the person `user_id`, on the turn's runner.

    `known`: the roles already read in this transaction, by person (the turn reads the
    learner's with their row: bot/storage/statements.py), kept up to date by `grant`; a
    person not in it is read, once.
    """

    def __init__(
        self,
        runner: Runner,
        user_id: int,
        now: datetime | None = None,
        *,
        known: dict[int, list[Grant]] | None = None,
    ) -> None:
        self.runner = runner
        self.user_id = user_id
        self.now = now or datetime.now(UTC)
        self.known = {} if known is None else known

    async def grants(self) -> list[Grant]:
        """The roles the current person holds."""
        held = self.known.get(self.user_id)
        if held is None:
            held = self.known[self.user_id] = await grants_of(self.runner, self.user_id)
        return list(held)

    async def person_code(self) -> str:
        """The current person's short code, made on first ask."""
        rows = await self.runner.run(_CODE_OF, uid=self.user_id)
        if rows:
            return str(rows[0][0])
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            taken = await self.runner.run(_CODE_TAKEN, c=code)
            if not taken:
                break
        await self.runner.run(_ADD_CODE, uid=self.user_id, new_code=code)
        return code

    async def find_person(self, code: str) -> tuple[int, str | None] | None:
        """The person behind a code, with their country."""
        wanted = "".join(code.split()).upper().replace("-", "")
        rows = await self.runner.run(_FIND_PERSON, wanted=wanted)
        return (int(rows[0][0]), rows[0][1]) if rows else None

    async def grant(
        self, person: int, grant: Grant, notice: Mapping[str, str] | None = None
    ) -> None:
        """Give a role, granted by the current person; a new one is announced to them."""
        fresh = grant not in await grants_of(self.runner, person)
        await grant_role(self.runner, person, grant, self.user_id, self.now)
        self.known.pop(person, None)  # read again when asked
        if fresh and notice:
            await queue_notice(self.runner, person, notice, self.now, author=self.user_id)

    async def announcements_off(self) -> bool:
        """Whether the current person said /stop_annonces."""
        rows = await self.runner.run(_OPTED_OUT, uid=self.user_id)
        return bool(rows)

    async def set_announcements(self, on: bool) -> None:
        """Stop or restart announcements for the current person."""
        if on:
            await self.runner.run(_OPT_IN, uid=self.user_id)
            return
        await self.runner.run(_OPT_OUT, uid=self.user_id, at=self.now)

    async def count_audience(self, audience: Audience) -> list[Reach]:
        """How many people an audience is, per channel with its capabilities: those of a
        channel that cannot write first are counted too, to say so before sending."""
        shape, params = _audience(audience, self.now, any_channel=True)
        rows = await self.runner.run(_count_audience(shape, audience.personal), **params)
        return [Reach(capabilities(str(channel)), int(count)) for channel, count in rows]

    async def count_waiting(self, audience: Audience) -> int:
        """How many of the audience are on WhatsApp outside the 24-hour window (a template
        only, or the message waits for them to write)."""
        shape, params = _audience(audience, self.now)
        params.update(windowed=list(WINDOWED_CHANNELS), window_open=self.now - WHATSAPP_WINDOW)
        rows = await self.runner.run(_count_waiting(shape, audience.personal), **params)
        return int(rows[0][0] or 0) if rows else 0

    async def create_broadcast(self, draft: BroadcastDraft) -> tuple[int, int]:
        """Store the announcement; queue its audience now unless it is scheduled."""
        scheduled = draft.scheduled_at is not None and draft.scheduled_at > self.now
        attachment = draft.attachment.as_dict() if draft.attachment is not None else None
        rows = await self.runner.run(
            _NEW_BROADCAST,
            author=self.user_id,
            b_texts=dict(draft.texts),
            b_attachment=attachment,
            b_audience=draft.audience.as_dict(),
            b_status="scheduled" if scheduled else "queued",
            b_scheduled_at=draft.scheduled_at,
            now=self.now,
        )
        broadcast_id = int(rows[0][0])
        total = 0 if scheduled else await queue_broadcast(self.runner, broadcast_id, self.now)
        return broadcast_id, total

    async def broadcasts(self, countries: frozenset[str] | None) -> list[BroadcastStats]:
        """The latest announcements within these countries, newest first."""
        rows = await self.runner.run(_LATEST, n=LISTED * 5)
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
        rows = await self.runner.run(_CANCEL_QUEUED, bid=broadcast_id)
        await self.runner.run(_CANCEL, bid=broadcast_id)
        return len(rows)

    async def impact(self, countries: frozenset[str] | None, weeks: int) -> Impact:
        """The programme's figures within these countries (None: all)."""
        return await impact_of(self.runner, countries, weeks, self.now)


async def grants_of(runner: Runner, user_id: int) -> list[Grant]:
    """The roles a person holds."""
    return grants_from(await runner.run(_GRANTS, uid=user_id))


def grants_from(rows: Iterable[Sequence[Any]]) -> list[Grant]:
    """Grants from stored (role, scope) rows, those of roles this version knows."""
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
        _GRANT,
        uid=person,
        g_role=grant.role.value,
        g_country=grant.language if grant.role is Role.TRANSLATOR else (grant.country or ""),
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
    rows = await runner.run(_CHANNEL_OF, uid=person)
    if not rows or not capabilities(str(rows[0][0])).can_push:
        return
    rows = await runner.run(
        _NEW_NOTICE,
        author=author,
        b_texts=dict(texts),
        b_audience=Audience(user_ids=(person,), personal=True).as_dict(),
        now=now,
    )
    await queue_broadcast(runner, int(rows[0][0]), now)


# The people of an audience: `u`, with `pa`, their profile's row on a shared phone.
u = users.alias("u")
pa = learner_profiles.alias("pa")
_PEOPLE = u.outerjoin(pa, pa.c.user_id == u.c.id)
_PERSON = func.coalesce(pa.c.account_id, u.c.id)  # one per phone: the account's row


def address_row(user_id: Any) -> ColumnElement[Any]:
    """The row of the address a learner (`user_id`, a column) is reached at: their
    account's on a shared phone."""
    ax = learner_profiles.alias("ax")
    found = (
        select(ax.c.account_id)
        .where(ax.c.user_id == user_id)
        .correlate_except(ax)  # to the statement around, however deep it is written
        .scalar_subquery()
    )
    return func.coalesce(found, user_id)


_ADDRESS = address_row(u.c.id)
_contacts = channel_contacts.alias("c")
_window = channel_contacts.alias("wc")
_fallbacks = phone_fallbacks.alias("pf")
_IN_WINDOW = exists().where(
    _window.c.user_id == _ADDRESS, _window.c.last_inbound_at >= bindparam("window_start")
)


Shape = tuple[tuple[str, Any], ...]
"""What an audience's statement depends on: its conditions' names (and a circle's mode)."""


def _audience(
    audience: Audience, now: datetime, *, any_channel: bool = False
) -> tuple[Shape, dict[str, Any]]:
    """An audience's shape, and the values of its conditions as parameters: on the channels
    that can write first only, unless `any_channel` (to count who is missed).

    Who is in the audience is decided by the pure rules of dialogs/audiences.py; each of
    their conditions is a clause (`_clause`), its values parameters (`_values`)."""
    found = conditions(audience, now, any_channel=any_channel)
    params: dict[str, Any] = {}
    for condition in found:
        params.update(_values(condition, now))
    shape = tuple((c.name, c.value[1] if c.name == "circle" else None) for c in found)
    return shape, params


def audience_where(
    audience: Audience, now: datetime, *, any_channel: bool = False
) -> tuple[ColumnElement[bool], dict[str, Any]]:
    """The condition (on `u`, the `users` alias of `audience_select`) selecting an
    audience, built once per shape, and its parameters."""
    shape, params = _audience(audience, now, any_channel=any_channel)
    return _where(shape), params


def audience_select(
    audience: Audience, now: datetime, *, any_channel: bool = False
) -> tuple[Select[tuple[int]], dict[str, Any]]:
    """`SELECT u.id` of the people of an audience (a statement built once per shape of
    audience), and its parameters."""
    shape, params = _audience(audience, now, any_channel=any_channel)
    return _select_people(shape), params


@lru_cache(maxsize=256)
def _where(shape: Shape) -> ColumnElement[bool]:
    """The clauses of an audience's conditions, in their order."""
    return and_(*(_clause(name, mode) for name, mode in shape))


@lru_cache(maxsize=256)
def _select_people(shape: Shape) -> Select[tuple[int]]:
    return select(u.c.id).select_from(u).where(_where(shape))


def _counted(personal: bool) -> ColumnElement[int]:
    """Everyone (personal notices go to each profile), or one per phone."""
    return func.count() if personal else func.count(_PERSON.distinct())


@lru_cache(maxsize=256)
def _count_audience(shape: Shape, personal: bool) -> Select[Any]:
    return (
        select(u.c.channel, _counted(personal))
        .select_from(_PEOPLE)
        .where(_where(shape))
        .group_by(u.c.channel)
    )


@lru_cache(maxsize=256)
def _count_waiting(shape: Shape, personal: bool) -> Select[Any]:
    outside = ~exists().where(
        _window.c.user_id == _ADDRESS, _window.c.last_inbound_at >= bindparam("window_open")
    )
    return (
        select(_counted(personal))
        .select_from(_PEOPLE)
        .where(_where(shape), u.c.channel.in_(bindparam("windowed", expanding=True)), outside)
    )


_OUTBOX_COLUMNS = ["broadcast_id", "user_id", "channel", "status", "attempts", "not_before"]


@lru_cache(maxsize=256)
def _queue(shape: Shape, personal: bool) -> Insert:
    """An announcement goes once to a phone shared by several learner profiles (to the
    first profile it selects); a personal notice (a teacher's, a reminder) to each profile."""
    if personal:
        picked = select(bindparam("bid"), u.c.id, u.c.channel).order_by(u.c.id)
    else:
        first = func.min(u.c.id)
        picked = (
            select(bindparam("bid"), first, func.min(u.c.channel)).group_by(_PERSON).order_by(first)
        )
    rows = picked.add_columns(literal("queued"), literal(0), bindparam("now"))
    return insert(outbox).from_select(
        _OUTBOX_COLUMNS, rows.select_from(_PEOPLE).where(_where(shape))
    )


@lru_cache(maxsize=256)
def _queue_unpushed(shape: Shape) -> Insert:
    first = func.min(u.c.id)
    rows: Select[Any, Any, Any, Any, Any, Any, Any] = (
        select(
            bindparam("bid"),
            first,
            func.min(u.c.channel),
            literal("unreachable"),
            literal(0),
            bindparam("now"),
            bindparam("why"),
        )
        .select_from(_PEOPLE)
        .where(_where(shape), u.c.channel.not_in(bindparam("np", expanding=True)))
        .group_by(_PERSON)
        .order_by(first)
    )
    return insert(outbox).from_select([*_OUTBOX_COLUMNS, "error"], rows)


def _member(digest: str) -> ColumnElement[bool]:
    cm = circle_members.alias("cm")
    return exists().where(
        cm.c.user_id == u.c.id, cm.c.circle_id == bindparam("circle"), cm.c.digest == digest
    )


# Outbox rows of a live relay that did reach someone, or will (held: when they next write).
_NOT_DELIVERED = ("failed", "unreachable", "cancelled")


def _missed_live() -> ColumnElement[bool]:
    """A post of the coming digest (the day up to now) that was not relayed live to `u`: a
    member since before it, not its author, with no live outbox row for it (decided per
    member and post, so what reached them live is never sent again in the evening)."""
    cm = circle_members.alias("mc")
    p = circle_messages.alias("p")
    r = circle_relays.alias("r")
    o = outbox.alias("lo")
    pf = phone_fallbacks.alias("lpf")
    # the member's row, or the SMS row their copy went to instead (bot/fallbacks.py)
    fallback = select(pf.c.fallback_id).where(pf.c.user_id == _ADDRESS).correlate_except(pf)
    live = (
        exists()
        .where(
            r.c.message_id == p.c.id,
            o.c.broadcast_id == r.c.broadcast_id,
            or_(o.c.user_id == u.c.id, o.c.user_id == fallback.scalar_subquery()),
            o.c.status.not_in(_NOT_DELIVERED),
        )
        .correlate_except(r, o)  # `p` and `u` are the statements' around, two levels up
    )
    return exists().where(
        cm.c.circle_id == bindparam("circle"),
        cm.c.user_id == u.c.id,
        p.c.circle_id == bindparam("circle"),
        p.c.status == "relayed",
        p.c.created_at > bindparam("digest_since"),
        p.c.created_at <= bindparam("digest_until"),
        p.c.created_at >= cm.c.joined_at,
        or_(p.c.author_id.is_(None), p.c.author_id != u.c.id),
        ~live,
    )


def _circle(mode: str) -> ColumnElement[bool]:
    """A circle's members: those reached now, or those who get the evening digest (the
    daily ones, and those on a channel with a reply window who missed a post live)."""
    windowed = u.c.channel.in_(bindparam("windowed", expanding=True))
    if mode == "digest":
        return or_(_member("daily"), and_(_member("every"), windowed, _missed_live()))
    return and_(_member("every"), or_(~windowed, _IN_WINDOW))


def _fixed() -> dict[str, ColumnElement[bool]]:
    """The conditions that take no value."""
    o = announcement_optouts.alias("o")
    al = address_links.alias("al")
    return {
        "consented": u.c.consented_at.is_not(None),
        # Not marked unreachable by the platform, or falling back to another channel then
        # (bot/fallbacks.py: `queue_broadcast` sends it there).
        "reachable": or_(
            ~exists().where(
                _contacts.c.user_id == _ADDRESS, _contacts.c.unreachable_at.is_not(None)
            ),
            exists().where(_fallbacks.c.user_id == _ADDRESS, _fallbacks.c.fallback_id.is_not(None)),
        ),
        "not_following": ~exists().where(al.c.account_id == u.c.id),
        "not_opted_out": ~exists().where(o.c.user_id == u.c.id),
        "not_group": or_(u.c.role.is_(None), u.c.role != "group"),
        "pushing": u.c.channel.in_(bindparam("ch", expanding=True)),
    }


_FIXED = _fixed()
_COLUMNS = {  # condition -> (column, parameter)
    "country": (u.c.country, "co"),
    "role": (u.c.role, "ro"),
    "level": (u.c.level, "le"),
    "locale": (u.c.locale, "la"),
    "is_one_of": (u.c.id, "us"),
}


def _clause(name: str, mode: Any) -> ColumnElement[bool]:
    """One condition of dialogs/audiences.py as a clause on `u`."""
    if name in _FIXED:
        return _FIXED[name]
    if name in _COLUMNS:
        column, key = _COLUMNS[name]
        return column.in_(bindparam(key, expanding=True))
    m = class_members.alias("m")
    lp = lesson_progress.alias("lp")
    if name == "in_classes":
        return exists().where(
            m.c.user_id == u.c.id, m.c.class_id.in_(bindparam("cl", expanding=True))
        )
    if name == "unfinished":
        done = (
            select(func.count())
            .select_from(lp)
            .where(lp.c.user_id == u.c.id, lp.c.course_id == bindparam("unf_course"))
            .scalar_subquery()
        )
        return done < bindparam("unf_lessons")
    if name == "lesson_not_done":
        return ~exists().where(
            lp.c.user_id == u.c.id,
            lp.c.course_id == bindparam("unl_course"),
            lp.c.lesson_id == bindparam("unl_lesson"),
        )
    if name == "circle":
        return _circle(mode)
    if name == "is_not":
        return u.c.id != bindparam("excluded")
    if name == "attends":
        ea = event_attendees.alias("ea")
        return exists().where(ea.c.user_id == u.c.id, ea.c.event_id == bindparam("event"))
    if name == "seen_since":
        return u.c.last_seen_at >= bindparam("since")
    raise ValueError(f"no SQL for the audience condition {name!r}")


def _values(condition: Condition, now: datetime) -> dict[str, Any]:
    """The parameters of one condition's clause."""
    name, value = condition.name, condition.value
    if name == "pushing":
        return {"ch": list(pushing())}
    if name in _COLUMNS:
        return {_COLUMNS[name][1]: list(value)}
    if name == "in_classes":
        return {"cl": list(value)}
    if name == "unfinished":
        return {"unf_course": value[0], "unf_lessons": value[1]}
    if name == "lesson_not_done":
        return {"unl_course": value[0], "unl_lesson": value[1]}
    if name == "circle":
        if value[1] == "digest":  # its posts: since the last digest, a day before
            return {
                "circle": value[0],
                "digest_since": now - timedelta(days=1),
                "digest_until": now,
                "windowed": list(WINDOWED_CHANNELS),
            }
        return {
            "circle": value[0],
            "window_start": now - WHATSAPP_WINDOW,
            "windowed": list(WINDOWED_CHANNELS),
        }
    if name == "is_not":
        return {"excluded": value}
    if name == "attends":
        return {"event": value}
    if name == "seen_since":
        return {"since": value}
    return {}


async def queue_broadcast(runner: Runner, broadcast_id: int, now: datetime) -> int:
    """Write a broadcast's audience to the outbox in one statement; returns how many."""
    rows = await runner.run(_AUDIENCE_OF, bid=broadcast_id)
    audience = Audience.from_dict(as_json(rows[0][0]))
    shape, params = _audience(audience, now)
    await runner.run(_queue(shape, audience.personal), bid=broadcast_id, now=now, **params)
    await runner.run(_FALL_BACK, bid=broadcast_id)
    if not audience.personal:  # who cannot be written to first: counted, never dropped
        await _unpushed(runner, broadcast_id, audience, now)
    counted = await runner.run(_QUEUED_COUNT, bid=broadcast_id)
    total = int(counted[0][0])
    await runner.run(_QUEUED, b_total=total, now=now, bid=broadcast_id)
    return total


# The address an outbox row goes to (a profile's phone), and the rows to send on the
# fallback channel instead: their address is marked unreachable and has fallen back
# (bot/fallbacks.py). SET reads the row as it was: the channel, then the address.
_OUTBOX_ADDRESS = address_row(outbox.c.user_id)


def _rerouted() -> dict[str, ColumnElement[Any]]:
    pf = phone_fallbacks.alias("pf")
    f = users.alias("f")
    return {
        "channel": select(f.c.channel)
        .join_from(pf, f, f.c.id == pf.c.fallback_id)
        .where(pf.c.user_id == _OUTBOX_ADDRESS)
        .scalar_subquery(),
        "user_id": select(pf.c.fallback_id)
        .where(pf.c.user_id == _OUTBOX_ADDRESS)
        .scalar_subquery(),
    }


def _falling_back() -> ColumnElement[bool]:
    pf = phone_fallbacks.alias("pf")
    c = channel_contacts.alias("c")
    return exists(
        select(pf.c.user_id)
        .join_from(pf, c, c.c.user_id == pf.c.user_id)
        .where(
            pf.c.user_id == _OUTBOX_ADDRESS,
            pf.c.fallback_id.is_not(None),
            c.c.unreachable_at.is_not(None),
        )
    )


# The fallback's channel and address of an outbox row (`update(outbox).values(**REROUTE)`),
# and whether it falls back now.
REROUTE = _rerouted()
FALLS_BACK = _falling_back()
_FALL_BACK = (
    update(outbox)
    .where(outbox.c.broadcast_id == bindparam("bid"), outbox.c.status == "queued", FALLS_BACK)
    .ordered_values(*REROUTE.items())  # SET reads the row as it was: the channel first
)


async def _unpushed(runner: Runner, broadcast_id: int, audience: Audience, now: datetime) -> None:
    """The audience on channels that cannot write first (USSD), as `unreachable` rows of the
    outbox: the announcement's figures count them, no sender ever claims them."""
    shape, params = _audience(audience, now, any_channel=True)
    await runner.run(
        _queue_unpushed(shape),
        bid=broadcast_id,
        now=now,
        why="cannot write first",
        np=list(pushing()),
        **params,
    )


_o = outbox.alias("o")
_s = sent_messages.alias("s")
_BY_STATUS = (
    select(outbox.c.status, func.count())
    .where(outbox.c.broadcast_id == bindparam("bid"))
    .group_by(outbox.c.status)
)
_DELIVERED = (
    select(func.count())
    .join_from(_o, _s, _s.c.id == _o.c.platform_id)
    .where(_o.c.broadcast_id == bindparam("bid"), _s.c.status.in_(("delivered", "read")))
)
_REASONS = (
    select(outbox.c.error, func.count())
    .where(outbox.c.broadcast_id == bindparam("bid"), outbox.c.status == "failed")
    .group_by(outbox.c.error)
    .order_by(func.count().desc())
    .limit(3)
)
_PARTS = (  # what a broadcast cost: SMS parts, paid template messages
    select(
        func.coalesce(func.sum(_s.c.segments), 0),
        func.count(case((_s.c.kind == PAID_TEMPLATE, _s.c.id))),
    )
    .join_from(_o, _s, _s.c.id == _o.c.platform_id)
    .where(_o.c.broadcast_id == bindparam("bid"))
)


async def _stats(runner: Runner, row: Row) -> BroadcastStats:
    """A broadcast's figures from its row and its outbox."""
    broadcast_id, status, total, created_at, audience, texts, scheduled_at = row
    counts = await runner.run(_BY_STATUS, bid=broadcast_id)
    delivered = await runner.run(_DELIVERED, bid=broadcast_id)
    reasons = await runner.run(_REASONS, bid=broadcast_id)
    parts = await runner.run(_PARTS, bid=broadcast_id)
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
        paid_templates=int(parts[0][1] or 0),
    )


_ESSAY_KEY = ["user_id", "course_id", "lesson_id", "question_id"]
_KEEP_ESSAY = both(
    lambda ins: (
        ins(essay_answers)
        .values(
            user_id=bindparam("uid"),
            course_id=bindparam("course"),
            lesson_id=bindparam("lesson"),
            question_id=bindparam("question"),
            text=bindparam("e_text"),
            submitted_at=bindparam("at"),
        )
        .on_conflict_do_update(
            index_elements=_ESSAY_KEY,
            set_={
                "text": bindparam("e_text"),
                "submitted_at": bindparam("at"),
                "score": null(),
                "graded_at": null(),
                "graded_by": null(),
            },
        )
    )
)


async def keep_essay(runner: Runner, user_id: int, essay: SubmitEssay) -> None:
    """Keep a free answer for the teacher; a new answer replaces the earlier one."""
    await runner.run(
        _KEEP_ESSAY,
        uid=user_id,
        course=essay.course_id,
        lesson=essay.lesson_id,
        question=essay.question_id,
        e_text=essay.text,
        at=datetime.now(UTC),
    )
