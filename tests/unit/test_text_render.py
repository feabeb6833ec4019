"""The text-only rendering every channel starts from (bot/text_render.py): whole outputs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bot.i18n import I18n
from bot.text_render import TextRenderer
from dialogs.capabilities import TEXT_ONLY
from dialogs.messages import Ask, ClearScreen, Document, Option, QuizQuestion, Say, Show
from dialogs.options import shows_marks, typed_choice

FR = I18n().translator("fr", None)
MENU = (
    Option("courses", "📚 Les cours"),
    Option("progress", "📈 Mes progrès"),
    Option("help", "❓ Aide"),
)


def texts(*messages: object, **settings: object) -> list[str]:
    return TextRenderer(FR, **settings).render(list(messages))  # type: ignore[arg-type]


def test_a_greeting_and_the_menu_go_as_one_numbered_text() -> None:
    assert texts(Say("Bonjour Awa !"), Ask("Que voulez-vous faire ?", MENU, 1)) == [
        "Bonjour Awa !\n\n"
        "Que voulez-vous faire ?\n\n"
        "1. 📚 Les cours\n2. 📈 Mes progrès\n3. ❓ Aide\n\n"
        "Répondez avec le numéro de votre choix."
    ]


def test_the_numbers_shown_are_the_numbers_read_and_so_are_the_words() -> None:
    ask = Ask("Que voulez-vous faire ?", MENU, 1)
    assert shows_marks(TEXT_ONLY, ask)  # what the dialogs keep: marks were shown
    assert typed_choice("2", MENU, shown=True) == "progress"
    assert typed_choice("aide", MENU, shown=True) == "help"


def test_a_quiz_question_is_lettered_with_its_extra_options_after() -> None:
    question = QuizQuestion(
        "Combien font 3 + 4 ?",
        (Option("a", "6"), Option("b", "7"), Option("c", "8")),
        4,
        extra=(Option("menu", "Menu"),),
    )
    assert texts(question) == [
        "Combien font 3 + 4 ?\n\n"
        "a) 6\nb) 7\nc) 8\nd) Menu\n\n"
        "Répondez avec la lettre de votre choix."
    ]


def test_several_answers_are_lettered_lines_the_hint_then_the_extra_options() -> None:
    question = QuizQuestion(
        "Quels nombres sont pairs ?",
        (Option("a", "2"), Option("b", "3"), Option("c", "4")),
        5,
        multiple=True,
        extra=(Option("menu", "Menu"),),
        hint="Tapez les lettres de vos réponses, par exemple : a c",
    )
    assert texts(question) == [
        "Quels nombres sont pairs ?\n\n"
        "a) 2\nb) 3\nc) 4\n\n"
        "Tapez les lettres de vos réponses, par exemple : a c\n\n"
        "1. Menu"
    ]


def test_media_are_a_caption_and_a_link_where_the_server_is_public() -> None:
    show = Show("image", Path("/library/f/pizza.png"), "Une pizza en 4 parts", "/media/f/pizza.png")
    assert texts(show, public_url="https://ecole.example") == [
        "Une pizza en 4 parts\nhttps://ecole.example/media/f/pizza.png"
    ]
    assert texts(show) == ["Une pizza en 4 parts"]  # no public address: the caption alone
    assert texts(replace(show, caption="")) == []


def test_documents_are_a_caption_and_a_link_or_their_name() -> None:
    booklet = Document("livret.pdf", b"%PDF", "application/pdf", "Votre livret")
    links = {"livret.pdf": "https://ecole.example/files/abc/livret.pdf"}
    assert texts(booklet, document_links=links) == [
        "Votre livret\nhttps://ecole.example/files/abc/livret.pdf"
    ]
    assert texts(booklet) == ["Votre livret\n📎 livret.pdf"]


def test_a_long_text_is_split_at_sentences_within_the_channels_length() -> None:
    caps = replace(TEXT_ONLY, max_text=60)
    lesson = (
        "Une fraction partage un tout. Le dénominateur dit en combien de parts. "
        "Le numérateur dit combien on en prend."
    )
    assert texts(Say(lesson), caps=caps) == [
        "Une fraction partage un tout.",
        "Le dénominateur dit en combien de parts.",
        "Le numérateur dit combien on en prend.",
    ]
    assert all(len(text) <= 60 for text in texts(Say(lesson * 3), caps=caps))


def test_a_cleared_screen_is_nothing_on_a_phone() -> None:
    assert texts(ClearScreen(), Say("Bienvenue.")) == ["Bienvenue."]
