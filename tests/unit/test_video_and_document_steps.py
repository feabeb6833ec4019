"""Lesson steps that link a video online or hand over a worksheet of the course folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.i18n import I18n
from content.format import CourseFormatError, parse_course
from content.library import Library
from content.model import StepKind
from dialogs.flows import build_dialogs
from dialogs.messages import Ask, Show
from tests.driver import Learner
from tests.unit.test_dialogs_journey import onboard

COURSE = """\
id: etapes
title: Des étapes variées
subject: autre
levels: CM2
language: fr

# Regarder et lire {{#regarder}}

Une introduction.

{video}

[document: La fiche à recopier](docs/fiche.txt)
"""


def course_in(tmp_path: Path, video: str = "[vidéo: Un film court](https://example.org/film)"):
    """The course, written in a folder holding its worksheet."""
    (tmp_path / "docs").mkdir(exist_ok=True)
    (tmp_path / "docs" / "fiche.txt").write_text("Recopie ce tableau.", encoding="utf-8")
    source = tmp_path / "course.md"
    text = COURSE.format(video=video)
    source.write_text(text, encoding="utf-8")
    return parse_course(text, source)


def test_video_and_document_steps_are_read(tmp_path: Path) -> None:
    steps = course_in(tmp_path).lessons[0].steps
    assert [s.kind for s in steps] == [StepKind.TEXT, StepKind.VIDEO, StepKind.DOCUMENT]
    assert steps[1].url == "https://example.org/film" and steps[1].text == "Un film court"
    assert steps[2].media == (tmp_path / "docs" / "fiche.txt").resolve()


@pytest.mark.parametrize(
    ("video", "message"),
    [
        ("[vidéo: Un film](http://example.org/film)", "https://"),
        ("[vidéo: Un film](films/local.mp4)", "https://"),
        ("[vidéo Un film]", "ligne de vidéo mal formée"),
    ],
)
def test_a_bad_video_line_is_reported(tmp_path: Path, video: str, message: str) -> None:
    with pytest.raises(CourseFormatError, match=message) as error:
        course_in(tmp_path, video)
    assert error.value.line == 11


async def test_the_chat_shows_the_link_and_sends_the_worksheet(tmp_path: Path) -> None:
    library = Library([course_in(tmp_path)])
    learner = Learner(build_dialogs(), I18n(), library)
    await onboard(learner)
    await learner.tap("Les cours")
    while learner.state.step != "lesson":
        await learner.tap(learner.last_prompt().options[0].id)
    reply = await learner.tap("next")
    video = reply[-1]
    assert isinstance(video, Ask) and "https://example.org/film" in video.text
    assert "données mobiles" in video.text
    reply = await learner.tap("next")
    sheet = next(m for m in reply if isinstance(m, Show))
    assert sheet.kind == "document" and sheet.url_path == "/media/etapes/docs/fiche.txt"
