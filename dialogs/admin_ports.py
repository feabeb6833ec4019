"""What the admin flows need from storage: grants, audiences, broadcasts and their progress.

Reads and writes run inside the admin's own turn (one transaction): a broadcast is created
and its audience written to the outbox atomically with the dialog state that confirmed it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from dialogs.capabilities import Capabilities
from dialogs.messages import Later
from dialogs.roles import Grant


@dataclass(frozen=True)
class Reach:
    """How many people of an audience are on a channel with these capabilities."""

    caps: Capabilities
    people: int


@dataclass(frozen=True)
class Audience:
    """Who an announcement goes to; an empty tuple means "no filter" on that field."""

    countries: tuple[str, ...] = ()  # never empty for a national admin (their country)
    roles: tuple[str, ...] = ()  # "student", "teacher" (what people said in onboarding)
    levels: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    active_days: int = 0  # 0: everyone; N: seen in the last N days
    class_ids: tuple[int, ...] = ()  # members of these classes
    user_ids: tuple[int, ...] = ()  # these people (a personal notice)
    unfinished: tuple[str, int] | None = None  # (course, lessons): who has done fewer
    unfinished_lesson: tuple[str, str] | None = None  # (course, lesson): who has not done it
    personal: bool = False  # a notice to a learner (grade, assignment), not an announcement
    event_id: int | None = None  # those who said they will come to this event (when queued)
    # A circle's members, read when queued (no id list: a circle may have thousands):
    # "now" = every-message members reachable now, "digest" = daily ones and WhatsApp
    # members who missed one of its posts live (outside their 24-hour window then).
    circle_id: int | None = None
    circle_mode: str = ""
    exclude_user: int | None = None  # the author of a relayed message
    # The language of the version sent to whoever has none in theirs (the admin's choice).
    fallback: str = "fr"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, as stored with the broadcast."""
        return {
            "countries": list(self.countries),
            "roles": list(self.roles),
            "levels": list(self.levels),
            "languages": list(self.languages),
            "active_days": self.active_days,
            "class_ids": list(self.class_ids),
            "user_ids": list(self.user_ids),
            "unfinished": list(self.unfinished) if self.unfinished else None,
            "unfinished_lesson": list(self.unfinished_lesson) if self.unfinished_lesson else None,
            "personal": self.personal,
            "event_id": self.event_id,
            "circle_id": self.circle_id,
            "circle_mode": self.circle_mode,
            "exclude_user": self.exclude_user,
            "fallback": self.fallback,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Audience:
        """Back from the stored JSON (or a dialog's working data)."""
        return cls(
            countries=tuple(data.get("countries", ())),
            roles=tuple(data.get("roles", ())),
            levels=tuple(data.get("levels", ())),
            languages=tuple(data.get("languages", ())),
            active_days=int(data.get("active_days", 0)),
            class_ids=tuple(int(i) for i in data.get("class_ids", ())),
            user_ids=tuple(int(i) for i in data.get("user_ids", ())),
            unfinished=_unfinished(data.get("unfinished")),
            unfinished_lesson=_lesson(data.get("unfinished_lesson")),
            personal=bool(data.get("personal", False)),
            event_id=int(data["event_id"]) if data.get("event_id") else None,
            circle_id=int(data["circle_id"]) if data.get("circle_id") else None,
            circle_mode=str(data.get("circle_mode") or ""),
            exclude_user=int(data["exclude_user"]) if data.get("exclude_user") else None,
            fallback=str(data.get("fallback") or "fr"),
        )


def _unfinished(value: Any) -> tuple[str, int] | None:
    """(course, lessons) from its JSON form."""
    if not value:
        return None
    course, lessons = value
    return str(course), int(lessons)


def _lesson(value: Any) -> tuple[str, str] | None:
    """(course, lesson) from its JSON form."""
    if not value:
        return None
    course, lesson = value
    return str(course), str(lesson)


@dataclass(frozen=True)
class Attachment:
    """An image or document of an announcement, as the admin's channel knows it."""

    kind: str  # "image" | "document"
    channel: str  # where the file id is valid
    file_id: str
    filename: str = ""
    mime: str = ""
    size: int = 0  # bytes, as the channel said (0: unknown); shown on the web chat's card

    def as_dict(self) -> dict[str, str | int]:
        """JSON-ready, as stored with the broadcast."""
        return {
            "kind": self.kind,
            "channel": self.channel,
            "file_id": self.file_id,
            "filename": self.filename,
            "mime": self.mime,
            "size": self.size,
        }


@dataclass(frozen=True)
class BroadcastDraft:
    """An announcement ready to queue."""

    texts: dict[str, str]  # language -> text; French is the fallback
    audience: Audience
    attachment: Attachment | None = None
    scheduled_at: datetime | None = None  # None: now


@dataclass(frozen=True)
class BroadcastStats:
    """Where an announcement stands."""

    id: int
    status: str  # scheduled, queued, done, cancelled
    total: int
    created_at: datetime
    countries: tuple[str, ...]
    preview: str
    counts: dict[str, int] = field(default_factory=dict)  # outbox status -> how many
    delivered: int = 0  # what the platforms confirmed (WhatsApp statuses)
    scheduled_at: datetime | None = None
    reasons: dict[str, int] = field(default_factory=dict)  # why messages failed, how many
    parts: int = 0  # what it cost on channels paid per message part (SMS), in parts
    # Messages paid one by one: templates sent outside a reply window (WhatsApp's 24 hours).
    paid_templates: int = 0

    @property
    def queued(self) -> int:
        """Still to send (waiting or being sent)."""
        return self.counts.get("queued", 0) + self.counts.get("sending", 0)


@dataclass(frozen=True)
class CountryFigures:
    """What the programme achieved in one country (aggregates only, no person)."""

    country: str
    learners: int = 0
    active_7: int = 0  # seen in the last 7 days
    active_30: int = 0
    lessons_done: int = 0
    quizzes: int = 0
    average_score: float | None = None  # 0..1 over every quiz attempt
    teachers: int = 0  # granted the teacher role
    classes: int = 0  # classes of the country's teachers
    courses: int = 0  # courses the country's teachers published
    shared: int = 0  # of which open to every country


@dataclass(frozen=True)
class SexFigures:
    """The students of one sex in one country (aggregates only; shown only in groups of
    at least 5, dialogs/small_cells.py)."""

    country: str  # "" for every country together
    sex: str  # "girl", "boy", or "unknown" (not asked, or preferred not to say)
    learners: int = 0
    active_7: int = 0
    lessons_done: int = 0
    quizzes: int = 0
    average_score: float | None = None  # 0..1 over their quiz attempts


@dataclass(frozen=True)
class ChannelFailures:
    """One channel's refused messages: its registry name (for the API), its label (for
    admins: `Capabilities.label`), and how many by the platform's error code."""

    channel: str
    label: str
    codes: dict[int, int]


@dataclass(frozen=True)
class Impact:
    """The figures of some countries, and the last weeks' activity."""

    countries: list[CountryFigures]
    week_starts: list[datetime]  # oldest first
    new_learners: list[int]  # per week
    lessons: list[int]  # lessons completed per week
    # Messages the platforms refused, per channel: its label and the count by error code.
    failures: list[ChannelFailures] = field(default_factory=list)
    # Inbound messages parked unhandled (dead letters, kept 3 days) by channel
    dead_letters: dict[str, int] = field(default_factory=dict)
    by_sex: list[SexFigures] = field(default_factory=list)  # students per country and sex
    # Paid announcements, the last 30 days: how many messages went paid (on a channel paid
    # per message part, SMS, or as a template outside a reply window, WhatsApp's), how many
    # parts the SMS cost, and how many of them were templates.
    paid_announcements: int = 0
    paid_parts: int = 0
    paid_templates: int = 0

    def total(self) -> CountryFigures:
        """Every country added up (the average score weighted by quizzes)."""
        rows = self.countries
        quizzes = sum(r.quizzes for r in rows)
        scored = sum((r.average_score or 0.0) * r.quizzes for r in rows)
        return CountryFigures(
            country="",
            learners=sum(r.learners for r in rows),
            active_7=sum(r.active_7 for r in rows),
            active_30=sum(r.active_30 for r in rows),
            lessons_done=sum(r.lessons_done for r in rows),
            quizzes=quizzes,
            average_score=scored / quizzes if quizzes else None,
            teachers=sum(r.teachers for r in rows),
            classes=sum(r.classes for r in rows),
            courses=sum(r.courses for r in rows),
            shared=sum(r.shared for r in rows),
        )


class Charts(Protocol):
    """Draws the impact chart (bot/charts.py implements it)."""

    async def weekly(
        self, title: str, weeks: list[str], series: dict[str, list[int]], rtl: bool
    ) -> bytes | Later:
        """A PNG line chart of weekly series, labelled in the reader's language."""
        ...

    async def progress_bars(
        self, title: str, labels: list[str], values: list[float], maximum: float, rtl: bool
    ) -> bytes | Later:
        """A PNG of horizontal bars, one per label, from 0 to `maximum` (read on a phone)."""
        ...


class AdminDesk(Protocol):
    """Storage for the admin flows, inside the admin's turn."""

    async def grants(self) -> list[Grant]:
        """The roles the current person holds."""
        ...

    async def person_code(self) -> str:
        """The current person's short code, for an admin to name them (made on first ask)."""
        ...

    async def find_person(self, code: str) -> tuple[int, str | None] | None:
        """The person behind a code: (their id, their country), or None."""
        ...

    async def grant(
        self, person: int, grant: Grant, notice: Mapping[str, str] | None = None
    ) -> None:
        """Give a role (granted by the current person); `notice` (a text per language) tells
        the person what it opens, when the role is new to them."""
        ...

    async def announcements_off(self) -> bool:
        """Whether the current person said /stop_annonces."""
        ...

    async def set_announcements(self, on: bool) -> None:
        """Stop or restart announcements for the current person."""
        ...

    async def count_audience(self, audience: Audience) -> list[Reach]:
        """How many people an audience is, per channel, with what their channel can do: those
        on a channel that cannot write first are counted too, though never sent to."""
        ...

    async def count_waiting(self, audience: Audience) -> int:
        """How many of the audience are on WhatsApp outside its 24-hour window: only an
        approved template reaches them, else the announcement waits for their next message."""
        ...

    async def create_broadcast(self, draft: BroadcastDraft) -> tuple[int, int]:
        """Store an announcement and queue its audience (now or when scheduled): (id, total)."""
        ...

    async def broadcasts(self, countries: frozenset[str] | None) -> list[BroadcastStats]:
        """The latest announcements within these countries (None: all), newest first."""
        ...

    async def cancel_broadcast(self, broadcast_id: int) -> int:
        """Stop an announcement: what is still queued is cancelled; returns how many."""
        ...

    async def impact(self, countries: frozenset[str] | None, weeks: int) -> Impact:
        """The programme's figures within these countries (None: all)."""
        ...
