"""The web chat stays small for learners on expensive data: the page's own files (the HTML,
its stylesheet and its script, before any image) weigh under 60 KB, served as they are (no
build step, no CDN, nothing fetched from elsewhere)."""

from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).parents[2] / "bot" / "web" / "static"
BUDGET = 60 * 1024


def test_the_page_weighs_under_60_kb_before_images() -> None:
    page = [STATIC / "index.html", STATIC / "chat.css", STATIC / "chat.js"]
    weight = sum(p.stat().st_size for p in page)
    print(f"web chat page: {weight} bytes ({weight / 1024:.1f} KB) of {BUDGET // 1024} KB")
    assert weight < BUDGET, f"{weight} bytes: over the 60 KB budget"


def test_the_page_loads_nothing_from_elsewhere() -> None:
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    assert set(re.findall(r'(?:src|href)="([^"]+)"', html)) == {
        "/static/chat.css",
        "/static/chat.js",
    } | {h for h in re.findall(r'href="(data:[^"]+)"', html)}
    script = (STATIC / "chat.js").read_text(encoding="utf-8")
    assert "http://" not in script.replace("'http://'", "") and "https://" not in script
    assert "axe" not in script  # the accessibility engine is for the tests only
