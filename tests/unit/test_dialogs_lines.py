"""Lists typed where the bot asks for one item per line, with the separators people use."""

from __future__ import annotations

import pytest

from dialogs.lines import as_lines, items
from dialogs.rubric import parse_rubric


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Dakar\nThiès\n\n  Saint-Louis  ", ["Dakar", "Thiès", "Saint-Louis"]),
        ("Dakar; Thiès ;Saint-Louis;", ["Dakar", "Thiès", "Saint-Louis"]),
        ("Dakar / Thiès/Saint-Louis", ["Dakar", "Thiès", "Saint-Louis"]),
        ("Vrai - Faux – Je ne sais pas", ["Vrai", "Faux", "Je ne sais pas"]),
        ("Dakar, Thiès, Saint-Louis", ["Dakar", "Thiès", "Saint-Louis"]),
        # numbers keep their slash and their decimal comma
        ("1/2; 2/4; 0,5", ["1/2", "2/4", "0,5"]),
        ("1/2, 2/4", ["1/2", "2/4"]),
        ("3,5", ["3,5"]),
        ("1/2", ["1/2"]),
        # the first separator found wins: a semicolon list keeps its commas
        ("Oui, bien sûr; Non, jamais", ["Oui, bien sûr", "Non, jamais"]),
        # several lines are taken as they are, separators and all
        ("Oui, bien sûr\nNon; jamais", ["Oui, bien sûr", "Non; jamais"]),
        ("Saint-Louis", ["Saint-Louis"]),
        ("", []),
        (" ;; ", [";;"]),
    ],
)
def test_a_typed_list_whatever_its_separator(typed: str, expected: list[str]) -> None:
    assert items(typed) == expected


def test_a_rubric_on_one_line_keeps_the_dash_between_a_criterion_and_its_weight() -> None:
    assert as_lines("Clarté - 30; Activité - 40; Contexte - 30", dashes=False) == (
        "Clarté - 30\nActivité - 40\nContexte - 30"
    )
    typed = "Clarté 30, Activité des élèves 40, Contexte 30"
    assert parse_rubric(as_lines(typed, dashes=False)) == (
        ("Clarté", 30),
        ("Activité des élèves", 40),
        ("Contexte", 30),
    )
