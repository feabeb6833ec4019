"""An announcement's file, whatever platform the admin sent it from, for every learner.

The file is fetched once per process from its source platform (Telegram's getFile, the Graph
API's media URL, the database for a file sent from the web chat: bot/storage/web_files.py)
and kept for the last few announcements. Each target platform then gets its
own reference, made once and remembered in `media_uploads`: a Telegram file id (the admin's
own when the file came by Telegram, else the one Telegram returns for the first upload) or a
WhatsApp media id (always uploaded: ids of incoming media are not for sending). A file over a
platform's limits goes nowhere on that platform: the text goes alone, with a log line.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, TelegramError

from bot.channels import REGISTRY, capabilities
from bot.storage.channels import ChannelStore
from bot.storage.locks import KeyedLocks
from bot.storage.web_files import WebFiles
from bot.whatsapp.client import GraphClient, GraphError, MediaTooLarge

log = logging.getLogger("imaginecole.attachments")

# A channel's download of a file: its id there and a limit -> bytes, name, MIME type.
Fetcher = Callable[[str, int], Awaitable[tuple[bytes, str, str]]]
KINDS = frozenset({"image", "document"})
KEEP = 4  # files kept in memory: the last few announcements
KEEP_REFS = 256  # platform ids kept in front of the table


@dataclass(frozen=True)
class FileData:
    """A file's bytes, name, MIME type and SHA-256 (the key of `media_uploads`)."""

    data: bytes
    filename: str
    mime: str
    digest: str


class Unavailable(Exception):
    """The file cannot go to this platform (too large, refused, gone): send the text alone."""


class TooLarge(Unavailable):
    """The file is larger than the caller takes: not downloaded, or cut at the limit."""

    def __init__(self, size: int, limit: int) -> None:
        """`size`: as announced, or what had come when the download was cut."""
        super().__init__(f"file of {size} bytes or more, over the limit of {limit}")
        self.size = size


class FetchFailed(Exception):
    """The platform holding the file did not answer now: try the message later."""


def fits(target: str, kind: str, size: int) -> bool:
    """Whether a file of this kind and size may be sent on the target platform."""
    caps = capabilities(target)
    limit = {"image": caps.image_bytes, "document": caps.document_bytes}.get(kind, 0)
    return 0 < size <= limit


def is_file(attachment: Mapping[str, Any] | None) -> bool:
    """Whether a broadcast's attachment names a file we know how to send."""
    if not attachment:
        return False
    return attachment.get("kind") in KINDS and bool(attachment.get("file_id"))


class Attachments:
    """Fetches announcement files once and keeps each platform's reference to them."""

    def __init__(
        self,
        channels: ChannelStore | None = None,
        *,
        fetchers: Mapping[str, Fetcher] | None = None,
        keep: int = KEEP,
    ) -> None:
        self.channels = channels
        # Each channel's download of a file a person sent there (bot/channel.py's `fetch`).
        self.fetchers: dict[str, Fetcher] = dict(fetchers or {})
        self.keep = keep
        self._files: OrderedDict[tuple[str, str], FileData | str] = OrderedDict()  # str: why not
        self._fetching = KeyedLocks()
        self._refs: dict[tuple[str, str], str | Unavailable] = {}
        self._uploading = KeyedLocks()

    async def file_for(self, target: str, attachment: Mapping[str, Any]) -> FileData:
        """The file, if it fits the target's limits (else `Unavailable`)."""
        file = await self.fetch(attachment)
        kind = str(attachment.get("kind"))
        if not fits(target, kind, len(file.data)):
            log.info("attachment too large for %s kind=%s bytes=%d", target, kind, len(file.data))
            raise Unavailable(f"too large for {target}")
        return file

    async def fetch(self, attachment: Mapping[str, Any]) -> FileData:
        """The file from its source platform, downloaded once (concurrent callers wait)."""
        key = (str(attachment.get("channel")), str(attachment.get("file_id")))
        async with self._fetching.hold(key):
            found = self._files.get(key)
            if found is None:
                found = await self._fetch_new(key[0], key[1], attachment)
            self._keep(key, found)
        if isinstance(found, str):
            raise Unavailable(found)
        return found

    async def reference(
        self, target: str, file: FileData, upload: Callable[[], Awaitable[str]]
    ) -> str:
        """The target's id of the file: remembered, else made by `upload`, once at a time."""
        key = (target, file.digest)
        async with self._uploading.hold(key):
            known = self._refs.get(key) or await self._stored(target, file.digest)
            if known is None:
                known = await self._upload(target, file.digest, upload)
            self._remember(key, known)
        if isinstance(known, Unavailable):
            raise Unavailable(str(known))
        return known

    async def forget(self, target: str, file: FileData, stale: str) -> None:
        """Drop an id the platform no longer knows, unless another send replaced it already."""
        key = (target, file.digest)
        async with self._uploading.hold(key):
            if self._refs.get(key) in (stale, None):
                self._refs.pop(key, None)
            if self.channels is not None and await self._stored(*key) == stale:
                await self.channels.forget_media(target, file.digest)

    async def _upload(
        self, target: str, digest: str, upload: Callable[[], Awaitable[str]]
    ) -> str | Unavailable:
        """Upload and remember the id; a refusal of the file itself is kept, not retried."""
        try:
            made = await upload()
        except Unavailable as refused:
            log.warning("attachment refused by %s: %s", target, refused)
            return refused
        if made and self.channels is not None:
            await self.channels.remember_media(target, digest, made, datetime.now(UTC))
        return made

    async def _stored(self, target: str, digest: str) -> str | None:
        """An id remembered in the table by this or another process."""
        if self.channels is None:
            return None
        return await self.channels.media_id(target, digest)

    def _remember(self, key: tuple[str, str], ref: str | Unavailable) -> None:
        """Keep an id (or a refusal) in front of the table, a bounded number of them."""
        if not ref:
            return
        self._refs.pop(key, None)
        self._refs[key] = ref
        while len(self._refs) > KEEP_REFS:
            self._refs.pop(next(iter(self._refs)))

    def _keep(self, key: tuple[str, str], found: FileData | str) -> None:
        """Keep a fetched file (or why it is unavailable) among the last few."""
        self._files[key] = found
        self._files.move_to_end(key)
        while len(self._files) > self.keep:
            self._files.popitem(last=False)

    async def _fetch_new(
        self, source: str, file_id: str, attachment: Mapping[str, Any]
    ) -> FileData | str:
        """Download from the source platform; a lasting refusal becomes its reason."""
        try:
            data, name, mime = await self._download(source, file_id)
        except Unavailable as error:
            log.warning("attachment unavailable at %s: %s", source, error)
            return str(error) or "unavailable"
        kind = str(attachment.get("kind"))
        filename = str(attachment.get("filename") or "") or _name(kind, name, mime)
        mime = str(attachment.get("mime") or "") or mime or _mime(kind, filename)
        log.info("attachment fetched from %s bytes=%d", source, len(data))
        return FileData(data, filename, mime, hashlib.sha256(data).hexdigest())

    async def _download(self, source: str, file_id: str) -> tuple[bytes, str, str]:
        """Bytes, file name (may be empty) and MIME type (may be empty) at the source."""
        largest = max(  # no channel takes more: never download more
            max(caps.image_bytes, caps.document_bytes) for caps in REGISTRY.values()
        )
        fetch = self.fetchers.get(source)
        if fetch is None:
            raise Unavailable(f"no {source} client in this process")
        return await fetch(file_id, largest)


async def from_telegram(bot: Bot, file_id: str, limit: int | None = None) -> tuple[bytes, str, str]:
    """getFile, then the file itself (Telegram lets bots download up to 20 MB).

    With a `limit`, a file getFile says is larger is not downloaded (`TooLarge`).
    """
    try:
        file = await bot.get_file(file_id)
        if limit is not None and file.file_size is not None and file.file_size > limit:
            raise TooLarge(file.file_size, limit)
        data = bytes(await file.download_as_bytearray())
    except BadRequest as error:
        raise Unavailable(error.message) from error
    except TelegramError as error:
        raise FetchFailed(f"telegram {type(error).__name__}") from error
    if limit is not None and len(data) > limit:
        raise TooLarge(len(data), limit)
    return data, PurePosixPath(file.file_path or "").name, ""


async def from_whatsapp(
    graph: GraphClient, media_id: str, limit: int | None = None
) -> tuple[bytes, str, str]:
    """The media URL, then the file itself, streamed and cut past `limit` (`TooLarge`)."""
    try:
        data, mime = await graph.download(media_id, limit)
    except MediaTooLarge as error:
        raise TooLarge(error.size, error.limit) from error
    except GraphError as error:
        if error.retryable:
            raise FetchFailed(f"whatsapp {error.code}") from error
        raise Unavailable(f"{error.code} {error.title}".strip()) from error
    return data, "", mime


async def from_web(files: WebFiles, token: str) -> tuple[bytes, str, str]:
    """A file sent from the web chat, kept in the database by whichever worker took it in."""
    found = await files.get(token, datetime.now(UTC))
    if found is None:
        raise Unavailable("web file expired or erased")
    return found.data, found.filename, found.mime


def _name(kind: str, found: str, mime: str) -> str:
    """A file name when the admin's message gave none."""
    if found:
        return found
    extension = mimetypes.guess_extension(mime or "") or (".jpg" if kind == "image" else "")
    return f"{'image' if kind == 'image' else 'document'}{extension}"


def _mime(kind: str, filename: str) -> str:
    """A MIME type when neither the admin's message nor the platform gave one."""
    guessed = mimetypes.guess_type(filename)[0]
    return guessed or ("image/jpeg" if kind == "image" else "application/octet-stream")
