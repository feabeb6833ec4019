"""What the chat builds is a course file the parser reads back exactly."""

from __future__ import annotations

from pathlib import Path

from content.format import parse_course
from content.format_write import choice_question, header, lesson, quiz, text_step
from content.model import QuestionType


def test_a_course_built_piece_by_piece_reads_back() -> None:
    text = (
        header(
            "eau-propre-4k2",
            "L'eau propre",
            "sante",
            ["CM1", "CM2"],
            "fr",
            authors=["Awa Diop"],
            country="SN",
        )
        + lesson("Pourquoi filtrer ?", "filtrer")
        + text_step(
            "L'eau du marigot contient des microbes.\n# pas un titre\n- pas une option", True
        )
        + text_step("---\n? pas une question\n> pas un retour", False)
        + quiz()
        + choice_question(
            "Que faut-il faire ?", ["La boire", "La filtrer, puis la bouillir"], {1}, "Bravo !"
        )
    )
    course = parse_course(text, Path("course.md"))
    assert (course.id, course.title, course.countries, course.authors) == (
        "eau-propre-4k2",
        "L'eau propre",
        ("SN",),
        ("Awa Diop",),
    )
    steps = course.lessons[0].steps
    assert len(steps) == 2
    assert "# pas un titre" in steps[0].text and "- pas une option" in steps[0].text
    assert "---" in steps[1].text and "? pas une question" in steps[1].text
    question = course.lessons[0].quiz.questions[0]  # type: ignore[union-attr]
    assert question.type is QuestionType.SINGLE
    assert [c.correct for c in question.choices] == [False, True]
    assert question.explanation == "Bravo !"


def test_several_right_answers_make_a_multiple_choice() -> None:
    text = header("q", "Q", "sante", ["CM1"], "fr") + lesson("L", "l") + text_step("x", True)
    text += quiz() + choice_question("Lesquels ?", ["a", "b", "c"], {0, 2})
    question = parse_course(text, Path("c.md")).lessons[0].quiz.questions[0]  # type: ignore[union-attr]
    assert question.type is QuestionType.MULTIPLE
