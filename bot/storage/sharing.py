"""The shared library (dialogs/sharing_ports.py) inside the person's turn, in Core
statements that SQLite and PostgreSQL both run. A course's visibility is
authored_courses.visibility; a teacher's name is the `authors:` line of their latest course
that has one."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from bot.storage.models import (
    assignments,
    authored_courses,
    class_members,
    classes,
    course_ratings,
    teacher_profiles,
)
from bot.storage.sql import ByDialect, Runner, utc
from dialogs.sharing_ports import CLASSES, COUNTRY, EVERYWHERE, Review, ShelfEntry

_AUTHORS = re.compile(r"^authors[ \t]*:[ \t]*(.+)$", re.MULTILINE | re.IGNORECASE)

# Published courses a teacher may browse: every country's, their country's, their own.
_a = authored_courses.alias("a")
_r = course_ratings.c
_BROWSABLE = and_(
    _a.c.status == "published",
    or_(
        _a.c.visibility == bindparam("everywhere"),
        and_(_a.c.visibility == bindparam("country_only"), _a.c.country == bindparam("country")),
        _a.c.author_id == bindparam("uid"),
    ),
)
_ALLOWED = select(_a.c.course_id).where(
    _a.c.status == "published",
    _a.c.visibility == bindparam("classes"),
    or_(
        _a.c.author_id == bindparam("uid"),
        _a.c.author_id.in_(
            select(classes.c.teacher_id)
            .join(class_members, class_members.c.class_id == classes.c.id)
            .where(class_members.c.user_id == bindparam("uid"))
        ),
    ),
)
_ENTRIES = (
    select(
        _a.c.course_id,
        _a.c.country,
        _a.c.visibility,
        _a.c.author_id,
        select(func.count(assignments.c.class_id.distinct()))
        .where(assignments.c.course_id == _a.c.course_id)
        .scalar_subquery(),
        select(func.avg(_r.stars)).where(_r.course_id == _a.c.course_id).scalar_subquery(),
        select(func.count()).where(_r.course_id == _a.c.course_id).scalar_subquery(),
    )
    .where(_BROWSABLE)
    .order_by(_a.c.course_id)
)
_SOURCE = select(func.coalesce(_a.c.published_source, _a.c.source)).where(
    _a.c.course_id == bindparam("cid"), _BROWSABLE
)
_REVIEWS = (
    select(_r.stars, _r.comment, _r.name, _r.country, _r.rated_at)
    .where(_r.course_id == bindparam("cid"))
    .order_by(_r.rated_at.desc(), _r.id.desc())
)
_RATING: dict[str, Any] = {
    "course_id": bindparam("cid"),
    "user_id": bindparam("uid"),
    "stars": bindparam("stars"),
    "comment": bindparam("comment"),
    "name": bindparam("name"),
    "country": bindparam("country"),
    "rated_at": bindparam("now"),
}
_RATED = ("stars", "comment", "name", "country", "rated_at")
_sqlite_rate = sqlite.insert(course_ratings).inline().values(_RATING)
_pg_rate = postgresql.insert(course_ratings).inline().values(_RATING)
_RATE = ByDialect(
    sqlite=_sqlite_rate.on_conflict_do_update(
        index_elements=[_r.course_id, _r.user_id],
        set_={k: _sqlite_rate.excluded[k] for k in _RATED},
    ),
    postgresql=_pg_rate.on_conflict_do_update(
        index_elements=[_r.course_id, _r.user_id],
        set_={k: _pg_rate.excluded[k] for k in _RATED},
    ),
)
_PROFILE_NAME = select(teacher_profiles.c.name).where(
    teacher_profiles.c.user_id == bindparam("uid"), teacher_profiles.c.name.is_not(None)
)
_MY_SOURCES = (
    select(authored_courses.c.source)
    .where(authored_courses.c.author_id == bindparam("uid"))
    .order_by(authored_courses.c.id.desc())
)
_RATED_AS = select(_r.name).where(_r.user_id == bindparam("uid")).order_by(_r.rated_at.desc())


class SqlShelf:
    """Shelf for the person `user_id`, on the turn's runner."""

    def __init__(self, runner: Runner, user_id: int, now: datetime | None = None) -> None:
        self.runner = runner
        self.user_id = user_id
        self.now = now or datetime.now(UTC)

    async def allowed(self) -> frozenset[str]:
        """The class-only courses this person may be offered (theirs or their teachers')."""
        rows = await self.runner.run(_ALLOWED, classes=CLASSES, uid=self.user_id)
        return frozenset(str(row[0]) for row in rows)

    async def entries(self, country: str | None) -> list[ShelfEntry]:
        """The published courses a teacher of `country` may browse (and their own)."""
        rows = await self.runner.run(_ENTRIES, **self._browsable(country))
        return [
            ShelfEntry(
                str(cid),
                str(where or ""),
                str(vis),
                author == self.user_id,
                int(uses or 0),
                float(avg or 0),
                int(count or 0),
            )
            for cid, where, vis, author, uses, avg, count in rows
        ]

    def _browsable(self, country: str | None) -> dict[str, object]:
        """The parameters of `_BROWSABLE`."""
        return {
            "everywhere": EVERYWHERE,
            "country_only": COUNTRY,
            "country": country or "",
            "uid": self.user_id,
        }

    async def source(self, course_id: str, country: str | None) -> str | None:
        """The text of a course the teacher may browse, to copy it."""
        rows = await self.runner.run(_SOURCE, cid=course_id, **self._browsable(country))
        return str(rows[0][0]) if rows else None

    async def reviews(self, course_id: str) -> list[Review]:
        """The ratings and comments of a course, newest first."""
        rows = await self.runner.run(_REVIEWS, cid=course_id)
        return [
            Review(int(s), str(c), str(n), str(w), utc(at) or self.now) for s, c, n, w, at in rows
        ]

    async def rate(self, course_id: str, stars: int, comment: str, name: str, country: str) -> None:
        """The current teacher's rating of a course (it replaces their earlier one)."""
        await self.runner.run(
            _RATE,
            cid=course_id,
            uid=self.user_id,
            stars=stars,
            comment=comment[:280],
            name=name[:80],
            country=country[:8],
            now=self.now,
        )

    async def signature(self) -> str | None:
        """The name the current teacher signs their courses with, if they gave it."""
        # the name they gave in their teacher profile
        rows = await self.runner.run(_PROFILE_NAME, uid=self.user_id)
        if rows and rows[0][0]:
            return str(rows[0][0])
        rows = await self.runner.run(_MY_SOURCES, uid=self.user_id)
        for (source,) in rows:
            head = str(source).split("\n#", 1)[0]
            found = _AUTHORS.search(head)
            if found:
                return found[1].split(",")[0].strip()
        # a teacher who rated before writing any course
        rows = await self.runner.run(_RATED_AS, uid=self.user_id)
        return str(rows[0][0]) if rows else None
