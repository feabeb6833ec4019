"""Tables: learners with their profile and dialog state, progress, polls, processed updates,
and what the channels keep (WhatsApp inbox, service windows, sent messages, media ids)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Constraint names are part of the schema: migrations must be able to name what they drop.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every engine (SQLite keeps no offset: we add it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store UTC; a naive datetime is taken to be UTC already."""
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Always hand back an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base carrying the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    """One learner on one channel, with their profile and where their conversation stands."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))
    locale: Mapped[str | None] = mapped_column(String(16))
    country: Mapped[str | None] = mapped_column(String(8))
    role: Mapped[str | None] = mapped_column(String(16))
    level: Mapped[str | None] = mapped_column(String(16))
    consented_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    bookmark: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    state_step: Mapped[str] = mapped_column(String(64))
    state_data: Mapped[dict[str, Any]] = mapped_column(JSON)
    state_prompt: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ProcessedUpdate(Base):
    """An update already handled (idempotency); holds no personal data."""

    __tablename__ = "processed_updates"
    __table_args__ = (Index(None, "created_at"),)

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LessonProgress(Base):
    """A lesson a learner finished."""

    __tablename__ = "lesson_progress"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    course_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    lesson_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    completed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class QuizAttempt(Base):
    """One finished attempt at a lesson's quiz."""

    __tablename__ = "quiz_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(String(128))
    lesson_id: Mapped[str] = mapped_column(String(128))
    score: Mapped[float] = mapped_column(Double)
    max_score: Mapped[float] = mapped_column(Double)
    finished_at: Mapped[datetime] = mapped_column(UtcDateTime)


class EssayAnswer(Base):
    """A free answer kept for a teacher to grade; the latest answer replaces an earlier one."""

    __tablename__ = "essay_answers"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    course_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    lesson_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    score: Mapped[float | None] = mapped_column(Double)  # 0..1 once a teacher graded it
    graded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    graded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class TelegramPoll(Base):
    """A native Telegram poll we sent, mapped back to the prompt it asked."""

    __tablename__ = "telegram_polls"

    poll_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    prompt: Mapped[int] = mapped_column(Integer)
    option_ids: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class WhatsAppInbox(Base):
    """A signed webhook body, stored before Meta gets its 200, deleted once handled."""

    __tablename__ = "whatsapp_inbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Handlings begun (the first one when stored): bounded, then the body is parked.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class DeadLetter(Base):
    """An inbound item that could not be handled in its budget and attempts, parked.

    Holds personal data (the item as received): erased with its sender, pruned after days.
    """

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str | None] = mapped_column(String(128), index=True)  # sender, if known
    reason: Mapped[str] = mapped_column(String(16))  # unreadable, timeout, error, crashed
    error: Mapped[str] = mapped_column(String(64))  # an exception's class name, never text
    attempts: Mapped[int] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class InboundAttempt(Base):
    """Handlings begun of an inbound item not yet confirmed (Telegram polling), counted
    before they begin so that an item that kills the process is parked after its attempts
    instead of being handled at every start. Holds no personal data (the key only)."""

    __tablename__ = "inbound_attempts"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ChannelContact(Base):
    """When a learner last wrote to us (WhatsApp's 24-hour window), and if they are gone."""

    __tablename__ = "channel_contacts"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    last_inbound_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    unreachable_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    unreachable_code: Mapped[int | None] = mapped_column(Integer)


class SentMessage(Base):
    """A message we sent, with the last status the platform reported for it."""

    __tablename__ = "sent_messages"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)  # the platform's id
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))  # text, interactive, image, template...
    status: Mapped[str] = mapped_column(String(16))
    error_code: Mapped[int | None] = mapped_column(Integer)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    segments: Mapped[int | None] = mapped_column(Integer)  # what an SMS cost, in parts


class SmsContact(Base):
    """A learner on SMS (bot/sms/): whether they sent STOP, and today's texts (their budget)."""

    __tablename__ = "sms_contacts"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    stopped_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # STOP: nothing pushed
    day: Mapped[str] = mapped_column(String(10))  # the UTC day the count is for, "2026-12-07"
    segments: Mapped[int] = mapped_column(Integer)  # SMS parts sent that day
    told: Mapped[bool] = mapped_column(Boolean)  # told that day that the budget is spent


class PendingMessage(Base):
    """A message held back outside WhatsApp's window, sent at the learner's next message."""

    __tablename__ = "pending_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # A held copy of a circle message goes when the message goes (its author's erasure).
    circle_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("circle_messages.id", ondelete="CASCADE"), index=True
    )
    # Who wrote it, for a message from a person (a circle's notice): it goes with them.
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )


class WebInboxMessage(Base):
    """What the bot wrote first to a web learner, in order, until one of their tabs has it
    (bot/web/inbox.py): pushed live to an open tab, else waiting for their next visit."""

    __tablename__ = "web_inbox"
    __table_args__ = (
        Index("ix_web_inbox_waiting", "user_id", "delivered_at"),  # what waits for a learner
        Index("ix_web_inbox_broadcast_id", "broadcast_id"),  # a withdrawn circle message
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The notice or announcement it comes from: it goes with it (its author's erasure).
    broadcast_id: Mapped[int | None] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="CASCADE")
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)  # one web chat frame
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class MediaUpload(Base):
    """A file already uploaded to a platform: its media id, so it is uploaded once."""

    __tablename__ = "media_uploads"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the bytes
    media_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RoleGrant(Base):
    """A role granted to a person (dialogs/roles.py); no row means a student."""

    __tablename__ = "role_grants"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(24), primary_key=True)
    # The country ("" for all countries); a translator's language ("wo") for that role.
    country: Mapped[str] = mapped_column(String(8), primary_key=True)
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Broadcast(Base):
    """An announcement: its text per language, its audience, and where its sending stands."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    texts: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"fr": "...", "ar": "..."}
    attachment: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    audience: Mapped[dict[str, Any]] = mapped_column(JSON)  # the filters, as chosen
    status: Mapped[str] = mapped_column(String(16))  # scheduled, queued, sent, cancelled
    total: Mapped[int] = mapped_column(Integer)
    scheduled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    queued_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class OutboxMessage(Base):
    """One announcement to one person, claimed by exactly one sender."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "channel", "status", "not_before"),  # what a sender claims
        Index("ix_outbox_progress", "broadcast_id", "status"),  # a broadcast's statistics
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))  # queued, sending, sent, failed, ...
    attempts: Mapped[int] = mapped_column(Integer)
    not_before: Mapped[datetime] = mapped_column(UtcDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    platform_id: Mapped[str | None] = mapped_column(String(128))  # to match delivery statuses
    error: Mapped[str | None] = mapped_column(String(64))


class PersonCode(Base):
    """A short code a person gives an admin so the admin can name them (grant a role)."""

    __tablename__ = "person_codes"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(16), unique=True)


class AnnouncementOptOut(Base):
    """A learner who said /stop_annonces: no broadcast reaches them, lessons go on."""

    __tablename__ = "announcement_optouts"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SendRate(Base):
    """The next free sending slot of a channel, shared by every sender process."""

    __tablename__ = "send_rates"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    next_at: Mapped[datetime] = mapped_column(UtcDateTime)


class TeacherInvite(Base):
    """An invitation code for teachers of one country (single-use or limited, expiring)."""

    __tablename__ = "teacher_invites"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    country: Mapped[str] = mapped_column(String(8))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    max_uses: Mapped[int] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class TeacherProfile(Base):
    """A teacher's school, subjects and levels, and where their request stands."""

    __tablename__ = "teacher_profiles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    school: Mapped[str] = mapped_column(String(120))
    subjects: Mapped[list[str]] = mapped_column(JSON)
    levels: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))  # pending, approved, refused
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    name: Mapped[str | None] = mapped_column(String(80))  # as colleagues see them


class ClassGroup(Base):
    """A teacher's class, joined with its code."""

    __tablename__ = "classes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(32))
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    questions_open: Mapped[bool] = mapped_column(Boolean)  # "ask my teacher" allowed
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Days without coming after which a student is listed as absent (the teacher's choice).
    absence_days: Mapped[int] = mapped_column(Integer, default=7, server_default="7")
    # The teacher's weekly alert of who is absent (bot/absences.py): on, and when next due
    # (None: not scheduled yet, the loop's next pass schedules it).
    absence_alerts: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    next_absence_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)


class ClassMember(Base):
    """A student in a class, under the name they gave the class (seen by the teacher only)."""

    __tablename__ = "class_members"

    class_id: Mapped[int] = mapped_column(
        ForeignKey("classes.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    name: Mapped[str] = mapped_column(String(40))
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime)


class TeacherQuestion(Base):
    """ "Ask my teacher": a student's question from a lesson, and the teacher's answer."""

    __tablename__ = "teacher_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(String(128))
    lesson_id: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Assignment(Base):
    """A course (or one lesson) given to a class, with an optional deadline."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(String(128))
    lesson_id: Mapped[str | None] = mapped_column(String(128))
    deadline: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reminder_id: Mapped[int | None] = mapped_column(  # the scheduled reminder's broadcast
        ForeignKey("broadcasts.id", ondelete="SET NULL")
    )
    # Work for one group of the class (assignment_students): the skill and level it grouped.
    skill: Mapped[str | None] = mapped_column(String(32))
    skill_level: Mapped[str | None] = mapped_column(String(16))


class AssignmentStudent(Base):
    """A learner work was given to, when it went to one group of the class, not all of it."""

    __tablename__ = "assignment_students"

    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class AuthoredCourse(Base):
    """A course a teacher wrote in the chat (or uploaded), as course-format text."""

    __tablename__ = "authored_courses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[str] = mapped_column(String(64), unique=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))  # draft, published
    visibility: Mapped[str] = mapped_column(String(16))  # country, all
    country: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(Text)  # our course format (content/README.md)
    # What learners see: the text as last published (source is the teacher's draft).
    published_source: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


# The Core tables, for the store's hot path (no ORM unit of work, no lazy loading).
users: Table = Base.metadata.tables["users"]
processed_updates: Table = Base.metadata.tables["processed_updates"]
lesson_progress: Table = Base.metadata.tables["lesson_progress"]
quiz_attempts: Table = Base.metadata.tables["quiz_attempts"]
telegram_polls: Table = Base.metadata.tables["telegram_polls"]
whatsapp_inbox: Table = Base.metadata.tables["whatsapp_inbox"]
dead_letters: Table = Base.metadata.tables["dead_letters"]
inbound_attempts: Table = Base.metadata.tables["inbound_attempts"]
channel_contacts: Table = Base.metadata.tables["channel_contacts"]
sent_messages: Table = Base.metadata.tables["sent_messages"]
sms_contacts: Table = Base.metadata.tables["sms_contacts"]
pending_messages: Table = Base.metadata.tables["pending_messages"]
web_inbox: Table = Base.metadata.tables["web_inbox"]
media_uploads: Table = Base.metadata.tables["media_uploads"]
role_grants: Table = Base.metadata.tables["role_grants"]
broadcasts: Table = Base.metadata.tables["broadcasts"]
outbox: Table = Base.metadata.tables["outbox"]
announcement_optouts: Table = Base.metadata.tables["announcement_optouts"]
send_rates: Table = Base.metadata.tables["send_rates"]
person_codes: Table = Base.metadata.tables["person_codes"]
essay_answers: Table = Base.metadata.tables["essay_answers"]
teacher_invites: Table = Base.metadata.tables["teacher_invites"]
teacher_profiles: Table = Base.metadata.tables["teacher_profiles"]
classes: Table = Base.metadata.tables["classes"]
class_members: Table = Base.metadata.tables["class_members"]


class QuestionAnswer(Base):
    """One graded answer to a quiz question (chat or paper), for the class reports."""

    __tablename__ = "question_answers"
    __table_args__ = (
        Index("ix_question_answers_question", "course_id", "lesson_id", "question_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(String(128))
    lesson_id: Mapped[str] = mapped_column(String(128))
    question_id: Mapped[str] = mapped_column(String(64))
    attempt: Mapped[int] = mapped_column(Integer)  # 1 + the quiz attempts finished before it
    answer: Mapped[str] = mapped_column(String(500))  # readable: "a, c", "vrai", typed text
    correct: Mapped[bool] = mapped_column(Boolean)  # full marks
    score: Mapped[float] = mapped_column(Double)  # 0..1, before the retry's halving
    try_number: Mapped[int] = mapped_column(Integer)  # 1, or 2 for the retry
    answered_at: Mapped[datetime] = mapped_column(UtcDateTime)


question_answers: Table = Base.metadata.tables["question_answers"]
teacher_questions: Table = Base.metadata.tables["teacher_questions"]
assignments: Table = Base.metadata.tables["assignments"]
authored_courses: Table = Base.metadata.tables["authored_courses"]


class CourseRating(Base):
    """A teacher's rating (1 to 5) and short comment of a shared course; one per teacher."""

    __tablename__ = "course_ratings"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("authored_courses.course_id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    stars: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(String(280))
    name: Mapped[str] = mapped_column(String(80))  # the teacher's name when they rated
    country: Mapped[str] = mapped_column(String(8))
    rated_at: Mapped[datetime] = mapped_column(UtcDateTime)


course_ratings: Table = Base.metadata.tables["course_ratings"]


class AuthoredMedia(Base):
    """An image, sound or document of a teacher's course, named by its path in the course."""

    __tablename__ = "authored_media"
    __table_args__ = (UniqueConstraint("course_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(128))  # images/p3.jpg, audio/v2.ogg, docs/x.pdf
    mime: Mapped[str] = mapped_column(String(128))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


authored_media: Table = Base.metadata.tables["authored_media"]


class Circle(Base):
    """A teachers' circle ("Mathématiques - collège"), across countries."""

    __tablename__ = "circles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    subject: Mapped[str] = mapped_column(String(32))  # "" for a one-to-one exchange
    level_group: Mapped[str] = mapped_column(String(16))  # primary, college, lycee, pair
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CircleMember(Base):
    """A member of a circle and how they follow it: every message, a daily digest, muted."""

    __tablename__ = "circle_members"

    circle_id: Mapped[int] = mapped_column(
        ForeignKey("circles.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    digest: Mapped[str] = mapped_column(String(8))  # every, daily, mute
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CircleMessage(Base):
    """A message posted in a circle (relayed to its members), maybe answering another."""

    __tablename__ = "circle_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    attachment: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    reply_to: Mapped[int | None] = mapped_column(
        ForeignKey("circle_messages.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16))  # relayed, held, removed
    # The course whose discussion thread this message belongs to (None: the circle's own).
    course_id: Mapped[str | None] = mapped_column(String(64), index=True)


class CircleDigest(Base):
    """The scheduled notice that carries one circle's digest at one time (found to update it)."""

    __tablename__ = "circle_digests"

    circle_id: Mapped[int] = mapped_column(
        ForeignKey("circles.id", ondelete="CASCADE"), primary_key=True
    )
    send_at: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))


class ColleagueRequest(Base):
    """A teacher looking for a peer of the same subject and level in another country."""

    __tablename__ = "colleague_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    asker_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    asked_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    subject: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))  # asked, accepted, declined, none
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CreathonContest(Base):
    """A Creathon: a contest of pedagogical scenarios, with its rubric and its jury."""

    __tablename__ = "creathon_contests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    theme: Mapped[str] = mapped_column(String(120))
    rules: Mapped[str] = mapped_column(Text)
    levels: Mapped[list[str]] = mapped_column(JSON)  # empty: every class
    subjects: Mapped[list[str]] = mapped_column(JSON)  # empty: every subject
    submit_by: Mapped[datetime] = mapped_column(UtcDateTime)
    review_by: Mapped[datetime] = mapped_column(UtcDateTime)
    criteria: Mapped[list[Any]] = mapped_column(JSON)  # [[name, weight], ...], weights sum 100
    jury: Mapped[list[int]] = mapped_column(JSON)  # people ids
    reviewers: Mapped[int] = mapped_column(Integer)  # peer reviewers per submission
    shortlist: Mapped[int] = mapped_column(Integer)  # submissions the jury scores
    status: Mapped[str] = mapped_column(String(16))  # open, review, jury, done
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    results_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CreathonSubmission(Base):
    """A teacher's scenario: one of their courses and how it is used in class."""

    __tablename__ = "creathon_submissions"
    __table_args__ = (UniqueConstraint("contest_id", "author_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("creathon_contests.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(500))
    country: Mapped[str] = mapped_column(String(8))  # the author's, when they submitted
    source: Mapped[str] = mapped_column(Text)  # the course's text, frozen at the deadline
    rank: Mapped[int | None] = mapped_column(Integer)  # set with the results
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CreathonReview(Base):
    """A reviewer's (peer) or juror's (jury) scores of a submission, per rubric criterion."""

    __tablename__ = "creathon_reviews"
    __table_args__ = (UniqueConstraint("submission_id", "reviewer_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("creathon_submissions.id", ondelete="CASCADE")
    )
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # peer, jury
    scores: Mapped[list[int] | None] = mapped_column(JSON)  # 0..10 per criterion
    total: Mapped[float | None] = mapped_column(Double)  # weighted, out of 100
    comment: Mapped[str] = mapped_column(String(500))
    assigned_at: Mapped[datetime] = mapped_column(UtcDateTime)
    scored_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CircleEvent(Base):
    """A webinar or meeting announced in a circle, at one moment (stored in UTC)."""

    __tablename__ = "circle_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    link: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The scheduled reminder; its audience (those who will come) is read when it is queued.
    reminder_id: Mapped[int | None] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="SET NULL")
    )


class EventAttendee(Base):
    """Someone who said "I will come" to an event."""

    __tablename__ = "event_attendees"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("circle_events.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    answered_at: Mapped[datetime] = mapped_column(UtcDateTime)


creathon_contests: Table = Base.metadata.tables["creathon_contests"]
creathon_submissions: Table = Base.metadata.tables["creathon_submissions"]
creathon_reviews: Table = Base.metadata.tables["creathon_reviews"]


class CircleReport(Base):
    """A member's report of a circle message, waiting for a moderator (or handled)."""

    __tablename__ = "circle_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("circle_messages.id", ondelete="CASCADE"))
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(300))  # "" when none was given
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending, handled
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CircleSanction(Base):
    """A member who may not post in a circle until a time (muted, or removed from it)."""

    __tablename__ = "circle_sanctions"

    circle_id: Mapped[int] = mapped_column(
        ForeignKey("circles.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    until: Mapped[datetime] = mapped_column(UtcDateTime)


class CircleRelay(Base):
    """The notice that relayed a circle message (its outbox rows carry the platform ids)."""

    __tablename__ = "circle_relays"

    message_id: Mapped[int] = mapped_column(
        ForeignKey("circle_messages.id", ondelete="CASCADE"), primary_key=True
    )
    broadcast_id: Mapped[int] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="CASCADE"), primary_key=True
    )


class Withdrawal(Base):
    """A relayed copy to delete on its platform ("tg:<chat>:<message_id>")."""

    __tablename__ = "withdrawals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_id: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), index=True)  # queued, done, failed
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ModerationEntry(Base):
    """One moderator's action, for the audit log admins read."""

    __tablename__ = "moderation_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(16))  # remove, release, warn, mute, exclude...
    circle_id: Mapped[int | None] = mapped_column(ForeignKey("circles.id", ondelete="SET NULL"))
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("circle_messages.id", ondelete="SET NULL")
    )
    member_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ReviewCard(Base):
    """A question in a learner's review deck, with its FSRS card and when it is due."""

    __tablename__ = "review_cards"
    __table_args__ = (Index("ix_review_cards_user_due", "user_id", "due"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    course_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    lesson_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    card: Mapped[dict[str, Any]] = mapped_column(JSON)  # fsrs.Card.to_dict()
    due: Mapped[datetime] = mapped_column(UtcDateTime)


class SkillMasteryRow(Base):
    """A learner's mastery of one skill (BKT, content/mastery.py), updated by each answer."""

    __tablename__ = "skill_mastery"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    skill: Mapped[str] = mapped_column(String(32), primary_key=True)  # a `skill:` code
    p_known: Mapped[float] = mapped_column(Double)  # the chance it is known, 0..1
    answers: Mapped[int] = mapped_column(Integer)  # answers that counted
    correct: Mapped[int] = mapped_column(Integer)  # of which right
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PlacedOutRow(Base):
    """A lesson a learner skipped after a course's placement quiz showed its skills mastered:
    neither done nor scored (content/placement.py)."""

    __tablename__ = "placed_out"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    course_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    lesson_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    placed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SkillStruggleRow(Base):
    """Wrong graded answers on a skill within a course since the last remediation offered."""

    __tablename__ = "skill_struggles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    course_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    skill: Mapped[str] = mapped_column(String(32), primary_key=True)  # a `skill:` code
    wrong: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SkillParametersRow(Base):
    """A skill's BKT parameters, fitted from the recorded answers (`mastery fit`)."""

    __tablename__ = "skill_parameters"

    skill: Mapped[str] = mapped_column(String(32), primary_key=True)
    p_init: Mapped[float] = mapped_column(Double)
    p_learn: Mapped[float] = mapped_column(Double)
    p_guess: Mapped[float] = mapped_column(Double)
    p_slip: Mapped[float] = mapped_column(Double)
    answers: Mapped[int] = mapped_column(Integer)  # answers the fit read
    learners: Mapped[int] = mapped_column(Integer)  # learners they came from
    fitted_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CertificateRow(Base):
    """A certificate of a course finished with the mastery score (its code is signed anew)."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))  # the holder's name, kept only here
    course_id: Mapped[str] = mapped_column(String(64))
    issued_on: Mapped[date] = mapped_column(Date)
    score: Mapped[int] = mapped_column(Integer)  # average best quiz share, percent


class Reminder(Base):
    """A learner's daily reminder: their local time of day, and when it is due next (UTC)."""

    __tablename__ = "reminders"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    local_time: Mapped[str] = mapped_column(String(5))  # "18:00", in the learner's zone
    enabled: Mapped[bool] = mapped_column(Boolean)
    next_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)  # None: off
    last_sent_on: Mapped[date | None] = mapped_column(Date)  # local date: at most one a day
    broadcast_id: Mapped[int | None] = mapped_column(  # the notice reused day after day
        ForeignKey("broadcasts.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LearningDay(Base):
    """A local date on which a learner learned something (streaks), written once a day."""

    __tablename__ = "learning_days"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)


class DataSaving(Base):
    """A learner's light-data setting: lessons send text first, media only on request."""

    __tablename__ = "data_saving"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    light: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class MediaDay(Base):
    """The media a learner asked for in light-data mode on one local day (the daily budget)."""

    __tablename__ = "media_days"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)  # in the learner's time zone
    bytes: Mapped[int] = mapped_column(Integer)
    files: Mapped[int] = mapped_column(Integer)


data_saving: Table = Base.metadata.tables["data_saving"]
media_days: Table = Base.metadata.tables["media_days"]


class LearnerProfile(Base):
    """A learner profile of a shared phone: its account, first name and optional PIN.

    Only accounts that hold several profiles have rows here (one per profile, the main one
    included): `account_id` is the row the platform address belongs to, `active_id` (on the
    main profile's row only) the profile the phone is using now.
    """

    __tablename__ = "learner_profiles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    active_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    first_name: Mapped[str | None] = mapped_column(String(40))
    pin_hash: Mapped[str | None] = mapped_column(String(200))  # scrypt, salted; never the PIN
    pin_failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


learner_profiles: Table = Base.metadata.tables["learner_profiles"]


class PendingReply(Base):
    """A reply a turn committed and has not sent yet (bot/storage/replies.py): written in the
    turn's transaction, deleted once sent; a worker sends what a crashed one left."""

    __tablename__ = "pending_replies"
    __table_args__ = (
        Index("ix_pending_replies_address", "channel", "external_id", "id"),  # in order
        Index("ix_pending_replies_claimed", "claimed_at"),  # what the resender claims
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    route: Mapped[str] = mapped_column(
        String(32)
    )  # how it is sent: a channel's name, or "<name>:group"
    channel: Mapped[str] = mapped_column(String(16))  # the address the turn was for
    external_id: Mapped[str] = mapped_column(String(128))
    payload: Mapped[str] = mapped_column(Text)  # the messages, as JSON (bot/storage/replies.py)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))  # the turn's worker, or a resender
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer)  # resends tried


pending_replies: Table = Base.metadata.tables["pending_replies"]


class WebFile(Base):
    """A file the bot sent a web learner (a booklet, a certificate, a chart), served behind a
    signed, expiring link (bot/storage/web_files.py) rather than inside the frame; erased
    with its learner, forgotten once expired."""

    __tablename__ = "web_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True, index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    digest: Mapped[str] = mapped_column(String(64))  # sha256 of the bytes: sent again, reused
    filename: Mapped[str] = mapped_column(String(200))
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


web_files: Table = Base.metadata.tables["web_files"]


class Translation(Base):
    """A translation of an interface string (bot/storage/translations.py): proposed by one
    translator of the language, then reviewed by another (accepted, edited or rejected);
    a source flagged unclear, or a draft (a fuzzy .po entry) offered as a suggestion.
    Only reviewed rows reach learners (bot/i18n.py reads them over the .po files)."""

    __tablename__ = "translations"
    __table_args__ = (
        Index("ix_translations_lang_status", "lang", "status"),
        Index("ix_translations_lang_key", "lang", "key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lang: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(16))  # bot/catalogs.py: string_key(msgid, plural)
    msgid: Mapped[str] = mapped_column(Text)  # the French source
    msgid_plural: Mapped[str] = mapped_column(Text)  # "" without plural forms
    forms: Mapped[list[str]] = mapped_column(JSON)  # one per plural form of the language
    status: Mapped[str] = mapped_column(String(16))  # dialogs/translation_ports.py
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    reviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


translations: Table = Base.metadata.tables["translations"]


class CourseTranslationRow(Base):
    """A text of a course translated in the chat (bot/storage/course_translations.py): one
    unit of content/translation_units.py, proposed by a translator or teacher of the
    language, reviewed by another (accepted, edited or rejected), or its French flagged
    unclear. Reviewed rows are laid over the course's files for learners."""

    __tablename__ = "course_translations"
    __table_args__ = (Index("ix_course_translations_course_lang", "course_id", "lang"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(200))  # content/translation_units.py: Unit.key
    source: Mapped[str] = mapped_column(Text)  # the French it was made from
    mark: Mapped[str] = mapped_column(String(16))  # that French's fingerprint (its block's)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)  # dialogs/translation_ports.py
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    reviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


course_translations: Table = Base.metadata.tables["course_translations"]


class StringView(Base):
    """How often an interface string was shown (counted in each worker, added here now and
    then): what translators see first, and how completeness is weighted."""

    __tablename__ = "string_views"

    key: Mapped[str] = mapped_column(String(16), primary_key=True)
    views: Mapped[int] = mapped_column(BigInteger)


class TranslationVersion(Base):
    """One row: bumped at every review, so that each worker reloads the reviewed strings."""

    __tablename__ = "translation_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)


class GuardianLink(Base):
    """A learner's guardian: invited by a code the guardian sends to the bot themselves
    (their consent, on their side), then sent a weekly summary until either one stops."""

    __tablename__ = "guardians"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    learner_name: Mapped[str] = mapped_column(String(64))  # the first name the guardian sees
    code: Mapped[str] = mapped_column(String(16), unique=True)  # the invitation's code
    guardian_id: Mapped[int | None] = mapped_column(  # None until the guardian accepts
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    next_summary_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    # When a teacher last had the guardian told the learner was absent: once per absence.
    absence_told_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LearnerSex(Base):
    """The optional answer girl / boy (no row: not asked, or declined): figures by sex."""

    __tablename__ = "learner_sex"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    sex: Mapped[str] = mapped_column(String(8))  # "girl" or "boy"
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class XapiStatementRow(Base):
    """A learning event as an xAPI statement (bot/storage/xapi.py, docs/xapi.md), journalled
    in the event's own transaction and forwarded to an LRS (bot/xapi_sender.py)."""

    __tablename__ = "xapi_statements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)  # UUIDv5 of the event
    # The learner; NULL for the instance's own voiding statements (erasure).
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    statement: Mapped[str] = mapped_column(Text)  # the JSON sent, fixed when written
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)  # the LRS has it
    refused: Mapped[str | None] = mapped_column(String(200))  # the LRS refused it: why
    # The national instance has it (a school server's push, bot/sync.py, docs/sync.md).
    synced_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)


xapi_statements: Table = Base.metadata.tables["xapi_statements"]


class AddressLink(Base):
    """A channel address that follows another learner's progress (one learner across
    channels, bot/storage/address_links.py): the address's own row, and the learner whose
    profile, state and progress its turns use. Deleting the row undoes the link."""

    __tablename__ = "address_links"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


address_links: Table = Base.metadata.tables["address_links"]


class PhoneFallback(Base):
    """A learner's yes to being written to by SMS when their chat app stops reaching their
    number (bot/fallbacks.py), on their address's row; once it happened, the address the
    pushes go to instead (linked to the learner: bot/storage/address_links.py)."""

    __tablename__ = "phone_fallbacks"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    opted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    fallback_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    switched_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


phone_fallbacks: Table = Base.metadata.tables["phone_fallbacks"]


class UssdSession(Base):
    """One USSD session's screens, for a few minutes (bot/ussd/sessions.py): what a replayed
    callback is answered, and the pages "0"/"00" turn. Never the learner's inputs: their
    length and digest only."""

    __tablename__ = "ussd_sessions"

    session_key: Mapped[str] = mapped_column(String(64), primary_key=True)  # the id's digest
    handled: Mapped[int] = mapped_column(Integer)  # the length of the inputs handled so far
    digest: Mapped[str] = mapped_column(String(64))  # of those inputs
    mode: Mapped[str] = mapped_column(String(16))  # "dialog", or "resume" (the offer shown)
    screens: Mapped[str] = mapped_column(Text)  # the pages of the last reply, as JSON
    page: Mapped[int] = mapped_column(Integer)  # the page shown
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


ussd_sessions: Table = Base.metadata.tables["ussd_sessions"]


class SyncSchool(Base):
    """On the national instance: a school server it hears from (bot/sync.py), with what the
    school said at its last push. No person: counts only."""

    __tablename__ = "sync_schools"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)  # from its token (SYNC_SCHOOLS)
    first_sync_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_sync_at: Mapped[datetime] = mapped_column(UtcDateTime)
    learners: Mapped[int] = mapped_column(Integer)  # people the school knows
    pending: Mapped[int] = mapped_column(Integer)  # records still waiting at the school
    received: Mapped[int] = mapped_column(Integer)  # records taken from it, in all


sync_schools: Table = Base.metadata.tables["sync_schools"]


class SyncState(Base):
    """On a school server: where its exchange with the national instance stands (the pull's
    cursor, given by the national side and kept as it came)."""

    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


sync_state: Table = Base.metadata.tables["sync_state"]


class SyncCourse(Base):
    """A course that came from the other side (bot/sync.py): on a school server, pulled from
    the national instance; on the national instance, pushed by a school for sharing. The
    version it holds is the origin's publication time."""

    __tablename__ = "sync_courses"

    course_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    origin: Mapped[str] = mapped_column(String(64))  # "national", or the school's name
    published_at: Mapped[datetime] = mapped_column(UtcDateTime)
    pulled_at: Mapped[datetime] = mapped_column(UtcDateTime)


sync_courses: Table = Base.metadata.tables["sync_courses"]

# Every other table, for SQLAlchemy Core statements (bot/storage/sql.py)
assignment_students: Table = Base.metadata.tables["assignment_students"]
circles: Table = Base.metadata.tables["circles"]
circle_members: Table = Base.metadata.tables["circle_members"]
circle_messages: Table = Base.metadata.tables["circle_messages"]
circle_digests: Table = Base.metadata.tables["circle_digests"]
colleague_requests: Table = Base.metadata.tables["colleague_requests"]
circle_events: Table = Base.metadata.tables["circle_events"]
event_attendees: Table = Base.metadata.tables["event_attendees"]
circle_reports: Table = Base.metadata.tables["circle_reports"]
circle_sanctions: Table = Base.metadata.tables["circle_sanctions"]
circle_relays: Table = Base.metadata.tables["circle_relays"]
withdrawals: Table = Base.metadata.tables["withdrawals"]
moderation_log: Table = Base.metadata.tables["moderation_log"]
review_cards: Table = Base.metadata.tables["review_cards"]
skill_mastery: Table = Base.metadata.tables["skill_mastery"]
placed_out: Table = Base.metadata.tables["placed_out"]
skill_struggles: Table = Base.metadata.tables["skill_struggles"]
skill_parameters: Table = Base.metadata.tables["skill_parameters"]
certificates: Table = Base.metadata.tables["certificates"]
reminders: Table = Base.metadata.tables["reminders"]
learning_days: Table = Base.metadata.tables["learning_days"]
string_views: Table = Base.metadata.tables["string_views"]
translation_version: Table = Base.metadata.tables["translation_version"]
guardians: Table = Base.metadata.tables["guardians"]
learner_sex: Table = Base.metadata.tables["learner_sex"]
