"""The programme's figures for admins and the portal API: aggregates only, never a person.

Each figure is one grouped query; the weekly series are one scan with a column per week,
so the cost does not depend on how many weeks were active.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.channels import capabilities
from bot.storage.sql import Runner, utc
from dialogs.admin_ports import ChannelFailures, CountryFigures, Impact, SexFigures

# The students: people who agreed to the terms, neither a group, nor self-declared teachers,
# nor holding any role (teacher, moderator, admin). The text and the chart count these.
STUDENTS = (
    "u.consented_at IS NOT NULL AND (u.role IS NULL OR u.role NOT IN ('group', 'teacher'))"
    " AND NOT EXISTS (SELECT 1 FROM role_grants g WHERE g.user_id = u.id)"
)


async def impact(
    runner: Runner, countries: frozenset[str] | None, weeks: int, now: datetime
) -> Impact:
    """Figures per country, and new students and lessons per week for the last `weeks`."""
    where, params = _countries(countries)
    rows: dict[str, dict[str, Any]] = {}
    learners = await runner.run(
        "SELECT u.country, COUNT(*),"
        " SUM(CASE WHEN u.last_seen_at >= :d7 THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN u.last_seen_at >= :d30 THEN 1 ELSE 0 END)"
        f" FROM users u WHERE {STUDENTS}{where} GROUP BY u.country",
        d7=now - timedelta(days=7),
        d30=now - timedelta(days=30),
        **params,
    )
    for country, total, a7, a30 in learners:
        rows[str(country)] = {"learners": int(total), "active_7": int(a7), "active_30": int(a30)}
    for key, sql in _PER_COUNTRY.items():
        for country, value, *rest in await runner.run(sql.format(where=where), **params):
            found = rows.setdefault(str(country), {})
            found[key] = int(value)
            if rest:
                found["average_score"] = float(rest[0]) if rest[0] is not None else None
    starts = [_week_start(now) - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    new = await _weekly(
        runner, "users u", "u.created_at", starts, f" AND {STUDENTS}{where}", params
    )
    done = await _weekly(
        runner,
        "lesson_progress lp JOIN users u ON u.id = lp.user_id",
        "lp.completed_at",
        starts,
        where,
        params,
    )
    failed = await runner.run(
        "SELECT s.channel, s.error_code, COUNT(*) FROM sent_messages s JOIN users u"
        f" ON u.id = s.user_id WHERE s.status = 'failed'{where}"
        " GROUP BY s.channel, s.error_code",
        **params,
    )
    by_channel: dict[str, dict[int, int]] = {}
    for channel, code, count in failed:
        by_channel.setdefault(str(channel), {})[int(code or 0)] = int(count)
    failures = [
        ChannelFailures(name, capabilities(name).label or name, dict(sorted(codes.items())))
        for name, codes in sorted(by_channel.items())
    ]
    # A first message may be parked before its sender has a row: counted for everyone only.
    parked = await runner.run(
        "SELECT d.channel, COUNT(*) FROM dead_letters d LEFT JOIN users u"
        f" ON u.channel = d.channel AND u.external_id = d.address WHERE 1 = 1{where}"
        " GROUP BY d.channel",
        **params,
    )
    dead = {str(channel): int(count) for channel, count in parked}
    paid = await runner.run(
        "SELECT COUNT(*), COALESCE(SUM(s.segments), 0) FROM sent_messages s"
        " JOIN users u ON u.id = s.user_id WHERE s.kind = 'broadcast'"
        f" AND s.segments IS NOT NULL AND s.sent_at >= :d30{where}",
        d30=now - timedelta(days=30),
        **params,
    )
    figures = [CountryFigures(country=c, **values) for c, values in sorted(rows.items())]
    sexes = await _by_sex(runner, where, params, now)
    return Impact(
        figures,
        starts,
        new,
        done,
        failures,
        dead,
        sexes,
        paid_announcements=int(paid[0][0]),
        paid_parts=int(paid[0][1] or 0),
    )


_SEX = "COALESCE(sx.sex, 'unknown')"
_SEX_JOIN = " LEFT JOIN learner_sex sx ON sx.user_id = u.id"


async def _by_sex(
    runner: Runner, where: str, params: dict[str, Any], now: datetime
) -> list[SexFigures]:
    """The students per country and sex (raw: dialogs/small_cells.py hides small groups)."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    found = await runner.run(
        f"SELECT u.country, {_SEX}, COUNT(*),"
        " SUM(CASE WHEN u.last_seen_at >= :d7 THEN 1 ELSE 0 END)"
        f" FROM users u{_SEX_JOIN} WHERE {STUDENTS}{where} GROUP BY u.country, {_SEX}",
        d7=now - timedelta(days=7),
        **params,
    )
    for country, sex, total, a7 in found:
        rows[(str(country), str(sex))] = {"learners": int(total), "active_7": int(a7)}
    done = await runner.run(
        f"SELECT u.country, {_SEX}, COUNT(*) FROM lesson_progress lp"
        f" JOIN users u ON u.id = lp.user_id{_SEX_JOIN} WHERE {STUDENTS}{where}"
        f" GROUP BY u.country, {_SEX}",
        **params,
    )
    for country, sex, count in done:
        rows.setdefault((str(country), str(sex)), {})["lessons_done"] = int(count)
    scored = await runner.run(
        f"SELECT u.country, {_SEX}, COUNT(*), AVG(qa.score / qa.max_score) FROM quiz_attempts qa"
        f" JOIN users u ON u.id = qa.user_id{_SEX_JOIN} WHERE qa.max_score > 0"
        f" AND {STUDENTS}{where}"
        f" GROUP BY u.country, {_SEX}",
        **params,
    )
    for country, sex, count, average in scored:
        cell = rows.setdefault((str(country), str(sex)), {})
        cell["quizzes"] = int(count)
        cell["average_score"] = float(average) if average is not None else None
    return [SexFigures(c, sex, **values) for (c, sex), values in sorted(rows.items())]


_PER_COUNTRY = {
    "lessons_done": "SELECT u.country, COUNT(*) FROM lesson_progress lp"
    " JOIN users u ON u.id = lp.user_id WHERE 1 = 1{where} GROUP BY u.country",
    "quizzes": "SELECT u.country, COUNT(*), AVG(qa.score / qa.max_score) FROM quiz_attempts qa"
    " JOIN users u ON u.id = qa.user_id WHERE qa.max_score > 0{where} GROUP BY u.country",
    "teachers": "SELECT u.country, COUNT(DISTINCT g.user_id) FROM role_grants g"
    " JOIN users u ON u.id = g.user_id WHERE g.role = 'teacher'{where} GROUP BY u.country",
    "classes": "SELECT u.country, COUNT(*) FROM classes c"
    " JOIN users u ON u.id = c.teacher_id WHERE 1 = 1{where} GROUP BY u.country",
    "courses": "SELECT u.country, COUNT(*) FROM authored_courses a"
    " JOIN users u ON u.id = a.author_id WHERE a.status = 'published'{where} GROUP BY u.country",
    "shared": "SELECT u.country, COUNT(*) FROM authored_courses a"
    " JOIN users u ON u.id = a.author_id WHERE a.status = 'published'"
    " AND a.visibility = 'all'{where} GROUP BY u.country",
}


def _countries(countries: frozenset[str] | None) -> tuple[str, dict[str, Any]]:
    """` AND u.country IN (...)` for a national admin; nothing for everyone."""
    if countries is None:
        return "", {}
    ordered = sorted(countries) or [""]
    marks = ", ".join(f":c{i}" for i in range(len(ordered)))
    return f" AND u.country IN ({marks})", {f"c{i}": c for i, c in enumerate(ordered)}


async def _weekly(
    runner: Runner,
    source: str,
    column: str,
    starts: list[datetime],
    where: str,
    params: dict[str, Any],
) -> list[int]:
    """How many rows fall in each week: one scan, one SUM(CASE ...) column per week."""
    bounds = [*starts, starts[-1] + timedelta(weeks=1)]
    sums = ", ".join(
        f"SUM(CASE WHEN {column} >= :w{i} AND {column} < :w{i + 1} THEN 1 ELSE 0 END)"
        for i in range(len(starts))
    )
    weeks = {f"w{i}": bound for i, bound in enumerate(bounds)}
    row = (
        await runner.run(
            f"SELECT {sums} FROM {source} WHERE {column} >= :w0{where}", **weeks, **params
        )
    )[0]
    return [int(value or 0) for value in row]


def _week_start(now: datetime) -> datetime:
    """Monday 00:00 UTC of the week of `now`."""
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    start = day - timedelta(days=day.weekday())
    return utc(start) or start
