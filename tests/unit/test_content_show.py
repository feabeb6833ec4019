"""`python -m bot content show PATH --json`: the course as the bot understood it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.__main__ import main
from content.library import DEFAULT_LIBRARY


def test_show_prints_the_normalised_course_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["content", "show", str(DEFAULT_LIBRARY / "paludisme"), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["schema"] == 1
    course = shown["course"]
    assert course["id"] == "paludisme" and course["language"] == "fr"
    media = [s["media"] for le in course["lessons"] for s in le["steps"] if s["media"]]
    assert media and all(not m.startswith("/") for m in media), "paths relative to the course"
    types = {q["type"] for le in course["lessons"] if le["quiz"] for q in le["quiz"]["questions"]}
    assert types == {"single", "multiple", "true_false", "short", "numeric"}


def test_show_reports_a_broken_file_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "course.md"
    broken.write_text("id: x\ntitle: X\nsubject: nulle-part\n", encoding="utf-8")
    assert main(["content", "show", str(broken), "--json"]) == 1
    assert "course.md:" in capsys.readouterr().err


def test_check_passes_on_the_library_and_fails_on_a_broken_course(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["content", "check", str(DEFAULT_LIBRARY)]) == 0
    broken = tmp_path / "course.md"
    broken.write_text("id: x\ntitle: X\nsubject: nulle-part\n", encoding="utf-8")
    assert main(["content", "check", str(broken)]) == 1
    assert "course.md:3:" in capsys.readouterr().out


def test_check_and_show_read_quiz_files_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    aiken = tmp_path / "capitales.txt"
    aiken.write_text("Capitale du Mali ?\nA. Dakar\nB. Bamako\nANSWER: B\n", encoding="utf-8")
    assert main(["content", "check", str(aiken)]) == 0
    assert main(["content", "show", str(aiken), "--json"]) == 0
    out = capsys.readouterr().out
    shown = json.loads(out[out.index("{") :])
    assert shown["questions"][0]["type"] == "single"
    broken = tmp_path / "cassé.gift"
    broken.write_text("::x:: Question {=a ~b\n", encoding="utf-8")
    assert main(["content", "check", str(broken)]) == 1
    assert "cassé.gift:1:" in capsys.readouterr().out
