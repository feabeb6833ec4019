"""Files sent from the web chat: announced by a frame, sent in binary frames on the same
WebSocket, then named by a `file` frame.

Why on the socket and not by an HTTP upload: behind the proxy (deploy/Caddyfile) requests
are spread over the workers in turn, so a POST would reach another process than the tab's
socket, and the proxy caps HTTP bodies at 1 MB; a socket stays with its worker. Why in
pieces: a frame stays under 64 KiB (`bot/limits.py` WEB_FRAME), so no socket can make the
server read megabytes in one message. The tab announces the file first
(`{"type": "upload", "upload": id, "kind", "name", "mime", "size"}`, a frame counted against
the socket's and the address's frame limits like any other), and the server refuses it
before a byte travels when its kind or type is not taken, the learner's step takes no file,
or its size passes the limit (`bot/inbound_files.py`: 512 KB for a course file, 5 MB
otherwise). Then come binary frames of at most `CHUNK` bytes, taken only up to the
announced size; once whole, the file is checked (a photo must be an image) and kept in the
database (bot/storage/web_files.py), for its learner only, `UPLOAD_DAYS` days: the tab's
socket may reconnect to another worker before its frame goes, and a photo posted to a
circle or a document attached to an announcement is fetched from there for every platform
(bot/attachments.py). The answer names it, and the page's `{"type": "file", "file": <id>,
...}` frame then becomes the same `MediaReceived` as a Telegram or WhatsApp file, fetched
through `bot/inbound_files.py` with the same limits (the step read again), or kept as the
circle's or announcement's attachment. A voice note recorded as WebM is kept as Ogg Opus
(`bot/web/remux.py`). Without a database (pages served alone) files wait in memory.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath

from bot.attachments import TooLarge, Unavailable
from bot.inbound_files import COURSE_FILE_LIMIT, COURSE_FILE_SUFFIXES, STEP_FILE_LIMIT
from bot.storage.web_files import WebFiles
from bot.web.remux import NotOpusWebm, is_webm, webm_to_ogg

KINDS = frozenset({"photo", "voice", "audio", "document"})
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
CHUNK = 32 * 1024  # the largest binary frame of a file (frames stay under WEB_FRAME)
KEEP_SECONDS = 600.0  # an upload not named by a frame within this is forgotten
RECEIVE_SECONDS = 300.0  # a file still coming after this is dropped (5 MB at 17 KB/s)
KEEP_BYTES = 64 * 1024 * 1024  # files coming and waiting, every learner together
KEEP_PER_LEARNER = 4
UPLOAD_DAYS = 30  # a file sent from the page, kept for its circle post or announcement
DAY_BYTES = 50 * 1024 * 1024  # what one learner may send in a day (kept in the database)
# What a file may not be, whatever its kind: a page or a script opened from a course.
_REFUSED_TYPES = ("text/html", "application/xhtml", "image/svg", "text/javascript")


@dataclass(frozen=True)
class Upload:
    """One file waiting for its frame."""

    uid: str
    kind: str
    filename: str
    mime: str
    data: bytes
    at: float


@dataclass(eq=False)  # each is itself: found by identity among those coming
class Receiving:
    """A file announced by a tab, its pieces coming."""

    uid: str
    upload: str  # the page's id of it
    kind: str
    name: str
    mime: str
    size: int  # announced: no more is taken
    limit: int
    at: float = 0.0
    data: bytearray = field(default_factory=bytearray)
    dropped: bool = False  # abandoned: its pieces are no longer taken


@dataclass(frozen=True)
class Kept:
    """A whole file, kept: the id its frame names it by, and what it became."""

    key: str
    name: str
    mime: str
    size: int


def limit_of(kind: str, filename: str) -> int:
    """The largest file of this kind and name: course files are smaller (bot/inbound_files.py)."""
    if kind == "document" and PurePosixPath(filename.lower()).suffix in COURSE_FILE_SUFFIXES:
        return COURSE_FILE_LIMIT
    return STEP_FILE_LIMIT


def type_refused(kind: str, mime: str) -> bool:
    """Whether a declared type does not fit its kind (checked before the body is read)."""
    mime = mime.split(";")[0].strip().lower()
    if kind not in KINDS or mime.startswith(_REFUSED_TYPES):
        return True
    if kind == "photo":
        return mime not in PHOTO_TYPES
    if kind in ("voice", "audio"):
        return not mime.startswith("audio/")
    return False


def content_refused(kind: str, data: bytes) -> bool:
    """Whether a photo's bytes are not the image they claim (JPEG, PNG or WebP)."""
    if kind != "photo":
        return False
    is_jpeg = data.startswith(b"\xff\xd8\xff")
    is_png = data.startswith(b"\x89PNG\r\n\x1a\n")
    is_webp = data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    return not (is_jpeg or is_png or is_webp)


def clean_name(raw: str, kind: str, mime: str) -> str:
    """A file name without folders or control characters, at most 80 characters."""
    name = PurePosixPath(raw.replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*').strip(" .")
    if not name:
        suffix = {"image/png": ".png", "image/webp": ".webp"}.get(mime, "")
        name = {"photo": "photo" + (suffix or ".jpg"), "voice": "note.ogg"}.get(kind, "fichier")
    stem, suffix = PurePosixPath(name).stem, PurePosixPath(name).suffix
    return stem[: 80 - len(suffix[:16])] + suffix[:16]


class Uploads:
    """The files waiting for their frame, bounded in number, bytes and time."""

    def __init__(self, files: WebFiles | None = None) -> None:
        self.files = files  # the database's (None: in this process's memory)
        self._files: OrderedDict[str, Upload] = OrderedDict()
        self._now = time.monotonic  # tests move it
        self._coming: list[Receiving] = []  # files announced and still coming

    def has_room(self, size: int) -> bool:
        """Whether a file of `size` bytes may be announced now (memory is bounded)."""
        self._expire()
        coming = sum(receiving.size for receiving in self._coming)
        return self.size() + coming + size <= KEEP_BYTES

    def receive(
        self, uid: str, upload: str, kind: str, name: str, mime: str, size: int
    ) -> Receiving:
        """A file announced: its room is held until it is kept or abandoned."""
        receiving = Receiving(
            uid, upload, kind, name, mime, size, limit_of(kind, name), self._now()
        )
        self._coming.append(receiving)
        return receiving

    def abandon(self, receiving: Receiving) -> None:
        """A file that will not come whole (its tab closed, or it broke its announce)."""
        if receiving in self._coming:
            self._coming.remove(receiving)
        receiving.data = bytearray()
        receiving.dropped = True

    async def keep(self, receiving: Receiving) -> Kept | None:
        """The whole file kept (a WebM voice note as Ogg Opus), or None when it is not what
        it claimed (a photo that is no image, a voice note that is no Opus)."""
        data, name, mime = bytes(receiving.data), receiving.name, receiving.mime
        self.abandon(receiving)
        if content_refused(receiving.kind, data):
            return None
        if receiving.kind == "voice" and is_webm(data):  # older Chromium records nothing else
            try:
                data = await asyncio.to_thread(webm_to_ogg, data)
            except NotOpusWebm:
                return None
            name, mime = f"{PurePosixPath(name).stem}.ogg", "audio/ogg"
        owner = None if self.files is None else await self.files.sender(receiving.uid)
        if self.files is not None and owner is not None:
            now = datetime.now(UTC).replace(microsecond=0)
            life = now + timedelta(days=UPLOAD_DAYS)
            key = await self.files.put(owner, name, mime, data, now, life, share=False)
        else:
            key = self.put(receiving.uid, receiving.kind, name, mime, data)
        return Kept(key, name, mime, len(data))

    def put(self, uid: str, kind: str, filename: str, mime: str, data: bytes) -> str:
        """Keep a file for `uid`; its id (the oldest files go first when space is short)."""
        self._expire()
        mine = [key for key, upload in self._files.items() if upload.uid == uid]
        for key in mine[: max(0, len(mine) - KEEP_PER_LEARNER + 1)]:
            del self._files[key]
        while self._files and self.size() + len(data) > KEEP_BYTES:
            self._files.popitem(last=False)
        key = secrets.token_urlsafe(12)
        self._files[key] = Upload(uid, kind, filename, mime, data, self._now())
        return key

    def take(self, uid: str, key: str, limit: int) -> tuple[bytes, str, str]:
        """The file (bytes, name, type), once: `Unavailable` when it is not this learner's or
        no longer here, `TooLarge` past `limit` (the step's own limit)."""
        self._expire()
        upload = self._files.get(key)
        if upload is None or upload.uid != uid:
            raise Unavailable("no such upload")
        del self._files[key]
        if len(upload.data) > limit:
            raise TooLarge(len(upload.data), limit)
        return upload.data, upload.filename, upload.mime

    async def fetch(self, uid: str, key: str, limit: int) -> tuple[bytes, str, str]:
        """The file (bytes, name, type) from this process's memory or the database, whichever
        worker kept it: `Unavailable` when it is not this learner's, `TooLarge` past `limit`."""
        if key in self._files or self.files is None:
            return self.take(uid, key, limit)
        now = datetime.now(UTC)
        found = await self.files.sent(uid, key, now)
        if found is None:
            raise Unavailable("no such upload")
        if len(found.data) > limit:
            raise TooLarge(len(found.data), limit)
        await self.files.used(key, now + timedelta(seconds=KEEP_SECONDS))  # in the course now
        return found.data, found.filename, found.mime

    async def room_for(self, uid: str, size: int) -> bool:
        """Whether this learner may send `size` more bytes today, and this process hold them
        while they come."""
        if not self.has_room(size):
            return False
        owner = None if self.files is None else await self.files.sender(uid)
        if self.files is None or owner is None:
            return True
        since = datetime.now(UTC) - timedelta(days=1)
        return await self.files.bytes_since(owner, since) + size <= DAY_BYTES

    async def kept_size(self, uid: str, key: str) -> int | None:
        """The size of the file a frame's id names, None when it is no file this learner
        sent (kept by any worker)."""
        if key in self._files:
            return len(self._files[key].data) if self._files[key].uid == uid else None
        found = None if self.files is None else await self.files.sent(uid, key, datetime.now(UTC))
        return None if found is None else len(found.data)

    def size(self) -> int:
        """The bytes waiting."""
        return sum(len(upload.data) for upload in self._files.values())

    def _expire(self) -> None:
        """Forget files whose frame never came, and drop files that stopped coming (a tab
        that announced a file and sends nothing holds no room for long)."""
        for receiving in [r for r in self._coming if r.at < self._now() - RECEIVE_SECONDS]:
            self.abandon(receiving)
        oldest = self._now() - KEEP_SECONDS
        while self._files and next(iter(self._files.values())).at < oldest:
            self._files.popitem(last=False)
