"""The subjects of the course files (content/model.py SUBJECTS) as people type them: short
names ("maths"), without accents ("francais"), in the singular, with a small typo."""

from __future__ import annotations

import re

from rapidfuzz.distance import OSA

from content.grading import typo_allowance
from content.normalize import fold

# Folded: case, accents and punctuation do not matter. French, English and Arabic names.
NAMES: dict[str, tuple[str, ...]] = {
    "mathematiques": (
        "mathematiques",
        "mathematique",
        "maths",
        "math",
        "mathematics",
        "calcul",
        "رياضيات",
        "الرياضيات",
    ),
    "francais": ("francais", "french", "langue francaise", "فرنسية", "الفرنسية"),
    "sciences": (
        "sciences",
        "science",
        "svt",
        "sciences naturelles",
        "sciences de la vie et de la terre",
        "علوم",
        "العلوم",
    ),
    "sante": ("sante", "health", "hygiene", "صحة", "الصحة"),
    "histoire-geo": (
        "histoire geo",
        "histoire geographie",
        "histoire et geographie",
        "histoire",
        "geographie",
        "geo",
        "history",
        "geography",
        "تاريخ",
        "التاريخ",
        "جغرافيا",
        "الجغرافيا",
    ),
    "civisme": (
        "civisme",
        "education civique",
        "instruction civique",
        "ecm",
        "civics",
        "التربية المدنية",
    ),
    "autre": ("autre", "autres", "autres sujets", "other", "others"),
}
_KEYS = {name: key for key, names in NAMES.items() for name in names}
# Between two subjects typed together: "maths, sciences", "maths et français", "maths/svt".
_BETWEEN = re.compile(r"\s*(?:[,;/+&]|\bet\b|\band\b|\bو)\s*")


def subject_named(typed: str) -> str | None:
    """The subject key a typed name means ("maths" -> "mathematiques"), None when it means
    none or more than one (a typo counts when one name alone is that near)."""
    key = fold(typed)
    if not key:
        return None
    if key in _KEYS:
        return _KEYS[key]
    near = {
        subject
        for name, subject in _KEYS.items()
        if (allowed := typo_allowance(name))
        and OSA.distance(name, key, score_cutoff=allowed) <= allowed
    }
    return near.pop() if len(near) == 1 else None


def subjects_named(typed: str) -> tuple[str, ...]:
    """The subject keys of a text naming one or several ("maths et sciences"), in the order
    typed; () unless every part names a subject."""
    whole = subject_named(typed)  # "sciences de la vie et de la terre" is one
    if whole is not None:
        return (whole,)
    parts = [part for part in _BETWEEN.split(typed.casefold()) if part.strip()]
    found = [subject_named(part) for part in parts[:10]]
    if not found or None in found:
        return ()
    return tuple(dict.fromkeys(key for key in found if key is not None))
