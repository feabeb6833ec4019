"""docs/architecture.md stays true: every file or folder it names in backquotes exists, and
the README points to it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"


def named_paths(text: str) -> set[str]:
    """Backquoted words that are paths of this repository (not outside it, not patterns)."""
    found = set()
    for word in re.findall(r"`([^`\s]+)`", text):
        if word.startswith(("..", "/")) or "<" in word or "*" in word:  # not commands, routes
            continue
        if "/" in word or re.search(r"\.(py|md|toml|txt)$", word):
            found.add(word.rstrip("/"))
    return found


def test_every_path_the_architecture_names_exists() -> None:
    paths = named_paths(DOC.read_text("utf-8"))
    assert len(paths) > 40, "the page names the files a newcomer opens"
    missing = sorted(p for p in paths if not (ROOT / p).exists())
    assert not missing, f"docs/architecture.md names files that are gone: {missing}"


def test_the_readme_points_to_it() -> None:
    assert "docs/architecture.md" in (ROOT / "README.md").read_text("utf-8")
