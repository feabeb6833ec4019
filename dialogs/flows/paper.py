"""Paper answers: a learner who did a booklet quiz offline sends "PAL2 ACV 38" later."""

from __future__ import annotations

from content.grading import Grade
from content.model import Course, Lesson
from content.paper import CODE, answerable, example_answers, grade_paper, paper_code

from dialogs.context import Context, Turn
from dialogs.events import Incoming, TextReceived
from dialogs.flows.answers import record_answer
from dialogs.flows.learning import for_teachers_ok, reachable
from dialogs.flows.quiz import band_message
from dialogs.messages import Say
from dialogs.ports import CompleteLesson, Effect, RecordQuiz


async def paper_answers(ctx: Context, event: Incoming) -> Turn | None:
    """Grade a line of paper answers from any step; None when the text is not one."""
    if not isinstance(event, TextReceived) or not ctx.profile.complete:
        return None
    match = CODE.match(event.text)
    if match is None:
        return None
    found = await _paper_lesson(ctx, match[1].upper())
    if found is None:
        return None
    course, lesson = found
    assert lesson.quiz is not None
    result = grade_paper(lesson.quiz, match[2])
    if result is None:
        expected = len(answerable(lesson.quiz))
        text = ctx.ngettext(
            "Pour le code %(code)s, j'attends %(n)s réponse, dans l'ordre du livret.",
            "Pour le code %(code)s, j'attends %(n)s réponses, dans l'ordre du livret.",
            expected,
            code=match[1].upper(),
        )
        example = f"{match[1].upper()} {example_answers(lesson.quiz, ctx._('Vrai'))}"
        how = ctx._(
            "Séparez les réponses par « ; », ou écrivez une réponse par ligne. "
            "Par exemple : %(example)s",
            example=example,
        )
        return Turn([Say(f"{text}\n{how}")], reprompt=True)
    turn = _graded(ctx, course, lesson, result.grades, result.score)
    # Every exercise answered, first try (paper has no retry), before the quiz's RecordQuiz.
    exercises = zip(answerable(lesson.quiz), result.answers, result.grades, strict=True)
    answers = [
        record_answer(course.id, lesson.id, q, a, g, skills=lesson.skills_of(q))
        for q, a, g in exercises
    ]
    turn.effects = [*answers, *turn.effects]
    return turn


async def _paper_lesson(ctx: Context, code: str) -> tuple[Course, Lesson] | None:
    """The lesson a booklet code names, among the courses this person may open. Teachers'
    courses may share a prefix with another course (paper_codes refuses that for the bundled
    library): a class's own course first (its teacher printed the booklet), then the others,
    and never one this person may not open (a class's course of another class, a course
    for teachers when they are a pupil)."""
    restricted = ctx.library.restricted
    for course in sorted(ctx.library.courses, key=lambda c: c.id not in restricted):
        for lesson in course.lessons:
            if lesson.quiz is None or paper_code(course, lesson) != code:
                continue
            if course.for_teachers and not await for_teachers_ok(ctx):
                continue  # a booklet for teachers grades no pupil's answers
            if await reachable(ctx, course.id) is not None:
                return course, lesson
    return None


def _graded(
    ctx: Context, course: Course, lesson: Lesson, grades: tuple[Grade, ...], score: float
) -> Turn:
    """The score, each exercise marked right or wrong, and the progress recorded."""
    assert lesson.quiz is not None
    total = lesson.quiz.max_score
    lines = [
        ctx._(
            "📄 Livret « %(title)s » : %(score)s sur %(total)s.",
            title=lesson.title,
            score=ctx.t.number(score, 2),
            total=ctx.t.number(total),
        )
    ]
    for number, grade in enumerate(grades, 1):
        mark = "✅" if grade.correct else "❌"
        right = "" if grade.correct or not grade.expected else f" ({grade.expected})"
        lines.append(f"{number}. {mark}{right}")
    lines.append(band_message(ctx, score / total if total else 0.0, lesson.quiz.pass_mark))
    effects: list[Effect] = [
        CompleteLesson(course.id, lesson.id),
        RecordQuiz(course.id, lesson.id, score, total),
    ]
    return Turn([Say("\n".join(lines))], reprompt=True, effects=effects)
