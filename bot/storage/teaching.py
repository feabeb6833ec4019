"""The teaching desk (dialogs/teaching_ports.py): invitations, teacher requests and classes,
in Core statements (bot/storage/sql.py) run on SQLite or PostgreSQL, inside the person's turn."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, bindparam, delete, func, insert, literal_column, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import ClauseElement

from bot.storage import assignments as work
from bot.storage.admin import CODE_ALPHABET, SqlAdminDesk, grant_role, queue_notice
from bot.storage.models import class_members, classes, teacher_invites, teacher_profiles, users
from bot.storage.sql import ByDialect, Row, Runner, as_json, utc
from dialogs.admin_ports import Audience, BroadcastDraft
from dialogs.roles import Grant, Role
from dialogs.teaching_ports import Assignment, ClassRoom, Group, Invite, Member, TeacherRequest

INVITE_LENGTH = 8
JOIN_LENGTH = 6
MAX_NAME = 40  # characters of a class name or a student's name in a class

_ONE = literal_column("1", Integer)  # SELECT 1: whether a row is there
_COUNTRY = select(users.c.country).where(users.c.id == bindparam("uid"))
_INVITE_TAKEN = select(_ONE).where(teacher_invites.c.code == bindparam("code"))
_JOIN_CODE_TAKEN = select(_ONE).where(classes.c.join_code == bindparam("code"))
_NEW_INVITE = insert(teacher_invites).values(
    code=bindparam("code"),
    country=bindparam("country"),
    created_by=bindparam("by"),
    max_uses=bindparam("max"),
    uses=0,
    expires_at=bindparam("exp"),
    created_at=bindparam("now"),
)
_INVITE = select(
    teacher_invites.c.country,
    teacher_invites.c.max_uses,
    teacher_invites.c.uses,
    teacher_invites.c.expires_at,
).where(teacher_invites.c.code == bindparam("c"))
_SPEND_INVITE = (
    update(teacher_invites)
    .where(
        teacher_invites.c.code == bindparam("c"),
        teacher_invites.c.uses < teacher_invites.c.max_uses,
        teacher_invites.c.expires_at > bindparam("now"),
    )
    .values(uses=teacher_invites.c.uses + 1)
    .returning(teacher_invites.c.code)
)

_Upsert = Callable[[Any], sqlite.Insert | postgresql.Insert]  # each engine's insert()
_PROFILE: dict[str, Any] = {
    "school": bindparam("school"),
    "subjects": bindparam("subjects"),
    "levels": bindparam("levels"),
    "status": bindparam("status"),
    "requested_at": bindparam("now"),
}
# A teacher granted without a profile gets a bare one: approved, no subjects nor levels.
_BARE = {"subjects": [], "levels": [], "status": "approved", "requested_at": bindparam("now")}


def _save_profile(upsert: _Upsert) -> ClauseElement:
    """The whole profile, new or replaced."""
    return (
        upsert(teacher_profiles)
        .values(user_id=bindparam("uid"), **_PROFILE)
        .on_conflict_do_update(index_elements=[teacher_profiles.c.user_id], set_=_PROFILE)
    )


def _set_school(upsert: _Upsert) -> ClauseElement:
    """The school of a profile, a bare one if there is none."""
    return (
        upsert(teacher_profiles)
        .values(user_id=bindparam("uid"), school=bindparam("school"), **_BARE)
        .on_conflict_do_update(
            index_elements=[teacher_profiles.c.user_id], set_={"school": bindparam("school")}
        )
    )


def _set_name(upsert: _Upsert) -> ClauseElement:
    """The name of a profile, a bare one if there is none."""
    return (
        upsert(teacher_profiles)
        .values(user_id=bindparam("uid"), school="", name=bindparam("name"), **_BARE)
        .on_conflict_do_update(
            index_elements=[teacher_profiles.c.user_id], set_={"name": bindparam("name")}
        )
    )


_SAVE_PROFILE = ByDialect(_save_profile(sqlite.insert), _save_profile(postgresql.insert))
_SET_SCHOOL = ByDialect(_set_school(sqlite.insert), _set_school(postgresql.insert))
_SET_NAME = ByDialect(_set_name(sqlite.insert), _set_name(postgresql.insert))
_MY_SCHOOL = select(teacher_profiles.c.school).where(teacher_profiles.c.user_id == bindparam("uid"))
_REQUESTS = (
    select(
        teacher_profiles.c.user_id,
        users.c.country,
        teacher_profiles.c.school,
        teacher_profiles.c.subjects,
        teacher_profiles.c.levels,
        teacher_profiles.c.requested_at,
    )
    .join(users, users.c.id == teacher_profiles.c.user_id)
    .where(teacher_profiles.c.status == "pending")
    .order_by(teacher_profiles.c.requested_at)
)
_PENDING_COUNTRY = (
    select(users.c.country)
    .select_from(teacher_profiles)
    .join(users, users.c.id == teacher_profiles.c.user_id)
    .where(teacher_profiles.c.user_id == bindparam("uid"), teacher_profiles.c.status == "pending")
)
_DECIDE = (  # one decision: a second admin at once finds none
    update(teacher_profiles)
    .where(teacher_profiles.c.user_id == bindparam("uid"), teacher_profiles.c.status == "pending")
    .values(status=bindparam("decision"), decided_by=bindparam("by"))
    .returning(teacher_profiles.c.user_id)
)
_NEW_CLASS = (
    insert(classes)
    .values(
        teacher_id=bindparam("uid"),
        name=bindparam("name"),
        level=bindparam("level"),
        subject=bindparam("subject"),
        join_code=bindparam("code"),
        questions_open=bindparam("open"),
        created_at=bindparam("now"),
        # the models' defaults, which Core would otherwise send as NULL (no Python defaults
        # through this path)
        absence_days=7,
        absence_alerts=True,
    )
    .returning(classes.c.id)
)
_CLASS_COLUMNS = (
    classes.c.id,
    classes.c.name,
    classes.c.level,
    classes.c.subject,
    classes.c.join_code,
)
_CLASSES = (
    select(
        *_CLASS_COLUMNS,
        select(func.count())
        .select_from(class_members)
        .where(class_members.c.class_id == classes.c.id)
        .scalar_subquery(),
    )
    .where(classes.c.teacher_id == bindparam("uid"))
    .order_by(classes.c.id)
)
_MEMBERS = (
    select(class_members.c.user_id, class_members.c.name, class_members.c.joined_at)
    .join(classes, classes.c.id == class_members.c.class_id)
    .where(class_members.c.class_id == bindparam("cid"), classes.c.teacher_id == bindparam("uid"))
    .order_by(class_members.c.name, class_members.c.user_id)
)
_OWNS = select(_ONE).where(
    classes.c.id == bindparam("cid"), classes.c.teacher_id == bindparam("uid")
)
_REMOVE_MEMBER = (
    delete(class_members)
    .where(
        class_members.c.class_id == bindparam("cid"), class_members.c.user_id == bindparam("member")
    )
    .returning(class_members.c.user_id)
)
_FIND_CLASS = select(*_CLASS_COLUMNS, literal_column("0", Integer)).where(
    classes.c.join_code == bindparam("code")
)


def _join(upsert: _Upsert) -> ClauseElement:
    """A member in a class, unless they are in it already."""
    return (
        upsert(class_members)
        .values(
            class_id=bindparam("cid"),
            user_id=bindparam("uid"),
            name=bindparam("name"),
            joined_at=bindparam("now"),
        )
        .on_conflict_do_nothing()
        .returning(class_members.c.user_id)
    )


_JOIN = ByDialect(_join(sqlite.insert), _join(postgresql.insert))
_CLASS_THERE = select(classes.c.id).where(classes.c.id == bindparam("cid"))
_MY_CLASSES = (
    select(*_CLASS_COLUMNS, literal_column("0", Integer))
    .join(class_members, class_members.c.class_id == classes.c.id)
    .where(class_members.c.user_id == bindparam("uid"))
    .order_by(classes.c.id)
)


class SqlTeachingDesk:
    """TeachingDesk for the person `user_id`, on the turn's runner."""

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
        # The roles the turn read already (SqlAdminDesk): a grant made here is forgotten there.
        self.known = {} if known is None else known

    async def _country(self, user_id: int) -> str | None:
        """A person's country."""
        rows = await self.runner.run(_COUNTRY, uid=user_id)
        return str(rows[0][0]) if rows and rows[0][0] else None

    async def _fresh_code(self, taken_sql: ClauseElement, length: int) -> str:
        """A random code that `taken_sql` (given `code`) does not find yet."""
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
            taken = await self.runner.run(taken_sql, code=code)
            if not taken:
                return code

    async def create_invite(self, country: str, max_uses: int, days: int) -> Invite:
        """A new invitation code for teachers of a country."""
        code = await self._fresh_code(_INVITE_TAKEN, INVITE_LENGTH)
        expires = self.now + timedelta(days=days)
        await self.runner.run(
            _NEW_INVITE,
            code=code,
            country=country,
            by=self.user_id,
            max=max_uses,
            exp=expires,
            now=self.now,
        )
        return Invite(code, country, max_uses, 0, expires)

    async def use_invite(self, code: str, country: str | None) -> str | None:
        """Spend one use of a code: None when it worked, else why not (unknown, used...)."""
        wanted = "".join(code.split()).upper().replace("-", "")
        rows = await self.runner.run(_INVITE, c=wanted)
        if not rows:
            return "unknown"
        invite_country, max_uses, uses, expires_at = rows[0]
        if invite_country != country:
            return "country"
        if int(uses) >= int(max_uses):
            return "used"
        expiry = utc(expires_at)
        if expiry is not None and expiry <= self.now:
            return "expired"
        # The check above is advice; this conditional update is the decision. Simultaneous
        # redemptions wait on the row lock and see the count the winner left (read committed
        # re-reads the row), so a single-use code makes one teacher, never several.
        spent = await self.runner.run(_SPEND_INVITE, c=wanted, now=self.now)
        if not spent:
            return "used"
        await grant_role(self.runner, self.user_id, Grant(Role.TEACHER, country), None, self.now)
        self.known.pop(self.user_id, None)
        return None

    async def save_profile(
        self, school: str, subjects: tuple[str, ...], levels: tuple[str, ...], status: str
    ) -> None:
        """The teacher profile with its status (approved, pending)."""
        await self.runner.run(
            _SAVE_PROFILE,
            uid=self.user_id,
            school=school[:120],
            subjects=list(subjects),
            levels=list(levels),
            status=status,
            now=self.now,
        )

    async def my_school(self) -> str:
        """The current teacher's school ("" when never given)."""
        rows = await self.runner.run(_MY_SCHOOL, uid=self.user_id)
        return str(rows[0][0] or "") if rows else ""

    async def set_school(self, school: str) -> None:
        """The school colleagues see; a teacher granted without a profile gets a bare one."""
        await self.runner.run(_SET_SCHOOL, uid=self.user_id, school=school[:120], now=self.now)

    async def set_name(self, name: str) -> None:
        """The name colleagues see; a teacher granted without a profile gets a bare one."""
        await self.runner.run(_SET_NAME, uid=self.user_id, now=self.now, name=name[:80])

    async def requests(self, countries: frozenset[str] | None) -> list[TeacherRequest]:
        """Pending teacher requests within these countries, oldest first."""
        rows = await self.runner.run(_REQUESTS)
        found = [_request(row) for row in rows]
        return [r for r in found if countries is None or r.country in countries]

    async def decide(
        self, user_id: int, approve: bool, notice: Mapping[str, str] | None = None
    ) -> str | None:
        """Approve (grant the teacher role in their country) or refuse a pending request."""
        rows = await self.runner.run(_PENDING_COUNTRY, uid=user_id)
        if not rows or not rows[0][0]:
            return None
        country = str(rows[0][0])
        decided = await self.runner.run(
            _DECIDE,
            decision="approved" if approve else "refused",
            by=self.user_id,
            uid=user_id,
        )
        if not decided:
            return None
        if approve:
            await grant_role(
                self.runner, user_id, Grant(Role.TEACHER, country), self.user_id, self.now
            )
            self.known.pop(user_id, None)
        if notice:
            await queue_notice(self.runner, user_id, notice, self.now, author=self.user_id)
        return country

    async def create_class(self, name: str, level: str, subject: str) -> ClassRoom:
        """A new class of the current teacher, with its join code."""
        code = await self._fresh_code(_JOIN_CODE_TAKEN, JOIN_LENGTH)
        rows = await self.runner.run(
            _NEW_CLASS,
            uid=self.user_id,
            name=name[:MAX_NAME],
            level=level,
            subject=subject,
            code=code,
            open=True,
            now=self.now,
        )
        return ClassRoom(int(rows[0][0]), name[:MAX_NAME], level, subject, code)

    async def classes(self) -> list[ClassRoom]:
        """The current teacher's classes, with how many students each has."""
        rows = await self.runner.run(_CLASSES, uid=self.user_id)
        return [_class(row) for row in rows]

    async def members(self, class_id: int) -> list[Member]:
        """The students of one of the current teacher's classes (none for another's)."""
        rows = await self.runner.run(_MEMBERS, cid=class_id, uid=self.user_id)
        return [Member(int(uid), str(name), utc(at) or self.now) for uid, name, at in rows]

    async def remove_member(self, class_id: int, user_id: int) -> bool:
        """Take a student out of one of the current teacher's classes."""
        owned = await self.runner.run(_OWNS, cid=class_id, uid=self.user_id)
        if not owned:
            return False
        removed = await self.runner.run(_REMOVE_MEMBER, cid=class_id, member=user_id)
        return bool(removed)

    async def find_class(self, join_code: str) -> ClassRoom | None:
        """The class a join code opens."""
        wanted = "".join(join_code.split()).upper().replace("-", "")
        rows = await self.runner.run(_FIND_CLASS, code=wanted)
        return _class(rows[0]) if rows else None

    async def join(self, class_id: int, name: str) -> bool | None:
        """The current person joins a class under a name; False if already in it, None if
        the class is gone (its teacher erased their data meanwhile)."""
        if not await self.runner.run(_CLASS_THERE, cid=class_id):
            return None
        rows = await self.runner.run(
            _JOIN,
            cid=class_id,
            uid=self.user_id,
            name=" ".join(name.split())[:MAX_NAME],
            now=self.now,
        )
        return bool(rows)

    async def notify(
        self,
        texts: dict[str, str],
        *,
        user_ids: tuple[int, ...] = (),
        class_ids: tuple[int, ...] = (),
        unfinished: tuple[str, int] | None = None,
        unfinished_lesson: tuple[str, str] | None = None,
        at: datetime | None = None,
        event_id: int | None = None,
    ) -> tuple[int, int]:
        """A notice from the current person to learners (not an announcement: /stop_annonces
        does not stop it), sent by the outbox now or at `at`; (broadcast id, recipients)."""
        audience = Audience(
            class_ids=class_ids,
            user_ids=user_ids,
            unfinished=unfinished,
            unfinished_lesson=unfinished_lesson,
            personal=True,
            event_id=event_id,
        )
        desk = SqlAdminDesk(self.runner, self.user_id, self.now)
        return await desk.create_broadcast(BroadcastDraft(texts, audience, scheduled_at=at))

    async def assign(
        self,
        class_id: int,
        course_id: str,
        lesson_id: str | None,
        deadline: datetime | None,
        group: Group | None = None,
    ) -> int | None:
        """Give work to one of the current teacher's classes, or to one group of it: its id
        (None if not theirs, or if none of the group is in the class any more)."""
        given = (course_id, lesson_id, deadline)
        return await work.assign(self.runner, self.user_id, class_id, given, self.now, group)

    async def set_reminder(self, assignment_id: int, broadcast_id: int) -> None:
        """Remember the broadcast that will remind the class of an assignment."""
        await work.set_reminder(self.runner, assignment_id, broadcast_id)

    async def assignments(self, class_id: int) -> list[Assignment]:
        """The work given to one of the current teacher's classes, with each student's progress."""
        return await work.class_assignments(self.runner, self.user_id, class_id)

    async def delete_assignment(self, assignment_id: int) -> bool:
        """Take back work of the current teacher's, cancelling its pending reminder."""
        return await work.delete_assignment(self.runner, self.user_id, assignment_id)

    async def my_assignments(self) -> list[Assignment]:
        """The work given to the classes the current person is in, with their own progress."""
        return await work.student_assignments(self.runner, self.user_id)

    async def my_classes(self) -> list[ClassRoom]:
        """The classes the current person is a student of."""
        rows = await self.runner.run(_MY_CLASSES, uid=self.user_id)
        return [_class(row) for row in rows]


def _class(row: Row) -> ClassRoom:
    """A class from (id, name, level, subject, join code, members)."""
    cid, name, level, subject, code, members = row
    return ClassRoom(int(cid), str(name), str(level), str(subject), str(code), int(members))


def _request(row: Row) -> TeacherRequest:
    """A pending request from its row."""
    uid, country, school, subjects, levels, at = row
    return TeacherRequest(
        user_id=int(uid),
        country=str(country or ""),
        school=str(school),
        subjects=tuple(as_json(subjects) or ()),
        levels=tuple(as_json(levels) or ()),
        requested_at=utc(at) or datetime.now(UTC),
    )
