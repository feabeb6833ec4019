"""Items to put in order ("Range ces fractions...", the fractions course's second lesson) on
Telegram, WhatsApp, the web chat, SMS and USSD: tapped one per turn, or typed as the letters
shown (in the text where the items are buttons, by the channel where it lists them)."""

from __future__ import annotations

from tests.chat_drivers import ChatLearner, lettered
from tests.chat_drivers import journey_chat_fixture as journey_chat_fixture
from tests.integration.test_same_journey import onboard, open_lesson, read_to_the_quiz

COMPARE = ("Les cours", "Mathématiques", "Les fractions", "Comprendre", "Comparer")


async def at_the_ordering(chat: ChatLearner) -> None:
    """The first four questions of "Comparer des fractions" answered right, by typing."""
    await onboard(chat)
    await open_lesson(chat, COMPARE)
    await read_to_the_quiz(chat)
    for typed in ("2/4 ; 3/6 ; 5/10", "1/3", "vrai", "2/6"):
        await chat.send(typed)
        assert "Bonne réponse" in chat.last_text(), typed
    assert "Range ces fractions de la plus petite à la plus grande." in chat.last_text()
    assert "Rangez dans l'ordre (1 sur 3) : quel élément vient en premier ?" in chat.last_text()
    assert {"1/2", "1/3", "1/6"} <= set(chat.options())


async def test_items_tapped_in_order(journey_chat: ChatLearner) -> None:
    chat = journey_chat
    await at_the_ordering(chat)
    await chat.tap("1/6")
    assert "Déjà rangés : 1/6" in chat.last_text()
    assert "Rangez dans l'ordre (2 sur 3)" in chat.last_text()
    await chat.tap("1/3")  # 1/2 goes last by itself
    assert "Bonne réponse" in chat.last_text()
    assert "plus la part est petite" in chat.last_text()
    assert "Votre score : 5 sur 5" in chat.last_text()


async def test_the_order_typed_as_the_letters_shown(journey_chat: ChatLearner) -> None:
    chat = journey_chat
    await at_the_ordering(chat)
    letters = {label: mark for mark, label in lettered(chat.last_text())}
    assert {"1/2", "1/3", "1/6"} <= set(letters)  # listed with their letters
    wrong = " ".join(letters[item] for item in ("1/2", "1/3", "1/6"))
    await chat.send(wrong)
    assert "essayez encore" in chat.last_text()
    right = ",".join(letters[item] for item in ("1/6", "1/3", "1/2"))
    await chat.send(right)
    assert "Bonne réponse" in chat.last_text()
    assert "Votre score : 4,5 sur 5" in chat.last_text()
