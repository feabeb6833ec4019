"""Paper answers: a booklet quiz done offline, sent later as one line and graded in the chat."""

from __future__ import annotations

from bot.booklet.exercises import paper_example, right_answer
from bot.booklet.labels import labels
from content.library import DEFAULT_LIBRARY, load_library
from content.model import Question, QuestionType
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


# --- the booklet's answer key, typed back -------------------------------------------------


def typed_back(question: Question, language: str) -> str:
    """An exercise's line of the booklet's key as a learner types it back: one of the
    accepted answers when the key gives several ("un quart ou quart")."""
    words = labels(language)
    key = right_answer(question, language, words)
    return key if question.choices else key.split(f" {words['or']} ")[0]


def test_the_answer_key_typed_back_earns_every_point_for_every_type() -> None:
    kinds: set[QuestionType] = set()
    for course in LIBRARY.courses:
        for lesson in course.lessons:
            if lesson.quiz is None:
                continue
            questions = answerable(lesson.quiz)
            kinds |= {q.type for q in questions}
            line = " ; ".join(typed_back(q, course.language) for q in questions)
            result = grade_paper(lesson.quiz, line)
            assert result is not None, (course.id, lesson.id, line)
            wrong = [
                (q.id, typed_back(q, course.language))
                for q, g in zip(questions, result.grades, strict=True)
                if not g.correct
            ]
            assert not wrong and result.score == lesson.quiz.max_score, (course.id, lesson.id)
    every = set(QuestionType) - {QuestionType.ESSAY, QuestionType.DESCRIPTION}
    assert kinds == every, f"no bundled exercise of type {every - kinds}"


def test_answers_of_several_words_one_per_line_or_after_semicolons() -> None:
    _course, lesson = paper_codes(LIBRARY.courses)["FRA1"]
    assert lesson.quiz is not None
    for line in ("b ; faux ; un quart ; six", "b\nfaux\nun quart\nsix\n", "5; F; quart; 6"):
        result = grade_paper(lesson.quiz, line)
        assert result is not None and result.score == lesson.quiz.max_score, line


def test_the_example_line_has_the_shape_the_grader_reads() -> None:
    for course in LIBRARY.courses:
        for lesson in course.lessons:
            if lesson.quiz is not None:
                example = paper_example(lesson.quiz, labels(course.language))
                assert grade_paper(lesson.quiz, example) is not None, example


async def test_a_learner_sends_the_key_of_a_booklet_as_written() -> None:
    learner = Learner.new()
    await onboard(learner)
    course, lesson = paper_codes(LIBRARY.courses)["FRA1"]
    assert lesson.quiz is not None
    lines = "\n".join(typed_back(q, course.language) for q in answerable(lesson.quiz))
    reply = learner.texts(await learner.send(f"FRA1\n{lines}"))
    assert "Livret" in reply and "❌" not in reply


async def test_answers_split_wrongly_are_shown_how_to_separate_them() -> None:
    learner = Learner.new()
    await onboard(learner)
    reply = learner.texts(await learner.send("FRA1 b faux un quart six"))  # 5 words, 4 answers
    assert "j'attends 4 réponses" in reply
    assert "Séparez les réponses par « ; »" in reply and "FRA1 b ; Vrai ; … ; …" in reply
    reply = learner.texts(await learner.send("FRA1 b ; faux ; un quart ; six"))
    assert "4 sur 4" in reply


def test_a_paper_answer_is_an_options_text_before_its_letter() -> None:
    """The one rule of typed choices (dialogs/options.py): the label, then the mark shown."""
    from content.model import Choice, Question, QuestionType
    from content.paper import paper_answer

    letters = Question(
        "q",
        QuestionType.SINGLE,
        "Quelle lettre suit a ?",
        choices=(Choice("a", "c", False), Choice("b", "b", True), Choice("c", "d", False)),
    )
    assert paper_answer(letters, "c") == "a"  # the option "c", not the third
    assert paper_answer(letters, "b") == "b"
