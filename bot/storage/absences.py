"""The teachers' weekly alerts of absent students (bot/absences.py): which classes are due,
moving them on once (compare-and-set), and who is absent. Core statements through a Runner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, or_, select, update

from bot.storage.models import class_members, classes, guardians, users
from bot.storage.sql import Runner, utc


@dataclass(frozen=True)
class DueAlert:
    """A class whose teacher's weekly alert is due."""

    class_id: int
    teacher_id: int
    name: str
    absence_days: int
    due: datetime | None  # None: never scheduled yet
    locale: str | None  # the teacher's
    country: str | None


_DUE = (
    select(
        classes.c.id,
        classes.c.teacher_id,
        classes.c.name,
        classes.c.absence_days,
        classes.c.next_absence_at,
        users.c.locale,
        users.c.country,
    )
    .join(users, users.c.id == classes.c.teacher_id)
    .where(
        classes.c.absence_alerts == bindparam("on"),
        or_(classes.c.next_absence_at.is_(None), classes.c.next_absence_at <= bindparam("now")),
    )
    .order_by(classes.c.next_absence_at, classes.c.id)
    .limit(bindparam("limit"))
)
_DUE_LOCKED = _DUE.with_for_update(of=classes, skip_locked=True)  # SQLite has no row locks
_MOVE_FIRST = (
    update(classes)
    .where(classes.c.id == bindparam("cid"), classes.c.next_absence_at.is_(None))
    .values(next_absence_at=bindparam("next"))
    .returning(classes.c.id)
)
_MOVE = (
    update(classes)
    .where(classes.c.id == bindparam("cid"), classes.c.next_absence_at == bindparam("seen"))
    .values(next_absence_at=bindparam("next"))
    .returning(classes.c.id)
)
_ABSENT = (
    select(class_members.c.name, users.c.last_seen_at)
    .join(users, users.c.id == class_members.c.user_id)
    .where(class_members.c.class_id == bindparam("cid"), users.c.last_seen_at < bindparam("since"))
    .order_by(users.c.last_seen_at, class_members.c.name)
)
_FAMILIES = (
    select(func.count())
    .select_from(guardians)
    .join(users, users.c.id == guardians.c.learner_id)
    .join(
        class_members,
        (class_members.c.user_id == guardians.c.learner_id)
        & (class_members.c.class_id == bindparam("cid")),
    )
    .where(
        guardians.c.accepted_at.is_not(None),
        guardians.c.guardian_id.is_not(None),
        users.c.last_seen_at < bindparam("since"),
        or_(
            guardians.c.absence_told_at.is_(None),
            guardians.c.absence_told_at < users.c.last_seen_at,
        ),
    )
)


async def due_alerts(runner: Runner, now: datetime, limit: int, lock: str = "") -> list[DueAlert]:
    """Classes with alerts on whose alert is due (or not scheduled yet), oldest first."""
    rows = await runner.run(_DUE_LOCKED if lock else _DUE, on=True, now=now, limit=limit)
    return [
        DueAlert(int(cid), int(tid), str(name), int(days), utc(due), locale, country)
        for cid, tid, name, days, due, locale, country in rows
    ]


async def move_on(runner: Runner, due: DueAlert, next_at: datetime) -> bool:
    """Move a class's alert to its next time, unless another worker did (compare-and-set)."""
    if due.due is None:
        rows = await runner.run(_MOVE_FIRST, next=next_at, cid=due.class_id)
    else:
        rows = await runner.run(_MOVE, next=next_at, cid=due.class_id, seen=due.due)
    return bool(rows)


async def absent(runner: Runner, class_id: int, now: datetime, days: int) -> list[tuple[str, int]]:
    """(name in the class, whole days away) of its students not seen for `days` days,
    longest away first."""
    rows = await runner.run(_ABSENT, cid=class_id, since=now - timedelta(days=days))
    found = []
    for name, seen in rows:
        at = utc(seen)
        found.append((str(name), (now - at).days if at is not None else days))
    return found


async def families(runner: Runner, class_id: int, now: datetime, days: int) -> int:
    """How many guardians receive the weekly summary of an absent student of the class and
    were not told yet of this absence."""
    rows = await runner.run(_FAMILIES, cid=class_id, since=now - timedelta(days=days))
    return int(rows[0][0])
