"""Teachers as colleagues see them, and "find a colleague" requests.

A request goes to one teacher at a time: of the same subject and level, of another country,
never asked by this asker before; the one asked least recently (never first), then the
longest-standing teacher. Only names, countries and schools are ever shown: no phone number.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.storage.sharing import SqlShelf
from bot.storage.sql import Runner, as_json, utc
from dialogs.circle_ports import Colleague, ColleagueAsk

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


async def colleague(runner: Runner, user_id: int) -> Colleague:
    """A teacher's name (their course signature, if any), country and school."""
    rows = await runner.run(
        "SELECT u.country, p.school FROM users u LEFT JOIN teacher_profiles p"
        " ON p.user_id = u.id WHERE u.id = :uid",
        uid=user_id,
    )
    country, school = rows[0] if rows else ("", "")
    name = await SqlShelf(runner, user_id).signature()
    return Colleague(user_id, name, str(country or ""), str(school or ""))


async def propose(
    runner: Runner, asker_id: int, subject: str, level: str, now: datetime
) -> Colleague | None:
    """Ask the next matching teacher; None when nobody is left to ask."""
    asker = await colleague(runner, asker_id)
    rows = await runner.run(
        "SELECT p.user_id, p.subjects, p.levels, p.requested_at,"
        " (SELECT MAX(r.created_at) FROM colleague_requests r WHERE r.asked_id = p.user_id)"
        " FROM teacher_profiles p JOIN users u ON u.id = p.user_id"
        " WHERE u.country <> :country AND p.user_id <> :asker"
        " AND EXISTS (SELECT 1 FROM role_grants g WHERE g.user_id = p.user_id"
        " AND g.role = 'teacher')"
        " AND NOT EXISTS (SELECT 1 FROM colleague_requests r WHERE r.asker_id = :asker"
        " AND r.asked_id = p.user_id)",
        country=asker.country,
        asker=asker_id,
    )
    matching = [row for row in rows if _teaches(row, subject, level)]
    if not matching:
        return None
    chosen = min(matching, key=_order)
    await runner.run(
        "INSERT INTO colleague_requests (asker_id, asked_id, subject, level, status,"
        " created_at) VALUES (:asker, :asked, :subject, :level, 'asked', :now)",
        asker=asker_id,
        asked=int(chosen[0]),
        subject=subject,
        level=level,
        now=now,
    )
    return await colleague(runner, int(chosen[0]))


def _teaches(row: Any, subject: str, level: str) -> bool:
    """Whether a teacher profile names this subject and this level."""
    return subject in (as_json(row[1]) or ()) and level in (as_json(row[2]) or ())


def _order(row: Any) -> tuple[int, datetime, datetime, int]:
    """Never asked first, then asked longest ago; then the oldest profile."""
    last = utc(row[4])
    return (0 if last is None else 1, last or _EPOCH, utc(row[3]) or _EPOCH, int(row[0]))


async def colleague_asks(runner: Runner, user_id: int) -> list[ColleagueAsk]:
    """The requests proposed to a teacher and not answered yet."""
    rows = await runner.run(
        "SELECT id, asker_id, subject, level FROM colleague_requests"
        " WHERE asked_id = :uid AND status = 'asked' ORDER BY id",
        uid=user_id,
    )
    return [
        ColleagueAsk(int(i), await colleague(runner, int(a)), str(s), str(lv))
        for i, a, s, lv in rows
    ]


async def settle(runner: Runner, ask_id: int, accept: bool) -> None:
    """Record the answer to a request."""
    await runner.run(
        "UPDATE colleague_requests SET status = :status WHERE id = :id",
        status="accepted" if accept else "declined",
        id=ask_id,
    )
