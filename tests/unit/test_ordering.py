"""The "ordering" kind (items to put in order): the course format, grading, paper answers,
the booklet's key and the chat, through the conversation driver."""

from __future__ import annotations

from pathlib import Path

from bot.booklet.exercises import paper_example, right_answer
from bot.booklet.labels import labels
from bot.channels import TELEGRAM
from bot.i18n import I18n
from content.format import check_path, parse_course
from content.format_write import question as written
from content.grading import grade
from content.kinds.ordering import shown_order
from content.library import Library
from content.model import Course, Question, QuestionType
from content.paper import grade_paper
from dialogs.capabilities import TEXT_ONLY, Capabilities
from dialogs.flows import build_dialogs
from dialogs.messages import QuizQuestion
from tests.driver import Learner
from tests.flow_states import attempt_of
from tests.unit.test_dialogs_journey import onboard, walk_to_first_quiz

COURSE = """\
id: journee
title: La journée
subject: sciences
levels: CE1
language: fr

# Le soleil dans la journée {#soleil}

Le soleil se lève le matin et se couche le soir.

## Quiz
{options}

? Range les moments de la journée, du premier au dernier.
= 1. le matin
= 2. midi
= 3. le soir
> Le soleil se lève le matin, il est haut à midi, il se couche le soir.

? Le soleil se lève à l'est.
= vrai
"""


def course(options: str = "retry: yes") -> Course:
    return parse_course(COURSE.replace("{options}", options), Path("journee.md"))


def ordering() -> Question:
    quiz = course().lessons[0].quiz
    assert quiz is not None
    return quiz.questions[0]


def test_numbered_answer_lines_are_items_to_order_and_are_written_back_the_same() -> None:
    question = ordering()
    assert question.type is QuestionType.ORDERING
    assert [(c.id, c.text) for c in question.choices] == [
        ("a", "le matin"),
        ("b", "midi"),
        ("c", "le soir"),
    ]
    assert written(question) == (
        "\n? Range les moments de la journée, du premier au dernier.\n"
        "= 1. le matin\n= 2. midi\n= 3. le soir\n"
        "> Le soleil se lève le matin, il est haut à midi, il se couche le soir.\n"
    )
    again = parse_course(COURSE.replace("{options}", ""), Path("journee.md"))
    assert again.lessons[0].quiz is not None
    assert again.lessons[0].quiz.questions[0] == question


def problems(tmp_path: Path, body: str) -> list[tuple[int, int, str]]:
    path = tmp_path / "course.md"
    path.write_text(body, encoding="utf-8")
    return [(e.line, e.column, e.message) for e in check_path(path)]


def test_items_numbered_out_of_order_or_alone_are_reported(tmp_path: Path) -> None:
    text = COURSE.replace("{options}", "")
    assert problems(tmp_path, text.replace("= 2. midi", "= 4. midi")) == [
        (16, 3, "les éléments à ranger se numérotent dans l'ordre : 1., 2., 3.…")
    ]
    assert problems(tmp_path, text.replace("= 2. midi\n= 3. le soir\n", "")) == [
        (14, 1, "une question à ranger demande au moins deux éléments")
    ]


def test_all_in_order_is_right_and_anything_else_earns_nothing() -> None:
    question = ordering()
    right = grade(question, ("a", "b", "c"))
    assert (right.score, right.correct, right.expected) == (1.0, True, "le matin → midi → le soir")
    for wrong in (("a", "c", "b"), ("b", "a", "c"), ("a", "b"), (), True):
        result = grade(question, wrong)
        assert (result.score, result.correct) == (0.0, False), wrong
    assert grade(question, "a b c").correct


def test_the_items_are_never_shown_in_the_right_order_and_always_the_same_way() -> None:
    question = ordering()
    order = [c.id for c in shown_order(question)]
    assert order != ["a", "b", "c"] and sorted(order) == ["a", "b", "c"]
    assert [c.id for c in shown_order(ordering())] == order


def test_the_booklet_prints_the_letters_in_order_and_paper_answers_read_them() -> None:
    question = ordering()
    words = labels("fr")
    key = right_answer(question, "fr", words)
    letters = {c.id: "abc"[i] for i, c in enumerate(shown_order(question))}
    assert key == f"{letters['a']} {letters['b']} {letters['c']}"
    quiz = course().lessons[0].quiz
    assert quiz is not None
    assert paper_example(quiz, words) == "a b c ; Vrai"
    for typed in (key, key.replace(" ", ""), key.replace(" ", ", ")):
        result = grade_paper(quiz, f"{typed} ; V")
        assert result is not None and result.score == 2, typed
    result = grade_paper(quiz, "a b c ; V")
    assert result is not None and result.score == 1


async def at_quiz(options: str = "retry: yes", caps: Capabilities = TEXT_ONLY) -> Learner:
    learner = Learner(build_dialogs(), I18n(), Library([course(options)]))
    learner.caps = caps
    await onboard(learner)
    await walk_to_first_quiz(learner)
    assert learner.state.step == "quiz"
    return learner


async def test_items_tapped_one_per_turn_the_last_going_by_itself() -> None:
    learner = await at_quiz(caps=TELEGRAM)  # buttons: the items listed with their letters
    asked = learner.last_prompt()
    assert isinstance(asked, QuizQuestion)
    shown = [o.label for o in asked.options]
    assert sorted(shown) == ["le matin", "le soir", "midi"]
    listed = "\n".join(f"{'abc'[i]}) {label}" for i, label in enumerate(shown))
    assert asked.text == (
        "Question 1 sur 2\n\nRange les moments de la journée, du premier au dernier.\n\n"
        f"{listed}\n\n"
        "Rangez dans l'ordre (1 sur 3) : quel élément vient en premier ?\n"
        "Ou écrivez toutes les lettres dans l'ordre, par exemple : a b c"
    )
    await learner.tap("le matin")
    asked = learner.last_prompt()
    assert asked.text.endswith(
        "Déjà rangés : le matin\nRangez dans l'ordre (2 sur 3) : quel élément vient ensuite ?"
    )
    reply = await learner.tap("midi")
    assert "Bonne réponse" in learner.texts(reply)
    assert "il se couche le soir" in learner.texts(reply)
    assert attempt_of(learner)["score"] == 1


async def test_on_a_text_only_channel_the_channel_lists_the_items_itself() -> None:
    learner = await at_quiz()
    asked = learner.last_prompt()
    assert asked.text == (
        "Question 1 sur 2\n\nRange les moments de la journée, du premier au dernier.\n\n"
        "Rangez dans l'ordre (1 sur 3) : quel élément vient en premier ?\n"
        "Ou écrivez toutes les lettres dans l'ordre, par exemple : a b c"
    )


async def test_the_order_typed_in_one_message_as_letters_numbers_or_labels() -> None:
    for typed in ("{} {} {}", "{},{},{}", "{}{}{}", "numbers", "le matin; midi; le soir"):
        learner = await at_quiz()
        shown = [o.id for o in learner.last_prompt().options]
        letters = ["abc"[shown.index(item)] for item in "abc"]
        numbers = [str(shown.index(item) + 1) for item in "abc"]
        answer = " ".join(numbers) if typed == "numbers" else typed.format(*letters)
        reply = await learner.send(answer)
        assert "Bonne réponse" in learner.texts(reply), typed


async def test_a_wrong_order_is_tried_again_from_the_first_item_and_recorded() -> None:
    learner = await at_quiz()
    await learner.tap("midi")
    reply = await learner.tap("le matin")
    assert "essayez encore" in learner.texts(reply)
    assert "(1 sur 3)" in learner.last_prompt().text
    await learner.send("le soir")
    reply = await learner.send("ce n'est pas un élément")
    assert "Je n'ai pas compris" in learner.texts(reply)
    reply = await learner.tap("le soir")  # already placed: not an answer
    assert "Je n'ai pas compris" in learner.texts(reply)
    reply = await learner.tap("midi")
    assert "La bonne réponse : le matin → midi → le soir" in learner.texts(reply)
    assert attempt_of(learner)["score"] == 0
