"""The teaching desk (dialogs/teaching_ports.py): invitations, teacher requests and classes,
on SQL that SQLite and PostgreSQL both read, inside the person's turn."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from bot.storage import assignments as work
from bot.storage.admin import CODE_ALPHABET, SqlAdminDesk, grant_role, queue_notice
from bot.storage.sql import Row, Runner, as_json, utc
from dialogs.admin_ports import Audience, BroadcastDraft
from dialogs.roles import Grant, Role
from dialogs.teaching_ports import Assignment, ClassRoom, Group, Invite, Member, TeacherRequest

INVITE_LENGTH = 8
JOIN_LENGTH = 6
MAX_NAME = 40  # characters of a class name or a student's name in a class


class SqlTeachingDesk:
    """TeachingDesk for the person `user_id`, on the turn's runner."""

    def __init__(self, runner: Runner, user_id: int, now: datetime | None = None) -> None:
        self.runner = runner
        self.user_id = user_id
        self.now = now or datetime.now(UTC)

    async def _country(self, user_id: int) -> str | None:
        """A person's country."""
        rows = await self.runner.run("SELECT country FROM users WHERE id = :id", id=user_id)
        return str(rows[0][0]) if rows and rows[0][0] else None

    async def _fresh_code(self, table: str, column: str, length: int) -> str:
        """A random code not used yet in `table`."""
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
            taken = await self.runner.run(
                f"SELECT 1 FROM {table} WHERE {column} = :code", code=code
            )
            if not taken:
                return code

    async def create_invite(self, country: str, max_uses: int, days: int) -> Invite:
        """A new invitation code for teachers of a country."""
        code = await self._fresh_code("teacher_invites", "code", INVITE_LENGTH)
        expires = self.now + timedelta(days=days)
        await self.runner.run(
            "INSERT INTO teacher_invites (code, country, created_by, max_uses, uses,"
            " expires_at, created_at) VALUES (:code, :country, :by, :max, 0, :exp, :now)",
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
        rows = await self.runner.run(
            "SELECT country, max_uses, uses, expires_at FROM teacher_invites WHERE code = :c",
            c=wanted,
        )
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
        spent = await self.runner.run(
            "UPDATE teacher_invites SET uses = uses + 1"
            " WHERE code = :c AND uses < max_uses AND expires_at > :now RETURNING code",
            c=wanted,
            now=self.now,
        )
        if not spent:
            return "used"
        await grant_role(self.runner, self.user_id, Grant(Role.TEACHER, country), None, self.now)
        return None

    async def save_profile(
        self, school: str, subjects: tuple[str, ...], levels: tuple[str, ...], status: str
    ) -> None:
        """The teacher profile with its status (approved, pending)."""
        await self.runner.run(
            "INSERT INTO teacher_profiles (user_id, school, subjects, levels, status,"
            " requested_at) VALUES (:uid, :school, :subjects, :levels, :status, :now)"
            " ON CONFLICT (user_id) DO UPDATE SET school = :school, subjects = :subjects,"
            " levels = :levels, status = :status, requested_at = :now",
            uid=self.user_id,
            school=school[:120],
            subjects=list(subjects),
            levels=list(levels),
            status=status,
            now=self.now,
        )

    async def my_school(self) -> str:
        """The current teacher's school ("" when never given)."""
        rows = await self.runner.run(
            "SELECT school FROM teacher_profiles WHERE user_id = :uid", uid=self.user_id
        )
        return str(rows[0][0] or "") if rows else ""

    async def set_school(self, school: str) -> None:
        """The school colleagues see; a teacher granted without a profile gets a bare one."""
        await self.runner.run(
            "INSERT INTO teacher_profiles (user_id, school, subjects, levels, status,"
            " requested_at) VALUES (:uid, :school, :none, :none, 'approved', :now)"
            " ON CONFLICT (user_id) DO UPDATE SET school = :school",
            uid=self.user_id,
            school=school[:120],
            none=[],
            now=self.now,
        )

    async def set_name(self, name: str) -> None:
        """The name colleagues see; a teacher granted without a profile gets a bare one."""
        await self.runner.run(
            "INSERT INTO teacher_profiles (user_id, school, subjects, levels, status,"
            " requested_at, name) VALUES (:uid, '', :none, :none, 'approved', :now, :name)"
            " ON CONFLICT (user_id) DO UPDATE SET name = :name",
            uid=self.user_id,
            none=[],
            now=self.now,
            name=name[:80],
        )

    async def requests(self, countries: frozenset[str] | None) -> list[TeacherRequest]:
        """Pending teacher requests within these countries, oldest first."""
        rows = await self.runner.run(
            "SELECT p.user_id, u.country, p.school, p.subjects, p.levels, p.requested_at"
            " FROM teacher_profiles p JOIN users u ON u.id = p.user_id"
            " WHERE p.status = 'pending' ORDER BY p.requested_at"
        )
        found = [_request(row) for row in rows]
        return [r for r in found if countries is None or r.country in countries]

    async def decide(
        self, user_id: int, approve: bool, notice: Mapping[str, str] | None = None
    ) -> str | None:
        """Approve (grant the teacher role in their country) or refuse a pending request."""
        rows = await self.runner.run(
            "SELECT u.country FROM teacher_profiles p JOIN users u ON u.id = p.user_id"
            " WHERE p.user_id = :uid AND p.status = 'pending'",
            uid=user_id,
        )
        if not rows or not rows[0][0]:
            return None
        country = str(rows[0][0])
        decided = await self.runner.run(  # one decision: a second admin at once finds none
            "UPDATE teacher_profiles SET status = :status, decided_by = :by"
            " WHERE user_id = :uid AND status = 'pending' RETURNING user_id",
            status="approved" if approve else "refused",
            by=self.user_id,
            uid=user_id,
        )
        if not decided:
            return None
        if approve:
            await grant_role(
                self.runner, user_id, Grant(Role.TEACHER, country), self.user_id, self.now
            )
        if notice:
            await queue_notice(self.runner, user_id, notice, self.now, author=self.user_id)
        return country

    async def create_class(self, name: str, level: str, subject: str) -> ClassRoom:
        """A new class of the current teacher, with its join code."""
        code = await self._fresh_code("classes", "join_code", JOIN_LENGTH)
        rows = await self.runner.run(
            "INSERT INTO classes (teacher_id, name, level, subject, join_code, questions_open,"
            " created_at) VALUES (:uid, :name, :level, :subject, :code, :open, :now)"
            " RETURNING id",
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
        rows = await self.runner.run(
            "SELECT c.id, c.name, c.level, c.subject, c.join_code,"
            " (SELECT COUNT(*) FROM class_members m WHERE m.class_id = c.id)"
            " FROM classes c WHERE c.teacher_id = :uid ORDER BY c.id",
            uid=self.user_id,
        )
        return [_class(row) for row in rows]

    async def members(self, class_id: int) -> list[Member]:
        """The students of one of the current teacher's classes (none for another's)."""
        rows = await self.runner.run(
            "SELECT m.user_id, m.name, m.joined_at FROM class_members m"
            " JOIN classes c ON c.id = m.class_id"
            " WHERE m.class_id = :cid AND c.teacher_id = :uid ORDER BY m.name, m.user_id",
            cid=class_id,
            uid=self.user_id,
        )
        return [Member(int(uid), str(name), utc(at) or self.now) for uid, name, at in rows]

    async def remove_member(self, class_id: int, user_id: int) -> bool:
        """Take a student out of one of the current teacher's classes."""
        owned = await self.runner.run(
            "SELECT 1 FROM classes WHERE id = :cid AND teacher_id = :uid",
            cid=class_id,
            uid=self.user_id,
        )
        if not owned:
            return False
        removed = await self.runner.run(
            "DELETE FROM class_members WHERE class_id = :cid AND user_id = :member"
            " RETURNING user_id",
            cid=class_id,
            member=user_id,
        )
        return bool(removed)

    async def find_class(self, join_code: str) -> ClassRoom | None:
        """The class a join code opens."""
        wanted = "".join(join_code.split()).upper().replace("-", "")
        rows = await self.runner.run(
            "SELECT c.id, c.name, c.level, c.subject, c.join_code, 0 FROM classes c"
            " WHERE c.join_code = :code",
            code=wanted,
        )
        return _class(rows[0]) if rows else None

    async def join(self, class_id: int, name: str) -> bool:
        """The current person joins a class under a name; False if already in it."""
        rows = await self.runner.run(
            "INSERT INTO class_members (class_id, user_id, name, joined_at)"
            " VALUES (:cid, :uid, :name, :now) ON CONFLICT DO NOTHING RETURNING user_id",
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
        rows = await self.runner.run(
            "SELECT c.id, c.name, c.level, c.subject, c.join_code, 0 FROM classes c"
            " JOIN class_members m ON m.class_id = c.id WHERE m.user_id = :uid ORDER BY c.id",
            uid=self.user_id,
        )
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
