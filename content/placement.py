"""Teaching at the right level: a course's placement quiz, and remediation after two failures.

A course may open with a placement quiz (`# Test de placement`, content/README.md): a few
questions, each testing a skill some lesson teaches. Their answers update the learner's
mastery (content/mastery.py); a lesson whose skills are all mastered may then be skipped
("placed out": neither done nor scored). A learner who fails a skill twice is offered the
author's `remédiation:` for it: the question's own, else that of a lesson teaching the skill.
Pure: no IO.
"""

from __future__ import annotations

from collections.abc import Mapping

from content.errors import N_, Message
from content.mastery import DEFAULT_PARAMS, MASTERED, SkillParams, update
from content.model import Course, Lesson, Question
from content.normalize import fold

# Titles of the level-1 heading that opens the placement quiz (folded: case and accents).
PLACEMENT_TITLES = frozenset(
    fold(title) for title in ("Test de placement", "Placement", "Test de niveau", "Placement test")
)
FAILURES = 2  # wrong graded answers on a skill, within a course, before remediation


def is_placement_heading(title: str) -> bool:
    """Whether a `# ...` heading opens the placement quiz (an `{#id}` after it is ignored)."""
    return fold(title.split("{#", 1)[0]) in PLACEMENT_TITLES


def lesson_skills(lesson: Lesson) -> tuple[str, ...]:
    """Every skill a lesson teaches or tests: its own, then its questions' own."""
    found = list(lesson.skills)
    for question in lesson.quiz.questions if lesson.quiz else ():
        found += [code for code in question.skills if code not in found]
    return tuple(found)


def mastered_lessons(
    course: Course, known: Mapping[str, float], skip: frozenset[str] = frozenset()
) -> tuple[Lesson, ...]:
    """The lessons whose skills (at least one) the learner all masters, in course order,
    but those in `skip` (done already). `known`: the chance each skill is known."""
    return tuple(
        lesson
        for lesson in course.lessons
        if lesson.id not in skip
        and (skills := lesson_skills(lesson))
        and all(known.get(code, 0.0) >= MASTERED for code in skills)
    )


def answers_to_master(params: SkillParams = DEFAULT_PARAMS, limit: int = 10) -> int:
    """How many right answers in a row take a skill from `p_init` to mastery."""
    p = params.p_init
    for count in range(1, limit + 1):
        p = update(p, True, params)
        if p >= MASTERED:
            return count
    return limit


def remediation_for(course: Course, lesson: Lesson | None, question: Question, skill: str) -> str:
    """The author's remediation for a skill failed twice: the question's, the lesson's (if
    it teaches the skill), another lesson's teaching it; "" when the author wrote none."""
    if question.remediation:
        return question.remediation
    lessons = ([lesson] if lesson is not None else []) + list(course.lessons)
    for candidate in lessons:
        if candidate.remediation and skill in lesson_skills(candidate):
            return candidate.remediation
    return ""


def placement_problems(course: Course) -> list[tuple[int, Message]]:
    """What is wrong with a course's placement quiz, with lines: questions without a skill,
    skills no lesson teaches, questions a machine cannot grade."""
    if course.placement is None:
        return []
    taught = {code for lesson in course.lessons for code in lesson_skills(lesson)}
    problems: list[tuple[int, Message]] = []
    for question in course.placement.questions:
        if not question.scored:
            text = N_("une question du test de placement doit être corrigée par la machine")
            problems.append((question.line, Message(text)))
        elif not question.skills:
            text = N_(
                "une question du test de placement teste une compétence : ajoutez-lui "
                "'skill: CODE' (celui d'une leçon)"
            )
            problems.append((question.line, Message(text)))
        for code in question.skills:
            if code not in taught:
                text = N_(
                    "aucune leçon n'enseigne la compétence '%(code)s' : le test de placement "
                    "ne ferait sauter aucune leçon"
                )
                problems.append((question.line, Message(text, {"code": code})))
    return problems


def thin_skills(course: Course) -> list[tuple[int, str, int, int]]:
    """Skills the placement quiz asks too few questions of to ever reach mastery with the
    default parameters: (line, code, questions, needed), for `content check`'s warnings."""
    if course.placement is None:
        return []
    needed = answers_to_master()
    counts: dict[str, tuple[int, int]] = {}
    for question in course.placement.questions:
        for code in question.skills:
            line, count = counts.get(code, (question.line, 0))
            counts[code] = (line, count + 1)
    return [(line, code, count, needed) for code, (line, count) in counts.items() if count < needed]
