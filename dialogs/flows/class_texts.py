"""Texts the class flows take from the library, and notices in their reader's language.

No flow imports here: the lesson step (learning.py) reaches these through ask_teacher.py.
"""

from __future__ import annotations

from collections.abc import Callable

from content.model import Question

from dialogs.context import Context, Translator
from dialogs.kinds import DIALOG_KINDS


def course_title(ctx: Context, course_id: str) -> str:
    """A course's title, or its id when the library no longer has it."""
    found = ctx.library.get(course_id)
    return found.title if found else course_id


def lesson_title(ctx: Context, course_id: str, lesson_id: str) -> str:
    """A lesson's title, or its id."""
    found = ctx.library.get(course_id)
    lesson = found.lesson(lesson_id) if found else None
    return lesson.title if lesson else lesson_id


def question_text(ctx: Context, course_id: str, lesson_id: str, question_id: str) -> str:
    """A quiz question's text from the library, or its id."""
    found = _question(ctx, course_id, lesson_id, question_id)
    return found.text if found else question_id


def _question(ctx: Context, course_id: str, lesson_id: str, question_id: str) -> Question | None:
    """A quiz question of the library, or None when it is gone."""
    found = ctx.library.get(course_id)
    lesson = found.lesson(lesson_id) if found else None
    questions = lesson.quiz.questions if lesson and lesson.quiz else ()
    return next((q for q in questions if q.id == question_id), None)


def answer_shown(
    ctx: Context, course_id: str, lesson_id: str, question_id: str, stored: str
) -> str:
    """A recorded answer as the learner saw it (dialogs/flows/answers.py keeps its shape).

    Option ids become the options' labels in the course's language ("b" -> "5", "a, c" ->
    "2/4 ; 5/10"), "vrai"/"faux" become "Vrai"/"Faux" in the reader's language; typed text
    and matching pairs are already readable. An id the course no longer has stays as it is.
    """
    question = _question(ctx, course_id, lesson_id, question_id)
    if question is None:
        return stored
    return DIALOG_KINDS[question.type].reread(ctx, question, stored)


def notice_texts(
    ctx: Context, locale: str | None, write: Callable[[Translator], str]
) -> dict[str, str]:
    """A notice's text in French (the fallback) and in its reader's language."""
    texts = {"fr": write(_translator(ctx, "fr"))}
    if locale and locale != "fr":
        texts[locale] = write(_translator(ctx, locale))
    return texts


def _translator(ctx: Context, lang: str) -> Translator:
    """The translator of a language (the turn's own when it is the same)."""
    return ctx.t if ctx.t.lang == lang else ctx.translator_for(lang)
