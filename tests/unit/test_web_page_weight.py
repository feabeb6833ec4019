"""The web chat stays small for learners on expensive data: the page's own files (the HTML,
its stylesheet and its script, before any image) weigh under 60 KB, served as they are (no
build step, no CDN, nothing fetched from elsewhere)."""

from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).parents[2] / "bot" / "web" / "static"
BUDGET = 60 * 1024


def page_files() -> list[Path]:
    """The HTML and every file of ours it loads."""
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    own = re.findall(r'(?:src|href)="/static/([^"]+)"', html)
    return [STATIC / "index.html", *(STATIC / name for name in own)]


def test_the_page_weighs_under_60_kb_before_images() -> None:
    page = page_files()
    assert {p.name for p in page} >= {"index.html", "chat.css", "chat.js", "send.js"}
    weight = sum(p.stat().st_size for p in page)
    print(f"web chat page: {weight} bytes ({weight / 1024:.1f} KB) of {BUDGET // 1024} KB")
    assert weight < BUDGET, f"{weight} bytes: over the 60 KB budget"


def test_the_page_loads_nothing_from_elsewhere() -> None:
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    assert set(re.findall(r'(?:src|href)="([^"]+)"', html)) == {
        "/static/chat.css",
        "/static/chat.js",
        "/static/send.js",
    } | {h for h in re.findall(r'href="(data:[^"]+)"', html)}
    for name in ("chat.js", "send.js"):
        script = (STATIC / name).read_text(encoding="utf-8")
        script = script.replace("'http://'", "").replace("'http://www.w3.org/2000/svg'", "")
        assert "http://" not in script and "https://" not in script  # an SVG namespace only
        assert "axe" not in script  # the accessibility engine is for the tests only
