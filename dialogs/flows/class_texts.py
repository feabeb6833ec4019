"""Texts the class flows take from the library, and notices in their reader's language.

No flow imports here: the lesson step (learning.py) reaches these through ask_teacher.py.
"""

from __future__ import annotations

from collections.abc import Callable

from dialogs.context import Context, Translator


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
    found = ctx.library.get(course_id)
    lesson = found.lesson(lesson_id) if found else None
    questions = lesson.quiz.questions if lesson and lesson.quiz else ()
    return next((q.text for q in questions if q.id == question_id), question_id)


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
