"""French elision before a name: "C'est au tour d'Aïssatou", "le profil d'Ousmane".

A French message writes "de %(name)s"; the word before the placeholder loses its vowel when
the value starts with a vowel or a mute h ("de" -> "d'", "que" -> "qu'", "le"/"la" -> "l'").
Only French text is elided: the messages a catalog left in French (the source language, or a
partial catalog falling back to it), never a translation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

VOWELS = frozenset("aeiou")
# "de", "que", "le", "la" (and their capitalised forms) right before a placeholder.
_BEFORE = re.compile(r"\b([Dd]e|[Qq]ue|[Ll]e|[Ll]a|[Jj]usque|[Ll]orsque|[Pp]uisque) %\((\w+)\)s")


def starts_with_vowel(word: str) -> bool:
    """Tell whether French elides before `word`: a vowel, a mute h, a y before a consonant."""
    letters = unicodedata.normalize("NFD", word.strip()).casefold()
    plain = "".join(c for c in letters if not unicodedata.combining(c))
    if not plain or not plain[0].isalpha():
        return False
    first, second = plain[0], plain[1:2]
    if first in VOWELS:
        return True
    if first == "y":  # Yves, but Yacouba: a y before a vowel sounds like a consonant
        return bool(second) and second not in VOWELS
    if first == "h":  # Hawa, Hélène: a name's h is taken as mute
        return second in VOWELS or second == "y"
    return False


def elide(template: str, values: Mapping[str, object]) -> str:
    """The French template with "de %(x)s" made "d'%(x)s" where the value of x asks for it."""

    def one(match: re.Match[str]) -> str:
        word, key = match[1], match[2]
        value = values.get(key)
        if isinstance(value, str) and starts_with_vowel(value):
            return f"{word[:-1]}'%({key})s"
        return match[0]

    return _BEFORE.sub(one, template)
