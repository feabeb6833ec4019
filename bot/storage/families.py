"""Families (guardians) and the learners' optional sex. Core statements through a Runner
(bot/storage/sql.py), inside a person's turn; the weekly summaries' queries for the loop
(bot/families.py)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    Integer,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal_column,
    or_,
    select,
    update,
)

from bot.storage.admin import queue_notice
from bot.storage.models import (
    class_members,
    classes,
    guardians,
    learner_sex,
    learning_days,
    lesson_progress,
    skill_mastery,
    users,
)
from bot.storage.sql import Runner, utc
from dialogs.family_ports import INVITATION_DAYS, SEXES, GuardianLink

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and copied by hand
CODE_LENGTH = 8
g = guardians  # as the statements name it
_LINKS = select(g.c.id, g.c.learner_name, g.c.code, g.c.accepted_at, g.c.created_at)
_CODE_TAKEN = select(literal_column("1", Integer)).where(g.c.code == bindparam("c"))
# inline: PostgreSQL's statement returns no new id either (none is read)
_INVITE = (
    insert(g)
    .inline()
    .values(
        learner_id=bindparam("uid"),
        learner_name=bindparam("name"),
        code=bindparam("code"),
        created_at=bindparam("now"),
    )
)
_GUARDIANS = _LINKS.where(g.c.learner_id == bindparam("uid")).order_by(g.c.id)
_REMOVE = (
    delete(g)
    .where(g.c.id == bindparam("lid"), g.c.learner_id == bindparam("uid"))
    .returning(g.c.id)
)
_INVITATION = _LINKS.where(
    g.c.code == bindparam("code"),
    g.c.guardian_id.is_(None),
    g.c.learner_id != bindparam("uid"),
    g.c.created_at > bindparam("since"),
)
_ACCEPT = (
    update(g)
    .where(g.c.id == bindparam("lid"), g.c.guardian_id.is_(None))
    .values(
        guardian_id=bindparam("uid"),
        accepted_at=bindparam("now"),
        next_summary_at=bindparam("first"),
    )
    .returning(g.c.id)
)
_OTHER_SIDE = select(
    case((g.c.learner_id == bindparam("uid"), g.c.guardian_id), else_=g.c.learner_id)
).where(
    g.c.id == bindparam("lid"),
    or_(g.c.learner_id == bindparam("uid"), g.c.guardian_id == bindparam("uid")),
)
_CHILDREN = _LINKS.where(g.c.guardian_id == bindparam("uid")).order_by(g.c.id)
_STOP = delete(g).where(g.c.guardian_id == bindparam("uid")).returning(g.c.id)
_SEX = select(learner_sex.c.sex).where(learner_sex.c.user_id == bindparam("uid"))
_FORGET_SEX = delete(learner_sex).where(learner_sex.c.user_id == bindparam("uid"))
_SET_SEX = insert(learner_sex).values(
    user_id=bindparam("uid"), sex=bindparam("sex"), updated_at=bindparam("now")
)


def new_code() -> str:
    """An invitation's code: 8 letters and digits that are hard to confuse."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def _link(row: tuple[object, ...]) -> GuardianLink:
    link_id, name, code, accepted, created = row
    return GuardianLink(
        int(str(link_id)), str(name), str(code), utc(accepted), utc(created) or datetime.min
    )


class SqlFamilyDesk:
    """One person's links as a learner and as a guardian."""

    def __init__(self, runner: Runner, user_id: int) -> None:
        self.runner = runner
        self.user_id = user_id

    async def invite(self, learner_name: str, now: datetime) -> str:
        """A new invitation's code (valid INVITATION_DAYS)."""
        while True:
            code = new_code()
            taken = await self.runner.run(_CODE_TAKEN, c=code)
            if not taken:
                break
        await self.runner.run(
            _INVITE,
            uid=self.user_id,
            name=learner_name[:64],
            code=code,
            now=now,
        )
        return code

    async def guardians(self) -> list[GuardianLink]:
        """The learner's guardians and waiting invitations, oldest first."""
        rows = await self.runner.run(_GUARDIANS, uid=self.user_id)
        return [_link(tuple(row)) for row in rows]

    async def remove(self, link_id: int) -> bool:
        """The learner removes a guardian or withdraws an invitation."""
        rows = await self.runner.run(_REMOVE, lid=link_id, uid=self.user_id)
        return bool(rows)

    async def invitation(self, code: str, now: datetime) -> GuardianLink | None:
        """A waiting invitation by its code (any case), not expired, not one's own."""
        rows = await self.runner.run(
            _INVITATION,
            code=code.strip().upper()[:16],
            uid=self.user_id,
            since=now - INVITATION_DAYS,
        )
        return _link(tuple(rows[0])) if rows else None

    async def accept(self, link_id: int, now: datetime, first_summary: datetime) -> bool:
        """The guardian accepts (False: withdrawn or taken meanwhile)."""
        rows = await self.runner.run(
            _ACCEPT, uid=self.user_id, now=now, first=first_summary, lid=link_id
        )
        return bool(rows)

    async def tell_other(self, link_id: int, texts: dict[str, str], now: datetime) -> None:
        """A notice to the other side of one of one's links, through the outbox."""
        rows = await self.runner.run(_OTHER_SIDE, uid=self.user_id, lid=link_id)
        if rows and rows[0][0] is not None:
            await queue_notice(self.runner, int(rows[0][0]), texts, now)

    async def children(self) -> list[GuardianLink]:
        """The learners whose summaries this person receives."""
        rows = await self.runner.run(_CHILDREN, uid=self.user_id)
        return [_link(tuple(row)) for row in rows]

    async def stop(self) -> int:
        """The guardian stops every summary; how many links ended."""
        rows = await self.runner.run(_STOP, uid=self.user_id)
        return len(rows)

    async def sex(self) -> str | None:
        """The learner's answer ("girl", "boy"), or None."""
        rows = await self.runner.run(_SEX, uid=self.user_id)
        return str(rows[0][0]) if rows else None

    async def set_sex(self, sex: str | None, now: datetime) -> None:
        """Keep an answer, or forget it (None: prefer not to say)."""
        await self.runner.run(_FORGET_SEX, uid=self.user_id)
        if sex in SEXES:
            await self.runner.run(_SET_SEX, uid=self.user_id, sex=sex, now=now)


# --- the weekly summaries (bot/families.py) ---------------------------------------------


@dataclass(frozen=True)
class DueSummary:
    """A guardian's summary of one learner, due now."""

    link_id: int
    learner_id: int
    learner_name: str
    guardian_id: int
    locale: str | None  # the guardian's
    country: str | None  # the guardian's: their local time
    due: datetime


_DUE = (
    select(
        g.c.id,
        g.c.learner_id,
        g.c.learner_name,
        g.c.guardian_id,
        users.c.locale,
        users.c.country,
        g.c.next_summary_at,
    )
    .join(users, users.c.id == g.c.guardian_id)
    .where(g.c.next_summary_at.is_not(None), g.c.next_summary_at <= bindparam("now"))
    .order_by(g.c.next_summary_at, g.c.id)
    .limit(bindparam("limit"))
)
_DUE_LOCKED = _DUE.with_for_update(skip_locked=True)  # SQLite has no row locks
_MOVE = (
    update(g)
    .where(g.c.id == bindparam("lid"), g.c.next_summary_at == bindparam("seen"))
    .values(next_summary_at=bindparam("next"))
    .returning(g.c.id)
)
_DAYS_LEARNED = (
    select(func.count())
    .select_from(learning_days)
    .where(
        learning_days.c.user_id == bindparam("uid"),
        learning_days.c.day >= bindparam("since"),
        learning_days.c.day < bindparam("until"),
    )
)
_LESSONS_DONE = (
    select(lesson_progress.c.course_id, lesson_progress.c.lesson_id)
    .where(
        lesson_progress.c.user_id == bindparam("uid"),
        lesson_progress.c.completed_at >= bindparam("since"),
        lesson_progress.c.completed_at < bindparam("until"),
    )
    .order_by(lesson_progress.c.completed_at)
)
_SKILLS_MOVED = (
    select(skill_mastery.c.skill, skill_mastery.c.p_known)
    .where(
        skill_mastery.c.user_id == bindparam("uid"),
        skill_mastery.c.updated_at >= bindparam("since"),
    )
    .order_by(skill_mastery.c.skill)
)
_AWAY = select(
    users.c.last_seen_at,
    select(func.min(classes.c.absence_days))
    .join(class_members, class_members.c.class_id == classes.c.id)
    .where(class_members.c.user_id == users.c.id)
    .scalar_subquery(),
).where(users.c.id == bindparam("uid"))


async def due_summaries(
    runner: Runner, now: datetime, limit: int, lock: str = ""
) -> list[DueSummary]:
    """Accepted links whose summary is due, oldest first."""
    rows = await runner.run(_DUE_LOCKED if lock else _DUE, now=now, limit=limit)
    return [
        DueSummary(
            int(link), int(learner), str(name), int(guardian), locale, country, utc(due) or now
        )
        for link, learner, name, guardian, locale, country, due in rows
    ]


async def move_on(runner: Runner, due: DueSummary, next_at: datetime) -> bool:
    """Move a due summary to its next time, unless another worker did (compare-and-set)."""
    rows = await runner.run(_MOVE, next=next_at, lid=due.link_id, seen=due.due)
    return bool(rows)


async def days_learned(runner: Runner, learner_id: int, since: date, until: date) -> int:
    """Local days with some learning in [since, until)."""
    rows = await runner.run(
        _DAYS_LEARNED,
        uid=learner_id,
        since=since,
        until=until,
    )
    return int(rows[0][0])


async def lessons_done(
    runner: Runner, learner_id: int, since: datetime, until: datetime
) -> list[tuple[str, str]]:
    """(course, lesson) finished in [since, until), in order."""
    rows = await runner.run(_LESSONS_DONE, uid=learner_id, since=since, until=until)
    return [(str(course), str(lesson)) for course, lesson in rows]


async def skills_moved(runner: Runner, learner_id: int, since: datetime) -> list[tuple[str, float]]:
    """(skill, p_known) of the skills answered since then."""
    rows = await runner.run(_SKILLS_MOVED, uid=learner_id, since=since)
    return [(str(skill), float(p)) for skill, p in rows]


async def days_away(runner: Runner, learner_id: int, now: datetime) -> int:
    """Whole days since the learner last came, when that makes them absent for one of their
    classes (its `absence_days`, the smallest of them); else 0 (and for a learner in none)."""
    rows = await runner.run(_AWAY, uid=learner_id)
    if not rows or rows[0][0] is None or rows[0][1] is None:
        return 0
    seen = utc(rows[0][0])
    away = (now - seen).days if seen is not None else 0
    return away if away >= int(rows[0][1]) else 0
