"""The shared journeys (tests/integration/test_same_journey.py) on SMS, through the real bot
and a fake smsbox (tests/chat_drivers.py's SmsChat): the same scripts, read as an SMS
learner reads them (GSM-7: no emoji, "ça" as "ca", numbered and lettered lines typed)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import aiohttp
import pytest

from bot.sms.service import sms_text
from content.model import Question, QuestionType
from tests.chat_drivers import SmsChat, Unsupported, open_chat
from tests.driver import bundled_library
from tests.integration.test_same_journey import (
    FRACTIONS,
    MENU,
    TEACHING,
    normalised,
    onboard,
    open_lesson,
    read_to_the_quiz,
)


@pytest.fixture
async def chat(database_url: str) -> AsyncIterator[SmsChat]:
    async with AsyncExitStack() as stack:
        http = await stack.enter_async_context(aiohttp.ClientSession())
        sms = await open_chat("sms", database_url, http, stack)
        assert isinstance(sms, SmsChat)
        yield sms


def question_asked(chat: SmsChat) -> Question:
    """The bundled question the learner just read, as SMS showed it."""
    read = normalised(chat.last_text())
    found = [
        question
        for course in bundled_library().courses
        for lesson in course.lessons
        for question in (lesson.quiz.questions if lesson.quiz else ())
        if normalised(sms_text(question.text)) in read
    ]
    assert found, f"no bundled question in {read!r}"
    return max(found, key=lambda q: len(q.text))


async def answer(chat: SmsChat, right: bool = True) -> None:
    """Answer the current question, right or wrong (test_same_journey's `answer`)."""
    question = question_asked(chat)
    if question.type is QuestionType.TRUE_FALSE:
        await chat.tap("Vrai" if question.truth is right else "Faux")
    elif question.type is QuestionType.SINGLE:
        await chat.tap(next(c.text for c in question.choices if c.correct is right))
    elif question.type is QuestionType.MULTIPLE:
        wanted = [c.text for c in question.choices if c.correct is right]
        await chat.choose_all(*(wanted if right else wanted[:1]))
    elif question.type is QuestionType.SHORT:
        await chat.send(question.accepted[0].upper() if right else "je ne sais pas")
    else:
        value = question.numeric[0].value
        await chat.send(str(value).replace(".", ",") if right else str(value + 1))


def shown(labels: list[str]) -> list[str]:
    """Labels as SMS shows them."""
    return [sms_text(label) for label in labels]


async def test_onboarding_leads_to_the_menu(chat: SmsChat) -> None:
    await chat.send("START")
    assert "Dans quelle langue" in chat.last_text()
    assert chat.options()[:3] == ["Francais", "English", "العربية"]
    await chat.tap("Français")
    assert "SUPPRIMER_MES_DONNEES" in chat.last_text()  # commands as typed, no slash
    await chat.tap("J'accepte")
    assert {"Sénégal", "Mali", "Tchad"} <= set(chat.options())
    await chat.tap("Sénégal")
    await chat.tap("Élève")
    await chat.tap("CM2")
    assert chat.options() == shown(MENU)


@pytest.mark.parametrize(
    ("path", "questions"), [(FRACTIONS, 4), (TEACHING, 5)], ids=["fractions", "teaching"]
)
async def test_a_lesson_then_every_answer_right_then_the_score(
    chat: SmsChat, path: tuple[str, ...], questions: int
) -> None:
    await onboard(chat, "Enseignant" if path == TEACHING else "Élève")
    await open_lesson(chat, path)
    await read_to_the_quiz(chat)
    for number in range(1, questions + 1):
        assert f"Question {number} sur {questions}" in chat.last_text()
        await answer(chat, right=True)  # by the option's mark, or the value typed
        assert "Bonne réponse" in chat.last_text()
    assert f"Quiz terminé ! Votre score : {questions} sur {questions} (100 %)" in chat.last_text()
    assert "Refaire le quiz" in chat.options()


async def test_a_wrong_answer_gets_a_retry(chat: SmsChat) -> None:
    await onboard(chat)
    await open_lesson(chat)
    await read_to_the_quiz(chat)
    asked = chat.options()
    await answer(chat, right=False)
    assert "Ce n'est pas encore ca" in chat.last_text()
    assert "Question 1 sur 4" in chat.last_text(), "the same question, once more"
    assert chat.options() == asked
    await answer(chat, right=True)
    assert "Question 2 sur 4" in chat.last_text()


async def test_progres_and_aide_typed_without_slash_keep_the_learner_where_they_were(
    chat: SmsChat,
) -> None:
    await onboard(chat)
    await open_lesson(chat)
    await read_to_the_quiz(chat)
    await answer(chat, right=True)
    asked = chat.options()
    await chat.send("PROGRES")
    assert "Vos progrès" in chat.last_text()
    assert "Question 2 sur 4" in chat.last_text()
    assert chat.options() == asked
    await chat.send("AIDE")
    assert "PROGRES : vos progrès" in chat.last_text()
    assert chat.options() == asked
    await answer(chat, right=True)
    assert "Question 3 sur 4" in chat.last_text(), "the quiz went on"


async def test_choosing_arabic_makes_the_menu_arabic(chat: SmsChat) -> None:
    await onboard(chat)
    await chat.send("LANGUE")
    await chat.tap("العربية")
    await chat.send("MENU")
    assert "ماذا تريد أن تفعل؟" in chat.last_text()
    assert not any("a" <= ch <= "z" for ch in chat.last_text().lower())


async def test_what_sms_cannot_carry_is_said_plainly(chat: SmsChat) -> None:
    await onboard(chat)
    with pytest.raises(Unsupported):
        await chat.send_photo()
    with pytest.raises(Unsupported):
        await chat.tap("Aide", of="an old message")
