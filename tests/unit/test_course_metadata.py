"""Course metadata: countries, version and learning objectives."""

from __future__ import annotations

from pathlib import Path

import pytest

from content.format import CourseFormatError, parse_course
from content.library import DEFAULT_LIBRARY, load_library
from content.model import Course
from tests.driver import Learner
from tests.unit.test_dialogs_journey import onboard

HEADER = """\
id: essai
title: Essai
subject: sante
levels: CM2
language: fr
{extra}

# Une leçon {{#lecon}}

Du texte.
"""


def course_with(extra: str) -> Course:
    return parse_course(HEADER.format(extra=extra), Path("essai.md"))


def test_country_version_and_objectives_are_read() -> None:
    course = course_with("country: SN, ml\nversion: 2.1\nobjectives: lire; écrire ; compter")
    assert course.countries == ("SN", "ML")
    assert course.version == "2.1"
    assert course.objectives == ("lire", "écrire", "compter")


def test_defaults_are_every_country_and_version_one() -> None:
    course = course_with("")
    assert course.countries == () and course.version == "1"


def test_a_bad_country_is_reported_on_its_line() -> None:
    with pytest.raises(CourseFormatError) as error:
        course_with("country: Sénégal")
    assert error.value.line == 6 and "le pays" in error.value.message


def test_every_bundled_course_states_its_objectives() -> None:
    assert all(course.objectives for course in load_library(DEFAULT_LIBRARY).courses)


async def test_the_course_page_shows_the_objectives() -> None:
    learner = Learner.new()
    await onboard(learner)
    await learner.tap("Les cours")
    while learner.state.step != "course":
        await learner.tap(learner.last_prompt().options[0].id)
    assert "À la fin de ce cours, vous saurez" in learner.last_text()
