"""The shared library (dialogs/sharing_ports.py) inside the person's turn, on SQL that
SQLite and PostgreSQL both read. A course's visibility is authored_courses.visibility; a
teacher's name is the `authors:` line of their latest course that has one."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.storage.sql import Runner, utc
from dialogs.sharing_ports import CLASSES, COUNTRY, EVERYWHERE, Review, ShelfEntry

_AUTHORS = re.compile(r"^authors[ \t]*:[ \t]*(.+)$", re.MULTILINE | re.IGNORECASE)

# Published courses a teacher may browse: every country's, their country's, their own.
_BROWSABLE = (
    "a.status = 'published' AND (a.visibility = :everywhere"
    " OR (a.visibility = :country_only AND a.country = :country) OR a.author_id = :uid)"
)


class SqlShelf:
    """Shelf for the person `user_id`, on the turn's runner."""

    def __init__(self, runner: Runner, user_id: int, now: datetime | None = None) -> None:
        self.runner = runner
        self.user_id = user_id
        self.now = now or datetime.now(UTC)

    async def allowed(self) -> frozenset[str]:
        """The class-only courses this person may be offered (theirs or their teachers')."""
        rows = await self.runner.run(
            "SELECT a.course_id FROM authored_courses a WHERE a.status = 'published'"
            " AND a.visibility = :classes AND (a.author_id = :uid OR a.author_id IN"
            " (SELECT c.teacher_id FROM classes c JOIN class_members m ON m.class_id = c.id"
            " WHERE m.user_id = :uid))",
            classes=CLASSES,
            uid=self.user_id,
        )
        return frozenset(str(row[0]) for row in rows)

    async def entries(self, country: str | None) -> list[ShelfEntry]:
        """The published courses a teacher of `country` may browse (and their own)."""
        rows = await self.runner.run(
            "SELECT a.course_id, a.country, a.visibility, a.author_id,"
            " (SELECT COUNT(DISTINCT s.class_id) FROM assignments s"
            "  WHERE s.course_id = a.course_id),"
            " (SELECT AVG(r.stars) FROM course_ratings r WHERE r.course_id = a.course_id),"
            " (SELECT COUNT(*) FROM course_ratings r WHERE r.course_id = a.course_id)"
            f" FROM authored_courses a WHERE {_BROWSABLE} ORDER BY a.course_id",
            **self._browsable(country),
        )
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
        """The parameters of _BROWSABLE."""
        return {
            "everywhere": EVERYWHERE,
            "country_only": COUNTRY,
            "country": country or "",
            "uid": self.user_id,
        }

    async def source(self, course_id: str, country: str | None) -> str | None:
        """The text of a course the teacher may browse, to copy it."""
        rows = await self.runner.run(
            "SELECT COALESCE(a.published_source, a.source) FROM authored_courses a"
            f" WHERE a.course_id = :cid AND {_BROWSABLE}",
            cid=course_id,
            **self._browsable(country),
        )
        return str(rows[0][0]) if rows else None

    async def reviews(self, course_id: str) -> list[Review]:
        """The ratings and comments of a course, newest first."""
        rows = await self.runner.run(
            "SELECT stars, comment, name, country, rated_at FROM course_ratings"
            " WHERE course_id = :cid ORDER BY rated_at DESC, id DESC",
            cid=course_id,
        )
        return [
            Review(int(s), str(c), str(n), str(w), utc(at) or self.now) for s, c, n, w, at in rows
        ]

    async def rate(self, course_id: str, stars: int, comment: str, name: str, country: str) -> None:
        """The current teacher's rating of a course (it replaces their earlier one)."""
        await self.runner.run(
            "INSERT INTO course_ratings (course_id, user_id, stars, comment, name, country,"
            " rated_at) VALUES (:cid, :uid, :stars, :comment, :name, :country, :now)"
            " ON CONFLICT (course_id, user_id) DO UPDATE SET stars = excluded.stars,"
            " comment = excluded.comment, name = excluded.name, country = excluded.country,"
            " rated_at = excluded.rated_at",
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
        rows = await self.runner.run(  # the name they gave in their teacher profile
            "SELECT name FROM teacher_profiles WHERE user_id = :uid AND name IS NOT NULL",
            uid=self.user_id,
        )
        if rows and rows[0][0]:
            return str(rows[0][0])
        rows = await self.runner.run(
            "SELECT source FROM authored_courses WHERE author_id = :uid ORDER BY id DESC",
            uid=self.user_id,
        )
        for (source,) in rows:
            head = str(source).split("\n#", 1)[0]
            found = _AUTHORS.search(head)
            if found:
                return found[1].split(",")[0].strip()
        rows = await self.runner.run(  # a teacher who rated before writing any course
            "SELECT name FROM course_ratings WHERE user_id = :uid ORDER BY rated_at DESC",
            uid=self.user_id,
        )
        return str(rows[0][0]) if rows else None
