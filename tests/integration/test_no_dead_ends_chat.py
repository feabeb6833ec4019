"""No dead ends, on Telegram, WhatsApp and the web chat: the word "menu" typed alone leaves
any step (a quiz question, a settings edit, a form with no "🏠 Menu" button), every "I did not
understand" names it, and a learner added to a shared phone who leaves the profile list is
back at the start of their onboarding, not at the question they left."""

from __future__ import annotations

from tests.chat_drivers import ChatLearner
from tests.chat_drivers import chat_fixture as chat_fixture  # the `chat` fixture
from tests.integration.test_same_journey import onboard, open_lesson, read_to_the_quiz

MENU_PROMPT = "Que voulez-vous faire"


async def test_typing_menu_leaves_a_quiz_question(chat: ChatLearner) -> None:
    await onboard(chat)
    await open_lesson(chat)
    await read_to_the_quiz(chat)
    assert "Question 1 sur" in chat.last_text()
    await chat.send("menu")
    assert MENU_PROMPT in chat.last_text()
    await chat.tap("Les cours")  # the menu works as usual afterwards
    assert "Choisissez une matière" in chat.last_text()


async def test_typing_menu_leaves_a_settings_edit_and_the_edit_is_over(
    chat: ChatLearner,
) -> None:
    await onboard(chat)
    await chat.tap("Langue et profil")
    await chat.tap("Pays")
    assert "Dans quel pays" in chat.last_text()
    assert not any("Menu" in label for label in chat.options())  # no button: the word works
    await chat.send("n'importe quoi")
    assert "Pour revenir au menu, écrivez « menu »." in chat.last_text()
    await chat.send("Menu")
    assert MENU_PROMPT in chat.last_text()
    await chat.send("/langue")
    await chat.tap("Français")
    assert "C'est enregistré" in chat.last_text()  # an edit of its own, then the settings
    await chat.send("/menu")
    assert MENU_PROMPT in chat.last_text()


async def test_a_learner_added_to_a_phone_leaving_the_list_restarts_onboarding(
    chat: ChatLearner,
) -> None:
    await onboard(chat)
    await chat.tap("Changer d'élève")
    await chat.tap("Ajouter un élève")
    await chat.send("Fatou")
    await chat.send("Awa")
    assert "Dans quelle langue" in chat.last_text()
    await chat.send("/eleve")  # Awa's parent wants to go back to Fatou after all
    await chat.tap("Ajouter un élève")
    await chat.send("/menu")
    assert "Dans quelle langue" in chat.last_text()  # Awa's onboarding, never a dead end
    await chat.send("menu")
    assert "Dans quelle langue" in chat.last_text()
    await chat.send("/eleve")
    await chat.tap("Fatou")
    assert "C'est au tour de Fatou" in chat.last_text()
    assert MENU_PROMPT in chat.last_text()


async def test_a_settings_edit_is_left_with_one_tap(chat: ChatLearner) -> None:
    await onboard(chat)
    await chat.tap("Langue et profil")
    for part, question in (("Pays", "Dans quel pays"), ("Classe", "En quelle classe")):
        await chat.tap(part)
        assert question in chat.last_text()
        await chat.tap("Retour")
        assert "Que voulez-vous changer" in chat.last_text()
    await chat.tap("Menu")
    assert MENU_PROMPT in chat.last_text()
    await chat.tap("Les cours")  # the country and the class are unchanged
    assert "Choisissez une matière" in chat.last_text()
