"""The content side of sharing: header lines set in a course's text, the attribution chain,
and restricted courses offered only when allowed."""

from __future__ import annotations

from pathlib import Path

from content.format import parse_course
from content.format_write import attribution_chain, header, lesson, text_step, with_header
from content.library import Library

SOURCE = header("compost-1a2b", "Le compost", "sciences", ["CM2"], "fr", country="SN") + (
    lesson("Faire un compost", "faire") + text_step("Des épluchures.", True)
)


def test_with_header_replaces_a_line_or_adds_it_before_the_lessons() -> None:
    text = with_header(with_header(SOURCE, "country", "all"), "authors", "Awa Ndiaye")
    course = parse_course(text, Path("course.md"))
    assert course.countries == () and course.authors == ("Awa Ndiaye",)
    assert text.count("country:") == 1 and "\n\n# Faire un compost" in text


def test_the_attribution_chain_is_read_newest_first() -> None:
    chain = attribution_chain("adapté par B (ML) d'après « T » de A (SN)", ["x; y"])
    course = parse_course(with_header(SOURCE, "attribution", chain), Path("course.md"))
    assert course.attribution == ("adapté par B (ML) d'après « T » de A (SN)", "x, y")


def test_a_restricted_course_is_offered_only_when_allowed() -> None:
    course = parse_course(SOURCE, Path("course.md"))
    library = Library().with_courses([course], restricted=[course.id])
    assert library.for_learner("CM2", "fr", "SN") == []
    assert library.for_learner("CM2", "fr", "SN", allowed={course.id}) == [course]
    assert library.get(course.id) is course  # assigned work still opens
