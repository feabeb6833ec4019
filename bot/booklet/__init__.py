"""Printable A5 booklets: what the chat teaches, for villages without a network.

`render_booklet(course)` returns the PDF bytes: a cover, a table of contents, each lesson
(text, images, audio notes, a QR code and short link to the same lesson in the chat) with its
exercises without answers, and the answer key at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from bot.booklet.document import Booklet
from bot.booklet.exercises import answer_key, exercises
from bot.booklet.fonts import needs_shaping
from bot.booklet.pages import cover, lesson_body, lesson_heading, table_of_contents, toc_pages
from bot.booklet.qr import lesson_link
from content.model import Course
from content.translations import localized_course, translation_for

DEFAULT_BASE_URL = "https://imaginecole.org"

__all__ = ["DEFAULT_BASE_URL", "lesson_link", "render_booklet"]


def render_booklet(
    course: Course, *, base_url: str = DEFAULT_BASE_URL, language: str | None = None
) -> bytes:
    """Return a printable A5 PDF booklet of a course, in `language` where the course has a
    version in it (`course.wo.md`: step by step, its own language elsewhere)."""
    translation = translation_for(course, language)
    if translation is not None:
        course = replace(localized_course(course, language), language=translation.language)
    pdf = Booklet(course.language, shaping=needs_shaping(course.language, course_texts(course)))
    pdf.set_title(course.title)
    pdf.set_author(", ".join(course.authors) or "Imaginecole")
    pdf.set_subject(course.summary)
    pdf.set_lang(course.language)
    cover(pdf, course)
    pdf.add_page()
    pdf.insert_toc_placeholder(table_of_contents, pages=toc_pages(course))
    for number, lesson in enumerate(course.lessons, start=1):
        lesson_heading(pdf, course, lesson, number, base_url)
        lesson_body(pdf, course, lesson)
        exercises(pdf, course, lesson)
    if any(lesson.quiz for lesson in course.lessons):
        answer_key(pdf, course)
    return bytes(pdf.output())


def course_texts(course: Course) -> Iterator[str]:
    """Yield every text the booklet prints from a course."""
    yield from (course.title, course.summary, course.licence, *course.authors)
    yield from course.attribution
    yield from (module.title for module in course.modules)
    for lesson in course.lessons:
        yield lesson.title
        yield from (step.text for step in lesson.steps)
        for question in lesson.quiz.questions if lesson.quiz else ():
            yield from (question.text, question.explanation, *question.accepted)
            yield from (choice.text for choice in question.choices)
