"""The student's journey, driven like a conversation through the platform-neutral dialogs."""

from __future__ import annotations

import json

import pytest

from content.model import QuestionType
from dialogs.messages import Ask, Document, QuizQuestion
from tests.driver import Learner
from tests.flow_states import attempt_of, place_of


async def onboard(learner: Learner, language: str = "Français", level: str = "CM2") -> None:
    """Walk through the first contact: language, consent, country, role, level."""
    await learner.send("/start")
    await learner.tap(language)
    await learner.tap("yes")
    await learner.tap("SN")
    await learner.tap("student")
    await learner.tap(level)


async def test_first_contact_asks_language_with_names_in_their_own_script() -> None:
    learner = Learner.new()
    await learner.send("Bonjour")
    asked = learner.last_prompt()
    assert [o.label for o in asked.options][:3] == ["Français", "English", "العربية"]
    assert "Bienvenue" in learner.texts() or "bienvenue" in learner.texts()


async def test_onboarding_records_the_profile_and_opens_the_menu() -> None:
    learner = Learner.new()
    await onboard(learner)
    assert learner.profile.complete
    assert (learner.profile.locale, learner.profile.country) == ("fr", "SN")
    assert (learner.profile.role, learner.profile.level) == ("student", "CM2")
    assert learner.state.step == "menu"
    assert "Que voulez-vous faire" in learner.last_text()


async def test_consent_notice_says_what_is_stored_and_how_to_delete_it() -> None:
    learner = Learner.new()
    await learner.send("/start")
    await learner.tap("Français")
    assert "/supprimer_mes_donnees" in learner.texts()
    await learner.tap("no")
    assert learner.erased


async def test_arabic_learner_gets_arabic_text() -> None:
    learner = Learner.new()
    await onboard(learner, language="العربية")
    assert learner.profile.locale == "ar"
    assert not any("a" <= ch <= "z" for ch in learner.last_text().lower())


async def test_unexpected_input_gets_help_and_the_options_again() -> None:
    learner = Learner.new()
    await onboard(learner)
    for message in ("n'importe quoi", "x" * 10_000, "مرحبا بكم"):
        reply = await learner.send(message)
        assert "Je n'ai pas compris" in learner.texts(reply)
        assert isinstance(reply[-1], Ask) and reply[-1].options
    reply = await learner.send_media("sticker")
    assert "ce type de message" in learner.texts(reply)
    reply = await learner.send("   ")
    assert "vide" in learner.texts(reply)
    assert learner.state.step == "menu"


async def test_a_stale_button_is_answered_politely() -> None:
    learner = Learner.new()
    await onboard(learner)
    old_menu = learner.last_prompt()
    await learner.tap("Les cours")
    reply = await learner.tap("Mes progrès", prompt_of=old_menu)
    assert "ancien message" in learner.texts(reply)


async def test_typed_number_picks_the_option() -> None:
    learner = Learner.new()
    await onboard(learner)
    await learner.send("3")  # no bookmark yet: 1 courses, 2 progress, 3 help
    assert "/progres" in learner.texts()


async def walk_to_first_quiz(learner: Learner) -> None:
    """From the menu, open the first course and read its first lesson to the quiz."""
    await learner.tap("Les cours")
    while learner.state.step in ("subjects", "courses"):
        await learner.tap(learner.last_prompt().options[0].id)
    await learner.tap("1.")
    while learner.state.step == "lesson":
        await learner.tap("next")


def answer_right(learner: Learner) -> str:
    """A right answer to the current question, typed as a learner would."""
    course = learner.library.get(place_of(learner)["course"])
    assert course is not None
    lesson = course.lesson(place_of(learner)["lesson"])
    assert lesson is not None and lesson.quiz is not None
    question = lesson.quiz.questions[attempt_of(learner)["question"]]
    if question.type is QuestionType.SHORT:
        return question.accepted[0]
    if question.type is QuestionType.NUMERIC:
        return str(question.numeric[0].value).replace(".", ",")
    if question.type is QuestionType.TRUE_FALSE:
        return "vrai" if question.truth else "faux"
    return " ".join(c.id for c in question.choices if c.correct)


async def test_a_lesson_then_its_quiz_with_feedback_and_a_score() -> None:
    learner = Learner.new()
    await onboard(learner)
    await walk_to_first_quiz(learner)
    assert learner.state.step == "quiz"
    assert learner.records.done, "reading the lesson to the end completes it"
    while learner.state.step == "quiz":
        reply = await learner.send(answer_right(learner))
        assert "Bonne réponse" in learner.texts(reply)
    assert "100" in learner.texts() and "Excellent" in learner.texts()
    assert learner.state.step == "quiz_done"
    scores = await learner.records.quiz_scores()
    assert scores[0].best == scores[0].max_score


async def answer_wrong(learner: Learner) -> None:
    """Answer the current question wrongly, the way its rendering invites."""
    asked = learner.last_prompt()
    if isinstance(asked, QuizQuestion):
        await learner.tap(next(o.id for o in asked.options if o.id not in asked.correct_ids))
    else:
        await learner.send("99999 zzzz")


async def test_a_wrong_answer_gets_a_retry_then_the_right_answer() -> None:
    learner = Learner.new()
    await onboard(learner)
    await walk_to_first_quiz(learner)
    question_number = attempt_of(learner)["question"]
    await answer_wrong(learner)
    assert "essayez encore" in learner.last_text() or "essayez encore" in learner.texts()
    assert attempt_of(learner)["question"] == question_number, "the same question, once more"
    await answer_wrong(learner)
    assert "La bonne réponse" in learner.texts()
    assert attempt_of(learner)["question"] == question_number + 1
    assert attempt_of(learner)["score"] == 0


async def test_right_at_the_second_try_earns_half_the_points() -> None:
    learner = Learner.new()
    await onboard(learner)
    await walk_to_first_quiz(learner)
    await answer_wrong(learner)
    await learner.send(answer_right(learner))
    assert "Bonne réponse" in learner.texts()
    assert attempt_of(learner)["score"] == 0.5


async def test_progress_counts_lessons_and_best_scores() -> None:
    learner = Learner.new()
    await onboard(learner)
    await walk_to_first_quiz(learner)
    while learner.state.step == "quiz":
        await learner.send(answer_right(learner))
    reply = await learner.send("/progres")
    text = learner.texts(reply)
    assert "1 leçon terminée sur" in text
    assert "meilleur score 100" in text and "(1 essai)" in text


async def test_continue_brings_the_learner_back_to_the_same_place() -> None:
    learner = Learner.new()
    await onboard(learner)
    await learner.tap("Les cours")
    while learner.state.step in ("subjects", "courses"):
        await learner.tap(learner.last_prompt().options[0].id)
    await learner.tap("1.")
    await learner.tap("next")
    where = place_of(learner)
    await learner.send("/menu")
    await learner.tap("Continuer")
    assert learner.state.step == "lesson"
    assert place_of(learner)["step"] == where["step"] == 1


async def test_my_data_is_sent_as_json_and_erasure_needs_confirmation() -> None:
    learner = Learner.new()
    await onboard(learner)
    reply = await learner.send("/mes_donnees")
    document = next(m for m in reply if isinstance(m, Document))
    assert json.loads(document.content) is not None
    await learner.send("/supprimer_mes_donnees")
    await learner.tap("Non")
    assert not learner.erased and learner.state.step == "menu"
    await learner.send("/supprimer_mes_donnees")
    await learner.tap("Oui")
    assert learner.erased


@pytest.mark.parametrize("command", ["/aide", "/help", "/progres@ImaginecoleBot"])
async def test_info_commands_keep_the_learner_where_they_were(command: str) -> None:
    learner = Learner.new()
    await onboard(learner)
    await learner.tap("Les cours")
    step = learner.state.step
    await learner.send(command)
    assert learner.state.step == step
    assert isinstance(learner.sent[-1], Ask)


async def test_help_in_a_quiz_says_the_words_that_help_at_its_questions() -> None:
    learner = Learner.new()
    await onboard(learner)
    said = learner.texts(await learner.send("/aide"))
    assert "indice" not in said, "no question here"
    await walk_to_first_quiz(learner)
    question = learner.last_prompt()
    said = learner.texts(await learner.send("/aide"))
    assert said.split("\n\n")[2] == (  # after the two paragraphs of what the bot does
        "À une question du quiz, vous pouvez écrire « indice » pour un coup de pouce, ou "
        "« plus facile » pour retirer une mauvaise réponse (questions à choix)."
    )
    assert learner.state.step == "quiz" and learner.last_prompt().text == question.text


async def test_changing_language_from_settings_returns_to_settings() -> None:
    learner = Learner.new()
    await onboard(learner)
    await learner.tap("Langue et profil")
    await learner.tap("Langue")
    await learner.tap("English")
    assert learner.profile.locale == "en"
    assert learner.state.step == "settings"


async def test_a_typed_number_answers_an_open_question_and_does_not_open_the_menu() -> None:
    learner = Learner.new()
    await onboard(learner)
    await walk_to_first_quiz(learner)
    while learner.state.step == "quiz" and isinstance(learner.last_prompt(), QuizQuestion):
        await learner.send(answer_right(learner))
    assert learner.state.step == "quiz", "the first lesson's quiz has an open question"
    await learner.send("1")
    assert learner.state.step == "quiz"
