"""What the bot writes first to web learners: the outbox's web deliverer, and the live push.

The deliverer writes each message (its attachment, then its text) to the learner's inbox
(bot/storage/web_inbox.py) and wakes this worker's push. Every worker looks for new inbox
rows of the learners whose tabs it holds open, once a second (`EVERY`), and pushes them as
frames carrying their inbox id; the tab answers `{"type": "received", "ids": [...]}` and
the rows are delivered. A tab opening gets what waits before the current prompt (the hello).

Why polling rather than PostgreSQL's LISTEN/NOTIFY: the same code runs on SQLite and
PostgreSQL; it needs no connection held outside the pool; and a notification lost while a
worker reconnects would leave a tab waiting, where a look by id cannot miss a row. The cost
is one indexed query a second per worker. Within the worker that delivers, the push is woken
at once. A row whose transaction took longer than `LAG` to commit after taking its id may
be missed by the live push: it waits for the learner's next visit, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from aiohttp import web
from sqlalchemy import bindparam, select

from bot.attachments import Attachments, Unavailable, is_file
from bot.i18n import I18n
from bot.media_links import PARAM
from bot.outgoing import footer
from bot.sender import Deliver, Failed, Result, Sent
from bot.storage.models import broadcasts
from bot.storage.outbox import OutboxItem
from bot.storage.sql import as_json
from bot.storage.store import SqlStore
from bot.storage.web_inbox import LAG, InboxRow, WebInbox
from bot.tokens import same_secret

_ATTACHMENT = select(broadcasts.c.attachment).where(broadcasts.c.id == bindparam("id"))

log = logging.getLogger("imaginecole.web")

EVERY = 1.0  # seconds between two looks for new inbox rows
FILES = "/inbox-files/"
Frame = dict[str, Any]
# Pushes frames to a learner's open tabs (their web uid): how many tabs got them.
PushTo = Callable[[str, list[Frame]], Awaitable[int]]


def inbox_frames(item: OutboxItem, text: str, secret: bytes) -> list[Frame]:
    """A message as the web chat's frames, in order: its attachment, then its text."""
    frames: list[Frame] = []
    attachment = item.attachment
    if attachment is not None and is_file(attachment):
        kind = "image" if attachment.get("kind") == "image" else "document"
        name = str(attachment.get("filename") or ("image" if kind == "image" else "document"))
        url = f"{FILES}{item.broadcast_id}/{quote(name)}"
        signed = f"{url}?{PARAM}={file_signature(secret, item.broadcast_id)}"
        if kind == "image":
            frames.append({"type": "media", "kind": kind, "url": signed, "caption": ""})
        else:  # a card with its name and size, as the documents the bot sends (chat.js)
            mime, size = str(attachment.get("mime") or ""), attachment.get("size")
            document = {"type": "document", "filename": name, "mime": mime, "url": signed}
            frames.append({**document, "size": size if isinstance(size, int) else 0})
    frames.append({"type": "say", "text": text})
    return frames


def web_deliverer(
    inbox: WebInbox, i18n: I18n, secret: bytes, wake: Callable[[], None] | None = None
) -> Deliver:
    """The sender's delivery function for the web chat: into the learner's inbox."""

    async def deliver(item: OutboxItem) -> Result:
        # A profile of a shared computer gets its messages when it is the one in use (no
        # "👤 name :" before them, as on a shared phone where they come to whoever holds it).
        reader = item.recipient_id or item.user_id
        text = replace(item, profile_name=None).with_footer(footer(i18n, item.locale))
        try:
            frames = inbox_frames(item, text, secret)
            ids = await inbox.put(reader, frames, datetime.now(UTC), item.broadcast_id)
        except Exception as error:  # the database is down: the sender tries again later
            log.warning("web inbox write failed: %s", type(error).__name__)
            return Failed(type(error).__name__)
        if wake is not None:
            wake()
        return Sent(f"web:{ids[-1]}")

    return deliver


def file_signature(secret: bytes, broadcast_id: int) -> str:
    """The signature of an announcement's file address (who got the message may open it)."""
    key = hmac.new(secret, b"imaginecole inbox files", hashlib.sha256).digest()
    return hmac.new(key, str(broadcast_id).encode(), hashlib.sha256).hexdigest()[:32]


class LivePush:
    """Finds the inbox rows of the learners whose tabs this worker holds, and pushes them."""

    def __init__(self, inbox: WebInbox, every: float = EVERY) -> None:
        self.inbox = inbox
        self.every = every
        self.uids: dict[int, str] = {}  # user id -> web uid, of the tabs open here
        self._push: PushTo | None = None
        self._floor = -1  # rows up to here were seen LAG ago or more (-1: not read yet)
        self._tops: deque[tuple[datetime, int]] = deque()  # (when, highest id seen)
        self._pushed: set[int] = set()  # ids above the floor already pushed from here
        self._woken = asyncio.Event()

    def attach(self, push: PushTo) -> None:
        """Where frames go: the web chat's tabs."""
        self._push = push

    def wake(self) -> None:
        """A row was just written here: look now."""
        self._woken.set()

    def opened(self, user_id: int, uid: str, rows: list[InboxRow]) -> None:
        """A tab of this learner said hello and was sent `rows`: not pushed again from here."""
        self.uids[user_id] = uid
        self._pushed.update(row.id for row in rows)

    def closed(self, uid: str) -> None:
        """The learner's last tab here went."""
        for user_id in [key for key, value in self.uids.items() if value == uid]:
            del self.uids[user_id]

    async def forever(self) -> None:
        """Look every `every` seconds, or at once when woken."""
        while True:
            try:
                await self.look()
            except Exception:
                log.exception("web inbox look failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken.wait(), timeout=self.every)
            self._woken.clear()

    async def look(self, now: datetime | None = None) -> int:
        """One look: push the new rows of the open tabs' learners; how many frames went."""
        now = now or datetime.now(UTC)
        if self._floor < 0:
            self._floor = await self.inbox.last_id()
            return 0
        rows = await self.inbox.since(self._floor)
        pushed = 0
        by_uid: dict[str, list[Frame]] = {}
        for row in rows:
            uid = self.uids.get(row.user_id)
            if uid is None or row.id in self._pushed:
                continue
            self._pushed.add(row.id)
            by_uid.setdefault(uid, []).append({**row.frame, "inbox": row.id})
        for uid, frames in by_uid.items():
            if self._push is not None and await self._push(uid, frames):
                pushed += len(frames)
        if rows:
            self._advance(now, max(row.id for row in rows))
        elif not self._tops or self._tops[-1][0] <= now - LAG:  # all delivered: skip them
            self._advance(now, await self.inbox.last_id())
        return pushed

    def _advance(self, now: datetime, top: int) -> None:
        """Raise the floor to the highest id seen LAG ago (a later commit of a lower id is
        still found until then); forget what is below it."""
        if top > self._floor:
            self._tops.append((now, top))
        while self._tops and self._tops[0][0] <= now - LAG:
            self._floor = max(self._floor, self._tops.popleft()[1])
        self._pushed = {i for i in self._pushed if i > self._floor}


def files_route(
    store: SqlStore, files: Attachments, secret: bytes
) -> tuple[str, str, Callable[[web.Request], Awaitable[web.StreamResponse]]]:
    """GET /inbox-files/<broadcast>/<name>?k=: an announcement's file, for the web chat."""

    async def serve(request: web.Request) -> web.Response:
        try:
            broadcast_id = int(request.match_info["broadcast"])
        except ValueError:
            raise web.HTTPNotFound() from None
        given = request.query.get(PARAM, "")
        if not given or not same_secret(given, file_signature(secret, broadcast_id)):
            raise web.HTTPNotFound()
        rows = await store.statement(_ATTACHMENT, id=broadcast_id)
        attachment = as_json(rows[0][0]) if rows else None
        if attachment is None or not is_file(attachment):
            raise web.HTTPNotFound()
        try:
            file = await files.file_for("web", attachment)
        except Unavailable:
            raise web.HTTPNotFound() from None
        inline = file.mime.startswith("image/") and "svg" not in file.mime
        mime = file.mime if inline or file.mime == "application/pdf" else "application/octet-stream"
        disposition = "inline" if inline else "attachment"
        return web.Response(
            body=file.data,
            content_type=mime,
            headers={
                "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(file.filename)}",
                "Cache-Control": "private, max-age=86400",
                "X-Content-Type-Options": "nosniff",
            },
        )

    return "GET", FILES + "{broadcast}/{name}", serve
