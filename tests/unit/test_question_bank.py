"""Question banks: `draw: N` asks N questions drawn at random from the quiz, per attempt."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.i18n import I18n
from content.format import CourseFormatError, parse_course
from content.library import Library
from dialogs.flows import build_dialogs
from tests.driver import Learner
from tests.unit.test_dialogs_journey import onboard

BANK = """\
id: banque
title: Banque de questions
subject: mathematiques
levels: CM2
language: fr

# Calcul mental {#calcul}

Entraîne-toi au calcul mental.

## Quiz
draw: {draw}
retry: no

? Combien font 2 + 2 ?
= 4

? Combien font 3 + 3 ?
= 6

? Combien font 4 + 4 ?
= 8

? Combien font 5 + 5 ?
= 10

? Combien font 6 + 6 ?
= 12
"""


def bank(draw: int = 2) -> Library:
    """A library holding the bank course."""
    return Library([parse_course(BANK.replace("{draw}", str(draw)), Path("banque.md"))])


def test_a_draw_is_stable_for_one_seed_and_keeps_the_bank_order() -> None:
    quiz = bank().courses[0].lessons[0].quiz
    assert quiz is not None and quiz.draw == 2
    first = quiz.drawn(7)
    assert len(first.questions) == 2 and first.max_score == 2
    assert quiz.drawn(7) == first
    ids = [q.id for q in first.questions]
    assert ids == sorted(ids, key=lambda i: int(i[1:]))
    draws = {tuple(q.id for q in quiz.drawn(seed).questions) for seed in range(40)}
    assert len(draws) > 3, "different attempts see different questions"


def test_drawing_more_than_the_bank_holds_is_an_error_with_its_line() -> None:
    with pytest.raises(CourseFormatError) as error:
        parse_course(BANK.replace("{draw}", "9"), Path("banque.md"))
    assert error.value.line == 12


@pytest.mark.parametrize("value", ["0", "deux", "-1"])
def test_draw_takes_a_positive_whole_number(value: str) -> None:
    with pytest.raises(CourseFormatError, match="draw"):
        parse_course(BANK.replace("{draw}", value), Path("banque.md"))


async def test_a_learner_answers_only_the_drawn_questions() -> None:
    learner = Learner(build_dialogs(), I18n(), bank())
    await onboard(learner)
    await learner.tap("Les cours")
    while learner.state.step != "lesson":
        await learner.tap(learner.last_prompt().options[0].id)
    await learner.tap("next")
    asked = 0
    while learner.state.step == "quiz":
        asked += 1
        await learner.send("0")
    assert asked == 2
    assert "sur 2" in learner.texts()
