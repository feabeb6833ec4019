"""Subjects as teachers type them (content/subjects.py)."""

from __future__ import annotations

import pytest

from content.model import SUBJECTS
from content.subjects import NAMES, subjects_named


@pytest.mark.parametrize(
    ("typed", "subjects"),
    [
        ("maths", ("mathematiques",)),
        ("Math", ("mathematiques",)),
        ("mathématique", ("mathematiques",)),
        ("Mathématiques", ("mathematiques",)),
        ("matematiques", ("mathematiques",)),  # a typo
        ("francais", ("francais",)),
        ("sciences", ("sciences",)),
        ("science", ("sciences",)),
        ("Histoire-Géo", ("histoire-geo",)),
        ("éducation civique", ("civisme",)),
        ("الرياضيات", ("mathematiques",)),
        ("maths et français", ("mathematiques", "francais")),
        ("maths, svt", ("mathematiques", "sciences")),
        ("sciences de la vie et de la terre", ("sciences",)),
        ("jardin", ()),
        ("maths et jardin", ()),
        ("", ()),
    ],
)
def test_subjects_named(typed: str, subjects: tuple[str, ...]) -> None:
    assert subjects_named(typed) == subjects


def test_every_subject_has_names() -> None:
    assert set(NAMES) == set(SUBJECTS)
