"""Files people send, fetched before their turn when the dialog takes them.

A turn runs inside one database transaction (on SQLite the write lock of the whole file), so
a dialog step never downloads: the file is fetched first, under the person's lock, and the
event carries its bytes. Files are fetched only when the person's step takes them (a
teacher writing or importing a lesson), which one read of their step tells: a student's
60 MB "notes.txt" in a lesson is answered by the step ("I cannot use this here") and never
downloaded. Course files (our format, GIFT, Aiken) up to 512 KB, photos, voice notes,
sounds and documents up to 5 MB; the limit holds while the file streams in (the platform's
announced size first, then the bytes as they come: the download stops past the limit).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import PurePosixPath

from bot.attachments import FetchFailed, TooLarge, Unavailable
from dialogs.events import MediaReceived

log = logging.getLogger("imaginecole.files")

KB, MB = 1024, 1024 * 1024
COURSE_FILE_SUFFIXES = frozenset({".md", ".course", ".gift", ".txt", ".aiken"})
COURSE_FILE_LIMIT = 512 * KB
STEP_FILE_LIMIT = 5 * MB
STEP_FILE_KINDS = frozenset({"photo", "voice", "audio", "document"})

# (file id, largest size taken) -> (bytes, file name or "", MIME type or ""); raises TooLarge
Fetch = Callable[[str, int], Awaitable[tuple[bytes, str, str]]]


def is_course_file(event: MediaReceived) -> bool:
    """A document named like a course, GIFT or Aiken file."""
    suffix = PurePosixPath(event.filename.lower()).suffix
    return event.kind == "document" and suffix in COURSE_FILE_SUFFIXES


def limit_for(event: MediaReceived, step_takes_files: bool) -> int:
    """The largest file to fetch for this event (0: do not fetch)."""
    if not event.file_id or event.content is not None or not step_takes_files:
        return 0
    if is_course_file(event):
        return COURSE_FILE_LIMIT
    if event.kind in STEP_FILE_KINDS:
        return STEP_FILE_LIMIT
    return 0


async def with_content(event: MediaReceived, fetch: Fetch, limit: int) -> MediaReceived:
    """The event with its file's bytes, or unchanged when the file is too large or unreachable."""
    if event.size > limit:
        return event
    try:
        data, name, mime = await fetch(event.file_id, limit)
    except TooLarge as error:
        log.info("incoming file not fetched: larger than %d bytes", limit)
        return replace(event, size=max(error.size, limit + 1))
    except (Unavailable, FetchFailed) as error:
        log.warning("incoming file not fetched: %s", error)
        return event
    if len(data) > limit:
        return replace(event, size=len(data))
    return replace(
        event,
        content=data,
        size=len(data),
        filename=event.filename or PurePosixPath(name).name,
        mime=event.mime or mime,
    )
