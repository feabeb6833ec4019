"""A lesson step or a question may carry a short form (`sms:`) that channels with short
messages send instead of cutting the long text; `content check` warns past two SMS."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.i18n import I18n
from content.format import check_path, parse_course_file
from content.format_write import text_body
from content.library import load_library
from content.sms import fits_two_sms, length, long_short_forms
from dialogs.capabilities import TEXT_ONLY, fitting
from dialogs.flows import build_dialogs
from tests.driver import Learner
from tests.unit.test_dialogs_journey import onboard

LONG = (
    "Une fraction partage un tout en parts égales. Le dénominateur, sous la barre, dit en "
    "combien de parts on a coupé le tout ; le numérateur, au-dessus, dit combien on en prend."
)
SHORT = "Une fraction: on coupe en parts egales (en bas) et on en prend (en haut)."
COURSE = f"""\
id: courte
title: Les fractions
subject: mathematiques
levels: CM1
language: fr

# Une fraction {{#fraction}}

{LONG}
sms: {SHORT}

---

Un texte court.

## Quiz

? Dans 3/4, combien de parts a-t-on prises ?
sms: 3/4 : parts prises ?
* 3
- 4
"""


def write(folder: Path, body: str = COURSE) -> Path:
    path = folder / "course.md"
    path.write_text(body, encoding="utf-8")
    return path


def test_a_step_and_a_question_carry_their_short_form_and_its_line(tmp_path: Path) -> None:
    course = parse_course_file(write(tmp_path))
    [lesson] = course.lessons
    first, second = lesson.steps
    assert first.text == LONG  # the long text is whole: the `sms:` line is not part of it
    assert (
        first.short == "Une fraction: on coupe en parts egales (en bas) et on en prend (en haut)."
    )
    assert first.short_line == 10
    assert (second.short, second.short_line) == ("", 0)
    assert lesson.quiz is not None
    [question] = lesson.quiz.questions
    assert (question.short, question.short_line) == ("3/4 : parts prises ?", 19)
    assert check_path(tmp_path) == []


def test_the_short_form_is_sent_only_where_the_long_one_would_be_cut() -> None:
    small = replace(TEXT_ONLY, max_text=160)
    assert fitting(TEXT_ONLY, LONG, "Court.", "Leçon (1/2)") == f"Leçon (1/2)\n\n{LONG}"
    assert fitting(small, LONG, "Court.", "Leçon (1/2)") == "Leçon (1/2)\n\nCourt."
    assert fitting(small, LONG, "", "Leçon (1/2)") == f"Leçon (1/2)\n\n{LONG}"  # cut later


def test_a_misplaced_or_empty_short_form_is_a_problem_where_it_is(tmp_path: Path) -> None:
    body = COURSE.replace("Un texte court.\n", "Un texte court.\nsms: Un.\nsms: Deux.\n")
    body = body.replace("sms: 3/4 : parts prises ?", "sms:")
    body += "\n# Seule {#seule}\n\nDu texte.\n\n---\n\nsms: Sans texte.\n"
    found = [(p.line, p.column, p.message) for p in check_path(write(tmp_path, body))]
    assert found == [
        (16, 1, "cette étape a déjà une forme courte 'sms:' : une seule par étape"),
        (21, 5, "'sms:' doit être suivi d'un texte"),
        (31, 1, "une forme courte 'sms:' accompagne un texte : écrivez le texte de l'étape"),
    ]


def test_text_starting_with_the_word_is_written_escaped() -> None:
    assert text_body("SMS: envoyez OUI au 1234") == "\\SMS: envoyez OUI au 1234"


@pytest.mark.parametrize(
    ("text", "septets", "fits"),
    [
        ("a" * 306, 306, True),  # two GSM-7 parts of 153
        ("a" * 307, 307, False),
        ("€" * 153, 306, True),  # the euro sign is an escape: two septets
        ("ê" * 134, 134, True),  # not in GSM-7: UCS-2, 67 a part
        ("ê" * 135, 135, False),
        ("👍" + "a" * 132, 134, True),  # an emoji is two UCS-2 units
    ],
)
def test_two_sms_are_306_gsm7_characters_or_134_ucs2(text: str, septets: int, fits: bool) -> None:
    assert (length(text), fits_two_sms(text)) == (septets, fits)


def test_content_check_warns_of_a_long_short_form_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    long_short = "Une fenêtre partage un tout en parts égales. " * 3  # ê: UCS-2, 67 a part
    path = write(tmp_path, COURSE.replace("sms: Une fraction:", f"sms: {long_short}Une:"))
    assert long_short_forms(parse_course_file(path)) == [(10, 199, 134)]
    assert main(["content", "check", str(path), "--lang", "fr"]) == 0  # a warning, not an error
    assert capsys.readouterr().out.splitlines()[0] == (
        f"{path}:10:1: avertissement : la forme courte 'sms:' fait 199 caractères, plus que"
        " deux SMS (134) ; raccourcissez-la"
    )


async def first_step(folder: Path, max_text: int) -> str:
    """What a pupil reads at the first step of the course, on a channel of `max_text`."""
    (folder / "courte").mkdir(parents=True)
    write(folder / "courte", COURSE.replace("levels: CM1", "levels: CM2"))
    caps = replace(TEXT_ONLY, max_text=max_text)
    learner = Learner(build_dialogs(), I18n(), load_library(folder), caps=caps)
    await onboard(learner)
    for option in ("courses", "courte", "fraction"):
        await learner.tap(option)
    return learner.last_text()


async def test_a_small_screen_reads_the_short_form_a_large_one_the_lesson(tmp_path: Path) -> None:
    assert await first_step(tmp_path / "sms", 160) == f"Une fraction (1/2)\n\n{SHORT}"
    assert await first_step(tmp_path / "web", 4096) == f"Une fraction (1/2)\n\n{LONG}"
