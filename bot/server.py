"""The aiohttp application: web chat, course media, health checks and webhooks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.certificates.page import verify_page
from bot.limits import DEFAULT_BODY, refuse_oversized
from bot.media_links import PARAM, valid
from bot.storage.db import ping
from bot.web.chat import WebChat
from content.library import Library
from dialogs.certificate_ports import Certifier
from dialogs.flows.commands import lesson_payload

STATIC = Path(__file__).resolve().parent / "web" / "static"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def build_server(
    engine: AsyncEngine,
    library: Library | Callable[[], Library],
    chat: WebChat | None = None,
    extra_routes: list[tuple[str, str, Handler]] | None = None,
    certifier: Certifier | None = None,
    media_secret: bytes = b"",
    status: Callable[[], dict[str, object]] | None = None,
) -> web.Application:
    """The HTTP application every channel shares; `status` adds the channels' and loops'
    states to `/readyz` (bot/supervise.py)."""
    # Bodies are bounded per route (bot/limits.py); a handler that reads with request.read()
    # gets the small default.
    app = web.Application(client_max_size=DEFAULT_BODY, middlewares=[refuse_oversized])
    current = library if callable(library) else (lambda: library)

    async def index(_: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "index.html")

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(_: web.Request) -> web.Response:
        """503 only when the database is away: every channel needs it. A channel or loop
        that is down is shown in the body (for operators' alerts), with a 200: the process
        still serves the others, and a load balancer should keep sending them."""
        ready = await ping(engine)
        body: dict[str, object] = {"database": ready, **(status() if status else {})}
        return web.json_response(body, status=200 if ready else 503)

    async def media(request: web.Request) -> web.FileResponse:
        return web.FileResponse(_media_path(current(), request, media_secret))

    async def lesson_link(request: web.Request) -> web.StreamResponse:
        """A booklet's short link: open the chat on that lesson (/start l_<course>__<lesson>)."""
        course = current().get(request.match_info["course"])
        lesson = course.lesson(request.match_info["lesson"]) if course else None
        if course is None or lesson is None:
            raise web.HTTPNotFound(text="Leçon introuvable.")
        raise web.HTTPFound(f"/?start={lesson_payload(course.id, lesson.id)}")

    app.router.add_get("/", index)
    app.router.add_static("/static/", STATIC)
    app.router.add_get("/media/{course}/{path:.+}", media)

    async def class_link(request: web.Request) -> web.StreamResponse:
        """A class's join page (its QR code): open the chat on the join flow."""
        code = "".join(ch for ch in request.match_info["code"] if ch.isalnum())[:16]
        raise web.HTTPFound(f"/?start=c_{code}")

    app.router.add_get("/l/{course}/{lesson}", lesson_link)
    app.router.add_get("/c/{code}", class_link)
    if certifier is not None:
        app.router.add_get("/verify/{code}", verify_page(certifier, current))
    if chat is not None:  # else: its routes come with the channels' (bot/channel.py)
        for method, path, handler in chat.routes():
            app.router.add_route(method, path, handler)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    for method, path, handler in extra_routes or []:
        app.router.add_route(method, path, handler)
    return app


def _media_path(library: Library, request: web.Request, secret: bytes) -> Path:
    """The file of a course's media, refusing anything outside the course's folder, and a
    course for a teacher's classes without the signature the chat gave its students (the
    same 404 as a missing file: bot/media_links.py)."""
    course = library.get(request.match_info["course"])
    if course is None or course.source is None:
        raise web.HTTPNotFound()
    if course.id in library.restricted and not valid(
        secret, course.id, request.match_info["path"], request.query.get(PARAM, "")
    ):
        raise web.HTTPNotFound()
    root = course.source.parent.resolve()
    path = (root / request.match_info["path"]).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise web.HTTPNotFound()
    return path
