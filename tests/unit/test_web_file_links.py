"""The web chat's links to the files the bot sent: signed, expiring, and small frames."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.media_links import file_link, file_link_valid
from bot.web.files import document_frame
from bot.web.frames import to_frame, to_frames
from dialogs.messages import Ask, ClearScreen, Document, Option

SECRET = b"deployment secret"


def test_a_file_link_opens_until_its_time_and_only_as_made() -> None:
    link = file_link(SECRET, "tok123", "Livret 6e.pdf", 2_000_000_000)
    assert link.startswith("/files/tok123/Livret%206e.pdf?e=2000000000&k=")
    sig = link.split("k=")[1]
    assert file_link_valid(SECRET, "tok123", "2000000000", sig, now=1_999_999_999)
    assert not file_link_valid(SECRET, "tok123", "2000000000", sig, now=2_000_000_000)
    assert not file_link_valid(SECRET, "tok123", "2000000001", sig, now=0)  # a later time
    assert not file_link_valid(SECRET, "tok124", "2000000000", sig, now=0)  # another file
    assert not file_link_valid(b"other", "tok123", "2000000000", sig, now=0)
    assert not file_link_valid(SECRET, "tok123", "-1", sig, now=0)
    assert not file_link_valid(SECRET, "tok123", "2000000000", "", now=0)


def test_a_booklet_frame_carries_its_link_name_and_size_never_its_bytes() -> None:
    pdf = b"%PDF-1.7" + b"x" * 2_000_000
    expires = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)
    frame = document_frame(Document("6e.pdf", pdf, "application/pdf", "Le livret"), "/f", expires)
    assert frame == {
        "type": "document",
        "filename": "6e.pdf",
        "mime": "application/pdf",
        "size": 2_000_008,
        "url": "/f",
        "expires": int(expires.timestamp()),
        "caption": "Le livret",
    }
    assert len(str(frame)) < 300


def test_a_secret_prompt_and_a_clear_screen_as_frames() -> None:
    ask = Ask("Code PIN d'Awa (4 chiffres) :", (Option("back", "↩️ Retour"),), 7, secret=True)
    assert to_frame(ask)["secret"] is True
    assert "secret" not in to_frame(Ask("Menu", (), 8))
    assert to_frames([ClearScreen(), ClearScreen(forget=True)], "fr", False)[1:] == [
        {"type": "clear", "forget": False},
        {"type": "clear", "forget": True},
    ]


def test_a_kept_reply_keeps_its_clear_screen_and_its_secret_prompt() -> None:
    from bot.storage.replies import Letter, decode, encode
    from dialogs.events import UserRef

    user = UserRef("web", "a-web-learner-0001")
    ask = Ask("Code PIN :", (Option("back", "↩️ Retour"),), 3, secret=True)
    letter = Letter(user, [ClearScreen(forget=True), ask], "fr", False)
    assert decode(user, encode(letter)).messages == [ClearScreen(forget=True), ask]
