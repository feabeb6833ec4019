"""A reply kept until sent reads back exactly as the turn made it (bot/storage/replies.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.rendering import made, not_made_text
from bot.storage.replies import Letter, decode, encode
from dialogs.events import UserRef
from dialogs.messages import Ask, Document, Later, Option, Out, QuizQuestion, Say, Show

USER = UserRef("telegram", "42")
EVERY_KIND: list[Out] = [
    Say("Bravo ! « 3/4 » ≠ 0,75 ? مرحبا"),
    Ask("Choisis :", (Option("a", "Oui"), Option("b", "Non 👍")), prompt=7, columns=2),
    QuizQuestion(
        "Combien font 2 + 2 ?",
        (Option("1", "3"), Option("2", "4")),
        prompt=8,
        multiple=True,
        correct_ids=("2",),
        extra=(Option("menu", "Menu"),),
        submit="Valider",
        hint="Tapez 1 ou 2",
    ),
    QuizQuestion("Vrai ?", (Option("v", "Vrai"),), prompt=9),
    Show("image", Path("/srv/courses/fractions/pizza.png"), "Une pizza", "/media/f/pizza.png"),
    Show("audio", Path("lesson.ogg")),
    Document("export.json", b"\x00\xff{}binary", "application/json", "Vos données"),
]


def test_every_kind_of_message_reads_back_equal() -> None:
    letter = Letter(USER, EVERY_KIND, "ar", True, user_id=5, profile_id=6)
    assert decode(USER, encode(letter)) == letter


def test_an_erased_learners_reply_has_no_rows() -> None:
    letter = Letter(USER, [Say("Effacé.")], "fr", False)
    assert decode(USER, encode(letter)) == letter


@pytest.mark.parametrize("message", EVERY_KIND)
def test_each_message_alone(message: Out) -> None:
    letter = Letter(USER, [message], "fr", False, 1, None)
    again = decode(USER, encode(letter))
    assert again.messages == [message] and type(again.messages[0]) is type(message)


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown message kind"):
        decode(USER, '{"messages":[{"kind":"hologram"}],"lang":"fr","rtl":false}')


async def test_a_document_still_to_make_is_kept_by_its_name_and_apologised_for_after_a_crash() -> (
    None
):
    """A certificate is made after the commit (bot/rendering.py): the kept reply holds its
    name, not its bytes; read back by another process, whose maker died, the person is told
    to ask again instead of getting nothing."""

    async def render() -> bytes:
        return b"%PDF-1.7"

    later = Document("certificat.pdf", Later("cert:abc", render), "application/pdf", "Bravo")
    letter = Letter(USER, [Say("Voici :"), later], "fr", False, user_id=5)
    payload = encode(letter)
    assert "PDF" not in payload and "cert:abc" in payload
    [say, kept] = decode(USER, payload).messages
    assert say == Say("Voici :")
    assert isinstance(kept, Document) and isinstance(kept.content, Later)
    assert kept.content.key == "cert:abc" and kept.caption == "Bravo"
    apology = not_made_text(lambda text: text)
    assert await made([say, kept], lambda text: text) == [say, Say(apology)]
