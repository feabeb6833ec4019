"""The files the web chat keeps between their upload and their frame: each learner's own,
taken once, within the step's limit, for a few minutes, in bounded memory."""

from __future__ import annotations

import pytest

from bot.attachments import TooLarge, Unavailable
from bot.inbound_files import COURSE_FILE_LIMIT, STEP_FILE_LIMIT
from bot.web import uploads
from bot.web.uploads import Uploads, clean_name, content_refused, limit_of, type_refused


def test_a_file_is_its_learner_s_and_taken_once() -> None:
    kept = Uploads()
    key = kept.put("awa", "document", "c.md", "text/markdown", b"# cours")
    with pytest.raises(Unavailable):
        kept.take("moussa", key, 100)
    assert kept.take("awa", key, 100) == (b"# cours", "c.md", "text/markdown")
    with pytest.raises(Unavailable):
        kept.take("awa", key, 100)


def test_the_step_s_limit_holds_when_the_file_is_taken() -> None:
    kept = Uploads()
    key = kept.put("awa", "document", "c.md", "text/markdown", b"x" * 10)
    with pytest.raises(TooLarge):
        kept.take("awa", key, 9)


def test_files_whose_frame_never_came_are_forgotten() -> None:
    kept = Uploads()
    now = [1000.0]
    kept._now = lambda: now[0]
    key = kept.put("awa", "photo", "p.jpg", "image/jpeg", b"\xff\xd8\xff")
    now[0] += uploads.KEEP_SECONDS + 1
    with pytest.raises(Unavailable):
        kept.take("awa", key, 100)
    assert kept.size() == 0


def test_memory_is_bounded_per_learner_and_in_all(monkeypatch: pytest.MonkeyPatch) -> None:
    kept = Uploads()
    keys = [kept.put("awa", "photo", "p.jpg", "image/jpeg", b"x") for _ in range(6)]
    with pytest.raises(Unavailable):
        kept.take("awa", keys[0], 10)  # the oldest went when the fifth came
    assert kept.take("awa", keys[-1], 10)[0] == b"x"
    monkeypatch.setattr(uploads, "KEEP_BYTES", 25)
    first = kept.put("moussa", "photo", "p.jpg", "image/jpeg", b"y" * 10)
    kept.put("fatou", "photo", "p.jpg", "image/jpeg", b"z" * 20)
    assert kept.size() <= 25
    with pytest.raises(Unavailable):
        kept.take("moussa", first, 100)


def test_kinds_types_names_and_limits() -> None:
    assert limit_of("document", "Cours.MD") == COURSE_FILE_LIMIT
    assert limit_of("document", "fiche.pdf") == STEP_FILE_LIMIT
    assert limit_of("photo", "p.txt") == STEP_FILE_LIMIT
    assert not type_refused("photo", "image/jpeg")
    assert not type_refused("voice", "audio/webm;codecs=opus")
    assert not type_refused("document", "application/pdf")
    for kind, mime in [
        ("photo", "image/svg+xml"),
        ("photo", "image/gif"),
        ("voice", "video/webm"),
        ("document", "text/html"),
        ("sticker", "image/webp"),
    ]:
        assert type_refused(kind, mime), (kind, mime)
    assert content_refused("photo", b"GIF89a") and not content_refused(
        "photo", b"\x89PNG\r\n\x1a\n"
    )
    assert not content_refused("document", b"anything")
    assert clean_name("../../etc/passwd", "document", "") == "passwd"
    assert clean_name("C:\\Users\\awa\\cours.md", "document", "") == "cours.md"
    assert clean_name("", "photo", "image/png") == "photo.png"
    assert clean_name("a" * 300 + ".gift", "document", "").endswith("a.gift")
    assert len(clean_name("a" * 300 + ".gift", "document", "")) == 80


async def test_an_announced_file_holds_its_room_until_it_is_kept_or_abandoned(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(uploads, "KEEP_BYTES", 100)
    kept = Uploads()
    coming = kept.receive("awa", "u1", "photo", "p.jpg", "image/jpeg", 60)
    assert not kept.has_room(50), "60 announced, 50 more would pass 100"
    coming.data += b"\xff\xd8\xff" + b"0" * 57
    done = await kept.keep(coming)
    assert done is not None and (done.name, done.size) == ("p.jpg", 60)
    assert kept.has_room(40) and not kept.has_room(41), "the kept file counts, not twice"
    other = kept.receive("moussa", "u2", "document", "c.md", "text/plain", 40)
    kept.abandon(other)
    assert kept.has_room(40)
    photo = kept.receive("awa", "u3", "photo", "p.jpg", "image/jpeg", 5)
    photo.data += b"GIF89"
    assert await kept.keep(photo) is None, "a photo that is no JPEG, PNG or WebP"


def test_a_file_that_stops_coming_gives_its_room_back() -> None:
    kept = Uploads()
    now = [1000.0]
    kept._now = lambda: now[0]
    stalled = kept.receive("awa", "u1", "photo", "p.jpg", "image/jpeg", uploads.KEEP_BYTES)
    assert not kept.has_room(1)
    now[0] += uploads.RECEIVE_SECONDS + 1
    assert kept.has_room(uploads.KEEP_BYTES)
    assert stalled.dropped, "its next pieces are refused"
