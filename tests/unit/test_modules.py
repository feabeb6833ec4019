"""Modules: parts of a course that group its lessons, in the file, the chat and the booklet."""

from __future__ import annotations

from pathlib import Path

import pytest

from content.format import CourseFormatError, parse_course
from content.model import Course
from content.serialize import course_to_dict
from dialogs.messages import Ask
from tests.driver import Learner
from tests.flow_states import place_of
from tests.unit.test_dialogs_journey import answer_right, onboard

HEADER = """\
id: essai
title: Essai
subject: sante
levels: CM2
language: fr
"""  # 5 lines


def course(body: str) -> Course:
    return parse_course(HEADER + body, Path("essai.md"))


def error_of(body: str) -> CourseFormatError:
    with pytest.raises(CourseFormatError) as caught:
        course(body)
    return caught.value


TWO_MODULES = """
# Module : Comprendre {#comprendre}

# Une leçon {#une}
Du texte.

# Deux {#deux}
Du texte.

# Module: Agir

# Trois {#trois}
Du texte.
"""


def test_lessons_belong_to_the_module_above_them() -> None:
    found = course(TWO_MODULES)
    assert [(m.id, m.title, m.lesson_ids) for m in found.modules] == [
        ("comprendre", "Comprendre", ("une", "deux")),
        ("agir", "Agir", ("trois",)),
    ]
    assert [lesson.id for lesson in found.lessons] == ["une", "deux", "trois"]
    assert found.module_of("trois") == found.modules[1]
    assert [le.id for le in found.lessons_of(found.modules[0])] == ["une", "deux"]
    assert found.modules[0].line == 7


def test_a_course_without_modules_keeps_a_flat_list() -> None:
    found = course("\n# Une leçon\nDu texte.\n")
    assert found.modules == () and found.module_of("une-lecon") is None


def test_a_lesson_written_before_the_first_module_is_reported() -> None:
    error = error_of("\n# Une leçon\nDu texte.\n# Module : Agir\n# Deux\nTexte.\n")
    assert (error.line, error.column) == (9, 1)


def test_an_empty_module_is_reported_on_its_heading() -> None:
    error = error_of("\n# Module : Vide\n# Module : Plein\n# Une leçon\nDu texte.\n")
    assert (error.line, error.column) == (7, 1)


def test_a_module_id_used_twice_is_reported() -> None:
    error = error_of("\n# Module : A {#a}\n# Un\nx\n# Module : B {#a}\n# Deux\ny\n")
    assert error.line == 10


def test_a_module_without_title_is_reported() -> None:
    error = error_of("\n# Module :\n# Un\nx\n")
    assert error.line == 7


def test_the_json_view_lists_the_modules() -> None:
    shown = course_to_dict(course(TWO_MODULES))["course"]
    assert [(m["id"], m["title"], m["lesson_ids"]) for m in shown["modules"]] == [
        ("comprendre", "Comprendre", ["une", "deux"]),
        ("agir", "Agir", ["trois"]),
    ]


async def open_course(learner: Learner, course_id: str) -> None:
    await onboard(learner)
    await learner.tap("Les cours")
    while learner.state.step != "course":
        prompt = learner.last_prompt()
        wanted = [o.id for o in prompt.options if o.id in ("sante", course_id)]
        await learner.tap(wanted[0] if wanted else prompt.options[0].id)
    assert place_of(learner)["course"] == course_id


async def test_the_course_page_lists_modules_with_their_progress() -> None:
    learner = Learner.new()
    await open_course(learner, "paludisme")
    assert "Choisissez une partie" in learner.last_text()
    labels = [o.label for o in learner.last_prompt().options][:3]
    assert labels == [
        "🧩 Connaître la maladie (0/1)",
        "🧩 Se protéger (0/2)",
        "🧩 Réagir vite (0/1)",
    ]


async def test_a_module_page_lists_its_lessons_numbered_in_the_course() -> None:
    learner = Learner.new()
    await open_course(learner, "paludisme")
    await learner.tap("se-proteger")
    assert learner.state.step == "module"
    assert "🧩 Se protéger" in learner.last_text()
    labels = [o.label for o in learner.last_prompt().options]
    assert labels[:2] == ["2. La moustiquaire", "3. L'eau qui stagne"]
    await learner.tap("📘 Toutes les parties du cours")
    assert learner.state.step == "course"


async def test_a_lesson_opens_with_its_module_and_progress_is_ticked() -> None:
    learner = Learner.new()
    await open_course(learner, "paludisme")
    await learner.tap("se-proteger")
    await learner.tap("moustiquaire")
    assert learner.last_text().startswith("🧩 Se protéger\nLa moustiquaire (1/")
    while learner.state.step == "lesson":
        await learner.tap("next")
    while learner.state.step == "quiz":
        await learner.send(answer_right(learner))
    await learner.tap("course")
    assert learner.state.step == "module" and place_of(learner)["module"] == "se-proteger"
    labels = [o.label for o in learner.last_prompt().options]
    assert labels[0] == "2. La moustiquaire ✓"
    await learner.tap("📘 Toutes les parties du cours")
    assert "🧩 Se protéger (1/2)" in [o.label for o in learner.last_prompt().options]


async def test_a_typed_module_number_opens_it() -> None:
    learner = Learner.new()
    await open_course(learner, "paludisme")
    await learner.send("3")
    assert learner.state.step == "module" and place_of(learner)["module"] == "reagir"
    prompt = learner.last_prompt()
    assert (
        isinstance(prompt, Ask)
        and prompt.options[0].label == "4. La fièvre : vite au centre de santé"
    )
