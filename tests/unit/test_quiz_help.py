"""The words that ask for help at a question, in the ways people type them."""

from __future__ import annotations

import pytest

from dialogs.events import TextReceived, UserRef
from dialogs.flows.quiz_help import EASIER, HARDER, HINT, help_asked

USER = UserRef("web", "u")


@pytest.mark.parametrize(
    ("typed", "asked"),
    [
        ("indice", HINT),
        ("Un indice ?", HINT),
        ("HINT", HINT),
        ("تلميح", HINT),
        ("plus facile", EASIER),
        ("Plus facile !", EASIER),
        ("أسهل", EASIER),
        ("plus dur", HARDER),
        ("Plus difficile", HARDER),
        ("أصعب", HARDER),
        ("5", None),
        ("un indice s'il vous plaît, je ne trouve pas la réponse", None),
    ],
)
def test_help_words(typed: str, asked: str | None) -> None:
    assert help_asked(TextReceived(USER, 1, typed)) == asked
