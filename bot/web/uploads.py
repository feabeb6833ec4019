"""Files sent from the web chat: an HTTP upload first, then a WebSocket frame that names it.

Why not the file inside a frame: a frame stays small (`bot/limits.py` WEB_FRAME, 64 KiB) so
that one socket cannot make the server hold megabytes per message, and a photo or a voice
note is up to 5 MB. The upload is a plain POST that the server can refuse before reading a
byte (the page's socket unknown, the learner's step taking no file, a kind or a type it
does not take, a size announced over the limit), and reads only as far as its limit.

The POST names the learner's uid and the token the tab gave in its hello (headers, never
the address: an uid opens a conversation, it must not reach access logs); it counts against
the frame limits of that socket and of its address, like a frame. The file waits here, in
memory, bound to the uid, for a few minutes; the frame `{"type": "file", "file": <id>, ...}`
then becomes the same `MediaReceived` as a Telegram or WhatsApp file, and the conversation
fetches it through `bot/inbound_files.py` with the same limits (the step is read again: a
file comes in only where the step takes it).
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import PurePosixPath

from bot.attachments import TooLarge, Unavailable
from bot.inbound_files import COURSE_FILE_LIMIT, COURSE_FILE_SUFFIXES, STEP_FILE_LIMIT

KINDS = frozenset({"photo", "voice", "audio", "document"})
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
KEEP_SECONDS = 600.0  # an upload not named by a frame within this is forgotten
KEEP_BYTES = 64 * 1024 * 1024  # all uploads waiting, every learner together
KEEP_PER_LEARNER = 4
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

    def __init__(self) -> None:
        self._files: OrderedDict[str, Upload] = OrderedDict()
        self._now = time.monotonic  # tests move it

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

    def size(self) -> int:
        """The bytes waiting."""
        return sum(len(upload.data) for upload in self._files.values())

    def _expire(self) -> None:
        """Forget files whose frame never came."""
        oldest = self._now() - KEEP_SECONDS
        while self._files and next(iter(self._files.values())).at < oldest:
            self._files.popitem(last=False)
