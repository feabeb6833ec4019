"""Editing a course text: steps of a lesson replaced, moved up, deleted; the quiz kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from content.format import parse_course
from content.format_edit import (
    add_questions,
    delete_step,
    lesson_count,
    lesson_titles,
    move_up,
    replace_step,
    steps,
)
from content.format_write import text_body

COURSE = """id: eau
title: L'eau
subject: sciences
levels: CM2
language: fr

# Module : Boire {#boire}

# L'eau propre {#propre}

On boit de l'eau propre.
Elle vient du forage.

---

\\# Pas un titre.

---

- filtrer
- bouillir

## Quiz

? L'eau du marigot se boit-elle ?
= faux

# Garder l'eau

Un canari fermé garde l'eau propre.
"""


def texts(source: str, lesson: int) -> list[str]:
    """The parsed text of each step of a lesson."""
    return [s.text for s in parse_course(source, Path("eau/course.md")).lessons[lesson].steps]


def test_lessons_and_their_steps_as_written() -> None:
    assert lesson_count(COURSE) == 2
    assert lesson_titles(COURSE) == ["L'eau propre", "Garder l'eau"]
    assert steps(COURSE, 0) == [
        "On boit de l'eau propre.\nElle vient du forage.",
        "\\# Pas un titre.",
        "- filtrer\n- bouillir",
    ]
    assert steps(COURSE, 1) == ["Un canari fermé garde l'eau propre."]


def test_replace_move_delete_keep_the_quiz_and_the_other_lessons() -> None:
    replaced = replace_step(COURSE, 0, 1, "Le forage est loin.")
    assert texts(replaced, 0)[1] == "Le forage est loin."
    moved = move_up(COURSE, 0, 2)
    assert texts(moved, 0) == [
        "On boit de l'eau propre. Elle vient du forage.",
        "- filtrer\n- bouillir",
        "# Pas un titre.",
    ]
    deleted = delete_step(COURSE, 0, 0)
    assert texts(deleted, 0) == ["# Pas un titre.", "- filtrer\n- bouillir"]
    for edited in (replaced, moved, deleted):
        course = parse_course(edited, Path("eau/course.md"))
        assert course.lessons[0].quiz is not None and len(course.lessons[0].quiz.questions) == 1
        assert texts(edited, 1) == ["Un canari fermé garde l'eau propre."]
        assert course.modules[0].id == "boire"


def test_first_step_does_not_move_and_missing_steps_raise() -> None:
    assert texts(move_up(COURSE, 0, 0), 0) == texts(COURSE, 0)
    with pytest.raises(IndexError):
        delete_step(COURSE, 0, 3)
    with pytest.raises(IndexError):
        steps(COURSE, 2)


def test_media_lines_are_steps_of_their_own(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "p1.jpg").write_bytes(b"jpg")
    source = replace_step(COURSE, 1, 0, "Un canari.\n![Un canari](images/p1.jpg)")
    assert steps(source, 1) == ["Un canari.", "![Un canari](images/p1.jpg)"]
    moved = move_up(source, 1, 1)
    lesson = parse_course(moved, tmp_path / "course.md").lessons[1]
    assert [s.kind.value for s in lesson.steps] == ["image", "text"]


def test_questions_join_the_last_lessons_quiz() -> None:
    added = add_questions(COURSE, "\n? Le canari est-il fermé ?\n= vrai\n")
    quiz = parse_course(added, Path("eau/course.md")).lessons[1].quiz
    assert quiz is not None and [q.text for q in quiz.questions] == ["Le canari est-il fermé ?"]
    again = add_questions(added, "\n? Et l'eau ?\n= propre\n")
    quiz = parse_course(again, Path("eau/course.md")).lessons[1].quiz
    assert quiz is not None and len(quiz.questions) == 2


READ_ALOUD = """id: lire
title: Lire
subject: francais
levels: CP
language: fr

# Le marché {#marche}

audio: audio/histoire.ogg
Awa va au marché.

---

Elle achète des mangues.
audio: audio/mangues.ogg

---

Fin de l'histoire.
"""


def with_recordings(folder: Path, source: str) -> list[tuple[str, str | None]]:
    """Each step's text and recording's file name, parsed in a folder holding the files."""
    (folder / "audio").mkdir(exist_ok=True)
    for name in ("histoire.ogg", "mangues.ogg"):
        (folder / "audio" / name).write_bytes(b"OggS")
    lesson = parse_course(source, folder / "course.md").lessons[0]
    return [(s.text, s.audio.path.name if s.audio else None) for s in lesson.steps]


def test_a_new_text_keeps_the_steps_recording_where_it_was(tmp_path: Path) -> None:
    first = replace_step(READ_ALOUD, 0, 0, text_body("Awa va au marché de Ségou."))
    assert steps(first, 0)[0] == "audio: audio/histoire.ogg\nAwa va au marché de Ségou."
    second = replace_step(first, 0, 1, text_body("Elle achète 3 mangues.\n\nEt des tomates."))
    assert steps(second, 0)[1].endswith("Et des tomates.\naudio: audio/mangues.ogg")
    assert with_recordings(tmp_path, second) == [
        ("Awa va au marché de Ségou.", "histoire.ogg"),
        ("Elle achète 3 mangues.\n\nEt des tomates.", "mangues.ogg"),
        ("Fin de l'histoire.", None),
    ]


def test_a_text_starting_with_audio_is_not_a_second_recording(tmp_path: Path) -> None:
    edited = replace_step(READ_ALOUD, 0, 0, text_body("Audio : écoute bien."))
    assert with_recordings(tmp_path, edited)[0] == ("Audio : écoute bien.", "histoire.ogg")


def test_a_new_recording_or_a_media_step_replaces_the_old_one(tmp_path: Path) -> None:
    own = replace_step(READ_ALOUD, 0, 0, "audio: audio/mangues.ogg\nAwa écoute.")
    assert with_recordings(tmp_path, own)[0] == ("Awa écoute.", "mangues.ogg")
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "awa.png").write_bytes(b"png")
    image = replace_step(READ_ALOUD, 0, 0, "![Awa](images/awa.png)")
    assert steps(image, 0)[0] == "![Awa](images/awa.png)"
    assert "histoire.ogg" not in image
    assert len(with_recordings(tmp_path, image)) == 3


def test_the_steps_preview_names_the_text_not_its_recording() -> None:
    from dialogs.flows.authoring_edit import preview

    assert [preview(step) for step in steps(READ_ALOUD, 0)] == [
        "🔊 Awa va au marché.",
        "🔊 Elle achète des mangues.",
        "Fin de l'histoire.",
    ]


def test_a_module_heading_with_more_spaces_is_not_a_lesson() -> None:
    # `^#[ \t]+(?!module…)` backtracked to one space, where "module" no longer followed.
    spaced = COURSE.replace("# Module : Boire", "#  \t Module : Boire")
    course = parse_course(spaced, Path("eau/course.md"))
    assert course.modules[0].id == "boire"
    assert lesson_count(spaced) == len(course.lessons) == 2
    assert lesson_titles(spaced) == [lesson.title for lesson in course.lessons]
    assert steps(spaced, 1) == ["Un canari fermé garde l'eau propre."]
