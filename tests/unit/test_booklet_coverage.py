"""Characters the booklet's fonts lack are found, with their place, for `content check`."""

from __future__ import annotations

from pathlib import Path

from bot.booklet.coverage import missing_glyphs, missing_in_file
from content.library import DEFAULT_LIBRARY


def test_an_arrow_and_an_emoji_are_found_where_they_are() -> None:
    found = missing_glyphs("Titre\n2 → deux 😀\n")
    assert [(g.line, g.column, g.char) for g in found] == [(2, 3, "→"), (2, 10, "😀")]
    assert found[0].code == "U+2192 RIGHTWARDS ARROW"


def test_french_and_arabic_text_prints() -> None:
    text = "Élève, cœur, « 1 500 F » · 3 × 4 ÷ 2 – œuf\nالأعداد حتى ١٠٠٠ ، ؟\n• liste"
    assert missing_glyphs(text) == []


def test_comments_are_not_printed_so_not_checked() -> None:
    assert missing_glyphs("<!-- → -->\n<!--\n✓\n-->\nok") == []


def test_every_bundled_course_prints_whole() -> None:
    for path in sorted(DEFAULT_LIBRARY.glob("*/course.md")):
        assert missing_in_file(path) == [], path


def test_an_unreadable_file_has_nothing_to_warn(tmp_path: Path) -> None:
    bad = tmp_path / "course.md"
    bad.write_bytes(b"\xff\xfe\x00")
    assert missing_in_file(bad) == []
