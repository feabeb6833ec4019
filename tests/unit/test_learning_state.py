"""The learning flows' typed state (dialogs/flows/place.py, quiz.py, quiz_help.py,
dialogs/kinds/picks.py): the learner's place goes with them from the lesson to its quiz and
the next lesson, the attempt lives as long as the quiz, and all of it is gone at the menu,
where /reprendre finds the place again in the bookmark."""

from __future__ import annotations

from dialogs.options import MARKS_SHOWN
from tests.driver import Learner
from tests.flow_states import attempt_of, place_of
from tests.unit.test_dialogs_journey import answer_right, onboard, walk_to_first_quiz


def flows(learner: Learner) -> set[str]:
    return set(learner.state.data.get("flows", {}))


async def at_quiz() -> Learner:
    learner = Learner.new()
    await onboard(learner)
    await walk_to_first_quiz(learner)
    assert learner.state.step == "quiz"
    return learner


async def test_the_place_goes_into_the_quiz_and_everything_is_dropped_at_the_menu() -> None:
    learner = await at_quiz()
    assert {"learning", "quiz"} <= flows(learner)
    lesson = place_of(learner)["lesson"]
    await learner.send(answer_right(learner))
    assert (place_of(learner)["lesson"], attempt_of(learner)["question"]) == (lesson, 1)
    assert attempt_of(learner)["score"] == 1
    await learner.send("/menu")
    assert flows(learner) == set()
    for old in ("course", "lesson", "i", "q", "score", "tries", "seed", "m", "mq", "help"):
        assert old not in learner.state.data, old


async def test_the_next_lesson_keeps_the_place_and_forgets_the_attempt() -> None:
    learner = await at_quiz()
    course = learner.library.get(place_of(learner)["course"])
    assert course is not None
    while learner.state.step == "quiz":
        await learner.send(answer_right(learner))
    assert learner.state.step == "quiz_done" and attempt_of(learner)["ratio"] == 1
    await learner.tap("next")
    assert learner.state.step == "lesson"
    assert (place_of(learner)["lesson"], place_of(learner)["step"]) == (course.lessons[1].id, 0)
    assert "quiz" not in flows(learner)


async def test_resuming_a_quiz_asks_the_same_question_with_the_score_so_far() -> None:
    learner = await at_quiz()
    await learner.send(answer_right(learner))
    seed = attempt_of(learner)["seed"]
    await learner.send("/menu")
    reply = await learner.tap("Continuer")
    assert learner.state.step == "quiz" and "Question 2 sur" in learner.texts(reply)
    assert (attempt_of(learner)["question"], attempt_of(learner)["score"]) == (1, 1)
    assert attempt_of(learner)["seed"] == seed, "a question bank draws the same questions"


async def test_a_learner_upgraded_mid_quiz_goes_on_at_their_question() -> None:
    learner = await at_quiz()
    place = place_of(learner)
    learner.state.data = {  # what the previous release kept, untyped
        "course": place["course"],
        "lesson": place["lesson"],
        "i": 3,
        "q": 1,
        "score": 1.0,
        "tries": 0,
        "help": {"k": f"{place['lesson']}:q2", "h": 1, "x": []},
    }
    reply = await learner.resume()
    assert "Question 2 sur" in learner.texts(reply)
    assert (attempt_of(learner)["question"], attempt_of(learner)["score"]) == (1, 1.0)
    assert (place_of(learner)["lesson"], place_of(learner)["step"]) == (place["lesson"], 3)
    assert set(learner.state.data) - {MARKS_SHOWN} == {"flows"}, "the old keys are read once"
    assert learner.state.data["flows"]["help"]["hints"] == 1
