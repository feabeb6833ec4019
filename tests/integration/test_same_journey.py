"""The student's journey, written once and run on Telegram, WhatsApp, the web chat, SMS
and USSD.

Each script speaks to a `ChatLearner` (tests/chat_drivers.py) and asserts only on what the
learner reads: the French texts of the catalogs and the labels of the options offered, as
the channel shows them (`chat.reads`: no emoji on USSD, GSM-7 on SMS, "PROGRES" for
/progres on both).
"""

from __future__ import annotations

import pytest

from bot.i18n import I18n
from content.model import Question, QuestionType
from tests.chat_drivers import ChatLearner, Unsupported
from tests.chat_drivers import journey_chat_fixture as journey_chat_fixture
from tests.driver import bundled_library

MENU = [
    "📚 Les cours",
    "📈 Mes progrès",
    "❓ Aide",
    "🏫 Rejoindre une classe",
    "⚙️ Langue et profil",
    "👥 Changer d'élève",
    "🔒 Mes données",
]


@pytest.fixture(name="chat")
def chat_fixture(journey_chat: ChatLearner) -> ChatLearner:
    """The learner of each channel, USSD included."""
    return journey_chat


FRACTIONS = ("Les cours", "Mathématiques", "Les fractions", "Comprendre", "Partager en parts")
TEACHING = ("Les cours", "Autres sujets", "Enseigner avec un téléphone", "Organiser le groupe")
NOT_UNDERSTOOD = "Je n'ai pas compris"


# --- steps every script shares -------------------------------------------------------------


async def onboard(chat: ChatLearner, role: str = "Élève") -> None:
    """Language, consent, country, role, class."""
    await chat.send("/start")
    for label in ("Français", "J'accepte", "Sénégal", role, "CM2"):
        await chat.tap(label)
    assert sees(chat, "Que voulez-vous faire")


async def open_lesson(chat: ChatLearner, path: tuple[str, ...] = FRACTIONS) -> None:
    """From the menu, through subject, course and part, to a lesson's first page."""
    for label in path:
        await chat.tap(label)
    assert sees(chat, "(1/"), "the first page of the lesson"


async def read_to_the_quiz(chat: ChatLearner) -> None:
    """Turn the pages until the first question is asked."""
    for _ in range(20):
        if "Question 1 sur" in chat.last_text():
            return
        quiz_next = any(label.startswith("Passer au quiz") for label in chat.options())
        await chat.tap("Passer au quiz" if quiz_next else "Suivant")
    raise AssertionError("the lesson never reached its quiz")


def shown(chat: ChatLearner, labels: list[str]) -> list[str]:
    """The labels as the channel shows them (USSD leaves emoji out, SMS writes GSM-7)."""
    return [chat.reads(label) for label in labels]


def sees(chat: ChatLearner, text: str) -> bool:
    """Whether the learner read this French text, as their channel shows it."""
    return chat.reads(text) in chat.last_text()


def normalised(text: str) -> str:
    return " ".join(text.split())


def question_asked(chat: ChatLearner) -> Question:
    """The bundled question the learner just read (the longest that matches)."""
    shown = normalised(chat.last_text())
    found = [
        question
        for course in bundled_library().courses
        for lesson in course.lessons
        for question in (lesson.quiz.questions if lesson.quiz else ())
        if normalised(chat.reads(question.text)) in shown
    ]
    assert found, f"no bundled question in {shown!r}"
    return max(found, key=lambda q: len(q.text))


async def answer(chat: ChatLearner, right: bool = True) -> None:
    """Answer the current question, right or wrong, as its options or a typed text."""
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


# --- the scripts ---------------------------------------------------------------------------


async def test_onboarding_leads_to_the_menu(chat: ChatLearner) -> None:
    await chat.send("/start")
    assert sees(chat, "Dans quelle langue")
    assert chat.options()[:3] == shown(chat, ["Français", "English", "العربية"])
    await chat.tap("Français")
    assert sees(chat, "/supprimer_mes_donnees")
    await chat.tap("J'accepte")
    assert sees(chat, "Dans quel pays")
    assert set(shown(chat, ["Sénégal", "Mali", "Tchad"])) <= set(chat.options())
    await chat.tap("Sénégal")
    assert sees(chat, "Vous êtes")
    await chat.tap("Élève")
    assert sees(chat, "En quelle classe")
    await chat.tap("CM2")
    assert sees(chat, "Que voulez-vous faire")
    assert chat.options() == shown(chat, MENU)


@pytest.mark.parametrize(
    ("path", "questions"), [(FRACTIONS, 4), (TEACHING, 5)], ids=["fractions", "teaching"]
)
async def test_a_lesson_then_every_answer_right_then_the_score(
    chat: ChatLearner, path: tuple[str, ...], questions: int
) -> None:
    await onboard(chat, "Enseignant" if path == TEACHING else "Élève")  # a course for teachers
    await open_lesson(chat, path)
    await read_to_the_quiz(chat)
    for number in range(1, questions + 1):
        assert sees(chat, f"Question {number} sur {questions}")
        await answer(chat, right=True)
        assert sees(chat, "Bonne réponse")
    score = f"Quiz terminé ! Votre score : {questions} sur {questions} (100\u00a0%)"
    assert sees(chat, score)
    assert sees(chat, "Excellent")
    assert shown(chat, ["🔁 Refaire le quiz"])[0] in chat.options()


async def test_a_wrong_answer_gets_a_retry(chat: ChatLearner) -> None:
    await onboard(chat)
    await open_lesson(chat)
    await read_to_the_quiz(chat)
    asked = chat.options()
    await answer(chat, right=False)
    assert sees(chat, "Ce n'est pas encore ça")
    assert sees(chat, "Question 1 sur 4"), "the same question, once more"
    assert chat.options() == asked
    await answer(chat, right=True)
    assert sees(chat, "Bonne réponse")
    assert sees(chat, "Question 2 sur 4")


async def test_a_stale_option_gets_a_clear_answer_and_the_question_again(
    chat: ChatLearner,
) -> None:
    await onboard(chat)
    old_menu = chat.asked()
    await chat.tap("Les cours")
    assert sees(chat, "Choisissez une matière")
    subjects = chat.options()
    try:
        await chat.tap("Aide", of=old_menu)
    except Unsupported as reason:
        pytest.skip(f"{chat.channel}: {reason}")
    assert sees(chat, "ancien message")
    assert sees(chat, "Choisissez une matière")
    assert chat.options() == subjects
    await chat.tap("Mathématiques")
    assert sees(chat, "Choisissez un cours"), "nothing was lost"


async def test_an_unexpected_photo_gets_a_clear_answer_and_the_question_again(
    chat: ChatLearner,
) -> None:
    await onboard(chat)
    await open_lesson(chat)
    page = chat.options()
    try:
        await chat.send_photo()
    except Unsupported as reason:
        pytest.skip(f"{chat.channel}: {reason}")
    assert sees(chat, "ce type de message")
    assert sees(chat, "Partager en parts égales (1/5)"), "the page comes again"
    assert chat.options() == page
    await chat.tap("Suivant")
    assert sees(chat, "(2/5)")


async def test_progress_and_help_keep_the_learner_where_they_were(chat: ChatLearner) -> None:
    await onboard(chat)
    await open_lesson(chat)
    await read_to_the_quiz(chat)
    await answer(chat, right=True)
    asked = chat.options()
    await chat.send("/progres")
    assert sees(chat, "Vos progrès")
    assert sees(chat, "Question 2 sur 4")
    assert chat.options() == asked
    await chat.send("/aide")
    assert sees(chat, "/progres : vos progrès")
    assert sees(chat, "Question 2 sur 4")
    assert chat.options() == asked
    await answer(chat, right=True)
    assert sees(chat, "Bonne réponse")
    assert sees(chat, "Question 3 sur 4"), "the quiz went on"


async def test_choosing_arabic_makes_the_menu_arabic(chat: ChatLearner) -> None:
    arabic = I18n().translator("ar")
    await onboard(chat)
    await chat.send("/langue")
    assert sees(chat, "Choisissez votre langue")
    await chat.tap("العربية")
    await chat.send("/menu")
    assert sees(chat, arabic.gettext("Que voulez-vous faire ?"))
    labels = chat.options()
    assert labels == shown(chat, [arabic.gettext(label) for label in MENU])
    assert labels != MENU
    assert not any("a" <= ch <= "z" for ch in chat.last_text().lower())


async def test_a_very_long_message_gets_a_clear_answer(chat: ChatLearner) -> None:
    await onboard(chat)
    try:
        await chat.send("x" * 10_000)
    except Unsupported as reason:  # no phone sends that much by SMS
        pytest.skip(f"{chat.channel}: {reason}")
    if chat.channel == "web":  # refused whole, with its length: nothing is cut, nothing handled
        assert chat.last_text() == (
            "Ce message est trop long (10\u202f000 caractères, 2\u202f000 au plus) : il n'a pas"
            " été envoyé. Raccourcissez-le ou envoyez-le en plusieurs fois."
        )
    else:  # Telegram and WhatsApp cut it at their own limit: the rest is not understood
        assert NOT_UNDERSTOOD in chat.last_text()
        assert sees(chat, "Que voulez-vous faire")
    assert chat.options() == shown(chat, MENU)
