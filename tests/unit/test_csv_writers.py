"""Every CSV the project writes goes through dialogs/spreadsheet.py, which defuses formulas:
a new CSV written any other way fails here instead of reaching a teacher's spreadsheet."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_only_the_spreadsheet_module_writes_csv() -> None:
    writers = [
        path.relative_to(ROOT).as_posix()
        for folder in ("bot", "dialogs", "content")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if "csv.writer" in path.read_text("utf-8") or "csv.DictWriter" in path.read_text("utf-8")
    ]
    assert writers == ["dialogs/spreadsheet.py"], writers
