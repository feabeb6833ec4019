"""French elides "de", "que", "le", "la" before a name that starts with a vowel or a mute h:
"C'est au tour d'Aïssatou", never "de Aïssatou"; other languages are left alone."""

from __future__ import annotations

import pytest

from dialogs.context import translate, translate_plural
from dialogs.elision import elide, starts_with_vowel


class Catalog:
    """A translator that knows a few English strings and leaves the rest in French."""

    rtl = False

    def __init__(self, lang: str, known: dict[str, str] | None = None) -> None:
        self.lang = lang
        self.known = known or {}

    def gettext(self, message: str) -> str:
        return self.known.get(message, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)

    def number(self, value: float, decimals: int = 0) -> str:
        return f"{value:.{decimals}f}"


@pytest.mark.parametrize(
    ("name", "vowel"),
    [
        ("Aïssatou", True),
        ("Awa", True),
        ("Ousmane", True),
        ("Émilie", True),
        ("Ibrahim", True),
        ("Hawa", True),  # a mute h
        ("Yves", True),
        ("Yacouba", False),  # a y before a vowel is a consonant
        ("Moussa", False),
        ("Fatou", False),
        ("8", False),
        ("", False),
        ("« Awa »", False),
    ],
)
def test_which_names_take_an_elision(name: str, vowel: bool) -> None:
    assert starts_with_vowel(name) is vowel


def test_the_article_before_a_name_is_elided() -> None:
    assert elide("C'est au tour de %(name)s.", {"name": "Aïssatou"}) == "C'est au tour d'%(name)s."
    assert elide("C'est au tour de %(name)s.", {"name": "Moussa"}) == "C'est au tour de %(name)s."
    assert elide("De %(a)s et que %(b)s, le %(c)s", {"a": "Ali", "b": "Issa", "c": "Hamed"}) == (
        "D'%(a)s et qu'%(b)s, l'%(c)s"
    )
    assert elide("le %(date)s", {"date": "07/12/2026"}) == "le %(date)s"
    assert elide("tout de %(n)s", {"n": 8}) == "tout de %(n)s"


def test_french_strings_elide_and_translations_do_not() -> None:
    french = Catalog("fr")
    assert translate(french, "C'est au tour de %(name)s.", name="Aïssatou") == (
        "C'est au tour d'Aïssatou."
    )
    assert translate(french, "Les réponses de %(name)s :", name="Moussa") == (
        "Les réponses de Moussa :"
    )
    english = Catalog("en", {"C'est au tour de %(name)s.": "It is de %(name)s's turn."})
    assert translate(english, "C'est au tour de %(name)s.", name="Awa") == "It is de Awa's turn."
    # A partial catalog falls back to French string by string: the French is elided.
    wolof = Catalog("wo")
    assert translate(wolof, "Code PIN de %(name)s", name="Ousmane") == "Code PIN d'Ousmane"
    text = translate_plural(
        french, "%(n)s copie de %(name)s", "%(n)s copies de %(name)s", 2, name="Awa"
    )
    assert text == "2 copies d'Awa"
