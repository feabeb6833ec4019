"""A read-only JSON API for a national education portal: the course catalogue with deep
links, and the programme's aggregate figures. Token-protected; no personal data leaves.

    GET /api/v1/openapi.json   the OpenAPI 3.1 description (no token needed)
    GET /api/v1/courses        the catalogue (Authorization: Bearer <PORTAL_API_TOKEN>)
    GET /api/v1/figures        figures per country, and the last weeks (?country=SN&weeks=12)
    GET /api/v1/schools        each school server heard from (docs/sync.md): last sync,
                               learners, records pending there, records received

Disabled (404) unless PORTAL_API_TOKEN is set.

The catalogue holds the bundled courses and the teachers' published ones, except those
published for the author's classes only (`Library.restricted`). Figures are k-anonymous: a
count from 1 to 4 is null ("fewer than 5", SMALL), and a country with fewer than 5 learners
shows none of its learners' activity (an average or a total of one person is that person).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from bot.channels import NAMES
from bot.server import Handler
from bot.storage import sync as sync_db
from bot.storage.impact import impact
from bot.storage.store import SqlStore
from bot.tokens import same_secret
from content.library import Library
from dialogs.admin_ports import ChannelFailures, CountryFigures, SexFigures
from dialogs.flows.commands import lesson_payload
from dialogs.small_cells import by_sex

PREFIX = "/api/v1"
MAX_WEEKS = 104
SMALL = 5  # the smallest group a figure describes; below it the cell is null


class PortalApi:
    """The portal's routes on the shared aiohttp server."""

    def __init__(
        self,
        token: str,
        library: Library | Callable[[], Library],
        store: SqlStore,
        public_url: str,
    ) -> None:
        self.token = token
        self._library = library if callable(library) else (lambda: library)
        self.store = store
        self.public_url = public_url

    def routes(self) -> list[tuple[str, str, Handler]]:
        """The GET routes."""
        return [
            ("GET", f"{PREFIX}/openapi.json", self.openapi),
            ("GET", f"{PREFIX}/courses", self.courses),
            ("GET", f"{PREFIX}/figures", self.figures),
            ("GET", f"{PREFIX}/schools", self.schools),
        ]

    def _authorised(self, request: web.Request) -> None:
        """Refuse a request without the right bearer token (constant-time comparison)."""
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not given or not same_secret(given, self.token):
            raise web.HTTPUnauthorized(
                text='{"error": "a valid bearer token is required"}',
                content_type="application/json",
                headers={"WWW-Authenticate": "Bearer"},
            )

    async def openapi(self, _: web.Request) -> web.Response:
        """The API's description."""
        return web.json_response(OPENAPI)

    async def courses(self, request: web.Request) -> web.Response:
        """Every course with its lessons and the links that open them in the chat."""
        self._authorised(request)
        library = self._library()  # the bundled courses and the teachers' published ones
        listed = [c for c in library.courses if c.id not in library.restricted]
        return web.json_response({"courses": [self._course(c) for c in listed]})

    def _course(self, course: Any) -> dict[str, Any]:
        """One course of the catalogue."""
        return {
            "id": course.id,
            "title": course.title,
            "subject": course.subject,
            "levels": list(course.levels),
            "language": course.language,
            "countries": list(course.countries),
            "licence": course.licence,
            "authors": list(course.authors),
            "version": course.version,
            "summary": course.summary,
            "objectives": list(course.objectives),
            "audience": course.audience,
            "lessons": [
                {
                    "id": lesson.id,
                    "title": lesson.title,
                    "link": f"{self.public_url}/l/{course.id}/{lesson.id}",
                    "start_payload": lesson_payload(course.id, lesson.id),
                }
                for lesson in course.lessons
            ],
        }

    async def figures(self, request: web.Request) -> web.Response:
        """Aggregates per country (learners, activity, lessons, quizzes, teachers) and weeks."""
        self._authorised(request)
        country = request.query.get("country", "").upper()
        try:
            weeks = min(max(int(request.query.get("weeks", "12")), 1), MAX_WEEKS)
        except ValueError as error:
            raise web.HTTPBadRequest(text='{"error": "weeks must be a number"}') from error
        scope = frozenset({country}) if country else None
        found = await self._impact(scope, weeks)
        return web.json_response(found)

    async def schools(self, request: web.Request) -> web.Response:
        """Each school server this national instance heard from, the latest first: its last
        sync, its learners (as the school counted them; 1 to 4 is null), the records still
        waiting there at its last push and those received from it in all."""
        self._authorised(request)
        listed = await sync_db.schools(self.store)
        now = datetime.now(UTC)
        return web.json_response(
            {
                "generated_at": now.isoformat(),
                "schools": [
                    {
                        "name": school.name,
                        "last_sync_at": school.last_sync_at.isoformat(),
                        "learners": cell(school.learners),
                        "pending": school.pending,
                        "received": school.received,
                    }
                    for school in listed
                ],
            }
        )

    async def _impact(self, scope: frozenset[str] | None, weeks: int) -> dict[str, Any]:
        """The figures, read in a short transaction of their own."""
        now = datetime.now(UTC)
        async with self.store.transaction() as runner:
            figures = await impact(runner, scope, weeks, now)
        return {
            "generated_at": now.isoformat(),
            "countries": [_country(row) for row in figures.countries],
            # Each channel's refused messages by code: `whatsapp_failures` (read by portals
            # since the first version), `sms_failures`... (every channel of the registry).
            **{f"{name}_failures": _codes(figures.failures, name) for name in NAMES},
            "by_sex": [_sex(row, hidden) for row, hidden in by_sex(figures.by_sex) if row.learners],
            "weeks": [
                {
                    "start": start.date().isoformat(),
                    "new_learners": cell(new),
                    "lessons_completed": cell(n),
                }
                for start, new, n in zip(
                    figures.week_starts, figures.new_learners, figures.lessons, strict=True
                )
            ],
        }


def cell(count: int) -> int | None:
    """A count as published: exact from SMALL up (and 0), null from 1 to SMALL - 1."""
    return None if 0 < count < SMALL else count


def _codes(failures: list[ChannelFailures], channel: str) -> dict[str, int | None]:
    """One channel's refused messages by error code, small counts hidden like every cell."""
    found = next((refused.codes for refused in failures if refused.channel == channel), {})
    return {str(code): cell(n) for code, n in found.items()}


def _country(row: CountryFigures) -> dict[str, Any]:
    """One country's figures; its learners' activity only when they are SMALL or more."""
    crowd = row.learners >= SMALL
    return {
        "country": row.country,
        "learners": cell(row.learners),
        "active_7_days": cell(row.active_7) if crowd else None,
        "active_30_days": cell(row.active_30) if crowd else None,
        "lessons_completed": cell(row.lessons_done) if crowd else None,
        "quiz_attempts": cell(row.quizzes) if crowd else None,
        "average_score": row.average_score if crowd else None,
        "teachers": cell(row.teachers),
        "classes": cell(row.classes),
        "courses_published": cell(row.courses),
        "courses_shared_with_all_countries": cell(row.shared),
    }


def _sex(row: SexFigures, hidden: bool) -> dict[str, Any]:
    """One group of students (a country's, or every country's: "all") of one sex; all null
    when the group is hidden (fewer than SMALL, or what subtraction would reveal)."""
    shown = not hidden
    return {
        "country": row.country or "all",
        "sex": row.sex,
        "learners": row.learners if shown else None,
        "active_7_days": cell(row.active_7) if shown else None,
        "lessons_completed": row.lessons_done if shown else None,
        "quiz_attempts": row.quizzes if shown else None,
        "average_score": row.average_score if shown else None,
    }


_SUPPRESSED = (
    f"null when the count is between 1 and {SMALL - 1} (suppressed: no group smaller than "
    f"{SMALL} is described)"
)
_COUNT = {"type": ["integer", "null"], "description": _SUPPRESSED}
_ACTIVITY = {
    "type": ["integer", "null"],
    "description": f"{_SUPPRESSED}; null too when the country has fewer than {SMALL} learners",
}
_COUNTRY_FIGURES = {
    "type": "object",
    "properties": {
        "country": {"type": "string", "description": "ISO 3166 alpha-2, or 'other'"},
        "learners": _COUNT,
        "active_7_days": _ACTIVITY,
        "active_30_days": _ACTIVITY,
        "lessons_completed": _ACTIVITY,
        "quiz_attempts": _ACTIVITY,
        "average_score": {
            "type": ["number", "null"],
            "description": f"0..1; null when the country has fewer than {SMALL} learners",
        },
        "teachers": _COUNT,
        "classes": _COUNT,
        "courses_published": _COUNT,
        "courses_shared_with_all_countries": _COUNT,
    },
}
_HIDDEN = (
    f"null when the group is hidden: fewer than {SMALL} students, or a group that could be "
    "worked out by subtracting the shown ones from a published total"
)
_SEX_FIGURES = {
    "type": "object",
    "properties": {
        "country": {"type": "string", "description": "ISO 3166 alpha-2, or 'all'"},
        "sex": {
            "type": "string",
            "enum": ["girl", "boy", "unknown"],
            "description": "unknown: the student was not asked, or preferred not to say",
        },
        "learners": {"type": ["integer", "null"], "description": _HIDDEN},
        "active_7_days": {"type": ["integer", "null"], "description": f"{_HIDDEN}; {_SUPPRESSED}"},
        "lessons_completed": {"type": ["integer", "null"], "description": _HIDDEN},
        "quiz_attempts": {"type": ["integer", "null"], "description": _HIDDEN},
        "average_score": {"type": ["number", "null"], "description": f"0..1; {_HIDDEN}"},
    },
}
_WEEK = {
    "type": "object",
    "properties": {
        "start": {"type": "string", "description": "the Monday the week starts (ISO date)"},
        "new_learners": _COUNT,
        "lessons_completed": _COUNT,
    },
}
_LESSON = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "link": {"type": "string", "description": "opens the lesson in the web chat"},
        "start_payload": {"type": "string", "description": "t.me/<bot>?start=<payload>"},
    },
}
_COURSE = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "subject": {"type": "string"},
        "levels": {"type": "array", "items": {"type": "string"}},
        "language": {"type": "string"},
        "countries": {"type": "array", "items": {"type": "string"}, "description": "[]: all"},
        "licence": {"type": "string"},
        "authors": {"type": "array", "items": {"type": "string"}},
        "version": {"type": "string"},
        "summary": {"type": "string"},
        "objectives": {"type": "array", "items": {"type": "string"}},
        "audience": {
            "type": "string",
            "enum": ["students", "teachers"],
            "description": "teachers: a course for teachers (`public: enseignants`)",
        },
        "lessons": {"type": "array", "items": _LESSON},
    },
}
_UNAUTHORISED = {"401": {"description": "missing or wrong bearer token"}}
_SCHOOL = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "last_sync_at": {"type": "string", "format": "date-time"},
        "learners": _COUNT,
        "pending": {"type": "integer", "description": "records waiting there at its last push"},
        "received": {"type": "integer", "description": "records received from it in all"},
    },
}
OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Imaginecole portal API",
        "version": "1",
        "description": "Read-only: the course catalogue (the bundled courses and the "
        "teachers' courses published for a country or for all, never those published for "
        "the author's classes only) and aggregate figures. No personal data is ever returned; "
        f"figures are k-anonymous: a count from 1 to {SMALL - 1} is null, and a country with "
        f"fewer than {SMALL} learners shows none of their activity.",
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    },
    "security": [{"bearer": []}],
    "paths": {
        f"{PREFIX}/courses": {
            "get": {
                "summary": "The course catalogue with deep links into the chat",
                "responses": {
                    "200": {
                        "description": "the catalogue",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"courses": {"type": "array", "items": _COURSE}},
                                }
                            }
                        },
                    },
                    **_UNAUTHORISED,
                },
            }
        },
        f"{PREFIX}/schools": {
            "get": {
                "summary": "Each school server: last sync, learners, records pending and received",
                "responses": {
                    "200": {
                        "description": "the school servers, the latest sync first",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "generated_at": {"type": "string"},
                                        "schools": {"type": "array", "items": _SCHOOL},
                                    },
                                }
                            }
                        },
                    },
                    **_UNAUTHORISED,
                },
            }
        },
        f"{PREFIX}/figures": {
            "get": {
                "summary": "Aggregate figures per country and per week",
                "parameters": [
                    {"name": "country", "in": "query", "schema": {"type": "string"}},
                    {
                        "name": "weeks",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_WEEKS},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "the figures",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "generated_at": {"type": "string"},
                                        "countries": {"type": "array", "items": _COUNTRY_FIGURES},
                                        "weeks": {"type": "array", "items": _WEEK},
                                        "by_sex": {"type": "array", "items": _SEX_FIGURES},
                                        **{
                                            f"{name}_failures": {
                                                "type": "object",
                                                "additionalProperties": _COUNT,
                                            }
                                            for name in NAMES
                                        },
                                    },
                                }
                            }
                        },
                    },
                    **_UNAUTHORISED,
                },
            }
        },
    },
}
