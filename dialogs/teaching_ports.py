"""What the teachers' flows need from storage: invitations, teacher requests, classes.

Like the admin desk, it runs inside the person's own turn (one transaction).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Invite:
    """A code an admin gives teachers of their country to become teachers."""

    code: str
    country: str
    max_uses: int
    uses: int
    expires_at: datetime


@dataclass(frozen=True)
class TeacherRequest:
    """A person who asked to be a teacher, waiting for an admin of their country."""

    user_id: int
    country: str
    school: str
    subjects: tuple[str, ...]
    levels: tuple[str, ...]
    requested_at: datetime


@dataclass(frozen=True)
class ClassRoom:
    """A teacher's class."""

    id: int
    name: str
    level: str
    subject: str
    join_code: str
    members: int = 0


@dataclass(frozen=True)
class Member:
    """A student of a class, as the teacher sees them (the name they gave the class)."""

    user_id: int
    name: str
    joined_at: datetime


@dataclass(frozen=True)
class Assignment:
    """Work given to a class: a whole course or one lesson (and its quiz), maybe a deadline."""

    id: int
    class_id: int
    course_id: str
    lesson_id: str | None  # None: the whole course
    deadline: datetime | None
    reminder_id: int | None = None  # the scheduled reminder's broadcast
    progress: tuple[int, ...] = ()  # assigned lessons done: per student, or the student's own
    class_name: str = ""
    group: tuple[str, str] | None = None  # (skill, level) of the group it is for; None: all


@dataclass(frozen=True)
class Group:
    """The students of a class at one level of one skill ("Teaching at the Right Level")."""

    skill: str  # a `skill:` code
    level: str  # content.mastery.Level's value, or "new" (no answer yet)
    user_ids: tuple[int, ...]


@dataclass(frozen=True)
class JoinLinks:
    """Where a class's join code leads: the page the QR code points to, and the links that
    open the code straight in each chat app that has one (bot/links.py), in the order shown."""

    code: str
    web: str
    apps: tuple[str, ...] = ()


class TeachingDesk(Protocol):
    """Storage for teacher onboarding and classes, inside the person's turn."""

    async def create_invite(self, country: str, max_uses: int, days: int) -> Invite:
        """A new invitation code for teachers of a country."""
        ...

    async def use_invite(self, code: str, country: str | None) -> str | None:
        """Spend one use of a code valid for this country; the reason it fails, else None."""
        ...

    async def save_profile(
        self, school: str, subjects: tuple[str, ...], levels: tuple[str, ...], status: str
    ) -> None:
        """The teacher profile (school, subjects, levels) with its status."""
        ...

    async def my_school(self) -> str:
        """The current teacher's school ("" when never given, e.g. a role granted directly)."""
        ...

    async def set_school(self, school: str) -> None:
        """The current teacher's school (a granted teacher without a profile gets one)."""
        ...

    async def set_name(self, name: str) -> None:
        """The name the current teacher's colleagues see (in circles, on their courses)."""
        ...

    async def requests(self, countries: frozenset[str] | None) -> list[TeacherRequest]:
        """Pending teacher requests within these countries (None: all), oldest first."""
        ...

    async def decide(
        self, user_id: int, approve: bool, notice: Mapping[str, str] | None = None
    ) -> str | None:
        """Approve or refuse a request; the person's country when it was pending, else None.
        `notice` (a text per language) tells the person the answer, in the chat."""
        ...

    async def create_class(self, name: str, level: str, subject: str) -> ClassRoom:
        """A new class of the current teacher, with its join code."""
        ...

    async def classes(self) -> list[ClassRoom]:
        """The current teacher's classes."""
        ...

    async def members(self, class_id: int) -> list[Member]:
        """The students of one of the current teacher's classes."""
        ...

    async def remove_member(self, class_id: int, user_id: int) -> bool:
        """Take a student out of one of the current teacher's classes."""
        ...

    async def find_class(self, join_code: str) -> ClassRoom | None:
        """The class a join code opens."""
        ...

    async def join(self, class_id: int, name: str) -> bool | None:
        """The current person joins a class under a name; False if already in it, None if
        the class is gone (its teacher erased their data meanwhile)."""
        ...

    async def my_classes(self) -> list[ClassRoom]:
        """The classes the current person is a student of."""
        ...

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
        """A notice to learners through the outbox, now or at `at`: (id, recipients).

        With `event_id`, those who said they will come to the event, read when it is queued.
        """
        ...

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
        ...

    async def set_reminder(self, assignment_id: int, broadcast_id: int) -> None:
        """Remember the broadcast that will remind the class of an assignment."""
        ...

    async def assignments(self, class_id: int) -> list[Assignment]:
        """The work given to one of the current teacher's classes, with each student's progress."""
        ...

    async def delete_assignment(self, assignment_id: int) -> bool:
        """Take back work of the current teacher's, cancelling its pending reminder."""
        ...

    async def my_assignments(self) -> list[Assignment]:
        """The work given to the classes the current person is in, with their own progress."""
        ...


class Links(Protocol):
    """Builds the join links and QR code of a class (bot/ knows the addresses)."""

    def join_links(self, code: str) -> JoinLinks:
        """Telegram, WhatsApp and web links that open the class's join flow."""
        ...

    def qr_png(self, url: str) -> bytes:
        """A QR code of a link, as a PNG to print or show on the board."""
        ...

    def resume_link(self, key: str) -> str:
        """The web page's address that opens the conversation of `key` in another browser
        (a person whose channel address is a key their device made up)."""
        ...
