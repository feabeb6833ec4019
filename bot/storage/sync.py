"""The exchange between a school server and the national instance (bot/sync.py, docs/sync.md),
on SQL that SQLite and PostgreSQL both read.

School side: the journal rows not pushed yet (`xapi_statements.synced_at`), marked once the
national instance took them; the courses pulled (`sync_courses`) with the pull's cursor
(`sync_state`), written in one transaction per page, so a cut between two pages loses
nothing and repeats nothing.

National side: a school's statements kept under ids of their own (a school's statement ids
are unique in that school only), `ON CONFLICT DO NOTHING` so a batch sent twice is kept once;
a school's voiding statement (an erasure there) deletes the statement it voids when the
national LRS never had it; `sync_schools` says what each school reported.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.storage.admin import queue_broadcast
from bot.storage.creathon import OPEN_CONTEST
from bot.storage.impact import is_student
from bot.storage.models import (
    authored_courses,
    authored_media,
    broadcasts,
    creathon_contests,
    creathon_submissions,
    lesson_progress,
    person_codes,
    sync_courses,
    sync_schools,
    sync_state,
    users,
    xapi_statements,
)
from bot.storage.sql import ByDialect, Runner, as_json, both, utc
from bot.storage.store import SqlStore
from bot.storage.xapi import NAMESPACE
from dialogs.admin_ports import Audience
from dialogs.creathon_ports import OPEN
from dialogs.sharing_ports import COUNTRY, EVERYWHERE

PULL_CURSOR = "courses_cursor"
PUSH_CURSOR = "own_courses_cursor"
NATIONAL = "national"  # the origin of the courses a school pulls
ANNOUNCEMENT_CURSOR = "announcements_cursor"
ANNOUNCEMENT_KEY = "announcement:"  # + the national id: a school's mark of one it has
ANNOUNCEMENT_AGE = timedelta(days=30)  # a school's first pull starts no further back
VOIDED = "http://adlnet.gov/expapi/verbs/voided"


# --- the school's side -------------------------------------------------------------------

_X = xapi_statements
_WAITING = (
    select(_X.c.id, _X.c.statement)
    .where(_X.c.synced_at.is_(None))
    .order_by(_X.c.id)
    .limit(bindparam("n"))
)
_MARK_SYNCED = (
    update(_X)
    .where(_X.c.id.in_(bindparam("ids", expanding=True)))
    .values(synced_at=bindparam("now"))
)
_IS_LEARNER = (is_student(users),)  # whom the national figures count as students
_LEARNERS = select(func.count()).where(*_IS_LEARNER)
_PENDING = select(func.count()).select_from(_X).where(_X.c.synced_at.is_(None))


async def waiting(store: SqlStore, batch: int) -> list[tuple[int, str]]:
    """The oldest journal rows the national instance does not have yet: (row id, JSON)."""
    rows = await store.statement(_WAITING, n=batch)
    return [(int(row_id), str(body)) for row_id, body in rows]


async def mark_synced(store: SqlStore, ids: list[int], now: datetime) -> None:
    """The national instance took these rows."""
    if ids:
        await store.statement(_MARK_SYNCED, ids=ids, now=now)


@dataclass(frozen=True)
class SchoolFigures:
    """What a school tells the national instance about itself at each push: counts only."""

    learners: int
    pending: int


async def school_figures(store: SqlStore) -> SchoolFigures:
    """The school's learners (people who agreed, not teachers) and its unpushed rows."""
    learners = await store.statement(_LEARNERS)
    pending = await store.statement(_PENDING)
    return SchoolFigures(int(learners[0][0]), int(pending[0][0]))


async def pull_cursor(store: SqlStore) -> str:
    """Where the course pull stands (the national side's own cursor, kept as it came)."""
    return await _state(store, PULL_CURSOR)


@dataclass(frozen=True)
class PulledCourse:
    """A national course as the pull carries it."""

    course_id: str
    visibility: str
    country: str
    source: str
    published_at: datetime
    media: tuple[tuple[str, str, bytes], ...] = ()  # (name, mime, bytes)


@dataclass(frozen=True)
class Applied:
    """What one page of the pull changed."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_local: tuple[str, ...] = ()  # a school teacher's course of the same id: theirs stays


async def apply_courses(
    store: SqlStore,
    courses: list[PulledCourse],
    cursor: str | None,
    now: datetime,
    origin: str = NATIONAL,
) -> Applied:
    """Write courses from `origin` (and, on a school, the pull's cursor after them) in one
    transaction.

    A course this side has of its own (an `authored_courses` row that did not come from the
    other side), or from another origin, stays as it is; a course that came from `origin`
    is replaced by a newer version and left alone by the same or an older one (a page read
    twice changes nothing)."""
    added = updated = unchanged = 0
    kept: list[str] = []
    async with store.transaction() as runner:
        for course in courses:
            local = await runner.run(_LOCAL_COURSE, cid=course.course_id)
            if local and (local[0][1] is None or str(local[0][2]) != origin):
                kept.append(course.course_id)
                continue
            if local:
                held = utc(local[0][1])
                if held is not None and held >= course.published_at:
                    unchanged += 1
                    continue
                await _replace_course(runner, course, now)
                updated += 1
            else:
                await _insert_course(runner, course, now)
                added += 1
            await runner.run(
                _CAME_FROM, cid=course.course_id, origin=origin, at=course.published_at, now=now
            )
        if cursor is not None:
            await _set_state(runner, PULL_CURSOR, cursor, now)
    return Applied(added, updated, unchanged, tuple(kept))


_STATE = select(sync_state.c.value).where(sync_state.c.key == bindparam("k"))
_SET_STATE = both(
    lambda ins: (
        made := ins(sync_state).values(
            key=bindparam("k"), value=bindparam("v"), updated_at=bindparam("now")
        )
    ).on_conflict_do_update(
        index_elements=["key"],
        set_={"value": made.excluded.value, "updated_at": made.excluded.updated_at},
    )
)
_LOCAL_COURSE = (
    select(authored_courses.c.course_id, sync_courses.c.published_at, sync_courses.c.origin)
    .select_from(
        authored_courses.outerjoin(
            sync_courses, sync_courses.c.course_id == authored_courses.c.course_id
        )
    )
    .where(authored_courses.c.course_id == bindparam("cid"))
)
_CAME_FROM = both(
    lambda ins: (
        made := ins(sync_courses).values(
            course_id=bindparam("cid"),
            origin=bindparam("origin"),
            published_at=bindparam("at"),
            pulled_at=bindparam("now"),
        )
    ).on_conflict_do_update(
        index_elements=["course_id"],
        set_={"published_at": made.excluded.published_at, "pulled_at": made.excluded.pulled_at},
    )
)
_COURSE_VALUES: dict[str, Any] = {
    "status": "published",
    "visibility": bindparam("vis"),
    "country": bindparam("country"),
    "source": bindparam("src"),
    "published_source": bindparam("src"),
    "updated_at": bindparam("now"),
    "published_at": bindparam("at"),
}
_NEW_COURSE = insert(authored_courses).values(
    course_id=bindparam("cid"), author_id=None, created_at=bindparam("now"), **_COURSE_VALUES
)
_CHANGE_COURSE = (
    update(authored_courses)
    .where(authored_courses.c.course_id == bindparam("cid"))
    .values(**_COURSE_VALUES)
)
_FORGET_MEDIA = delete(authored_media).where(authored_media.c.course_id == bindparam("cid"))
_NEW_MEDIA = insert(authored_media).values(
    course_id=bindparam("cid"),
    name=bindparam("name"),
    mime=bindparam("mime"),
    data=bindparam("data"),
    created_at=bindparam("now"),
)


async def _set_state(runner: Runner, key: str, value: str, now: datetime) -> None:
    await runner.run(_SET_STATE, k=key, v=value, now=now)


async def _state(store: SqlStore, key: str) -> str:
    rows = await store.statement(_STATE, k=key)
    return str(rows[0][0]) if rows else ""


async def push_cursor(store: SqlStore) -> str:
    """Where the push of the school's own courses stands (its own publication times)."""
    return await _state(store, PUSH_CURSOR)


async def set_push_cursor(store: SqlStore, cursor: str) -> None:
    """The national instance took the school's courses up to `cursor`."""
    async with store.transaction() as runner:
        await _set_state(runner, PUSH_CURSOR, cursor, datetime.now(UTC))


def _course_values(course: PulledCourse, now: datetime) -> dict[str, Any]:
    return {
        "cid": course.course_id,
        "vis": course.visibility,
        "country": course.country,
        "src": course.source,
        "now": now,
        "at": course.published_at,
    }


async def _insert_course(runner: Runner, course: PulledCourse, now: datetime) -> None:
    await runner.run(_NEW_COURSE, **_course_values(course, now))
    await _media(runner, course, now)


async def _replace_course(runner: Runner, course: PulledCourse, now: datetime) -> None:
    await runner.run(_CHANGE_COURSE, **_course_values(course, now))
    await runner.run(_FORGET_MEDIA, cid=course.course_id)
    await _media(runner, course, now)


async def _media(runner: Runner, course: PulledCourse, now: datetime) -> None:
    for name, mime, data in course.media:
        await runner.run(_NEW_MEDIA, cid=course.course_id, name=name, mime=mime, data=data, now=now)


# --- the national side -------------------------------------------------------------------


def national_id(school: str, statement_id: str) -> str:
    """A school's statement id as the national instance keeps it: unique across schools
    (two schools number their learners alike), the same at every push of that statement."""
    return str(uuid.uuid5(NAMESPACE, f"school\x1f{school}\x1f{statement_id}"))


_SENT = select(_X.c.sent_at).where(_X.c.statement_id == bindparam("sid"))
_FORGET_STATEMENT = delete(_X).where(_X.c.statement_id == bindparam("sid"))
_KEEP_STATEMENT = both(
    lambda ins: (
        ins(_X)
        .values(
            statement_id=bindparam("sid"),
            user_id=None,
            statement=bindparam("body"),
            created_at=bindparam("at"),
        )
        .on_conflict_do_nothing(index_elements=["statement_id"])
        .returning(_X.c.id)
    )
)
_HEARD_FROM = both(
    lambda ins: (
        made := ins(sync_schools).values(
            name=bindparam("name"),
            first_sync_at=bindparam("now"),
            last_sync_at=bindparam("now"),
            learners=bindparam("learners"),
            pending=bindparam("pending"),
            received=bindparam("kept"),
        )
    ).on_conflict_do_update(
        index_elements=["name"],
        set_={
            "last_sync_at": made.excluded.last_sync_at,
            "learners": made.excluded.learners,
            "pending": made.excluded.pending,
            "received": sync_schools.c.received + made.excluded.received,
        },
    )
)
_A = authored_courses
_SHAREABLE = (
    select(
        _A.c.course_id,
        _A.c.visibility,
        _A.c.country,
        func.coalesce(_A.c.published_source, _A.c.source),
        _A.c.published_at,
    )
    .where(
        _A.c.status == "published",
        _A.c.visibility.in_([EVERYWHERE, COUNTRY]),
        _A.c.published_at.is_not(None),
        or_(
            _A.c.published_at > bindparam("at"),
            and_(_A.c.published_at == bindparam("at"), _A.c.course_id > bindparam("cid")),
        ),
        _A.c.course_id.not_in(
            select(sync_courses.c.course_id).where(sync_courses.c.origin == bindparam("origin"))
        ),
    )
    .order_by(_A.c.published_at, _A.c.course_id)
    .limit(bindparam("n"))
)
_MEDIA = (
    select(authored_media.c.name, authored_media.c.mime, authored_media.c.data)
    .where(authored_media.c.course_id == bindparam("cid"))
    .order_by(authored_media.c.name)
)
_SCHOOLS = select(
    sync_schools.c.name,
    sync_schools.c.last_sync_at,
    sync_schools.c.learners,
    sync_schools.c.pending,
    sync_schools.c.received,
).order_by(sync_schools.c.last_sync_at.desc(), sync_schools.c.name)


@dataclass(frozen=True)
class Taken:
    """What the national instance did with a pushed batch."""

    kept: int = 0  # new statements
    known: int = 0  # statements it had already (a batch sent again)
    erased: int = 0  # statements deleted by a school's voiding (never sent to the LRS)


async def take_statements(
    store: SqlStore,
    school: str,
    statements: list[dict[str, Any]],
    figures: SchoolFigures,
    now: datetime,
) -> Taken:
    """Keep a school's batch and what it said about itself, in one transaction."""
    kept = known = erased = 0
    async with store.transaction() as runner:
        for statement in statements:
            own = dict(statement)
            own["id"] = national_id(school, str(statement["id"]))
            voided = _voided(statement)
            if voided is not None:
                target = national_id(school, voided)
                own["object"] = {**statement["object"], "id": target}
                sent = await runner.run(_SENT, sid=target)
                if not sent or sent[0][0] is None:  # the LRS never had it: it simply goes
                    await runner.run(_FORGET_STATEMENT, sid=target)
                    erased += len(sent)
                    continue
            rows = await runner.run(
                _KEEP_STATEMENT,
                sid=own["id"],
                body=json.dumps(own, sort_keys=True, separators=(",", ":")),
                at=now,
            )
            if rows:
                kept += 1
            else:
                known += 1
        await runner.run(
            _HEARD_FROM,
            name=school,
            now=now,
            learners=figures.learners,
            pending=max(0, figures.pending - len(statements)),
            kept=kept,
        )
    return Taken(kept, known, erased)


def _voided(statement: dict[str, Any]) -> str | None:
    """The statement id a voiding statement voids, else None."""
    verb = statement.get("verb")
    target = statement.get("object")
    if not isinstance(verb, dict) or verb.get("id") != VOIDED or not isinstance(target, dict):
        return None
    if target.get("objectType") == "StatementRef" and target.get("id"):
        return str(target["id"])
    return None


async def courses_after(
    store: SqlStore, cursor: str, limit: int, not_from: str | None = None
) -> list[PulledCourse]:
    """The published courses every school may have (not those for an author's classes
    only), after `cursor` (publication time, then id), oldest first, with their files;
    without those that came from `not_from` (a school is not sent its own courses back, a
    school pushes only its own)."""
    at, course_id = _cursor(cursor)
    rows = await store.statement(
        _SHAREABLE,
        at=at,
        cid=course_id,
        origin="" if not_from is None else not_from,
        n=limit,
    )
    courses = []
    for cid, visibility, country, source, published in rows:
        media = await store.statement(_MEDIA, cid=str(cid))
        published_at = utc(published)
        assert published_at is not None
        courses.append(
            PulledCourse(
                str(cid),
                str(visibility),
                str(country or ""),
                str(source),
                published_at,
                tuple((str(n), str(m), bytes(d)) for n, m, d in media),
            )
        )
    return courses


def cursor_of(course: PulledCourse) -> str:
    """The cursor just after `course`."""
    return f"{course.published_at.isoformat()}|{course.course_id}"


def _cursor(cursor: str) -> tuple[datetime, str]:
    """A cursor read back; a missing or unreadable one starts from the beginning."""
    at, _, course_id = cursor.partition("|")
    try:
        found = datetime.fromisoformat(at)
    except ValueError:
        return datetime(1970, 1, 1, tzinfo=UTC), ""
    return (found.replace(tzinfo=UTC) if found.tzinfo is None else found), course_id


@dataclass(frozen=True)
class SchoolRow:
    """A school server as the national instance sees it."""

    name: str
    last_sync_at: datetime
    learners: int
    pending: int
    received: int


async def schools(store: SqlStore) -> list[SchoolRow]:
    """Every school server heard from, the latest first."""
    rows = await store.statement(_SCHOOLS)
    listed = []
    for name, last, learners, pending, received in rows:
        last_sync = utc(last)
        assert last_sync is not None
        listed.append(SchoolRow(str(name), last_sync, int(learners), int(pending), int(received)))
    return listed


# --- announcements: national -> schools -------------------------------------------------

# An announcement aimed at people, classes, circles, events or unfinished work names the
# national instance's own rows: not for schools. Roles, levels, languages, activity and the
# fallback language mean the same at a school (`_portable`).
_TARGETED = ("class_ids", "user_ids", "unfinished", "unfinished_lesson", "event_id", "circle_id")


@dataclass(frozen=True)
class PulledAnnouncement:
    """A national announcement as the pull carries it: its texts per language, the countries
    it is for (none: every country) and who it is for among a school's people."""

    national_id: int
    texts: dict[str, str]
    countries: tuple[str, ...]
    audience: dict[str, Any]  # the portable fields of its Audience

    def reaches(self, country: str) -> bool:
        """Whether a school of `country` (empty: unknown) takes it."""
        return not self.countries or country.upper() in self.countries


_NATIONAL_ANNOUNCEMENTS = (
    select(broadcasts.c.id, broadcasts.c.texts, broadcasts.c.audience, broadcasts.c.queued_at)
    .where(
        broadcasts.c.queued_at.is_not(None),
        broadcasts.c.status != "cancelled",
        broadcasts.c.queued_at >= bindparam("since"),
        or_(
            broadcasts.c.queued_at > bindparam("at"),
            and_(broadcasts.c.queued_at == bindparam("at"), broadcasts.c.id > bindparam("bid")),
        ),
    )
    .order_by(broadcasts.c.queued_at, broadcasts.c.id)
    .limit(bindparam("n"))
)


async def announcements_after(
    store: SqlStore, cursor: str, limit: int, now: datetime
) -> tuple[list[PulledAnnouncement], str, bool]:
    """The national announcements to every school after `cursor` (queued time, then id),
    oldest first, no further back than ANNOUNCEMENT_AGE: (announcements, the cursor after
    the rows read, whether more follow). Personal notices and announcements aimed at the
    national instance's own classes, people, circles or events are read past, not sent."""
    at, bid = _announcement_cursor(cursor)
    rows = await store.statement(
        _NATIONAL_ANNOUNCEMENTS, since=now - ANNOUNCEMENT_AGE, at=at, bid=bid, n=limit + 1
    )
    more = len(rows) > limit
    found: list[PulledAnnouncement] = []
    after = cursor
    for row_id, texts, audience, queued in rows[:limit]:
        queued_at = utc(queued)
        assert queued_at is not None
        after = f"{queued_at.isoformat()}|{int(row_id)}"
        picked = _for_schools(int(row_id), as_json(texts), as_json(audience))
        if picked is not None:
            found.append(picked)
    return found, after, more


def _for_schools(national_id: int, texts: Any, audience: Any) -> PulledAnnouncement | None:
    """An announcement as schools take it, or None when it is not for schools."""
    if not isinstance(texts, dict) or not isinstance(audience, dict):
        return None
    if audience.get("personal") or any(audience.get(key) for key in _TARGETED):
        return None
    countries = tuple(str(c).upper() for c in audience.get("countries") or ())
    kept = {str(lang): str(text) for lang, text in texts.items()}
    return PulledAnnouncement(national_id, kept, countries, _portable(audience))


def _portable(audience: dict[str, Any]) -> dict[str, Any]:
    """The fields of an audience a school applies to its own people, checked."""
    listed = {
        key: [str(value)[:16] for value in audience.get(key) or ()][:20]
        for key in ("roles", "levels", "languages")
    }
    days = audience.get("active_days", 0)
    return {
        **listed,
        "active_days": max(0, days) if isinstance(days, int) else 0,
        "fallback": str(audience.get("fallback") or "fr")[:8],
    }


def _announcement_cursor(cursor: str) -> tuple[datetime, int]:
    """An announcements cursor read back; a missing or unreadable one starts at the start."""
    at, _, bid = cursor.partition("|")
    try:
        found, number = datetime.fromisoformat(at), int(bid)
    except ValueError:
        return datetime(1970, 1, 1, tzinfo=UTC), 0
    return (found.replace(tzinfo=UTC) if found.tzinfo is None else found), number


def announcement_json(item: PulledAnnouncement) -> dict[str, Any]:
    """An announcement as it travels (a pull's page, a bundle)."""
    return {
        "id": item.national_id,
        "texts": item.texts,
        "countries": list(item.countries),
        "audience": item.audience,
    }


def announcement_from_json(item: dict[str, Any]) -> PulledAnnouncement:
    """An announcement of a page or a bundle, read back (ValueError, TypeError, KeyError
    when it is not one)."""
    texts, audience = item["texts"], item.get("audience", {})
    if not isinstance(texts, dict) or not texts or not isinstance(audience, dict):
        raise ValueError("an announcement has texts and an audience")
    return PulledAnnouncement(
        int(item["id"]),
        {str(lang)[:8]: str(text)[:4096] for lang, text in texts.items()},
        tuple(str(c).upper()[:8] for c in item.get("countries", ())),
        _portable(audience),
    )


_NEW_BROADCAST = (
    insert(broadcasts)
    .values(
        author_id=None,
        texts=bindparam("texts"),
        attachment=None,
        audience=bindparam("audience"),
        status="queued",
        total=0,
        scheduled_at=None,
        created_at=bindparam("now"),
    )
    .returning(broadcasts.c.id)
)


@dataclass(frozen=True)
class Announced:
    """What applying pulled announcements did at a school."""

    added: int = 0  # new announcements, queued to the school's people
    reached: int = 0  # messages queued for them
    known: int = 0  # announcements it had already (a page or a bundle read twice)


async def apply_announcements(
    store: SqlStore,
    items: list[PulledAnnouncement],
    cursor: str | None,
    now: datetime,
) -> Announced:
    """Queue national announcements to the school's people, each once whatever the times it
    comes (by network or by bundle), with the pull's cursor after them: one transaction."""
    added = reached = known = 0
    async with store.transaction() as runner:
        for item in items:
            key = f"{ANNOUNCEMENT_KEY}{item.national_id}"
            if await runner.run(_STATE, k=key):
                known += 1
                continue
            audience = Audience.from_dict(item.audience)
            rows = await runner.run(
                _NEW_BROADCAST, texts=item.texts, audience=audience.as_dict(), now=now
            )
            broadcast_id = int(rows[0][0])
            reached += await queue_broadcast(runner, broadcast_id, now)
            await _set_state(runner, key, str(broadcast_id), now)
            added += 1
        if cursor is not None:
            await _set_state(runner, ANNOUNCEMENT_CURSOR, cursor, now)
    return Announced(added, reached, known)


async def announcement_cursor(store: SqlStore) -> str:
    """Where the school's announcements pull stands (the national side's cursor)."""
    return await _state(store, ANNOUNCEMENT_CURSOR)


# --- the Creathon: national contests -> schools, schools' entries -> national ------------

CONTEST_KEY = "contest:"  # + the national id: the school's own row of a national contest
ENTRIES_CURSOR = "entries_cursor"
STAND_IN = "school"  # users.channel of a school teacher's stand-in at the national side


@dataclass(frozen=True)
class PulledContest:
    """A national Creathon open for submissions, as schools take it (no jury: the national
    jury judges, on the national side)."""

    national_id: int
    theme: str
    rules: str
    levels: tuple[str, ...]
    subjects: tuple[str, ...]
    submit_by: datetime
    review_by: datetime
    criteria: tuple[tuple[str, int], ...]


_OPEN_CONTESTS = (
    select(
        creathon_contests.c.id,
        creathon_contests.c.theme,
        creathon_contests.c.rules,
        creathon_contests.c.levels,
        creathon_contests.c.subjects,
        creathon_contests.c.submit_by,
        creathon_contests.c.review_by,
        creathon_contests.c.criteria,
    )
    .where(creathon_contests.c.status == OPEN, creathon_contests.c.submit_by > bindparam("now"))
    .order_by(creathon_contests.c.id)
)


async def open_contests(store: SqlStore, now: datetime) -> list[PulledContest]:
    """The national contests that take submissions now."""
    found = []
    for (
        cid,
        theme,
        rules,
        levels,
        subjects,
        submit_by,
        review_by,
        criteria,
    ) in await store.statement(_OPEN_CONTESTS, now=now):
        submit, review = utc(submit_by), utc(review_by)
        assert submit is not None and review is not None
        found.append(
            PulledContest(
                int(cid),
                str(theme),
                str(rules),
                tuple(str(v) for v in as_json(levels)),
                tuple(str(v) for v in as_json(subjects)),
                submit,
                review,
                tuple((str(name), int(weight)) for name, weight in as_json(criteria)),
            )
        )
    return found


def contest_json(contest: PulledContest) -> dict[str, Any]:
    """A contest as it travels."""
    return {
        "id": contest.national_id,
        "theme": contest.theme,
        "rules": contest.rules,
        "levels": list(contest.levels),
        "subjects": list(contest.subjects),
        "submit_by": contest.submit_by.isoformat(),
        "review_by": contest.review_by.isoformat(),
        "criteria": [list(c) for c in contest.criteria],
    }


def contest_from_json(item: dict[str, Any]) -> PulledContest:
    """A contest of a page read back (ValueError, TypeError, KeyError if it is not one)."""

    def when(value: Any) -> datetime:
        at = datetime.fromisoformat(str(value))
        return at if at.tzinfo else at.replace(tzinfo=UTC)

    return PulledContest(
        int(item["id"]),
        str(item["theme"])[:120],
        str(item["rules"])[:1500],
        tuple(str(v)[:16] for v in item.get("levels", ()))[:20],
        tuple(str(v)[:32] for v in item.get("subjects", ()))[:20],
        when(item["submit_by"]),
        when(item["review_by"]),
        tuple((str(name)[:60], int(weight)) for name, weight in item["criteria"])[:10],
    )


# A national contest as a school opens it: open, with no jury, reviewers nor author here.
_PULLED_CONTEST: dict[str, Any] = {
    "jury": [],
    "reviewers": 0,
    "shortlist": 0,
    "status": OPEN,
    "uid": None,
}
_CHANGE_CONTEST = (
    update(creathon_contests)
    .where(creathon_contests.c.id == bindparam("cid"), creathon_contests.c.status == OPEN)
    .values(
        theme=bindparam("theme"),
        rules=bindparam("rules"),
        levels=bindparam("levels"),
        subjects=bindparam("subjects"),
        submit_by=bindparam("submit_by"),
        review_by=bindparam("review_by"),
        criteria=bindparam("criteria"),
    )
)


async def apply_contests(store: SqlStore, contests: list[PulledContest], now: datetime) -> int:
    """The national contests as the school's own rows (its teachers submit to them as to
    any contest), changed when the national side changed them; how many are new."""
    added = 0
    async with store.transaction() as runner:
        for contest in contests:
            key = f"{CONTEST_KEY}{contest.national_id}"
            values = {
                "theme": contest.theme,
                "rules": contest.rules,
                "levels": list(contest.levels),
                "subjects": list(contest.subjects),
                "submit_by": contest.submit_by,
                "review_by": contest.review_by,
                "criteria": [list(c) for c in contest.criteria],
            }
            held = await runner.run(_STATE, k=key)
            if held:
                await runner.run(_CHANGE_CONTEST, cid=int(held[0][0]), **values)
                continue
            rows = await runner.run(OPEN_CONTEST, now=now, **_PULLED_CONTEST, **values)
            await _set_state(runner, key, str(int(rows[0][0])), now)
            added += 1
    return added


@dataclass(frozen=True)
class Entry:
    """A school teacher's Creathon scenario for a national contest, as the push carries it:
    the school's own submission number and author number (no name), the course's text."""

    contest: int  # the national contest's id
    submission: int  # the school's submission id
    author: int  # the school's row id of its author
    course_id: str
    description: str
    country: str
    source: str
    updated_at: datetime


_CONTESTS_HELD = select(sync_state.c.key, sync_state.c.value).where(
    sync_state.c.key.startswith(CONTEST_KEY)
)
_ENTRIES = (
    select(
        creathon_submissions.c.contest_id,
        creathon_submissions.c.id,
        creathon_submissions.c.author_id,
        creathon_submissions.c.course_id,
        creathon_submissions.c.description,
        creathon_submissions.c.country,
        creathon_submissions.c.source,
        creathon_submissions.c.updated_at,
    )
    .where(
        creathon_submissions.c.contest_id.in_(bindparam("contests", expanding=True)),
        or_(
            creathon_submissions.c.updated_at > bindparam("at"),
            and_(
                creathon_submissions.c.updated_at == bindparam("at"),
                creathon_submissions.c.id > bindparam("sid"),
            ),
        ),
    )
    .order_by(creathon_submissions.c.updated_at, creathon_submissions.c.id)
    .limit(bindparam("n"))
)


async def entries_to_push(store: SqlStore, limit: int) -> tuple[list[Entry], str]:
    """The school's submissions to national contests changed after the push's cursor,
    oldest first, and the cursor after them."""
    national = {
        int(local): int(str(key).removeprefix(CONTEST_KEY))
        for key, local in await store.statement(_CONTESTS_HELD)
    }
    cursor = await _state(store, ENTRIES_CURSOR)
    at, sid = _announcement_cursor(cursor)
    rows = await store.statement(_ENTRIES, contests=list(national), at=at, sid=sid, n=limit)
    entries = []
    for contest, submission, author, course, description, country, source, changed in rows:
        updated = utc(changed)
        assert updated is not None
        entries.append(
            Entry(
                national[int(contest)],
                int(submission),
                int(author),
                str(course),
                str(description),
                str(country),
                str(source),
                updated,
            )
        )
        cursor = f"{updated.isoformat()}|{int(submission)}"
    return entries, cursor


async def set_entries_cursor(store: SqlStore, cursor: str) -> None:
    """The national instance took the school's entries up to `cursor`."""
    async with store.transaction() as runner:
        await _set_state(runner, ENTRIES_CURSOR, cursor, datetime.now(UTC))


def entry_json(entry: Entry) -> dict[str, Any]:
    """An entry as it travels."""
    return {
        "contest": entry.contest,
        "submission": entry.submission,
        "author": entry.author,
        "course_id": entry.course_id,
        "description": entry.description,
        "country": entry.country,
        "source": entry.source,
        "updated_at": entry.updated_at.isoformat(),
    }


def entry_from_json(item: dict[str, Any]) -> Entry:
    """An entry of a push read back (ValueError, TypeError, KeyError if it is not one)."""
    changed = datetime.fromisoformat(str(item["updated_at"]))
    return Entry(
        int(item["contest"]),
        int(item["submission"]),
        int(item["author"]),
        str(item["course_id"])[:64],
        str(item["description"])[:500],
        str(item["country"])[:8],
        str(item["source"])[: 512 * 1024],
        changed if changed.tzinfo else changed.replace(tzinfo=UTC),
    )


_STILL_OPEN = select(creathon_contests.c.id).where(
    creathon_contests.c.id == bindparam("cid"),
    creathon_contests.c.status == OPEN,
    creathon_contests.c.submit_by > bindparam("now"),
)
_STAND_IN = select(users.c.id).where(
    users.c.channel == STAND_IN, users.c.external_id == bindparam("ext")
)
_NEW_STAND_IN = (
    insert(users)
    .values(
        channel=STAND_IN,
        external_id=bindparam("ext"),
        locale="fr",
        country=bindparam("country"),
        role=bindparam("role"),
        consented_at=bindparam("consented"),
        state_step="start",
        state_data=bindparam("data"),
        state_prompt=0,
        created_at=bindparam("now"),
        last_seen_at=bindparam("now"),
    )
    .returning(users.c.id)
)
_ENTRY_VALUES: dict[str, Any] = {
    "contest_id": bindparam("cid"),
    "author_id": bindparam("uid"),
    "course_id": bindparam("course"),
    "description": bindparam("descr"),
    "country": bindparam("country"),
    "source": bindparam("source"),
    "submitted_at": bindparam("now"),
    "updated_at": bindparam("now"),
}
_ENTRY_CHANGED = ("course_id", "description", "country", "source", "updated_at")


def _upsert_entry(statement: Any) -> Any:
    """An entry's INSERT, replacing the same teacher's entry to the same contest."""
    return statement.on_conflict_do_update(
        index_elements=["contest_id", "author_id"],
        set_={name: getattr(statement.excluded, name) for name in _ENTRY_CHANGED},
    ).returning(creathon_submissions.c.id)


_TAKE_ENTRY = ByDialect(
    sqlite=_upsert_entry(sqlite_insert(creathon_submissions).values(**_ENTRY_VALUES)),
    postgresql=_upsert_entry(pg_insert(creathon_submissions).values(**_ENTRY_VALUES)),
)


@dataclass(frozen=True)
class EntriesTaken:
    """What the national instance did with a school's entries."""

    taken: int = 0  # kept (new or changed)
    closed: int = 0  # for a contest that no longer takes submissions (or unknown)


async def take_entries(
    store: SqlStore, school: str, entries: list[Entry], now: datetime
) -> EntriesTaken:
    """Keep a school's Creathon entries for the national contests still open: one per
    school teacher and contest (a stand-in row, `school` channel, names no one), replaced by
    a later push of the same entry. The course id is prefixed with the school's name, so
    that a school's course never stands for a national course of the same id."""
    taken = closed = 0
    async with store.transaction() as runner:
        for entry in entries:
            if not await runner.run(_STILL_OPEN, cid=entry.contest, now=now):
                closed += 1
                continue
            ext = f"{school}/{entry.author}"
            found = await runner.run(_STAND_IN, ext=ext)
            if found:
                author = int(found[0][0])
            else:
                made = await runner.run(
                    _NEW_STAND_IN,
                    ext=ext,
                    country=entry.country,
                    role="teacher",
                    consented=None,
                    data={},
                    now=now,
                )
                author = int(made[0][0])
            await runner.run(
                _TAKE_ENTRY,
                cid=entry.contest,
                uid=author,
                course=f"{school}:{entry.course_id}"[:64],
                descr=entry.description,
                country=entry.country,
                source=entry.source,
                now=now,
            )
            taken += 1
    return EntriesTaken(taken, closed)


# --- /mon_code across instances: a school learner's code and lessons -> national -----------

CODE_KEY = "code:"  # + the learner's row id: what the national side has of their code


@dataclass(frozen=True)
class SchoolLearner:
    """A school learner who asked /mon_code, as the national side needs them to be linked
    from another channel: the school's row number (no name, no address), the code, the
    profile the linked address goes on with, and the lessons they finished."""

    learner: int
    code: str
    locale: str
    country: str
    level: str
    lessons: tuple[tuple[str, str], ...]

    @property
    def mark(self) -> str:
        """What the school keeps of what it pushed: pushed again when it changes."""
        return f"{self.code}|{len(self.lessons)}"


_CODED = (
    select(users.c.id, person_codes.c.code, users.c.locale, users.c.country, users.c.level)
    .join(person_codes, person_codes.c.user_id == users.c.id)
    .where(*_IS_LEARNER)
    .order_by(users.c.id)
)
_MARKS = select(sync_state.c.key, sync_state.c.value).where(sync_state.c.key.startswith(CODE_KEY))
_DONE = (
    select(lesson_progress.c.course_id, lesson_progress.c.lesson_id)
    .where(lesson_progress.c.user_id == bindparam("uid"))
    .order_by(lesson_progress.c.course_id, lesson_progress.c.lesson_id)
)


async def learners_to_push(store: SqlStore, limit: int) -> tuple[list[SchoolLearner], list[int]]:
    """The school's learners with a /mon_code code whose code or lessons changed since the
    national side last took them (the first `limit`), and the learners the national side
    has who are gone from the school (erased) or no longer learners: it forgets them."""
    marks = {str(key): str(value) for key, value in await store.statement(_MARKS)}
    found: list[SchoolLearner] = []
    coded = await store.statement(_CODED)
    still = {f"{CODE_KEY}{int(row[0])}" for row in coded}
    gone = [int(key.removeprefix(CODE_KEY)) for key in marks if key not in still][:limit]
    for uid, code, locale, country, level in coded:
        lessons = await store.statement(_DONE, uid=int(uid))
        learner = SchoolLearner(
            int(uid),
            str(code),
            str(locale or ""),
            str(country or ""),
            str(level or ""),
            tuple((str(c), str(lesson)) for c, lesson in lessons),
        )
        if marks.get(f"{CODE_KEY}{learner.learner}") != learner.mark:
            found.append(learner)
            if len(found) >= limit:
                break
    return found, gone


_UNMARK = delete(sync_state).where(sync_state.c.key == bindparam("k"))


async def mark_learners(store: SqlStore, learners: list[SchoolLearner], gone: list[int]) -> None:
    """The national side took these learners' codes and lessons, and forgot `gone`."""
    now = datetime.now(UTC)
    async with store.transaction() as runner:
        for learner in learners:
            await _set_state(runner, f"{CODE_KEY}{learner.learner}", learner.mark, now)
        for uid in gone:
            await runner.run(_UNMARK, k=f"{CODE_KEY}{uid}")


def learner_json(learner: SchoolLearner) -> dict[str, Any]:
    """A school learner as the push carries them."""
    return {
        "learner": learner.learner,
        "code": learner.code,
        "locale": learner.locale,
        "country": learner.country,
        "level": learner.level,
        "lessons": [list(done) for done in learner.lessons],
    }


def learner_from_json(item: dict[str, Any]) -> SchoolLearner:
    """A pushed learner read back (ValueError, TypeError, KeyError if it is not one)."""
    code = "".join(str(item["code"]).split()).upper().replace("-", "")
    if not code.isalnum() or not 4 <= len(code) <= 16:
        raise ValueError("a code is 4 to 16 letters and digits")
    return SchoolLearner(
        int(item["learner"]),
        code,
        str(item.get("locale") or "")[:8],
        str(item.get("country") or "")[:8],
        str(item.get("level") or "")[:16],
        tuple((str(c)[:128], str(lesson)[:128]) for c, lesson in item.get("lessons", ()))[:5000],
    )


_STAND_IN_CODE = select(person_codes.c.user_id, person_codes.c.code).where(
    or_(person_codes.c.code == bindparam("code"), person_codes.c.user_id == bindparam("uid"))
)
_GIVE_CODE = insert(person_codes).values(user_id=bindparam("uid"), code=bindparam("code"))
_CHANGE_CODE = (
    update(person_codes)
    .where(person_codes.c.user_id == bindparam("uid"))
    .values(code=bindparam("code"))
)
_LEARNER_PROFILE = (
    update(users)
    .where(users.c.id == bindparam("uid"))
    .values(locale=bindparam("locale"), country=bindparam("country"), level=bindparam("level"))
)


def _finished(insert: Any) -> Any:
    return (
        insert(lesson_progress)
        .values(
            user_id=bindparam("uid"),
            course_id=bindparam("course"),
            lesson_id=bindparam("lesson"),
            completed_at=bindparam("now"),
        )
        .on_conflict_do_nothing()
    )


_FINISHED = ByDialect(sqlite=_finished(sqlite_insert), postgresql=_finished(pg_insert))


@dataclass(frozen=True)
class LearnersTaken:
    """What the national instance did with a school's learners."""

    taken: int = 0
    taken_codes: tuple[str, ...] = ()  # codes another person holds there: not linkable


_FORGET_STAND_IN = delete(users).where(
    users.c.channel == STAND_IN, users.c.external_id == bindparam("ext")
)


async def take_learners(
    store: SqlStore,
    school: str,
    learners: list[SchoolLearner],
    now: datetime,
    gone: tuple[int, ...] = (),
) -> LearnersTaken:
    """Keep a school's learners who asked /mon_code as stand-in rows (`school` channel, the
    school's row number: the same stand-in as their Creathon entries), with their code, so
    that the linking flow finds it ("LIER <code>" on WhatsApp at home), their profile and the
    lessons they finished at school (never removed: progress only grows). A learner `gone`
    from the school (erased there) is deleted here with all they have: an address linked
    to them gets its own progress back."""
    taken = 0
    refused: list[str] = []
    async with store.transaction() as runner:
        for number in gone:  # erased at school: their stand-in, code and lessons go here too
            await runner.run(_FORGET_STAND_IN, ext=f"{school}/{number}")
        for learner in learners:
            ext = f"{school}/{learner.learner}"
            found = await runner.run(_STAND_IN, ext=ext)
            if found:
                uid = int(found[0][0])
            else:
                made = await runner.run(
                    _NEW_STAND_IN,
                    ext=ext,
                    country=learner.country,
                    role="student",
                    consented=now,  # they agreed at school, to the same programme
                    data={},
                    now=now,
                )
                uid = int(made[0][0])
            await runner.run(
                _LEARNER_PROFILE,
                uid=uid,
                locale=learner.locale or "fr",
                country=learner.country or None,
                level=learner.level or None,
            )
            held = await runner.run(_STAND_IN_CODE, code=learner.code, uid=uid)
            others = [row for row in held if int(row[0]) != uid]
            own = [row for row in held if int(row[0]) == uid]
            if others:
                refused.append(learner.code)
            elif not own:
                await runner.run(_GIVE_CODE, uid=uid, code=learner.code)
            elif str(own[0][1]) != learner.code:
                await runner.run(_CHANGE_CODE, uid=uid, code=learner.code)
            for course, lesson in learner.lessons:
                await runner.run(_FINISHED, uid=uid, course=course, lesson=lesson, now=now)
            taken += 1
    return LearnersTaken(taken, tuple(refused))


# --- /mon_code the way back: lessons finished at home -> the school ------------------------

_ASKED = (
    select(users.c.id, func.count(lesson_progress.c.lesson_id))
    .join(person_codes, person_codes.c.user_id == users.c.id)
    .outerjoin(lesson_progress, lesson_progress.c.user_id == users.c.id)
    .where(*_IS_LEARNER, users.c.id > bindparam("after"))
    .group_by(users.c.id)
    .order_by(users.c.id)
)


async def learners_to_ask(store: SqlStore, after: int, limit: int) -> list[tuple[int, int]]:
    """The school's learners with a code the national side has (those it took, after row
    id `after`, the first `limit`), each with the number of lessons they finished here:
    (row id, lessons). Someone erased here is no longer among them."""
    marks = {str(key) for key, _ in await store.statement(_MARKS)}
    asked: list[tuple[int, int]] = []
    for uid, count in await store.statement(_ASKED, after=after):
        if f"{CODE_KEY}{int(uid)}" in marks:
            asked.append((int(uid), int(count)))
            if len(asked) >= limit:
                break
    return asked


_STAND_INS_LESSONS = (
    select(users.c.external_id, lesson_progress.c.course_id, lesson_progress.c.lesson_id)
    .join(lesson_progress, lesson_progress.c.user_id == users.c.id)
    .where(users.c.channel == STAND_IN, users.c.external_id.in_(bindparam("ext", expanding=True)))
    .order_by(users.c.external_id, lesson_progress.c.course_id, lesson_progress.c.lesson_id)
)


async def stand_ins_lessons(
    store: SqlStore, school: str, asked: list[tuple[int, int]]
) -> list[tuple[int, str, str]]:
    """National side: the lessons finished by this school's stand-ins (by the school's row
    numbers; another school's are never named), for those whose count here differs from
    the school's (after its push the school has a part of them: a different count means
    lessons finished elsewhere, at home). (row number, course, lesson); nothing personal."""
    if not asked:
        return []
    counts = {f"{school}/{number}": count for number, count in asked}
    found: dict[str, list[tuple[str, str]]] = {}
    for ext, course, lesson in await store.statement(_STAND_INS_LESSONS, ext=list(counts)):
        found.setdefault(str(ext), []).append((str(course), str(lesson)))
    return [
        (int(ext.rpartition("/")[2]), course, lesson)
        for ext, lessons in found.items()
        if len(lessons) != counts[ext]
        for course, lesson in lessons
    ]


def _finished_here(insert: Any) -> Any:
    """A lesson finished elsewhere, added to a learner still here (an erased one: nothing)."""
    statement = insert(lesson_progress).from_select(
        ["user_id", "course_id", "lesson_id", "completed_at"],
        select(
            users.c.id,
            bindparam("course", type_=lesson_progress.c.course_id.type),
            bindparam("lesson", type_=lesson_progress.c.lesson_id.type),
            bindparam("now", type_=lesson_progress.c.completed_at.type),
        ).where(users.c.id == bindparam("uid"), *_IS_LEARNER),
    )
    return statement.on_conflict_do_nothing().returning(lesson_progress.c.lesson_id)


_FINISHED_HERE = both(_finished_here)
_COUNT_DONE = select(func.count()).where(lesson_progress.c.user_id == bindparam("uid"))


async def add_lessons_back(store: SqlStore, lessons: list[tuple[int, str, str]]) -> int:
    """The lessons the school's learners finished elsewhere (at home, on the stand-in their
    home address follows), added to their progress here: only ever added, once. The mark of
    what the national side has (`code:<row id>`, the code and a count) grows with them when
    it was current, so they are not pushed back. How many were new here."""
    added = 0
    now = datetime.now(UTC)
    by_learner: dict[int, list[tuple[str, str]]] = {}
    for uid, course, lesson in lessons:
        by_learner.setdefault(uid, []).append((course, lesson))
    async with store.transaction() as runner:
        for uid, done in by_learner.items():
            new = 0
            for course, lesson in done:
                made = await runner.run(
                    _FINISHED_HERE, uid=uid, course=course, lesson=lesson, now=now
                )
                new += len(made)
            if not new:
                continue
            added += new
            key = f"{CODE_KEY}{uid}"
            mark = await runner.run(_STATE, k=key)
            count = await runner.run(_COUNT_DONE, uid=uid)
            code, _, pushed = str(mark[0][0]).rpartition("|") if mark else ("", "", "")
            if code and pushed == str(int(count[0][0]) - new):  # the national side had all
                await _set_state(runner, key, f"{code}|{int(count[0][0])}", now)
    return added
