"""The programme's figures for admins and the portal API: aggregates only, never a person.

Each figure is one grouped query; the weekly series are one scan with a column per week,
so the cost does not depend on how many weeks were active.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.sql import FromClause

from bot.channels import capabilities
from bot.storage.models import (
    authored_courses,
    classes,
    dead_letters,
    learner_sex,
    lesson_progress,
    quiz_attempts,
    role_grants,
    sent_messages,
    users,
)
from bot.storage.sql import Runner, utc
from dialogs.admin_ports import ChannelFailures, CountryFigures, Impact, SexFigures

u = users.alias("u")
_g = role_grants.alias("g")
lp = lesson_progress.alias("lp")
qa = quiz_attempts.alias("qa")
# The kind of a sent message paid one by one (sent_messages.kind): an announcement's template
# outside a reply window (WhatsApp's 24 hours), counted apart from SMS parts. Not "template":
# that is the notice a reply held outside the window sends, paid too, but no announcement.
PAID_TEMPLATE = "broadcast_tpl"
_s = sent_messages.alias("s")


# The students: people who agreed to the terms, neither a group, nor self-declared teachers,
# nor holding any role (teacher, moderator, admin). The text and the chart count these, and a
# school server's sync (bot/storage/sync.py) reports them.
def is_student(people: FromClause) -> ColumnElement[bool]:
    """Whether a row of `people` (the users table or an alias of it) is a student."""
    grants = role_grants.alias("g")
    return and_(
        people.c.consented_at.is_not(None),
        or_(people.c.role.is_(None), people.c.role.not_in(("group", "teacher"))),
        ~exists().where(grants.c.user_id == people.c.id),
    )


IS_STUDENT = is_student(u)
# A national admin's countries (`countries`); everyone's figures have no such filter.
_IN_COUNTRIES = u.c.country.in_(bindparam("countries", expanding=True))
Filters = tuple[ColumnElement[bool], ...]
_FILTERS: dict[bool, Filters] = {False: (), True: (_IN_COUNTRIES,)}
COUNT_STUDENTS = select(func.count()).select_from(u).where(IS_STUDENT)
# Constants written in the statement (a parameter in a CASE has no type on PostgreSQL).
_ONE, _ZERO = literal_column("1", Integer), literal_column("0", Integer)


def _seen_since(since: str) -> ColumnElement[int]:
    """1 for a student seen since the parameter `since`, to SUM."""
    return func.sum(case((u.c.last_seen_at >= bindparam(since), _ONE), else_=_ZERO))


def _learners(where: Filters) -> Select[Any]:
    return (
        select(u.c.country, func.count(), _seen_since("d7"), _seen_since("d30"))
        .where(IS_STUDENT, *where)
        .group_by(u.c.country)
    )


def _per_country(where: Filters) -> dict[str, Select[Any]]:
    """The other figures per country, each one grouped query."""
    a = authored_courses.alias("a")
    c = classes.alias("c")
    published = a.c.status == "published"
    return {
        "lessons_done": select(u.c.country, func.count())
        .join_from(lp, u, u.c.id == lp.c.user_id)
        .where(*where)
        .group_by(u.c.country),
        "quizzes": select(u.c.country, func.count(), func.avg(qa.c.score / qa.c.max_score))
        .join_from(qa, u, u.c.id == qa.c.user_id)
        .where(qa.c.max_score > 0, *where)
        .group_by(u.c.country),
        "teachers": select(u.c.country, func.count(_g.c.user_id.distinct()))
        .join_from(_g, u, u.c.id == _g.c.user_id)
        .where(_g.c.role == "teacher", *where)
        .group_by(u.c.country),
        "classes": select(u.c.country, func.count())
        .join_from(c, u, u.c.id == c.c.teacher_id)
        .where(*where)
        .group_by(u.c.country),
        "courses": select(u.c.country, func.count())
        .join_from(a, u, u.c.id == a.c.author_id)
        .where(published, *where)
        .group_by(u.c.country),
        "shared": select(u.c.country, func.count())
        .join_from(a, u, u.c.id == a.c.author_id)
        .where(published, a.c.visibility == "all", *where)
        .group_by(u.c.country),
    }


def _failed(where: Filters) -> Select[Any]:
    return (
        select(_s.c.channel, _s.c.error_code, func.count())
        .join_from(_s, u, u.c.id == _s.c.user_id)
        .where(_s.c.status == "failed", *where)
        .group_by(_s.c.channel, _s.c.error_code)
    )


def _parked(where: Filters) -> Select[Any]:
    d = dead_letters.alias("d")
    return (
        select(d.c.channel, func.count())
        .select_from(
            d.outerjoin(u, and_(u.c.channel == d.c.channel, u.c.external_id == d.c.address))
        )
        .where(*where)
        .group_by(d.c.channel)
    )


def _paid(where: Filters) -> Select[Any]:
    """Announcements paid one by one: SMS (with their parts), templates (WhatsApp's)."""
    template = _s.c.kind == PAID_TEMPLATE
    return (
        select(
            func.count(),
            func.coalesce(func.sum(_s.c.segments), 0),
            func.count(case((template, _s.c.id))),
        )
        .join_from(_s, u, u.c.id == _s.c.user_id)
        .where(
            or_(and_(_s.c.kind == "broadcast", _s.c.segments.is_not(None)), template),
            _s.c.sent_at >= bindparam("d30"),
            *where,
        )
    )


sx = learner_sex.alias("sx")
_SEX = func.coalesce(sx.c.sex, "unknown")  # one object: the same parameter in GROUP BY


def _by_sex_statements(where: Filters) -> tuple[Select[Any], Select[Any], Select[Any]]:
    """The students, lessons done and quizzes per country and sex."""
    students = u.outerjoin(sx, sx.c.user_id == u.c.id)
    found = (
        select(u.c.country, _SEX, func.count(), _seen_since("d7"))
        .select_from(students)
        .where(IS_STUDENT, *where)
        .group_by(u.c.country, _SEX)
    )
    done = (
        select(u.c.country, _SEX, func.count())
        .select_from(lp.join(u, u.c.id == lp.c.user_id).outerjoin(sx, sx.c.user_id == u.c.id))
        .where(IS_STUDENT, *where)
        .group_by(u.c.country, _SEX)
    )
    scored = (
        select(u.c.country, _SEX, func.count(), func.avg(qa.c.score / qa.c.max_score))
        .select_from(qa.join(u, u.c.id == qa.c.user_id).outerjoin(sx, sx.c.user_id == u.c.id))
        .where(qa.c.max_score > 0, IS_STUDENT, *where)
        .group_by(u.c.country, _SEX)
    )
    return found, done, scored


# Each statement twice: for everyone, and within a national admin's countries.
_LEARNERS = {k: _learners(w) for k, w in _FILTERS.items()}
_PER_COUNTRY = {k: _per_country(w) for k, w in _FILTERS.items()}
_FAILED = {k: _failed(w) for k, w in _FILTERS.items()}
_PARKED = {k: _parked(w) for k, w in _FILTERS.items()}
_PAID = {k: _paid(w) for k, w in _FILTERS.items()}
_BY_SEX = {k: _by_sex_statements(w) for k, w in _FILTERS.items()}


async def impact(
    runner: Runner, countries: frozenset[str] | None, weeks: int, now: datetime
) -> Impact:
    """Figures per country, and new students and lessons per week for the last `weeks`."""
    where, params = _countries(countries)
    rows: dict[str, dict[str, Any]] = {}
    learners = await runner.run(
        _LEARNERS[where],
        d7=now - timedelta(days=7),
        d30=now - timedelta(days=30),
        **params,
    )
    for country, total, a7, a30 in learners:
        rows[str(country)] = {"learners": int(total), "active_7": int(a7), "active_30": int(a30)}
    for key, statement in _PER_COUNTRY[where].items():
        for country, value, *rest in await runner.run(statement, **params):
            found = rows.setdefault(str(country), {})
            found[key] = int(value)
            if rest:
                found["average_score"] = float(rest[0]) if rest[0] is not None else None
    starts = [_week_start(now) - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    new = await _weekly(runner, "new", starts, where, params)
    done = await _weekly(runner, "done", starts, where, params)
    failed = await runner.run(_FAILED[where], **params)
    by_channel: dict[str, dict[int, int]] = {}
    for channel, code, count in failed:
        by_channel.setdefault(str(channel), {})[int(code or 0)] = int(count)
    failures = [
        ChannelFailures(name, capabilities(name).label or name, dict(sorted(codes.items())))
        for name, codes in sorted(by_channel.items())
    ]
    # A first message may be parked before its sender has a row: counted for everyone only.
    parked = await runner.run(_PARKED[where], **params)
    dead = {str(channel): int(count) for channel, count in parked}
    paid = await runner.run(_PAID[where], d30=now - timedelta(days=30), **params)
    figures = [CountryFigures(country=c, **values) for c, values in sorted(rows.items())]
    sexes = await _by_sex(runner, where, params, now)
    return Impact(
        figures,
        starts,
        new,
        done,
        failures,
        dead,
        sexes,
        paid_announcements=int(paid[0][0]),
        paid_parts=int(paid[0][1] or 0),
        paid_templates=int(paid[0][2] or 0),
    )


async def _by_sex(
    runner: Runner, where: bool, params: dict[str, Any], now: datetime
) -> list[SexFigures]:
    """The students per country and sex (raw: dialogs/small_cells.py hides small groups)."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    students, lessons, quizzes = _BY_SEX[where]
    found = await runner.run(students, d7=now - timedelta(days=7), **params)
    for country, sex, total, a7 in found:
        rows[(str(country), str(sex))] = {"learners": int(total), "active_7": int(a7)}
    for country, sex, count in await runner.run(lessons, **params):
        rows.setdefault((str(country), str(sex)), {})["lessons_done"] = int(count)
    for country, sex, count, average in await runner.run(quizzes, **params):
        cell = rows.setdefault((str(country), str(sex)), {})
        cell["quizzes"] = int(count)
        cell["average_score"] = float(average) if average is not None else None
    return [SexFigures(c, sex, **values) for (c, sex), values in sorted(rows.items())]


def _countries(countries: frozenset[str] | None) -> tuple[bool, dict[str, Any]]:
    """Whether the figures are a national admin's (within `countries`), and the parameter."""
    if countries is None:
        return False, {}
    return True, {"countries": sorted(countries) or [""]}


@lru_cache(maxsize=64)
def _weekly_statement(kind: str, weeks: int, where: bool) -> Select[Any]:
    """One scan, one SUM(CASE ...) column per week, bounds `w0` to `w<weeks>`."""
    source: FromClause
    if kind == "new":
        source, column, extra = u, u.c.created_at, (IS_STUDENT, *_FILTERS[where])
    else:
        source, column = lp.join(u, u.c.id == lp.c.user_id), lp.c.completed_at
        extra = _FILTERS[where]
    sums = [
        func.sum(
            case(
                (and_(column >= bindparam(f"w{i}"), column < bindparam(f"w{i + 1}")), _ONE),
                else_=_ZERO,
            )
        )
        for i in range(weeks)
    ]
    return select(*sums).select_from(source).where(column >= bindparam("w0"), *extra)


async def _weekly(
    runner: Runner,
    kind: str,
    starts: list[datetime],
    where: bool,
    params: dict[str, Any],
) -> list[int]:
    """How many new students ("new") or lessons done ("done") fall in each week."""
    bounds = [*starts, starts[-1] + timedelta(weeks=1)]
    weeks = {f"w{i}": bound for i, bound in enumerate(bounds)}
    statement = _weekly_statement(kind, len(starts), where)
    row = (await runner.run(statement, **weeks, **params))[0]
    return [int(value or 0) for value in row]


def _week_start(now: datetime) -> datetime:
    """Monday 00:00 UTC of the week of `now`."""
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    start = day - timedelta(days=day.weekday())
    return utc(start) or start
