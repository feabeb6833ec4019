"""Families (guardians) and the learners' optional sex. Plain SQL through a Runner
(bot/storage/sql.py), inside a person's turn; the weekly summaries' queries for the loop
(bot/families.py)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from bot.storage.admin import queue_notice
from bot.storage.sql import Runner, utc
from dialogs.family_ports import INVITATION_DAYS, SEXES, GuardianLink

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and copied by hand
CODE_LENGTH = 8
_COLUMNS = "id, learner_name, code, accepted_at, created_at"


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
            taken = await self.runner.run("SELECT 1 FROM guardians WHERE code = :c", c=code)
            if not taken:
                break
        await self.runner.run(
            "INSERT INTO guardians (learner_id, learner_name, code, created_at)"
            " VALUES (:uid, :name, :code, :now)",
            uid=self.user_id,
            name=learner_name[:64],
            code=code,
            now=now,
        )
        return code

    async def guardians(self) -> list[GuardianLink]:
        """The learner's guardians and waiting invitations, oldest first."""
        rows = await self.runner.run(
            f"SELECT {_COLUMNS} FROM guardians WHERE learner_id = :uid ORDER BY id",
            uid=self.user_id,
        )
        return [_link(tuple(row)) for row in rows]

    async def remove(self, link_id: int) -> bool:
        """The learner removes a guardian or withdraws an invitation."""
        rows = await self.runner.run(
            "DELETE FROM guardians WHERE id = :id AND learner_id = :uid RETURNING id",
            id=link_id,
            uid=self.user_id,
        )
        return bool(rows)

    async def invitation(self, code: str, now: datetime) -> GuardianLink | None:
        """A waiting invitation by its code (any case), not expired, not one's own."""
        rows = await self.runner.run(
            f"SELECT {_COLUMNS} FROM guardians WHERE code = :code AND guardian_id IS NULL"
            " AND learner_id <> :uid AND created_at > :since",
            code=code.strip().upper()[:16],
            uid=self.user_id,
            since=now - INVITATION_DAYS,
        )
        return _link(tuple(rows[0])) if rows else None

    async def accept(self, link_id: int, now: datetime, first_summary: datetime) -> bool:
        """The guardian accepts (False: withdrawn or taken meanwhile)."""
        rows = await self.runner.run(
            "UPDATE guardians SET guardian_id = :uid, accepted_at = :now,"
            " next_summary_at = :first WHERE id = :id AND guardian_id IS NULL RETURNING id",
            uid=self.user_id,
            now=now,
            first=first_summary,
            id=link_id,
        )
        return bool(rows)

    async def tell_other(self, link_id: int, texts: dict[str, str], now: datetime) -> None:
        """A notice to the other side of one of one's links, through the outbox."""
        rows = await self.runner.run(
            "SELECT CASE WHEN learner_id = :uid THEN guardian_id ELSE learner_id END"
            " FROM guardians WHERE id = :id AND (learner_id = :uid OR guardian_id = :uid)",
            uid=self.user_id,
            id=link_id,
        )
        if rows and rows[0][0] is not None:
            await queue_notice(self.runner, int(rows[0][0]), texts, now)

    async def children(self) -> list[GuardianLink]:
        """The learners whose summaries this person receives."""
        rows = await self.runner.run(
            f"SELECT {_COLUMNS} FROM guardians WHERE guardian_id = :uid ORDER BY id",
            uid=self.user_id,
        )
        return [_link(tuple(row)) for row in rows]

    async def stop(self) -> int:
        """The guardian stops every summary; how many links ended."""
        rows = await self.runner.run(
            "DELETE FROM guardians WHERE guardian_id = :uid RETURNING id", uid=self.user_id
        )
        return len(rows)

    async def sex(self) -> str | None:
        """The learner's answer ("girl", "boy"), or None."""
        rows = await self.runner.run(
            "SELECT sex FROM learner_sex WHERE user_id = :uid", uid=self.user_id
        )
        return str(rows[0][0]) if rows else None

    async def set_sex(self, sex: str | None, now: datetime) -> None:
        """Keep an answer, or forget it (None: prefer not to say)."""
        await self.runner.run("DELETE FROM learner_sex WHERE user_id = :uid", uid=self.user_id)
        if sex in SEXES:
            await self.runner.run(
                "INSERT INTO learner_sex (user_id, sex, updated_at) VALUES (:uid, :sex, :now)",
                uid=self.user_id,
                sex=sex,
                now=now,
            )


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


async def due_summaries(
    runner: Runner, now: datetime, limit: int, lock: str = ""
) -> list[DueSummary]:
    """Accepted links whose summary is due, oldest first."""
    rows = await runner.run(
        "SELECT g.id, g.learner_id, g.learner_name, g.guardian_id, u.locale, u.country,"
        " g.next_summary_at FROM guardians g JOIN users u ON u.id = g.guardian_id"
        " WHERE g.next_summary_at IS NOT NULL AND g.next_summary_at <= :now"
        f" ORDER BY g.next_summary_at, g.id LIMIT :limit{lock}",
        now=now,
        limit=limit,
    )
    return [
        DueSummary(
            int(link), int(learner), str(name), int(guardian), locale, country, utc(due) or now
        )
        for link, learner, name, guardian, locale, country, due in rows
    ]


async def move_on(runner: Runner, due: DueSummary, next_at: datetime) -> bool:
    """Move a due summary to its next time, unless another worker did (compare-and-set)."""
    rows = await runner.run(
        "UPDATE guardians SET next_summary_at = :next WHERE id = :id"
        " AND next_summary_at = :seen RETURNING id",
        next=next_at,
        id=due.link_id,
        seen=due.due,
    )
    return bool(rows)


async def days_learned(runner: Runner, learner_id: int, since: date, until: date) -> int:
    """Local days with some learning in [since, until)."""
    rows = await runner.run(
        "SELECT COUNT(*) FROM learning_days WHERE user_id = :uid AND day >= :since"
        " AND day < :until",
        uid=learner_id,
        since=since,
        until=until,
    )
    return int(rows[0][0])


async def lessons_done(
    runner: Runner, learner_id: int, since: datetime, until: datetime
) -> list[tuple[str, str]]:
    """(course, lesson) finished in [since, until), in order."""
    rows = await runner.run(
        "SELECT course_id, lesson_id FROM lesson_progress WHERE user_id = :uid"
        " AND completed_at >= :since AND completed_at < :until ORDER BY completed_at",
        uid=learner_id,
        since=since,
        until=until,
    )
    return [(str(course), str(lesson)) for course, lesson in rows]


async def skills_moved(runner: Runner, learner_id: int, since: datetime) -> list[tuple[str, float]]:
    """(skill, p_known) of the skills answered since then."""
    rows = await runner.run(
        "SELECT skill, p_known FROM skill_mastery WHERE user_id = :uid AND updated_at >= :since"
        " ORDER BY skill",
        uid=learner_id,
        since=since,
    )
    return [(str(skill), float(p)) for skill, p in rows]


async def days_away(runner: Runner, learner_id: int, now: datetime) -> int:
    """Whole days since the learner last came, when that makes them absent for one of their
    classes (its `absence_days`, the smallest of them); else 0 (and for a learner in none)."""
    rows = await runner.run(
        "SELECT u.last_seen_at, (SELECT MIN(c.absence_days) FROM classes c"
        " JOIN class_members m ON m.class_id = c.id WHERE m.user_id = u.id)"
        " FROM users u WHERE u.id = :uid",
        uid=learner_id,
    )
    if not rows or rows[0][0] is None or rows[0][1] is None:
        return 0
    seen = utc(rows[0][0])
    away = (now - seen).days if seen is not None else 0
    return away if away >= int(rows[0][1]) else 0
