"""Teachers as colleagues see them, and "find a colleague" requests.

A request goes to one teacher at a time: of the same subject and level, of another country,
never asked by this asker before; the one asked least recently (never first), then the
longest-standing teacher. Only names, countries and schools are ever shown: no phone number.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, exists, func, insert, select, update

from bot.storage.models import colleague_requests, role_grants, teacher_profiles, users
from bot.storage.sharing import SqlShelf
from bot.storage.sql import Runner, as_json, utc
from dialogs.circle_ports import Colleague, ColleagueAsk

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_P = teacher_profiles.c
_ASKED = colleague_requests.c

_COLLEAGUE = (
    select(users.c.country, _P.school)
    .select_from(users.outerjoin(teacher_profiles, _P.user_id == users.c.id))
    .where(users.c.id == bindparam("uid"))
)
_LAST_ASKED = select(func.max(_ASKED.created_at)).where(_ASKED.asked_id == _P.user_id)
_CANDIDATES = (  # teachers of another country this asker never asked (subjects read after)
    select(_P.user_id, _P.subjects, _P.levels, _P.requested_at, _LAST_ASKED.scalar_subquery())
    .join(users, users.c.id == _P.user_id)
    .where(
        users.c.country != bindparam("country"),
        _P.user_id != bindparam("asker"),
        exists().where(role_grants.c.user_id == _P.user_id, role_grants.c.role == "teacher"),
        ~exists().where(_ASKED.asker_id == bindparam("asker"), _ASKED.asked_id == _P.user_id),
    )
)
_ASK = (
    insert(colleague_requests)
    .values(
        asker_id=bindparam("asker"),
        asked_id=bindparam("asked"),
        subject=bindparam("subject"),
        level=bindparam("level"),
        status="asked",
        created_at=bindparam("now"),
    )
    .inline()
)
_ASKS = (
    select(_ASKED.id, _ASKED.asker_id, _ASKED.subject, _ASKED.level)
    .where(_ASKED.asked_id == bindparam("uid"), _ASKED.status == "asked")
    .order_by(_ASKED.id)
)
_SETTLE = (
    update(colleague_requests)
    .where(_ASKED.id == bindparam("ask"))
    .values(status=bindparam("status"))
)


async def colleague(runner: Runner, user_id: int) -> Colleague:
    """A teacher's name (their course signature, if any), country and school."""
    rows = await runner.run(_COLLEAGUE, uid=user_id)
    country, school = rows[0] if rows else ("", "")
    name = await SqlShelf(runner, user_id).signature()
    return Colleague(user_id, name, str(country or ""), str(school or ""))


async def propose(
    runner: Runner, asker_id: int, subject: str, level: str, now: datetime
) -> Colleague | None:
    """Ask the next matching teacher; None when nobody is left to ask."""
    asker = await colleague(runner, asker_id)
    rows = await runner.run(_CANDIDATES, country=asker.country, asker=asker_id)
    matching = [row for row in rows if _teaches(row, subject, level)]
    if not matching:
        return None
    chosen = min(matching, key=_order)
    await runner.run(
        _ASK, asker=asker_id, asked=int(chosen[0]), subject=subject, level=level, now=now
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
    rows = await runner.run(_ASKS, uid=user_id)
    return [
        ColleagueAsk(int(i), await colleague(runner, int(a)), str(s), str(lv))
        for i, a, s, lv in rows
    ]


async def settle(runner: Runner, ask_id: int, accept: bool) -> None:
    """Record the answer to a request."""
    await runner.run(_SETTLE, status="accepted" if accept else "declined", ask=ask_id)
