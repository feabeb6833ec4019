"""Which files people send are fetched before their turn, and how."""

from __future__ import annotations

from bot.attachments import TooLarge, Unavailable
from bot.inbound_files import (
    COURSE_FILE_LIMIT,
    STEP_FILE_LIMIT,
    limit_for,
    with_content,
)
from bot.whatsapp.inbound import parse_body
from dialogs.events import MediaReceived, UserRef

AWA = UserRef("telegram", "1")


def media(kind: str, filename: str = "", size: int = 0) -> MediaReceived:
    return MediaReceived(AWA, "m1", kind, "file-1", filename, size=size)


def test_files_are_fetched_only_for_a_step_that_takes_them() -> None:
    # A student's "notes.txt" in a lesson is not fetched: only the import steps take it.
    assert limit_for(media("document", "notes.txt"), False) == 0
    assert limit_for(media("document", "cours.md"), False) == 0
    assert limit_for(media("document", "cours.md"), True) == COURSE_FILE_LIMIT
    assert limit_for(media("document", "Quiz.GIFT"), True) == COURSE_FILE_LIMIT
    assert limit_for(media("document", "fiche.pdf"), False) == 0
    assert limit_for(media("document", "fiche.pdf"), True) == STEP_FILE_LIMIT
    assert limit_for(media("photo"), False) == 0
    assert limit_for(media("photo"), True) == STEP_FILE_LIMIT
    assert limit_for(media("voice"), True) == STEP_FILE_LIMIT
    assert limit_for(media("sticker"), True) == 0
    assert limit_for(MediaReceived(AWA, "m1", "photo"), True) == 0  # nothing to fetch


async def test_fetched_bytes_ride_on_the_event_unless_too_large_or_unavailable() -> None:
    async def fetch(file_id: str, limit: int) -> tuple[bytes, str, str]:
        return b"x" * 10, "photos/file_3.jpg", "image/jpeg"

    async def refused(file_id: str, limit: int) -> tuple[bytes, str, str]:
        raise Unavailable("gone")

    async def cut(file_id: str, limit: int) -> tuple[bytes, str, str]:
        raise TooLarge(limit + 1, limit)  # the download stopped past the limit

    got = await with_content(media("photo"), fetch, 100)
    assert got.content == b"x" * 10 and got.filename == "file_3.jpg" and got.size == 10
    assert (await with_content(media("photo"), fetch, 5)).content is None
    assert (await with_content(media("photo", size=500), fetch, 100)).content is None
    assert (await with_content(media("photo"), refused, 100)).content is None
    too_large = await with_content(media("photo"), cut, 100)
    assert too_large.content is None and too_large.size > 100  # the step says "too heavy"


def test_a_whatsapp_voice_note_carries_its_media_id() -> None:
    body = {
        "entry": [
            {
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "metadata": {"phone_number_id": "42"},
                            "messages": [
                                {
                                    "id": "wamid.1",
                                    "from": "221770000000",
                                    "timestamp": "1700000000",
                                    "type": "audio",
                                    "audio": {
                                        "id": "media-9",
                                        "mime_type": "audio/ogg",
                                        "voice": True,
                                    },
                                }
                            ],
                        },
                    }
                ]
            }
        ]
    }
    (item,) = parse_body(body)
    event = item.event  # type: ignore[union-attr]
    assert isinstance(event, MediaReceived)
    assert (event.kind, event.file_id, event.mime) == ("voice", "media-9", "audio/ogg")
