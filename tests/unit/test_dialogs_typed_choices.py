"""Typed answers to choices mean what the learner typed: a number is a value where options
are numbers, a letter is the option shown under that letter (shuffled or not), words pick
the one option they name (dialogs/options.py states the rule)."""

from __future__ import annotations

from pathlib import Path

from bot.i18n import I18n
from content.format import parse_course
from content.library import Library
from dialogs.flows import build_dialogs
from dialogs.messages import Option, QuizQuestion
from dialogs.options import marked, marks, typed_choice
from tests.driver import Learner
from tests.unit.test_dialogs_journey import onboard, walk_to_first_quiz

COURSE = """\
id: nombres
title: Des nombres
subject: mathematiques
levels: CM2
language: fr

# Les quarts {#quarts}

Les 3/4 de 12, c'est 9.

## Quiz
{options}

? Combien font les 3/4 de 12 mangues ?
- 3
- 4
* 9
- 16

? Quelles fractions sont égales à 1/2 ?
* 2/4
* 3/6
- 2/3
- 1/4

? Quelle est la plus grande ?
- 1/8
* 3/4
- 1/3

? Associe chaque nombre à son écriture.
= 3 -> trois
= 12 -> douze

? Quelles villes sont au Sénégal ?
* Dakar
- Bamako
* Thiès
"""


def learner_on(options: str = "retry: no") -> Learner:
    """A learner on a library holding only the course above."""
    course = parse_course(COURSE.replace("{options}", options), Path("nombres.md"))
    return Learner(build_dialogs(), I18n(), Library([course]))


async def at_quiz(options: str = "retry: no") -> Learner:
    learner = learner_on(options)
    await onboard(learner)
    await walk_to_first_quiz(learner)
    assert "3/4 de 12" in learner.last_prompt().text
    return learner


def shown(learner: Learner) -> list[str]:
    """The option labels of the question asked, in the order shown."""
    asked = learner.last_prompt()
    assert isinstance(asked, QuizQuestion)
    return [o.label for o in asked.options]


def picked(learner: Learner) -> list[tuple[str, object, bool]]:
    """Each recorded answer: question, answer as graded, right or not."""
    return [(a.question_id, a.answer, a.correct) for a in learner.records.answers]


async def test_a_typed_number_is_the_value_not_the_third_button() -> None:
    learner = await at_quiz()
    reply = learner.texts(await learner.send("3"))  # the value 3: wrong, not "9"
    assert "Ce n'est pas la bonne réponse" in reply and "La bonne réponse : 9" in reply
    assert picked(learner) == [("q1", "a", False)]


async def test_a_position_typed_where_options_are_numbers_is_not_an_answer() -> None:
    learner = await at_quiz()
    reply = learner.texts(await learner.send("4"))  # the value 4, never the 4th (16)
    assert "La bonne réponse : 9" in reply and picked(learner) == [("q1", "b", False)]
    learner = await at_quiz()
    assert "Je n'ai pas compris" in learner.texts(await learner.send("5"))  # no 5th option
    assert picked(learner) == []


async def test_the_value_in_words_and_the_letter_shown_are_answers() -> None:
    for typed in ("9", "neuf", "nine", "c", "C)"):
        learner = await at_quiz()
        reply = learner.texts(await learner.send(typed))
        assert "Bonne réponse" in reply, typed
        assert picked(learner) == [("q1", "c", True)]


async def test_the_value_said_in_a_few_words_is_an_answer() -> None:
    for typed in ("le 9", "c'est 9", "C’est neuf", "la réponse est 9", "the answer is 9"):
        learner = await at_quiz()
        reply = learner.texts(await learner.send(typed))
        assert "Bonne réponse" in reply, typed
        assert picked(learner) == [("q1", "c", True)]
    learner = await at_quiz()
    assert "Ce n'est pas la bonne réponse" in learner.texts(await learner.send("c'est 4"))
    learner = await at_quiz()
    assert "Je n'ai pas compris" in learner.texts(await learner.send("9 ou 16"))


async def test_several_answers_typed_as_letters_or_as_values() -> None:
    for typed, right in (
        ("a b", True),
        ("ab", True),
        ("a, b", True),
        ("2/4 et 3/6", True),
        ("2/4; 3/6", True),
        ("deux quarts, trois sixièmes", True),
        ("2/4 و 3/6", True),  # Arabic: "and", its comma and semicolon
        ("2/4 و3/6", True),
        ("2/4، 3/6", True),
        ("2/4؛ 3/6", True),
        ("2/4", False),
    ):
        learner = await at_quiz()
        await learner.send("9")
        reply = learner.texts(await learner.send(typed))
        assert ("Bonne réponse" in reply) is right, typed
        assert picked(learner)[1][0] == "q2"


async def test_fraction_options_read_in_words() -> None:
    learner = await at_quiz()
    await learner.send("9")
    await learner.send("a b")
    reply = learner.texts(await learner.send("trois quarts"))
    assert "Bonne réponse" in reply
    assert picked(learner)[2] == ("q3", "b", True)


async def test_shuffled_options_are_read_in_the_order_shown() -> None:
    learner = await at_quiz("retry: no\nshuffle: yes")
    await learner.send("9")
    await learner.send("2/4 3/6")
    labels = shown(learner)
    letter = marks(tuple(Option(str(i), label) for i, label in enumerate(labels)), True)[
        labels.index("3/4")
    ]
    reply = learner.texts(await learner.send(letter))
    assert "Bonne réponse" in reply, (labels, letter)


async def test_matching_items_typed_by_their_letter_as_shown() -> None:
    learner = await at_quiz("retry: no\nshuffle: yes")
    for typed in ("9", "a b", "3/4"):
        await learner.send(typed)
    for item, right in (("3", "trois"), ("12", "douze")):
        asked = learner.last_prompt()
        assert isinstance(asked, QuizQuestion) and f"{item} → ?" in asked.text
        labels = [o.label for o in asked.options]
        await learner.send("abcdefgh"[labels.index(right)])
    assert picked(learner)[3][0::2] == ("q4", True)


async def test_words_that_are_not_numbers_pick_one_option() -> None:
    learner = await at_quiz()
    for typed in ("9", "a b", "3/4", "trois", "douze"):
        await learner.send(typed)
    reply = learner.texts(await learner.send("dakar et thiès"))
    assert "Bonne réponse" in reply


def options(*labels: str, ids: str = "abcd") -> tuple[Option, ...]:
    return tuple(Option(i, label) for i, label in zip(ids, labels, strict=True))


def test_marks_are_letters_wherever_a_label_is_a_number() -> None:
    numbers = options("5", "8", "2", "58")
    assert marks(numbers) == ("a", "b", "c", "d")
    assert marked(numbers)[0] == "a) 5"
    levels = (Option("cm2", "CM2"), Option("6e", "6e"), Option("5e", "5e"))
    assert marks(levels) == ("a", "b", "c")
    words = (Option("fr", "Français"), Option("en", "English"))
    assert marks(words) == ("1", "2") and marked(words) == ["1. Français", "2. English"]


def test_the_first_words_of_one_label_pick_it() -> None:
    """A teacher's own options are sentences: "oui" answers "Oui, il est pair"."""
    yes_no = options("Oui, il est pair", "Non, il est impair", ids="yn")
    assert typed_choice("oui", yes_no) == "y" and typed_choice("Non.", yes_no) == "n"
    assert typed_choice("oui il est", yes_no) == "y"
    towns = options("Dakar est au Sénégal", "Dakar est au Mali", ids="sm")
    assert typed_choice("dakar", towns) is None  # the start of both
    assert typed_choice("ou", options("Oui", "Ou bien", ids="ab")) is None  # too short
    assert typed_choice("ouin", yes_no) is None  # a word is whole


def test_typed_numbers_against_any_prompt() -> None:
    """Where the options were shown marked (a text-only rendering, WhatsApp's long lists)."""

    def typed(text: str, options: tuple[Option, ...]) -> str | None:
        return typed_choice(text, options, shown=True)

    numbers = options("5", "8", "2", "58", ids="wxyz")
    assert typed("2", numbers) == "y" and typed("58", numbers) == "z"
    assert typed("cinq", numbers) == "w" and typed("b", numbers) == "x"
    assert typed("4", numbers) is None
    levels = (Option("cm2", "CM2"), Option("6e", "6e"), Option("5e", "5e"))
    assert typed("6", levels) == "6e" and typed("2", levels) is None
    ids = (Option("2", "Dakar"), Option("1", "Bamako"))  # ids are never typed
    assert typed("1", ids) == "2" and typed("Bamako", ids) == "1"
    menu = (
        Option("courses", "📚 Les cours"),
        Option("progress", "📈 Mes progrès"),
        Option("help", "❓ Aide"),
    )
    assert typed("cours", menu) == "courses" and typed("mes cours", menu) == "courses"
    assert typed("progrès", menu) == "progress" and typed("Mes progres", menu) == "progress"
    assert typed("2", menu) == "progress"
    lessons = (Option("x", "3. Le moustique"), Option("y", "4. La fièvre ✓"))
    assert typed("4", lessons) == "y" and typed("1", lessons) is None


async def test_a_lesson_typed_by_its_printed_number_not_its_row() -> None:
    """The part "Se protéger" lists "2. La moustiquaire", "3. L'eau qui stagne": a typed 3
    opens lesson 3 (the 2nd row), not a 3rd row; a typed 1 is no lesson of this part."""
    from tests.unit.test_modules import open_course

    learner = Learner.new()
    await open_course(learner, "paludisme")
    await learner.tap("se-proteger")
    await learner.send("3")
    assert learner.state.step == "lesson" and "L'eau qui stagne" in learner.last_text()
    learner = Learner.new()
    await open_course(learner, "paludisme")
    await learner.tap("se-proteger")
    assert "Je n'ai pas compris" in learner.texts(await learner.send("1"))
