"""Every graded answer becomes a RecordAnswer effect: in the chat (with its retry) and on paper."""

from __future__ import annotations

from pathlib import Path

from bot.i18n import I18n
from content.format import parse_course
from content.library import Library
from dialogs.flows import build_dialogs
from dialogs.ports import RecordAnswer
from tests.driver import Learner
from tests.flow_states import attempt_of
from tests.unit.test_dialogs_journey import onboard, walk_to_first_quiz

COURSE = """\
id: types
title: Tous les types
subject: francais
levels: CM2
language: fr

# Les capitales {#capitales}

Dakar est la capitale du Sénégal.

## Quiz
{options}

? Lis bien : les questions parlent des capitales.
description: yes

? Quelle est la capitale du Mali ?
- Dakar
* Bamako
- Niamey

? Quelles villes sont des capitales ?
* Dakar
* Bamako
- Thiès

? Dakar est la capitale du Sénégal.
= vrai

? Quelle est la capitale du Niger ?
= Niamey

? Combien font 7 × 8 ?
= 56

? Associe chaque capitale à son pays.
= Dakar -> Sénégal
= Bamako -> Mali

? Le chat ___ sur le toit.
* dort
- dors

? Raconte ta journée.
essay: yes
"""

RIGHT = [
    ("q2", "b"),
    ("q3", "a, b"),
    ("q4", "vrai"),
    ("q5", "Niamey"),
    ("q6", "56"),
    ("q7", "Dakar → Sénégal; Bamako → Mali"),
    ("q8", "a"),
]


async def at_quiz(options: str = "retry: yes") -> Learner:
    """A learner past the lesson, facing the quiz's first question (a description)."""
    course = parse_course(COURSE.replace("{options}", options), Path("types.md"))
    learner = Learner(build_dialogs(), I18n(), Library([course]))
    await onboard(learner)
    await walk_to_first_quiz(learner)
    assert learner.state.step == "quiz"
    return learner


def recorded(learner: Learner) -> list[tuple[str, str, bool, float, int]]:
    """The answers recorded so far: question, answer, correct, score, try."""
    return [
        (a.question_id, a.answer, a.correct, a.score, a.try_number) for a in learner.records.answers
    ]


async def test_every_graded_type_records_its_answer_once() -> None:
    learner = await at_quiz()
    await learner.tap("Suivant")  # a description: nothing to record
    assert learner.records.answers == []
    await learner.tap("Bamako")
    await learner.tick("b", "a")  # a native multiple-answer poll
    await learner.send("Vrai")
    await learner.send("  Niamey ")
    await learner.send("56")
    await learner.tap("Sénégal")  # matching: nothing recorded for the first pair alone
    assert len(learner.records.answers) == 5
    await learner.tap("Mali")
    await learner.tap("dort")
    await learner.send("Je suis allé au marché.")  # an essay goes to SubmitEssay instead
    assert recorded(learner) == [(q, answer, True, 1.0, 1) for q, answer in RIGHT]
    assert {a.course_id for a in learner.records.answers} == {"types"}
    assert {a.lesson_id for a in learner.records.answers} == {"capitales"}
    assert learner.state.step == "quiz_done"


async def test_a_wrong_first_try_and_the_retry_are_both_recorded() -> None:
    learner = await at_quiz()
    await learner.tap("Suivant")
    await learner.tap("Dakar")
    assert recorded(learner) == [("q2", "a", False, 0.0, 1)]
    await learner.tap("Bamako")
    await learner.send("c a")  # one right, one wrong: no points, not full marks
    await learner.send("a b")
    await learner.send("faux")
    await learner.send("F")
    await learner.send("Niamé")  # a typo is tolerated: full marks at once
    await learner.send("55")
    await learner.send("56")
    assert recorded(learner)[1:] == [
        ("q2", "b", True, 1.0, 2),
        ("q3", "a, c", False, 0.0, 1),
        ("q3", "a, b", True, 1.0, 2),
        ("q4", "faux", False, 0.0, 1),
        ("q4", "faux", False, 0.0, 2),
        ("q5", "Niamé", True, 1.0, 1),
        ("q6", "55", False, 0.0, 1),
        ("q6", "56", True, 1.0, 2),
    ]


async def test_matching_is_one_answer_per_finished_set_with_its_partial_score() -> None:
    learner = await at_quiz()
    await learner.tap("Suivant")
    for answer in ("Bamako", "a b", "vrai", "Niamey", "56"):
        await learner.send(answer)
    await learner.tap("Mali")
    await learner.tap("Sénégal")
    await learner.tap("Sénégal")
    await learner.tap("Sénégal")
    matching = [a for a in learner.records.answers if a.question_id == "q7"]
    first, second = "Dakar → Mali; Bamako → Sénégal", "Dakar → Sénégal; Bamako → Sénégal"
    assert matching == [
        RecordAnswer("types", "capitales", "q7", first, 0.0, False, 1),
        RecordAnswer("types", "capitales", "q7", second, 0.5, False, 2),
    ]


async def test_without_retry_a_wrong_answer_is_recorded_once() -> None:
    learner = await at_quiz("retry: no")
    await learner.tap("Suivant")
    await learner.tap("Niamey")
    assert recorded(learner) == [("q2", "c", False, 0.0, 1)]
    assert attempt_of(learner)["question"] == 2


async def test_paper_answers_are_recorded_like_the_chat_ones() -> None:
    learner = await at_quiz()
    await learner.send("TYP1 b ab V Niamey 56 ba a")
    assert "7 sur 7" in learner.texts()
    assert recorded(learner) == [(q, answer, True, 1.0, 1) for q, answer in RIGHT]
    learner.records.answers.clear()
    await learner.send("TYP1 a bc F Bamako 55 ab b")
    assert [(q, a, ok, tn) for q, a, ok, _s, tn in recorded(learner)] == [
        ("q2", "a", False, 1),
        ("q3", "b, c", False, 1),
        ("q4", "faux", False, 1),
        ("q5", "Bamako", False, 1),
        ("q6", "55", False, 1),
        ("q7", "Dakar → Mali; Bamako → Sénégal", False, 1),
        ("q8", "b", False, 1),
    ]
