"""The teachers' weekly alerts of absent students (bot/absences.py): which classes are due,
moving them on once (compare-and-set), and who is absent. Plain SQL through a Runner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

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


async def due_alerts(runner: Runner, now: datetime, limit: int, lock: str = "") -> list[DueAlert]:
    """Classes with alerts on whose alert is due (or not scheduled yet), oldest first."""
    rows = await runner.run(
        "SELECT c.id, c.teacher_id, c.name, c.absence_days, c.next_absence_at, u.locale,"
        " u.country FROM classes c JOIN users u ON u.id = c.teacher_id"
        " WHERE c.absence_alerts = :on AND (c.next_absence_at IS NULL"
        " OR c.next_absence_at <= :now) ORDER BY c.next_absence_at, c.id LIMIT :limit"
        + (" FOR UPDATE OF c SKIP LOCKED" if lock else ""),
        on=True,
        now=now,
        limit=limit,
    )
    return [
        DueAlert(int(cid), int(tid), str(name), int(days), utc(due), locale, country)
        for cid, tid, name, days, due, locale, country in rows
    ]


async def move_on(runner: Runner, due: DueAlert, next_at: datetime) -> bool:
    """Move a class's alert to its next time, unless another worker did (compare-and-set)."""
    if due.due is None:
        rows = await runner.run(
            "UPDATE classes SET next_absence_at = :next WHERE id = :id"
            " AND next_absence_at IS NULL RETURNING id",
            next=next_at,
            id=due.class_id,
        )
    else:
        rows = await runner.run(
            "UPDATE classes SET next_absence_at = :next WHERE id = :id"
            " AND next_absence_at = :seen RETURNING id",
            next=next_at,
            id=due.class_id,
            seen=due.due,
        )
    return bool(rows)


async def absent(runner: Runner, class_id: int, now: datetime, days: int) -> list[tuple[str, int]]:
    """(name in the class, whole days away) of its students not seen for `days` days,
    longest away first."""
    rows = await runner.run(
        "SELECT m.name, u.last_seen_at FROM class_members m JOIN users u ON u.id = m.user_id"
        " WHERE m.class_id = :cid AND u.last_seen_at < :since ORDER BY u.last_seen_at, m.name",
        cid=class_id,
        since=now - timedelta(days=days),
    )
    found = []
    for name, seen in rows:
        at = utc(seen)
        found.append((str(name), (now - at).days if at is not None else days))
    return found


async def families(runner: Runner, class_id: int, now: datetime, days: int) -> int:
    """How many guardians receive the weekly summary of an absent student of the class and
    were not told yet of this absence."""
    rows = await runner.run(
        "SELECT COUNT(*) FROM guardians g JOIN users u ON u.id = g.learner_id"
        " JOIN class_members m ON m.user_id = g.learner_id AND m.class_id = :cid"
        " WHERE g.accepted_at IS NOT NULL AND g.guardian_id IS NOT NULL"
        " AND u.last_seen_at < :since"
        " AND (g.absence_told_at IS NULL OR g.absence_told_at < u.last_seen_at)",
        cid=class_id,
        since=now - timedelta(days=days),
    )
    return int(rows[0][0])
