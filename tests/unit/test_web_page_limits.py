"""The web page's own copies of the server's limits (send.js refuses early, to spare the
learner's data) say the same as the server's."""

from __future__ import annotations

import re
from pathlib import Path

from bot.inbound_files import COURSE_FILE_LIMIT, COURSE_FILE_SUFFIXES, STEP_FILE_LIMIT
from dialogs.engine import MAX_TEXT

SEND_JS = (Path(__file__).resolve().parents[2] / "bot" / "web" / "static" / "send.js").read_text()


def test_the_page_knows_the_server_s_limits() -> None:
    assert f"const MAX_TEXT = {MAX_TEXT};" in SEND_JS
    sizes = re.search(
        r"const FILE_LIMIT = (\d+) \* 1024 \* 1024, COURSE_LIMIT = (\d+) \* 1024;", SEND_JS
    )
    assert sizes is not None
    assert int(sizes[1]) * 1024 * 1024 == STEP_FILE_LIMIT
    assert int(sizes[2]) * 1024 == COURSE_FILE_LIMIT
    course = re.search(r"const COURSE = /\\\.\(([a-z|]+)\)\$/i;", SEND_JS)
    assert course is not None
    assert {f".{suffix}" for suffix in course[1].split("|")} == COURSE_FILE_SUFFIXES
