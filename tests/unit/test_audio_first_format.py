"""The course format's audio: `audio: d'abord` courses, recordings attached to text and
questions (`audio: file.ogg`), their sizes, and problems reported where they are written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from content.format import check_path, parse_course_file
from content.format_write import text_body
from content.library import DEFAULT_LIBRARY
from content.model import StepKind
from content.serialize import course_to_dict
from tests.driver import AUDIO_COURSE

VOICE = AUDIO_COURSE / "audio" / "histoire-awa.ogg"

COURSE = """\
id: ecoute
title: Écouter
subject: sante
levels: CP
language: fr
audio: {audio}

# Se laver les mains {{#mains}}

audio: audio/consigne.ogg
Lave-toi les mains avec du savon.

---

![Du savon.](images/savon.png)

## Quiz

? Avec quoi ?
audio: audio/consigne.ogg
* du savon
- du sable
> Le savon enlève les microbes.
"""


def write_course(folder: Path, audio: str = "d'abord", body: str = COURSE) -> Path:
    """A course folder with one recording and one image."""
    (folder / "audio").mkdir(parents=True, exist_ok=True)
    (folder / "images").mkdir(exist_ok=True)
    shutil.copy(VOICE, folder / "audio" / "consigne.ogg")
    (folder / "images" / "savon.png").write_bytes(b"\x89PNG" + b"\0" * 996)
    path = folder / "course.md"
    path.write_text(body.format(audio=audio), encoding="utf-8")
    return path


@pytest.mark.parametrize("value", ["d'abord", "D’abord", "first"])
def test_an_audio_first_course_is_read(tmp_path: Path, value: str) -> None:
    course = parse_course_file(write_course(tmp_path, value))
    assert course.audio_first
    [lesson] = course.lessons
    text, image = lesson.steps
    assert text.kind is StepKind.TEXT and text.audio is not None
    assert text.audio.path == (tmp_path / "audio" / "consigne.ogg").resolve()
    assert text.audio.size == VOICE.stat().st_size
    assert image.kind is StepKind.IMAGE and image.size == 1000
    assert lesson.quiz is not None and lesson.quiz.questions[0].audio == text.audio


def test_normal_is_the_default(tmp_path: Path) -> None:
    assert not parse_course_file(write_course(tmp_path, "normal")).audio_first
    no_key = COURSE.replace("audio: {audio}\n", "")
    assert not parse_course_file(write_course(tmp_path, body=no_key)).audio_first


def test_a_bad_audio_value_is_reported_with_its_file_line_and_column(tmp_path: Path) -> None:
    path = write_course(tmp_path, "beaucoup")
    [problem] = check_path(path)
    assert (problem.line, problem.column) == (6, 8)
    assert "audio doit valoir « d'abord »" in problem.message
    assert problem.located().startswith(f"{path}:6:8: ")


def test_a_missing_or_misplaced_recording_is_reported(tmp_path: Path) -> None:
    body = COURSE.replace("audio: audio/consigne.ogg\nLave", "audio: audio/absent.ogg\nLave")
    body = body.replace("- du sable", "- du sable\naudio: images/savon.png")
    body += "\n# Seule {{#seule}}\n\nDu texte.\n\n---\n\naudio: audio/consigne.ogg\n"
    problems = check_path(write_course(tmp_path, body=body))
    found = [(p.line, p.column, p.message) for p in problems]
    assert found[0] == (10, 8, "fichier introuvable : audio/absent.ogg")
    assert found[1][:2] == (23, 8) and "doit se terminer par" in found[1][2]
    assert found[2][:2] == (32, 1) and "accompagne un texte" in found[2][2]
    assert len(found) == 3


def test_show_json_has_the_audio_and_the_sizes(tmp_path: Path) -> None:
    data = json.loads(json.dumps(course_to_dict(parse_course_file(write_course(tmp_path)))))
    course = data["course"]
    assert course["audio_first"] is True
    text, image = course["lessons"][0]["steps"]
    assert text["audio"] == {"path": "audio/consigne.ogg", "size": VOICE.stat().st_size}
    assert image["size"] == 1000
    question = course["lessons"][0]["quiz"]["questions"][0]
    assert question["audio"]["path"] == "audio/consigne.ogg"


def test_the_audio_first_test_course_is_audio_first() -> None:
    assert check_path(AUDIO_COURSE.parent) == []
    course = parse_course_file(AUDIO_COURSE / "course.md")
    assert course.audio_first
    sounds = [s.audio for s in course.lessons[0].steps if s.audio is not None]
    assert len(sounds) == 2
    for sound in sounds:
        assert sound.path.read_bytes()[:4] == b"OggS" and 0 < sound.size < 10_000


# scripts/make-voice-notes signs its files with this vendor string in their OpusTags header.
PLACEHOLDER = b"OpusTags\x0b\x00\x00\x00imaginecole"


def test_no_bundled_course_ships_placeholder_voice_notes() -> None:
    # The test course's tones are placeholders, and are recognised as such...
    fixtures = sorted((AUDIO_COURSE / "audio").glob("*.ogg"))
    assert fixtures and all(PLACEHOLDER in path.read_bytes()[:200] for path in fixtures)
    # ...and none ships: a learner told "🔊 écouter" must hear a teacher, not tones.
    media = [p for p in DEFAULT_LIBRARY.rglob("*") if p.suffix in (".ogg", ".opus")]
    assert [p for p in media if PLACEHOLDER in p.read_bytes()[:200]] == []


def test_written_text_starting_with_audio_stays_text() -> None:
    assert text_body("Audio : écoute bien.") == "\\Audio : écoute bien."
