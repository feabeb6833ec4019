"""A read-only JSON API for a national education portal: the course catalogue with deep
links, and the programme's aggregate figures. Token-protected; no personal data leaves.

    GET /api/v1/openapi.json   the OpenAPI 3.1 description (no token needed)
    GET /api/v1/courses        the catalogue (Authorization: Bearer <PORTAL_API_TOKEN>)
    GET /api/v1/figures        figures per country, and the last weeks (?country=SN&weeks=12)

Disabled (404) unless PORTAL_API_TOKEN is set.
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from bot.server import Handler
from bot.storage.impact import impact
from bot.storage.sql import PgRunner, SqliteRunner
from bot.storage.store import SqlStore
from content.library import Library
from dialogs.flows.commands import lesson_payload

PREFIX = "/api/v1"
MAX_WEEKS = 104


class PortalApi:
    """The portal's routes on the shared aiohttp server."""

    def __init__(self, token: str, library: Library, store: SqlStore, public_url: str) -> None:
        self.token = token
        self.library = library
        self.store = store
        self.public_url = public_url

    def routes(self) -> list[tuple[str, str, Handler]]:
        """The three GET routes."""
        return [
            ("GET", f"{PREFIX}/openapi.json", self.openapi),
            ("GET", f"{PREFIX}/courses", self.courses),
            ("GET", f"{PREFIX}/figures", self.figures),
        ]

    def _authorised(self, request: web.Request) -> None:
        """Refuse a request without the right bearer token (constant-time comparison)."""
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not given or not hmac.compare_digest(given.encode(), self.token.encode()):
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
        return web.json_response({"courses": [self._course(c) for c in self.library.courses]})

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

    async def _impact(self, scope: frozenset[str] | None, weeks: int) -> dict[str, Any]:
        """The figures, read in a short transaction of their own."""
        now = datetime.now(UTC)
        if self.store.on_sqlite:
            async with self.store.sqlite_transaction() as db:
                figures = await impact(SqliteRunner(db), scope, weeks, now)
        else:
            async with self.store.engine.connect() as conn:
                figures = await impact(PgRunner(conn), scope, weeks, now)
        return {
            "generated_at": now.isoformat(),
            "countries": [
                {
                    "country": row.country,
                    "learners": row.learners,
                    "active_7_days": row.active_7,
                    "active_30_days": row.active_30,
                    "lessons_completed": row.lessons_done,
                    "quiz_attempts": row.quizzes,
                    "average_score": row.average_score,
                    "teachers": row.teachers,
                    "classes": row.classes,
                    "courses_published": row.courses,
                    "courses_shared_with_all_countries": row.shared,
                }
                for row in figures.countries
            ],
            "whatsapp_failures": {str(code): n for code, n in figures.failures.items()},
            "weeks": [
                {"start": start.date().isoformat(), "new_learners": new, "lessons_completed": n}
                for start, new, n in zip(
                    figures.week_starts, figures.new_learners, figures.lessons, strict=True
                )
            ],
        }


_COUNTRY_FIGURES = {
    "type": "object",
    "properties": {
        "country": {"type": "string", "description": "ISO 3166 alpha-2, or 'other'"},
        "learners": {"type": "integer"},
        "active_7_days": {"type": "integer"},
        "active_30_days": {"type": "integer"},
        "lessons_completed": {"type": "integer"},
        "quiz_attempts": {"type": "integer"},
        "average_score": {"type": ["number", "null"], "description": "0..1"},
        "teachers": {"type": "integer"},
        "classes": {"type": "integer"},
        "courses_published": {"type": "integer"},
        "courses_shared_with_all_countries": {"type": "integer"},
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
OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Imaginecole portal API",
        "version": "1",
        "description": "Read-only: the course catalogue and aggregate figures. "
        "No personal data is ever returned.",
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
                                        "weeks": {"type": "array"},
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
