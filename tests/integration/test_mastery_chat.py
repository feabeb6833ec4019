"""Skills and help at a question, on Telegram, WhatsApp and the web chat: "indice",
"plus facile" and "plus dur" do what they say where the course allows, and /progres names
the learner's skills in words, never as probabilities."""

from __future__ import annotations

import re

from tests.chat_drivers import ChatLearner
from tests.chat_drivers import chat_fixture as chat_fixture  # the `chat` fixture
from tests.integration.test_same_journey import (
    FRACTIONS,
    answer,
    onboard,
    open_lesson,
    read_to_the_quiz,
)

COMPARE = (*FRACTIONS[:-1], "Comparer des fractions")


async def at_the_first_question(chat: ChatLearner) -> None:
    """ "Dans la fraction 3/5, quel est le dénominateur ?" (3, 5, 8 or 15), with two hints."""
    await onboard(chat)
    await open_lesson(chat)
    await read_to_the_quiz(chat)
    assert "quel est le dénominateur" in chat.last_text()


async def test_indice_gives_the_hints_one_by_one_then_says_there_are_no_more(
    chat: ChatLearner,
) -> None:
    await at_the_first_question(chat)
    asked = chat.options()
    await chat.send("indice")
    said = chat.last_text()
    assert "💡 Indice : Le dénominateur dit en combien de parts égales on a coupé." in said
    assert "Question 1 sur 4" in said and chat.options() == asked, "the question again"
    await chat.send("Un indice ?")
    assert "💡 Indice : Dans 1/4, le dénominateur est 4." in chat.last_text()
    await chat.send("INDICE")
    assert "💡 Il n'y a pas d'autre indice pour cette question." in chat.last_text()
    await chat.tap("5")
    assert "Bonne réponse" in chat.last_text()
    assert "Question 2 sur 4" in chat.last_text()
    await chat.send("/progres")
    assert "Vos compétences" not in chat.last_text(), "an answer after hints says less"
    await chat.send("indice")  # a true or false question without a hint
    assert "💡 Cette question n'a pas d'indice. Relisez-la bien, puis répondez." in (
        chat.last_text()
    )
    assert "Question 2 sur 4" in chat.last_text()


async def test_plus_facile_takes_wrong_options_away_down_to_one(chat: ChatLearner) -> None:
    await at_the_first_question(chat)
    assert {"3", "5", "8", "15"} <= set(chat.options())
    await chat.send("plus facile")
    assert "🪶 Plus facile : j'ai retiré une mauvaise réponse." in chat.last_text()
    assert "Question 1 sur 4" in chat.last_text()
    assert {"3", "5", "8"} <= set(chat.options()) and "15" not in chat.options()
    await chat.send("Plus facile !")
    assert {"3", "5"} <= set(chat.options()) and "8" not in chat.options()
    await chat.send("plus facile")
    assert (
        "Je ne peux pas rendre cette question plus facile : il ne reste qu'une mauvaise "
        "réponse. Écrivez « indice » pour un coup de pouce. À la fin du quiz, « 📘 Le cours » "
        "vous ramène aux leçons."
    ) in chat.last_text()
    await chat.send("5")  # the right answer, typed as its value
    assert "Bonne réponse" in chat.last_text()
    await chat.send("plus facile")  # true or false: nothing to take away, and no hint
    assert (
        "Cette question n'a pas de version plus facile. À la fin du quiz, « 📘 Le cours » "
        "vous ramène aux leçons."
    ) in chat.last_text()
    assert {"Vrai", "Faux"} <= set(chat.options())


async def test_plus_dur_says_what_is_possible(chat: ChatLearner) -> None:
    await at_the_first_question(chat)
    asked = chat.options()
    await chat.send("plus dur")
    assert (
        "💪 Ce cours n'a pas de question plus difficile à vous proposer ici. Répondez à "
        "celle-ci : chaque bonne réponse du premier coup compte pour vos compétences "
        "(/progres)."
    ) in chat.last_text()
    assert chat.options() == asked


async def test_progres_names_the_skills_in_words(chat: ChatLearner) -> None:
    await onboard(chat)
    await chat.send("/progres")
    assert "Vos compétences" not in chat.last_text(), "nothing answered yet"
    await chat.send("FRA1 b ; fau ; un quart ; six")  # the booklet's paper answers, all right
    assert "4 sur 4" in chat.last_text()
    await chat.send("menu")
    await open_lesson(chat, COMPARE)
    await read_to_the_quiz(chat)
    await answer(chat, right=False)
    await answer(chat, right=False)  # the retry does not count for the skill
    assert "Question 2 sur" in chat.last_text()
    await answer(chat, right=True)
    await chat.send("/progres")
    said = chat.last_text()
    assert (
        "🎯 Vos compétences\n"
        "✅ Partager en parts égales : maîtrisé\n"
        "🔁 Comparer des fractions : à revoir"
    ) in said
    assert not re.search(r"\d+\s?%|0[.,]\d", said.split("🎯")[1]), "never a probability"
