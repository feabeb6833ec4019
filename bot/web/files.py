"""The web chat's documents as signed, expiring links, and the route that serves them.

A booklet or a certificate used to travel base64 inside the frame (a 2 MB PDF as a 2.7 MB
frame, dropped from the page's history over 150 KB). Now the bytes are kept
(bot/storage/web_files.py) and the frame says the file's name, kind, size and link; the
page shows an image inline and a document as a card, and both still open after a reload,
until the link expires (WEB_FILE_HOURS).
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from aiohttp import web

from bot.conversations import Outcome
from bot.media_links import file_link, file_link_valid
from bot.storage.store import SqlStore
from bot.storage.web_files import WebFiles
from bot.web.frames import Frame
from dialogs.messages import Document

log = logging.getLogger("imaginecole.web")

# Shown in the page (and opened in a tab): images and PDFs. Anything else is downloaded, and
# never served as a type a browser would run (HTML, SVG, scripts).
INLINE = frozenset({"image/png", "image/jpeg", "image/webp", "image/gif", "application/pdf"})
SAFE = INLINE | {"application/json", "text/csv", "text/plain", "application/zip"}


class FileLinks:
    """Keeps the documents of an outcome and links its frames to them."""

    def __init__(self, store: SqlStore, secret: bytes, hours: float) -> None:
        self.files = WebFiles(store)
        self.secret = secret
        self.life = timedelta(hours=hours)

    async def linked(self, outcome: Outcome, frames: list[Frame]) -> list[Frame]:
        """The frames with each document's bytes replaced by its link (frames[0] is the
        locale; the others follow the messages one to one)."""
        if not any(isinstance(m, Document) for m in outcome.messages):
            return frames
        owner = outcome.profile_id if outcome.profile_id is not None else outcome.user_id
        now = datetime.now(UTC).replace(microsecond=0)
        expires = now + self.life
        linked = list(frames)
        for index, message in enumerate(outcome.messages, start=1):
            if isinstance(message, Document):
                token = await self.files.put(
                    owner, message.filename, message.mime, message.data, now, expires
                )
                link = file_link(self.secret, token, message.filename, int(expires.timestamp()))
                linked[index] = document_frame(message, link, expires)
        return linked

    async def serve(self, request: web.Request) -> web.Response:
        """One file, when its link is genuine and alive; 404 otherwise (as for no file)."""
        token = request.match_info["token"]
        expires, given = request.query.get("e", ""), request.query.get("k", "")
        if not file_link_valid(self.secret, token, expires, given, time.time()):
            raise web.HTTPNotFound()
        found = await self.files.get(token, datetime.now(UTC))
        if found is None:
            raise web.HTTPNotFound()
        mime = found.mime if found.mime in SAFE else "application/octet-stream"
        how = "inline" if mime in INLINE else "attachment"
        name = quote(found.filename, safe="")
        headers = {
            "Content-Disposition": f"{how}; filename*=UTF-8''{name}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": f"private, max-age={max(0, int(expires) - int(time.time()))}",
            "Referrer-Policy": "no-referrer",
        }
        if how == "attachment":  # opened by mistake in a tab, it still runs nothing
            headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return web.Response(body=found.data, content_type=mime, headers=headers)


def document_frame(document: Document, link: str, expires: datetime) -> Frame:
    """A document as the page shows it: its name, kind, size and link (never its bytes)."""
    return {
        "type": "document",
        "filename": document.filename,
        "mime": document.mime,
        "size": len(document.data),
        "url": link,
        "expires": int(expires.timestamp()),
        "caption": document.caption,
    }
