"""In-memory fakes of the busiest ports (dialogs/*_ports.py): teaching, admin, circles, class
reports and the Creathon, for fast tests of their flows without a database.

One `World` holds what the database would (people, grants, classes, contests...); each desk
is the world seen by one person, like the SQL desks of bot/storage/ are bound to the turn's
person. The domain rules are the same pure functions the SQL desks call
(dialogs/creathon_rules.py, dialogs/audiences.py); the contract tests (tests/contract/)
run the same checks against these fakes and the SQL desks on SQLite and PostgreSQL, so a
fake that drifts from the real thing fails there.

What the fakes leave out is said at each method: the outbox (a broadcast is kept with its
recipients, never sent), files, and the statistics of the impact page.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dialogs.admin_ports import (
    Attachment,
    Audience,
    BroadcastDraft,
    BroadcastStats,
    Impact,
    Reach,
)
from dialogs.audiences import Reader, circle_delivery, reaches
from dialogs.authoring_ports import AuthoredCourse
from dialogs.capabilities import Capabilities
from dialogs.circle_ports import CircleInfo, CirclePost, Colleague, ColleagueAsk, Posted
from dialogs.creathon_ports import (
    DONE,
    JUROR,
    JURY,
    OPEN,
    PEER,
    REVIEW,
    Contest,
    ContestDraft,
    Feedback,
    Standing,
    Submission,
    ToReview,
)
from dialogs.creathon_rules import author_of, draw_reviewers, is_laureate, jury_hands, may_score
from dialogs.report_ports import Asked, Essay, PageFigures, StudentProgress, StudentQuestion
from dialogs.roles import Grant, Role
from dialogs.services import Services
from dialogs.teaching_ports import (
    Assignment,
    ClassRoom,
    Invite,
    JoinLinks,
    Member,
    TeacherRequest,
)

PAIR = "pair"  # the level group of a one-to-one exchange (bot/storage/circles.py)
LISTED = 10  # broadcasts shown to an admin


@dataclass
class Person:
    """A person as the database keeps them."""

    id: int
    channel: str = "telegram"
    country: str | None = None
    role: str | None = None  # what they said in onboarding: "student", "teacher"
    level: str | None = None
    locale: str = "fr"
    consented: bool = True
    last_seen: datetime = field(default_factory=lambda: datetime.now(UTC))
    grants: list[Grant] = field(default_factory=list)
    code: str | None = None
    opted_out: bool = False
    teacher: dict[str, object] | None = None  # the teacher profile
    lessons: dict[str, set[str]] = field(default_factory=dict)  # course -> lessons done


@dataclass
class Classroom:
    """A class and its students (user id -> (name, joined at))."""

    room: ClassRoom
    teacher_id: int
    questions_open: bool = True
    members: dict[int, tuple[str, datetime]] = field(default_factory=dict)


@dataclass
class Broadcast:
    """An announcement or a notice, with who it reaches (never sent by the fake)."""

    id: int
    author_id: int
    draft: BroadcastDraft
    status: str
    recipients: tuple[int, ...]
    created_at: datetime


@dataclass
class World:
    """Everything the fakes store, shared by every person's desks."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    people: dict[int, Person] = field(default_factory=dict)
    courses: dict[str, tuple[int, str]] = field(default_factory=dict)  # id -> (author, text)
    published: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (text, whom)
    invites: dict[str, Invite] = field(default_factory=dict)
    classes: dict[int, Classroom] = field(default_factory=dict)
    assignments: dict[int, tuple[int, Assignment]] = field(default_factory=dict)
    broadcasts: dict[int, Broadcast] = field(default_factory=dict)
    contests: dict[int, Contest] = field(default_factory=dict)
    submissions: dict[int, tuple[Submission, str]] = field(default_factory=dict)  # with text
    reviews: dict[int, dict[str, object]] = field(default_factory=dict)
    circles: dict[int, dict[str, object]] = field(default_factory=dict)
    posts: dict[int, tuple[int, CirclePost]] = field(default_factory=dict)  # id -> (circle, .)
    asks: dict[int, tuple[ColleagueAsk, int, str]] = field(default_factory=dict)  # (., to, st)
    questions: dict[int, tuple[StudentQuestion, str | None]] = field(default_factory=dict)
    essays: list[tuple[int, Essay, float | None]] = field(default_factory=list)
    _ids: dict[str, itertools.count[int]] = field(default_factory=dict)

    def next_id(self, table: str) -> int:
        """A fresh id of a table, from 1 like the database's sequences (some are shown:
        "Accepter n°1")."""
        return next(self._ids.setdefault(table, itertools.count(1)))

    def person(self, **values: object) -> int:
        """A new person; their id."""
        uid = self.next_id("users")
        self.people[uid] = Person(uid, **values)  # type: ignore[arg-type]
        return uid

    def teacher_of(self, uid: int, country: str) -> None:
        """Grant the teacher role in a country."""
        self.people[uid].grants.append(Grant(Role.TEACHER, country))

    def course(self, author_id: int, course_id: str, source: str) -> None:
        """A course written by a teacher."""
        self.courses[course_id] = (author_id, source)

    def desks(self, uid: int) -> Desks:
        """Every fake desk, seen by person `uid`."""
        return Desks(self, uid)


@dataclass
class Desks:
    """The fakes of one person's turn."""

    world: World
    uid: int

    @property
    def teaching(self) -> FakeTeachingDesk:
        return FakeTeachingDesk(self.world, self.uid)

    @property
    def admin(self) -> FakeAdminDesk:
        return FakeAdminDesk(self.world, self.uid)

    @property
    def circles(self) -> FakeCircleDesk:
        return FakeCircleDesk(self.world, self.uid)

    @property
    def reports(self) -> FakeReportDesk:
        return FakeReportDesk(self.world, self.uid)

    @property
    def creathon(self) -> FakeCreathonDesk:
        return FakeCreathonDesk(self.world, self.uid)

    def services(self) -> Services:
        """The services of this person's turns (dialogs/services.py), on the fakes."""
        return Services(
            admin=self.admin,
            teaching=self.teaching,
            links=FakeLinks(),
            reports=self.reports,
            circles=self.circles,
            creathon=self.creathon,
            authoring=FakeAuthoringDesk(self.world, self.uid),
        )


class FakeLinks:
    """Links: addresses on an example domain, a QR code that is only a marker."""

    def join_links(self, code: str) -> JoinLinks:
        return JoinLinks(code, f"https://ecole.example.org/c/{code}")

    def qr_png(self, url: str) -> bytes:
        return b"PNG " + url.encode()

    def resume_link(self, key: str) -> str:
        return f"https://ecole.example.org/reprendre#{key}"


def _code(text: str) -> str:
    """A typed code as stored: no spaces nor dashes, upper case."""
    return "".join(text.split()).upper().replace("-", "")


class _Desk:
    def __init__(self, world: World, uid: int) -> None:
        self.world = world
        self.uid = uid

    @property
    def now(self) -> datetime:
        return self.world.now

    @property
    def me_person(self) -> Person:
        return self.world.people[self.uid]


class FakeAdminDesk(_Desk):
    """AdminDesk in memory. Counting and queueing use dialogs/audiences.py as the SQL does;
    `impact` gives empty figures (the statistics are the SQL's, tested there)."""

    async def grants(self) -> list[Grant]:
        return sorted(
            self.me_person.grants, key=lambda g: (g.role.value, g.country or g.language or "")
        )

    async def person_code(self) -> str:
        person = self.me_person
        if person.code is None:
            person.code = f"P{person.id:05d}"
        return person.code

    async def find_person(self, code: str) -> tuple[int, str | None] | None:
        wanted = _code(code)
        found = next((p for p in self.world.people.values() if p.code == wanted), None)
        return (found.id, found.country) if found else None

    async def grant(
        self, person: int, grant: Grant, notice: Mapping[str, str] | None = None
    ) -> None:
        grants = self.world.people[person].grants
        if grant not in grants:
            grants.append(grant)
            if notice:
                _notice(self.world, self.uid, (person,), dict(notice))

    async def announcements_off(self) -> bool:
        return self.me_person.opted_out

    async def set_announcements(self, on: bool) -> None:
        self.me_person.opted_out = not on

    async def count_audience(self, audience: Audience) -> list[Reach]:
        counts: dict[str, int] = {}
        for person in _audience(self.world, audience, any_channel=True):
            counts[person.channel] = counts.get(person.channel, 0) + 1
        return [Reach(_caps(channel), n) for channel, n in sorted(counts.items())]

    async def count_waiting(self, audience: Audience) -> int:
        return 0  # the fake knows no reply window: everyone is reached now

    async def create_broadcast(self, draft: BroadcastDraft) -> tuple[int, int]:
        return _broadcast(self.world, self.uid, draft)

    async def broadcasts(self, countries: frozenset[str] | None) -> list[BroadcastStats]:
        found = []
        for b in sorted(self.world.broadcasts.values(), key=lambda b: -b.id):
            if b.draft.audience.personal:
                continue
            shown = b.draft.audience.countries
            if countries is None or (shown and set(shown) <= countries):
                found.append(_stats(b))
        return found[:LISTED]

    async def cancel_broadcast(self, broadcast_id: int) -> int:
        found = self.world.broadcasts.get(broadcast_id)
        if found is None:
            return 0
        queued = len(found.recipients) if found.status == "queued" else 0
        found.status = "cancelled"
        return queued

    async def impact(self, countries: frozenset[str] | None, weeks: int) -> Impact:
        return Impact([], [], [], [])


def _caps(channel: str) -> Capabilities:
    """The capabilities of a channel, as bot/channels.py lists them (the fake's channels:
    "telegram" writes first, "web" too, "sms" does not)."""
    return Capabilities(can_push=channel != "sms")


def _audience(world: World, audience: Audience, *, any_channel: bool = False) -> list[Person]:
    """The people an audience reaches, by the pure rules of dialogs/audiences.py."""
    found = []
    for person in world.people.values():
        classes = frozenset(cid for cid, room in world.classes.items() if person.id in room.members)
        reader = Reader(
            id=person.id,
            consented=person.consented,
            can_push=_caps(person.channel).can_push,
            reachable=True,
            opted_out=person.opted_out,
            role=person.role,
            country=person.country,
            level=person.level,
            locale=person.locale,
            last_seen=person.last_seen,
            class_ids=classes,
            lessons={c: frozenset(ls) for c, ls in person.lessons.items()},
        )
        if reaches(audience, reader, world.now, any_channel=any_channel):
            found.append(person)
    return found


def _broadcast(world: World, author: int, draft: BroadcastDraft) -> tuple[int, int]:
    """Keep an announcement and who it reaches (now, or none yet when scheduled)."""
    scheduled = draft.scheduled_at is not None and draft.scheduled_at > world.now
    recipients = () if scheduled else tuple(p.id for p in _audience(world, draft.audience))
    bid = world.next_id("broadcasts")
    status = "scheduled" if scheduled else "queued"
    world.broadcasts[bid] = Broadcast(bid, author, draft, status, recipients, world.now)
    return bid, len(recipients)


def _notice(world: World, author: int, people: tuple[int, ...], texts: dict[str, str]) -> None:
    """A personal notice to these people."""
    _broadcast(world, author, BroadcastDraft(texts, Audience(user_ids=people, personal=True)))


def _stats(b: Broadcast) -> BroadcastStats:
    """Where a broadcast stands (the fake sends nothing: all still queued)."""
    texts = b.draft.texts
    preview = texts.get(b.draft.audience.fallback) or next(iter(texts.values()), "")
    counts = {"queued": len(b.recipients)} if b.status == "queued" else {}
    return BroadcastStats(
        b.id,
        b.status,
        len(b.recipients),
        b.created_at,
        b.draft.audience.countries,
        preview[:60],
        counts,
        scheduled_at=b.draft.scheduled_at,
    )


class FakeTeachingDesk(_Desk):
    """TeachingDesk in memory. Assignments keep no per-student progress."""

    async def create_invite(self, country: str, max_uses: int, days: int) -> Invite:
        code = f"INV{self.world.next_id('invites'):05d}"
        invite = Invite(code, country, max_uses, 0, self.now + timedelta(days=days))
        self.world.invites[code] = invite
        return invite

    async def use_invite(self, code: str, country: str | None) -> str | None:
        invite = self.world.invites.get(_code(code))
        if invite is None:
            return "unknown"
        if invite.country != country:
            return "country"
        if invite.uses >= invite.max_uses:
            return "used"
        if invite.expires_at <= self.now:
            return "expired"
        self.world.invites[invite.code] = replace(invite, uses=invite.uses + 1)
        grant = Grant(Role.TEACHER, country)
        if grant not in self.me_person.grants:
            self.me_person.grants.append(grant)
        return None

    async def save_profile(
        self, school: str, subjects: tuple[str, ...], levels: tuple[str, ...], status: str
    ) -> None:
        old = self.me_person.teacher or {}
        self.me_person.teacher = {
            **old,
            "school": school[:120],
            "subjects": subjects,
            "levels": levels,
            "status": status,
            "at": self.now,
        }

    async def my_school(self) -> str:
        return str((self.me_person.teacher or {}).get("school", ""))

    def _profile(self) -> dict[str, object]:
        if self.me_person.teacher is None:
            self.me_person.teacher = {
                "school": "",
                "subjects": (),
                "levels": (),
                "status": "approved",
                "at": self.now,
            }
        return self.me_person.teacher

    async def set_school(self, school: str) -> None:
        self._profile()["school"] = school[:120]

    async def set_name(self, name: str) -> None:
        self._profile()["name"] = name[:80]

    async def requests(self, countries: frozenset[str] | None) -> list[TeacherRequest]:
        found = [
            TeacherRequest(
                p.id,
                p.country or "",
                str(p.teacher["school"]),
                tuple(p.teacher["subjects"]),  # type: ignore[arg-type]
                tuple(p.teacher["levels"]),  # type: ignore[arg-type]
                p.teacher["at"],  # type: ignore[arg-type]
            )
            for p in self.world.people.values()
            if p.teacher and p.teacher.get("status") == "pending"
        ]
        found.sort(key=lambda r: r.requested_at)
        return [r for r in found if countries is None or r.country in countries]

    async def decide(
        self, user_id: int, approve: bool, notice: Mapping[str, str] | None = None
    ) -> str | None:
        person = self.world.people.get(user_id)
        if person is None or not person.teacher or person.teacher.get("status") != "pending":
            return None
        if not person.country:
            return None
        person.teacher["status"] = "approved" if approve else "refused"
        if approve and Grant(Role.TEACHER, person.country) not in person.grants:
            person.grants.append(Grant(Role.TEACHER, person.country))
        if notice:
            _notice(self.world, self.uid, (user_id,), dict(notice))
        return person.country

    async def create_class(self, name: str, level: str, subject: str) -> ClassRoom:
        cid = self.world.next_id("classes")
        room = ClassRoom(cid, name[:40], level, subject, f"C{cid:05d}")
        self.world.classes[cid] = Classroom(room, self.uid)
        return room

    def _counted(self, c: Classroom) -> ClassRoom:
        return replace(c.room, members=len(c.members))

    async def classes(self) -> list[ClassRoom]:
        return [
            self._counted(c)
            for cid, c in sorted(self.world.classes.items())
            if c.teacher_id == self.uid
        ]

    def _own(self, class_id: int) -> Classroom | None:
        found = self.world.classes.get(class_id)
        return found if found is not None and found.teacher_id == self.uid else None

    async def members(self, class_id: int) -> list[Member]:
        room = self._own(class_id)
        if room is None:
            return []
        found = [Member(uid, name, at) for uid, (name, at) in room.members.items()]
        return sorted(found, key=lambda m: (m.name, m.user_id))

    async def remove_member(self, class_id: int, user_id: int) -> bool:
        room = self._own(class_id)
        return room is not None and room.members.pop(user_id, None) is not None

    async def find_class(self, join_code: str) -> ClassRoom | None:
        wanted = _code(join_code)
        found = (c.room for c in self.world.classes.values() if c.room.join_code == wanted)
        return next(found, None)

    async def join(self, class_id: int, name: str) -> bool | None:
        room = self.world.classes.get(class_id)
        if room is None:
            return None
        if self.uid in room.members:
            return False
        room.members[self.uid] = (" ".join(name.split())[:40], self.now)
        return True

    async def my_classes(self) -> list[ClassRoom]:
        return [c.room for _, c in sorted(self.world.classes.items()) if self.uid in c.members]

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
        audience = Audience(
            class_ids=class_ids,
            user_ids=user_ids,
            unfinished=unfinished,
            unfinished_lesson=unfinished_lesson,
            personal=True,
            event_id=event_id,
        )
        return _broadcast(self.world, self.uid, BroadcastDraft(texts, audience, scheduled_at=at))

    async def assign(
        self, class_id: int, course_id: str, lesson_id: str | None, deadline: datetime | None
    ) -> int | None:
        room = self._own(class_id)
        if room is None:
            return None
        aid = self.world.next_id("assignments")
        work = Assignment(aid, class_id, course_id, lesson_id, deadline, class_name=room.room.name)
        self.world.assignments[aid] = (self.uid, work)
        return aid

    async def set_reminder(self, assignment_id: int, broadcast_id: int) -> None:
        owner, work = self.world.assignments[assignment_id]
        self.world.assignments[assignment_id] = (owner, replace(work, reminder_id=broadcast_id))

    async def assignments(self, class_id: int) -> list[Assignment]:
        return [
            w
            for _, (owner, w) in sorted(self.world.assignments.items())
            if owner == self.uid and w.class_id == class_id
        ]

    async def delete_assignment(self, assignment_id: int) -> bool:
        found = self.world.assignments.get(assignment_id)
        if found is None or found[0] != self.uid:
            return False
        del self.world.assignments[assignment_id]
        reminder = found[1].reminder_id
        if reminder is not None and reminder in self.world.broadcasts:
            self.world.broadcasts[reminder].status = "cancelled"
        return True

    async def my_assignments(self) -> list[Assignment]:
        mine = {c.room.id for c in self.world.classes.values() if self.uid in c.members}
        return [w for _, (_, w) in sorted(self.world.assignments.items()) if w.class_id in mine]


class FakeReportDesk(_Desk):
    """ReportDesk in memory: progress from the lessons people did, essays and students'
    questions. Answers and quiz statistics are empty (tested on SQL only)."""

    def _own(self, class_id: int) -> Classroom | None:
        found = self.world.classes.get(class_id)
        return found if found is not None and found.teacher_id == self.uid else None

    async def courses(self, class_id: int) -> list[str]:
        room = self._own(class_id)
        if room is None:
            return []
        return sorted({c for uid in room.members for c in self.world.people[uid].lessons})

    async def progress(self, class_id: int) -> list[StudentProgress]:
        room = self._own(class_id)
        if room is None:
            return []
        found = [
            StudentProgress(
                uid,
                name,
                self.world.people[uid].last_seen,
                {c: len(ls) for c, ls in self.world.people[uid].lessons.items()},
            )
            for uid, (name, _) in room.members.items()
        ]
        return sorted(found, key=lambda s: (s.name, s.user_id))

    async def quiz_results(self, class_id: int, course_id: str | None) -> list:  # type: ignore[type-arg]
        return []

    async def question_stats(self, class_id: int, course_id: str) -> list:  # type: ignore[type-arg]
        return []

    async def answers(self, class_id: int, user_id: int, course_id: str) -> list:  # type: ignore[type-arg]
        return []

    async def class_answers(self, class_id: int, course_id: str) -> list:  # type: ignore[type-arg]
        return []

    async def figures(self, class_id: int) -> PageFigures:
        room = self._own(class_id)
        if room is None:
            return PageFigures(0, 0, False)
        return PageFigures(
            len(await self.essays(class_id)),
            len(await self.questions(class_id)),
            room.questions_open,
        )

    async def essays(self, class_id: int) -> list[Essay]:
        room = self._own(class_id)
        if room is None:
            return []
        found = [e for uid, e, mark in self.world.essays if uid in room.members and mark is None]
        return sorted(found, key=lambda e: (e.submitted_at, e.user_id))

    async def grade(self, class_id: int, essay: Essay, score: float) -> bool:
        if self._own(class_id) is None:
            return False
        for i, (uid, kept, mark) in enumerate(self.world.essays):
            same = (kept.user_id, kept.course_id, kept.lesson_id, kept.question_id)
            if mark is None and same == (
                essay.user_id,
                essay.course_id,
                essay.lesson_id,
                essay.question_id,
            ):
                self.world.essays[i] = (uid, kept, score)
                return True
        return False

    async def set_questions_open(self, class_id: int, is_open: bool) -> bool:
        room = self._own(class_id)
        if room is None:
            return False
        room.questions_open = is_open
        return True

    async def open_class(self) -> tuple[int, str] | None:
        mine = [
            (c.members[self.uid][1], cid, c.room.name)
            for cid, c in self.world.classes.items()
            if self.uid in c.members and c.questions_open
        ]
        if not mine:
            return None
        _, cid, name = max(mine)
        return cid, name

    async def ask(self, class_id: int, course_id: str, lesson_id: str, text: str) -> Asked | None:
        room = self.world.classes.get(class_id)
        if room is None or self.uid not in room.members or not room.questions_open:
            return None
        qid = self.world.next_id("questions")
        name = room.members[self.uid][0]
        question = StudentQuestion(
            qid,
            class_id,
            room.room.name,
            self.uid,
            name,
            course_id,
            lesson_id,
            text[:1000],
            self.now,
            self.me_person.locale,
        )
        self.world.questions[qid] = (question, None)
        teacher = self.world.people[room.teacher_id]
        return Asked(qid, teacher.id, teacher.locale, name, room.room.name)

    async def questions(self, class_id: int | None) -> list[StudentQuestion]:
        found = [
            q
            for q, answer in self.world.questions.values()
            if answer is None
            and self._own(q.class_id) is not None
            and (class_id is None or q.class_id == class_id)
        ]
        return sorted(found, key=lambda q: (q.asked_at, q.id))

    async def answer(self, question_id: int, text: str) -> StudentQuestion | None:
        found = self.world.questions.get(question_id)
        if found is None or found[1] is not None or self._own(found[0].class_id) is None:
            return None
        self.world.questions[question_id] = (found[0], text[:1000])
        return found[0]


class FakeCircleDesk(_Desk):
    """CircleDesk in memory. Every member who does not mute a circle and whose channel writes
    first gets a message now ("every") or in the digest ("daily"); no reply window."""

    def _colleague(self, uid: int) -> Colleague:
        person = self.world.people.get(uid)
        if person is None:
            return Colleague(uid, None, "", "")
        profile = person.teacher or {}
        name = profile.get("name")
        return Colleague(
            uid, str(name) if name else None, person.country or "", str(profile.get("school", ""))
        )

    def _members(self, circle_id: int) -> dict[int, str]:
        return self.world.circles[circle_id]["members"]  # type: ignore[return-value]

    async def circles(self) -> list[CircleInfo]:
        found = []
        for cid, circle in self.world.circles.items():
            members = self._members(cid)
            if circle["level_group"] == PAIR and self.uid not in members:
                continue
            found.append(
                CircleInfo(
                    cid,
                    str(circle["name"]),
                    str(circle["subject"]),
                    str(circle["level_group"]),
                    len(members),
                    members.get(self.uid),
                )
            )
        return sorted(found, key=lambda c: (c.name, c.id))

    async def create_circle(self, name: str, subject: str, level_group: str) -> int:
        cid = self.world.next_id("circles")
        self.world.circles[cid] = {
            "name": name[:80],
            "subject": subject,
            "level_group": level_group,
            "members": {},
        }
        return cid

    async def set_digest(self, circle_id: int, digest: str | None) -> None:
        members = self._members(circle_id)
        if digest is None:
            members.pop(self.uid, None)
        else:
            members[self.uid] = digest

    async def recent(self, circle_id: int, limit: int) -> list[CirclePost]:
        posts = [p for pid, (cid, p) in sorted(self.world.posts.items()) if cid == circle_id]
        return posts[-limit:] if limit > 0 else []

    async def me(self) -> Colleague:
        return self._colleague(self.uid)

    async def post(
        self,
        circle_id: int,
        text: str,
        relay: dict[str, str],
        attachment: Attachment | None = None,
        reply_to: int | None = None,
    ) -> Posted:
        pid = self.world.next_id("posts")
        quoted = ""
        if reply_to is not None and reply_to in self.world.posts:
            flat = " ".join(self.world.posts[reply_to][1].text.split())
            quoted = flat if len(flat) <= 60 else flat[:59] + "…"
        post = CirclePost(pid, await self.me(), text, self.now, attachment is not None, quoted)
        self.world.posts[pid] = (circle_id, post)
        now_ids: list[int] = []
        digest: list[int] = []
        for uid, chosen in sorted(self._members(circle_id).items()):
            person = self.world.people.get(uid)
            if uid == self.uid or person is None:
                continue
            way = circle_delivery(chosen, _caps(person.channel).can_push, window_open=True)
            if way is not None:
                (digest if way == "digest" else now_ids).append(uid)
        if now_ids:
            _notice(self.world, self.uid, tuple(now_ids), relay)
        return Posted(pid, len(now_ids), 0, tuple(digest))

    async def digest_posts(self, circle_id: int) -> list[CirclePost]:
        since = self.now - timedelta(days=1)
        return [
            p
            for _, (cid, p) in sorted(self.world.posts.items())
            if cid == circle_id and p.created_at > since
        ]

    async def schedule_digest(
        self, circle_id: int, user_ids: tuple[int, ...], texts: dict[str, str]
    ) -> None:
        _notice(self.world, self.uid, user_ids, texts)

    async def notice(self, user_ids: tuple[int, ...], texts: dict[str, str]) -> None:
        pushed = tuple(
            uid
            for uid in user_ids
            if uid in self.world.people and _caps(self.world.people[uid].channel).can_push
        )
        if pushed:
            _notice(self.world, self.uid, pushed, texts)

    async def ask_colleague(self, asker_id: int, subject: str, level: str) -> Colleague | None:
        asker = self.world.people[asker_id]
        asked_before = {to for a, to, _ in self.world.asks.values() if a.asker.user_id == asker_id}
        for person in sorted(self.world.people.values(), key=lambda p: p.id):
            profile = person.teacher or {}
            if (
                person.id == asker_id
                or person.id in asked_before
                or person.country == asker.country
                or not any(g.role is Role.TEACHER for g in person.grants)
                or subject not in profile.get("subjects", ())  # type: ignore[operator]
                or level not in profile.get("levels", ())  # type: ignore[operator]
            ):
                continue
            aid = self.world.next_id("asks")
            ask = ColleagueAsk(aid, self._colleague(asker_id), subject, level)
            self.world.asks[aid] = (ask, person.id, "asked")
            return self._colleague(person.id)
        return None

    async def asks(self) -> list[ColleagueAsk]:
        return [
            a
            for _, (a, to, status) in sorted(self.world.asks.items())
            if to == self.uid and status == "asked"
        ]

    async def answer(self, ask_id: int, accept: bool) -> tuple[ColleagueAsk, int | None] | None:
        found = next((a for a in await self.asks() if a.id == ask_id), None)
        if found is None:
            return None
        self.world.asks[ask_id] = (found, self.uid, "accepted" if accept else "declined")
        if not accept:
            return found, None
        me = await self.me()
        name = f"Échange {found.asker.name or 'Enseignant·e'} – {me.name or 'Enseignant·e'}"
        cid = await self.create_circle(name, found.subject, PAIR)
        for member in (found.asker.user_id, self.uid):
            self._members(cid)[member] = "every"
        return found, cid


class FakeAuthoringDesk(_Desk):
    """AuthoringDesk in memory: the teacher's course texts; files are not kept (a course
    with images is tested on SQL, tests/integration/test_authoring_files.py)."""

    async def create(self, course_id: str, source: str, country: str) -> None:
        self.world.courses[course_id] = (self.uid, source)

    def _course(self, course_id: str) -> AuthoredCourse | None:
        found = self.world.courses.get(course_id)
        if found is None or found[0] != self.uid:
            return None
        published = self.world.published.get(course_id)
        if published is None:
            return AuthoredCourse(course_id, found[1], "draft", "country")
        return AuthoredCourse(course_id, found[1], "published", published[1], published[0])

    async def mine(self) -> list[AuthoredCourse]:
        ids = [
            cid for cid in reversed(self.world.courses) if self.world.courses[cid][0] == self.uid
        ]
        return [c for c in map(self._course, ids) if c is not None]

    async def get(self, course_id: str) -> AuthoredCourse | None:
        return self._course(course_id)

    async def save(self, course_id: str, source: str) -> None:
        if self._course(course_id) is not None:
            self.world.courses[course_id] = (self.uid, source)

    async def publish(self, course_id: str, visibility: str) -> None:
        found = self._course(course_id)
        if found is not None:
            self.world.published[course_id] = (found.source, visibility)

    async def discard(self, course_id: str) -> bool:
        found = self._course(course_id)
        if found is None or not found.draft_pending or found.published is None:
            return False
        self.world.courses[course_id] = (self.uid, found.published)
        return True

    async def taken(self, course_id: str) -> bool:
        return course_id in self.world.courses

    async def add_media(self, course_id: str, name: str, data: bytes, mime: str) -> None:
        raise NotImplementedError("the fake keeps no course files")

    async def media_names(self, course_id: str) -> set[str]:
        return set()

    async def folder(self, course_id: str) -> Path:
        return self.path_of(course_id).parent

    def path_of(self, course_id: str) -> Path:
        return Path("/nonexistent/fake-authored") / course_id / "course.md"


class FakeCreathonDesk(_Desk):
    """CreathonDesk in memory, with the draws of dialogs/creathon_rules.py."""

    async def open_contest(self, draft: ContestDraft) -> int:
        cid = self.world.next_id("contests")
        fields = {k: getattr(draft, k) for k in ContestDraft.__dataclass_fields__}
        fields["theme"] = draft.theme[:120]
        self.world.contests[cid] = Contest(**fields, id=cid, status=OPEN)
        return cid

    async def contests(self) -> list[Contest]:
        return sorted(self.world.contests.values(), key=lambda c: -c.id)

    async def judging(self) -> frozenset[int]:
        return frozenset(c.id for c in self.world.contests.values() if self.uid in c.jury)

    def _entries(self, contest_id: int) -> list[Submission]:
        return [
            s for _, (s, _) in sorted(self.world.submissions.items()) if s.contest_id == contest_id
        ]

    async def mine(self, contest_id: int) -> Submission | None:
        mine = (s for s in self._entries(contest_id) if s.author_id == self.uid)
        return next(mine, None)

    async def submit(self, contest_id: int, course_id: str, description: str) -> bool:
        contest = self.world.contests.get(contest_id)
        if contest is None or contest.status != OPEN or contest.submit_by <= self.now:
            return False
        own = self.world.courses.get(course_id)
        if own is None or own[0] != self.uid:
            return False
        old = await self.mine(contest_id)
        sid = old.id if old else self.world.next_id("submissions")
        country = self.me_person.country or ""
        entry = Submission(sid, contest_id, course_id, description[:500], country, self.uid)
        self.world.submissions[sid] = (entry, own[1])
        return True

    async def submissions(self, contest_id: int) -> list[Submission]:
        return self._entries(contest_id)

    def _teachers(self) -> dict[int, set[str]]:
        found: dict[int, set[str]] = {}
        for person in self.world.people.values():
            for g in person.grants:
                if g.role is Role.TEACHER:
                    countries = found.setdefault(person.id, set())
                    countries.update(c for c in (g.country, person.country) if c)
        return found

    def _hand(self, submission_id: int, reviewer: int, kind: str) -> None:
        taken = any(
            r["submission"] == submission_id and r["reviewer"] == reviewer and r["kind"] == kind
            for r in self.world.reviews.values()
        )
        if not taken:
            self.world.reviews[self.world.next_id("reviews")] = {
                "submission": submission_id,
                "reviewer": reviewer,
                "kind": kind,
                "scores": (),
                "total": None,
                "comment": "",
                "scored": False,
            }

    async def close_submissions(self, contest_id: int) -> tuple[int, ...]:
        contest = self.world.contests.get(contest_id)
        if contest is None or contest.status != OPEN:
            return ()
        self.world.contests[contest_id] = replace(contest, status=REVIEW)
        for sid, (entry, text) in list(self.world.submissions.items()):
            if entry.contest_id == contest_id:
                own = self.world.courses.get(entry.course_id)
                fresh = own[1] if own and own[0] == entry.author_id else text
                self.world.submissions[sid] = (entry, fresh)
        drawn = draw_reviewers(self._entries(contest_id), self._teachers(), contest.reviewers)
        for submission_id, reviewer in drawn:
            self._hand(submission_id, reviewer, PEER)
        return tuple(sorted({reviewer for _, reviewer in drawn}))

    async def to_review(self, contest_id: int, kind: str) -> list[ToReview]:
        found = []
        for rid, r in sorted(self.world.reviews.items()):
            entry, text = self.world.submissions[r["submission"]]  # type: ignore[index]
            if (
                entry.contest_id == contest_id
                and r["reviewer"] == self.uid
                and r["kind"] == kind
                and entry.author_id != self.uid
            ):
                done = bool(r["scored"])
                found.append(
                    ToReview(rid, entry.id, kind, text, entry.course_id, entry.description, done)
                )
        return found

    async def score(
        self, review_id: int, scores: tuple[int, ...], total: float, comment: str
    ) -> bool:
        r = self.world.reviews.get(review_id)
        if r is None or r["reviewer"] != self.uid:
            return False
        entry, _ = self.world.submissions[r["submission"]]  # type: ignore[index]
        contest = self.world.contests[entry.contest_id]
        if entry.author_id == self.uid or not may_score(str(r["kind"]), contest.status):
            return False
        r.update(scores=tuple(scores), total=total, comment=comment[:500], scored=True)
        return True

    async def feedback(self, contest_id: int) -> list[Feedback]:
        mine = await self.mine(contest_id)
        if mine is None:
            return []
        found = [
            (rid, r)
            for rid, r in self.world.reviews.items()
            if r["submission"] == mine.id and r["scored"]
        ]
        found.sort(key=lambda item: (item[1]["kind"] != JUROR, item[0]))  # jury first
        return [
            Feedback(str(r["kind"]), r["scores"], float(r["total"] or 0), str(r["comment"]))  # type: ignore[arg-type]
            for _, r in found
        ]

    def _average(self, submission_id: int, kind: str) -> float | None:
        marks = [
            float(r["total"])  # type: ignore[arg-type]
            for r in self.world.reviews.values()
            if r["submission"] == submission_id and r["kind"] == kind and r["scored"]
        ]
        return round(sum(marks) / len(marks), 2) if marks else None

    async def standings(self, contest_id: int) -> list[Standing]:
        return [
            Standing(
                entry,
                self._average(entry.id, PEER),
                self._average(entry.id, JUROR),
                author_of(self.world.submissions[entry.id][1]),
            )
            for entry in self._entries(contest_id)
        ]

    async def start_jury(self, contest_id: int, shortlisted: tuple[int, ...]) -> tuple[int, ...]:
        contest = self.world.contests.get(contest_id)
        if contest is None or contest.status != REVIEW:
            return ()
        self.world.contests[contest_id] = replace(contest, status=JURY)
        authors = {s.id: s.author_id for s in self._entries(contest_id)}
        for submission_id, juror in jury_hands(shortlisted, contest.jury, authors):
            self._hand(submission_id, juror, JUROR)
        return contest.jury

    async def crown(self, contest_id: int, ranks: dict[int, int], sources: dict[int, str]) -> None:
        contest = self.world.contests[contest_id]
        self.world.contests[contest_id] = replace(contest, status=DONE)
        for sid, rank in ranks.items():
            entry, text = self.world.submissions[sid]
            self.world.submissions[sid] = (replace(entry, rank=rank), text)
        for sid, source in sources.items():
            entry, _ = self.world.submissions[sid]
            author, _ = self.world.courses[entry.course_id]
            self.world.courses[entry.course_id] = (author, source)

    async def winner_source(self, submission_id: int) -> str | None:
        found = self.world.submissions.get(submission_id)
        course = self.world.courses.get(found[0].course_id) if found else None
        return course[1] if course else None

    async def laurels(self) -> dict[str, tuple[str, ...]]:
        found: dict[str, tuple[str, ...]] = {}
        for cid, contest in sorted(self.world.contests.items()):
            if contest.status != DONE:
                continue
            for entry in self._entries(cid):
                if is_laureate(entry.rank):
                    found[entry.course_id] = (*found.get(entry.course_id, ()), contest.theme)
        return found


_ = (JURY,)  # the phases are named for the reader of the rules above
