"""The newer question types asked and graded in the chat, through the conversation driver."""

from __future__ import annotations

from pathlib import Path

from bot.i18n import I18n
from content.format import parse_course
from content.library import Library
from dialogs.flows import build_dialogs
from dialogs.messages import Ask, QuizQuestion
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

? Lis bien : les questions suivantes parlent des capitales.
description: yes

? Associe chaque capitale à son pays.
= Dakar -> Sénégal
= Bamako -> Mali
= -> Niger
> Dakar et Bamako sont des capitales.

? Le chat ___ sur le toit.
* dort
- 50% dors
  > Presque : attention à l'accord.
- -100% dormir

? ___ est la capitale du Sénégal.
hint: Elle commence par un D.
= Dakar

? Raconte ta journée.
essay: yes

? Combien font 7 × 8 ?
= 56
= 50% 50 .. 60
  > Tu t'approches.
"""


def learner_on(options: str = "retry: yes") -> Learner:
    """A learner on a library holding only the synthetic course."""
    course = parse_course(COURSE.replace("{options}", options), Path("types.md"))
    return Learner(build_dialogs(), I18n(), Library([course]))


async def at_quiz(options: str = "retry: yes") -> Learner:
    """A learner who read the lesson and faces the quiz."""
    learner = learner_on(options)
    await onboard(learner)
    await walk_to_first_quiz(learner)
    assert learner.state.step == "quiz"
    return learner


async def test_every_new_type_end_to_end() -> None:
    learner = await at_quiz()
    # A description: text and a "Suivant" button, no question number.
    asked = learner.last_prompt()
    assert isinstance(asked, Ask) and "les questions suivantes" in asked.text
    assert "Question" not in asked.text
    await learner.tap("Suivant")
    # A matching question: one choice per left item, the right items as options.
    asked = learner.last_prompt()
    assert isinstance(asked, QuizQuestion)
    assert "Dakar → ?" in asked.text and "1 sur 2" in asked.text
    assert [o.label for o in asked.options] == ["Mali", "Niger", "Sénégal"]
    await learner.tap("Sénégal")
    asked = learner.last_prompt()
    assert isinstance(asked, QuizQuestion) and "Bamako → ?" in asked.text
    reply = await learner.tap("Mali")
    assert "Bonne réponse" in learner.texts(reply)
    assert "Dakar et Bamako sont des capitales." in learner.texts(reply)
    # A missing word with options: the sentence with its gap.
    asked = learner.last_prompt()
    assert isinstance(asked, QuizQuestion) and "Le chat …… sur le toit." in asked.text
    reply = await learner.tap("dort")
    assert "Bonne réponse" in learner.texts(reply)
    # A missing word typed.
    asked = learner.last_prompt()
    assert isinstance(asked, Ask) and "…… est la capitale du Sénégal." in asked.text
    assert "Écrivez votre réponse" in asked.text
    reply = await learner.send("dakar")
    assert "Bonne réponse" in learner.texts(reply)
    # An essay: acknowledged, kept for the teacher, no points.
    reply = await learner.send("Je suis allé au marché avec ma mère.")
    assert "Votre enseignant lira votre réponse" in learner.texts(reply)
    assert attempt_of(learner)["essays"] == {"q5": "Je suis allé au marché avec ma mère."}
    kept = list(learner.records.essays.items())
    assert [(key[2], text) for key, text in kept] == [
        ("q5", "Je suis allé au marché avec ma mère.")
    ]
    # Partial numeric credit is not full marks: a second try, then half of the half.
    reply = await learner.send("55")
    assert "essayez encore" in learner.texts(reply)
    reply = await learner.send("55")
    assert "en partie juste" in learner.texts(reply)
    assert "Tu t'approches." in learner.texts(reply)
    assert "La bonne réponse : 56" in learner.texts(reply)
    # The score counts the scored questions only: not the description nor the essay.
    assert "3,25 sur 4" in learner.texts(reply)
    assert learner.state.step == "quiz_done"
    (score,) = await learner.records.quiz_scores()
    assert (score.best, score.max_score) == (3.25, 4)


async def test_a_wrong_matching_is_tried_again_from_its_first_pair() -> None:
    learner = await at_quiz()
    await learner.tap("Suivant")
    await learner.tap("Mali")
    reply = await learner.tap("Sénégal")
    assert "essayez encore" in learner.texts(reply)
    assert "Dakar → ?" in learner.last_prompt().text
    await learner.tap("Sénégal")
    reply = await learner.tap("Niger")
    assert "en partie juste" in learner.texts(reply)
    assert "Dakar → Sénégal; Bamako → Mali" in learner.texts(reply)
    assert attempt_of(learner)["score"] == 0.25  # half the pairs, at the second try


async def test_partial_option_weight_feedback_and_a_hint_before_the_second_try() -> None:
    learner = await at_quiz("retry: no")
    await learner.tap("Suivant")
    await learner.tap("Sénégal")
    await learner.tap("Mali")
    reply = await learner.tap("dors")
    assert "attention à l'accord" in learner.texts(reply)
    assert attempt_of(learner)["score"] == 1.5
    retrying = await at_quiz()
    await retrying.tap("Suivant")
    await retrying.tap("Sénégal")
    await retrying.tap("Mali")
    await retrying.tap("dort")
    reply = await retrying.send("Thiès")
    assert "Indice : Elle commence par un D." in retrying.texts(reply)


async def test_shuffled_options_keep_their_ids_and_their_order_for_one_learner() -> None:
    orders = set()
    for _ in range(8):
        learner = await at_quiz("shuffle: yes")
        await learner.tap("Suivant")
        first = learner.last_prompt()
        assert {o.label: o.id for o in first.options} == {"Mali": "a", "Niger": "b", "Sénégal": "c"}
        await learner.send("n'importe quoi")  # the question comes again, the same way
        assert learner.last_prompt().options == first.options
        orders.add(tuple(o.label for o in first.options))
    assert len(orders) > 1


async def test_a_typed_answer_to_a_description_is_not_understood() -> None:
    learner = await at_quiz()
    reply = await learner.send("bonjour")
    assert "Je n'ai pas compris" in learner.texts(reply)
    assert attempt_of(learner).get("question", 0) == 0
