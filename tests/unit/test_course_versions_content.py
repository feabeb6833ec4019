"""The course format's `public:` header (a course for teachers) and what changed between
two versions of a course, as the teacher is told before publishing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.__main__ import main
from content.changes import course_changes
from content.format import check_path, parse_course
from content.library import DEFAULT_LIBRARY, Library, load_library

HEAD = "id: essai\ntitle: Essai\nsubject: sciences\nlevels: CM2\nlanguage: fr\n"
BODY = """
# Une leçon {#une}

Premier texte.

## Quiz

? Deux et deux ?
- 3
* 4

# Deux leçons {#deux}

Second texte.
"""


def course(head: str = HEAD, body: str = BODY):  # type: ignore[no-untyped-def]
    return parse_course(head + body, Path("essai/course.md"))


@pytest.mark.parametrize(
    ("line", "audience"),
    [("", "students"), ("public: enseignants\n", "teachers"), ("public: Élèves\n", "students")],
)
def test_the_public_header_says_who_the_course_is_for(line: str, audience: str) -> None:
    assert course(HEAD + line).audience == audience


def test_an_unknown_public_is_a_problem_at_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "essai"
    folder.mkdir()
    (folder / "course.md").write_text(HEAD + "public: parents\n" + BODY, encoding="utf-8")
    problems = check_path(folder)
    assert [(p.line, p.message) for p in problems] == [
        (6, "public doit valoir « élèves » (par défaut) ou « enseignants »")
    ]


def test_the_bundled_course_on_teaching_is_for_teachers_and_shown_so_in_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    library = load_library()
    assert library.get("enseigner-telephone").for_teachers  # type: ignore[union-attr]
    assert main(["content", "show", str(DEFAULT_LIBRARY / "enseigner-telephone"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["course"]["audience"] == "teachers"
    ids = {c.id for c in library.for_learner(None, None)}
    assert "enseigner-telephone" not in ids and "fractions" in ids
    assert "enseigner-telephone" in {c.id for c in library.for_learner(None, None, teacher=True)}


def test_a_library_of_teachers_courses_offers_pupils_nothing() -> None:
    library = Library([course(HEAD + "public: enseignants\n")])
    assert library.for_learner("CM2", "fr") == []
    assert [c.id for c in library.for_learner("CM2", "fr", teacher=True)] == ["essai"]


def test_changes_count_lessons_and_questions_not_positions() -> None:
    old = course()
    assert course_changes(old, course()).none
    moved = course(HEAD + "summary: Un résumé.\n")  # every line below moves down: no change
    assert course_changes(old, moved).details and not course_changes(old, moved).lessons_modified
    edited = BODY.replace("Premier texte.", "Premier texte revu.").replace(
        "* 4\n", "* 4\n\n? Trois et trois ?\n* 6\n- 5\n"
    )
    changes = course_changes(old, course(HEAD.replace("Essai", "Essai 2"), edited))
    assert (changes.lessons_modified, changes.questions_added, changes.title) == (1, 1, True)
    removed = course(body=BODY.split("# Deux leçons")[0])
    changes = course_changes(old, removed)
    assert (changes.lessons_removed, changes.lessons_modified, changes.questions_removed) == (
        1,
        0,
        0,
    )
