"""GET /verify/<code>: a small French page saying whether a certificate is genuine."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape

from aiohttp import web

from content.library import Library
from dialogs.certificate_ports import Certificate, Certifier

PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Vérification d'un certificat — Imaginecole</title>
<style>body{{font-family:sans-serif;max-width:36em;margin:2em auto;padding:0 1em}}
.ok{{color:#14608c}}.bad{{color:#a01818}}</style></head>
<body><h1>Imaginecole</h1>{body}</body></html>
"""


def verify_page(
    certifier: Certifier, library: Callable[[], Library]
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The handler of /verify/{code}."""

    async def handler(request: web.Request) -> web.Response:
        found = certifier.verify(request.match_info["code"])
        if found is None:
            body = (
                '<p class="bad"><strong>INVALIDE</strong> : ce certificat est faux ou modifié.</p>'
            )
            return web.Response(text=PAGE.format(body=body), content_type="text/html", status=404)
        return web.Response(
            text=PAGE.format(body=_valid(found, library())), content_type="text/html"
        )

    return handler


def _valid(found: Certificate, library: Library) -> str:
    """The lines of a genuine certificate."""
    course = library.get(found.course_id)
    title = course.title if course else found.course_id
    return (
        '<p class="ok"><strong>Certificat authentique</strong></p><dl>'
        f"<dt>Titulaire</dt><dd>{escape(found.name)}</dd>"
        f"<dt>Cours</dt><dd>{escape(title)}</dd>"
        f"<dt>Date</dt><dd>{found.issued_on.isoformat()}</dd>"
        f"<dt>Score</dt><dd>{found.score} %</dd>"
        f"<dt>Numéro</dt><dd>{found.id}</dd></dl>"
    )
