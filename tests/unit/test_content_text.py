"""split_text: paragraphs first, then sentences, then words, a hard cut last."""

from __future__ import annotations

import random

import pytest

from content.text import split_text

TEXT = (
    "Le paludisme est une maladie grave. Il est transmis par un moustique.\n\n"
    "Dors sous une moustiquaire ! Vide l'eau qui stagne.\n"
    "- combler les flaques\n"
    "- couvrir les canaris"
)


def test_short_text_is_one_chunk() -> None:
    assert split_text(TEXT, 4096) == [TEXT]


def test_empty_text_gives_no_chunk() -> None:
    assert split_text("", 10) == []
    assert split_text(" \n\n \t", 10) == []


def test_cuts_at_paragraphs_first() -> None:
    assert split_text(TEXT, 120) == [
        "Le paludisme est une maladie grave. Il est transmis par un moustique.",
        "Dors sous une moustiquaire ! Vide l'eau qui stagne.\n"
        "- combler les flaques\n- couvrir les canaris",
    ]


def test_then_at_sentences_keeping_line_breaks() -> None:
    assert split_text(TEXT, 60) == [
        "Le paludisme est une maladie grave.",
        "Il est transmis par un moustique.",
        "Dors sous une moustiquaire ! Vide l'eau qui stagne.",
        "- combler les flaques\n- couvrir les canaris",
    ]


def test_then_at_words_never_before_french_punctuation() -> None:
    chunks = split_text("Tu as bien compris ? Oui ! Très bien : on continue.", 12)
    assert chunks == ["Tu as bien", "compris ?", "Oui !", "Très bien :", "on continue."]


def test_hard_cut_only_for_words_longer_than_the_limit() -> None:
    assert split_text("anticonstitutionnellement", 10) == ["anticonsti", "tutionnell", "ement"]
    assert split_text("un anticonstitutionnellement", 10) == [
        "un",
        "anticonsti",
        "tutionnell",
        "ement",
    ]


def test_hard_cut_keeps_accents_with_their_letter() -> None:
    decomposed = "e\u0301te\u0301"  # "été" written with combining accents
    chunks = split_text(decomposed, 2)
    assert "".join(chunks) == decomposed
    assert all(not chunk.startswith("\u0301") for chunk in chunks)


def test_rejects_a_limit_below_one() -> None:
    with pytest.raises(ValueError):
        split_text("texte", 0)


def test_random_texts_respect_the_limit_and_lose_nothing() -> None:
    rng = random.Random(42)
    alphabet = "abcdé \n.!?«»:"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(120)))
        limit = rng.randint(1, 30)
        chunks = split_text(text, limit)
        assert all(chunk and chunk.strip() == chunk and len(chunk) <= limit for chunk in chunks)
        assert "".join("".join(chunks).split()) == "".join(text.split())
