"""Paper answers: a booklet quiz done offline, sent later as one line and graded in the chat."""

from __future__ import annotations

from content.library import DEFAULT_LIBRARY, load_library
from content.model import QuestionType
from content.paper import answerable, grade_paper, paper_code, paper_codes
from tests.driver import Learner
from tests.unit.test_dialogs_journey import onboard

LIBRARY = load_library(DEFAULT_LIBRARY)


def right_line(code: str) -> str:
    """The right answers to a quiz, written the way the booklet asks."""
    _course, lesson = paper_codes(LIBRARY.courses)[code]
    assert lesson.quiz is not None
    tokens = []
    for question in answerable(lesson.quiz):
        if question.type is QuestionType.TRUE_FALSE:
            tokens.append("V" if question.truth else "F")
        elif question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE) or question.choices:
            tokens.append("".join(c.id.upper() for c in question.choices if c.correct))
        elif question.type is QuestionType.NUMERIC:
            tokens.append(str(question.numeric[0].value).replace(".", ","))
        elif question.type is QuestionType.MATCHING:
            rights = sorted({p.right for p in question.pairs}, key=str.casefold)
            tokens.append(
                "".join(chr(97 + rights.index(p.right)) for p in question.pairs if p.left)
            )
        else:
            tokens.append(question.accepted[0] if question.accepted else question.answers[0].text)
    return f"{code} " + " ".join(tokens)


def test_every_quiz_has_a_short_unique_code() -> None:
    codes = paper_codes(LIBRARY.courses)
    course = LIBRARY.get("paludisme")
    assert course is not None
    assert paper_code(course, course.lessons[1]) == "PAL2"
    assert "PAL2" in codes and all(len(code) <= 5 for code in codes)


def test_right_answers_on_paper_earn_every_point() -> None:
    _course, lesson = paper_codes(LIBRARY.courses)["PAL1"]
    assert lesson.quiz is not None
    line = right_line("PAL1").split(" ", 1)[1]
    result = grade_paper(lesson.quiz, line)
    assert result is not None and result.score == lesson.quiz.max_score


def test_a_wrong_count_of_answers_is_refused() -> None:
    _course, lesson = paper_codes(LIBRARY.courses)["PAL1"]
    assert lesson.quiz is not None
    assert grade_paper(lesson.quiz, "A") is None


async def test_a_learner_sends_paper_answers_from_anywhere() -> None:
    learner = Learner.new()
    await onboard(learner)
    await learner.tap("Les cours")
    step = learner.state.step
    reply = await learner.send(right_line("PAL1").lower())
    text = learner.texts(reply)
    assert "Livret" in text and "✅" in text and "❌" not in text
    assert learner.state.step == step, "the learner stays where they were"
    scores = await learner.records.quiz_scores()
    assert [(s.course_id, s.lesson_id) for s in scores] == [("paludisme", "maladie")]
    assert ("paludisme", "maladie") in learner.records.done


async def test_wrong_paper_answers_show_the_right_ones() -> None:
    learner = Learner.new()
    await onboard(learner)
    count = len(right_line("PAL1").split()) - 1
    reply = await learner.send("PAL1 " + " ".join(["Z"] * count))
    text = learner.texts(reply)
    assert "❌" in text and "✅" not in text


async def test_an_unknown_code_is_just_text() -> None:
    learner = Learner.new()
    await onboard(learner)
    reply = await learner.send("XYZ9 ABC")
    assert "Je n'ai pas compris" in learner.texts(reply)
