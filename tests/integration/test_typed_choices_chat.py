"""A typed answer means what the learner typed, on Telegram, WhatsApp and the web chat: where
options are numbers a typed number is a value, never a position (dialogs/options.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.chat_drivers import ChatLearner
from tests.chat_drivers import chat_fixture as chat_fixture  # the `chat` fixture
from tests.integration.test_class_reports import sql
from tests.integration.test_same_journey import (
    NOT_UNDERSTOOD,
    onboard,
    open_lesson,
    read_to_the_quiz,
)
from tests.store_driver import open_conversations


async def at_first_question(chat: ChatLearner) -> None:
    """The question "Dans la fraction 3/5, quel est le dénominateur ?" (3, 5, 8 or 15)."""
    await onboard(chat)
    await open_lesson(chat)
    await read_to_the_quiz(chat)
    assert "quel est le dénominateur" in chat.last_text()
    assert set(chat.options()) >= {"3", "5", "8", "15"}


async def test_a_typed_number_is_the_value_not_a_button(chat: ChatLearner) -> None:
    await at_first_question(chat)
    await chat.send("2")  # the 2nd option is "5", the right answer: 2 is no option's value
    assert NOT_UNDERSTOOD in chat.last_text() and "Bonne réponse" not in chat.last_text()
    await chat.send("3")  # the value 3 (wrong), not the 3rd option
    assert "Ce n'est pas encore ça" in chat.last_text()
    await chat.send("cinq")  # the value in words
    assert "Bonne réponse" in chat.last_text()


async def test_a_typed_letter_where_only_buttons_were_shown_is_text(chat: ChatLearner) -> None:
    """A poll (Telegram), a list (WhatsApp), buttons (the web): no letters shown, so a typed
    "b" is no position (the 2nd option, "5", is the right answer)."""
    await at_first_question(chat)
    assert not any(label[:2] in ("a)", "b)", "1.", "2.") for label in chat.options())
    await chat.send("b")
    assert NOT_UNDERSTOOD in chat.last_text() and "Bonne réponse" not in chat.last_text()
    await chat.tap("5")
    assert "Bonne réponse" in chat.last_text()


async def test_a_typed_letter_is_the_option_shown_under_it(chat: ChatLearner) -> None:
    """Twelve classes: lettered lines on WhatsApp (beyond its ten rows), buttons elsewhere."""
    await chat.send("/start")
    for label in ("Français", "J'accepte", "Sénégal", "Élève"):
        await chat.tap(label)
    await chat.send("f")
    if chat.channel == "whatsapp":  # "f) 6e" was shown
        assert "Que voulez-vous faire" in chat.last_text()
    else:
        assert NOT_UNDERSTOOD in chat.last_text()


async def test_a_class_typed_as_a_number_is_that_class(chat: ChatLearner) -> None:
    await chat.send("/start")
    for label in ("Français", "J'accepte", "Sénégal", "Élève"):
        await chat.tap(label)
    assert "En quelle classe" in chat.last_text()
    if chat.channel == "whatsapp":  # twelve classes: listed as text, lettered (6e, 5e...)
        assert "f) 6e" in chat.last_text() and "Répondez avec la lettre" in chat.last_text()
    await chat.send("7")  # not the 7th class (5e): no class is the "7e"
    assert NOT_UNDERSTOOD in chat.last_text()
    await chat.send("6")  # 6e
    assert "Que voulez-vous faire" in chat.last_text()
    await chat.send("/progres")
    await chat.send("mes cours")  # the menu entry "📚 Les cours", in the learner's words
    assert "Choisissez une matière" in chat.last_text()


async def test_a_quiz_answered_the_way_people_write(chat: ChatLearner) -> None:
    await at_first_question(chat)
    for typed in ("cinq", "fau", "un quart", "six"):  # 5, faux, "un quart", 6
        await chat.send(typed)
        assert "Bonne réponse" in chat.last_text(), typed
    assert "Votre score : 4 sur 4" in chat.last_text()


async def test_paper_answers_of_several_words_after_semicolons(chat: ChatLearner) -> None:
    await onboard(chat)
    await chat.send("FRA1 b ; fau ; un quart ; six")  # as the booklet's example line shows
    assert "Livret" in chat.last_text() and "4 sur 4" in chat.last_text()
    await chat.send("FRA1\n5\nFaux\nun quart\n6")  # one per line, values instead of letters
    assert "4 sur 4" in chat.last_text() and "❌" not in chat.last_text()


async def test_review_reads_typed_answers_by_the_same_rule(
    chat: ChatLearner, database_url: str
) -> None:
    """A question missed comes back in review: a typed value is graded as the value, a
    letter where only buttons were shown is text."""
    await at_first_question(chat)
    await chat.send("3")  # the value 3: wrong, the card enters the deck
    assert "Ce n'est pas encore ça" in chat.last_text()
    async with open_conversations(database_url) as talk:
        past = datetime.now(UTC) - timedelta(days=1)
        await sql(talk, "UPDATE review_cards SET due = :due", due=past)
    await chat.send("/menu")
    await chat.tap("🔁 Réviser (1)")
    assert "quel est le dénominateur" in chat.last_text()
    await chat.send("b")  # the 2nd option is the right one, but no letters were shown
    assert NOT_UNDERSTOOD in chat.last_text() and "Bonne réponse" not in chat.last_text()
    await chat.send("cinq")
    assert "Bonne réponse" in chat.last_text()
