"""The few words the booklet prints itself, in the course's language (French by default)."""

from __future__ import annotations

from babel.core import Locale, UnknownLocaleError
from babel.numbers import format_decimal

_FR = {
    "contents": "Sommaire",
    "module": "Partie",
    "lesson": "Leçon",
    "exercises": "Exercices",
    "answers": "Corrigé",
    "levels": "Niveaux",
    "subject": "Matière",
    "licence": "Licence",
    "authors": "Auteurs",
    "audio": "audio",
    "video": "vidéo",
    "true_false": "Vrai / Faux",
    "true": "Vrai",
    "false": "Faux",
    "several": "(plusieurs réponses possibles)",
    "paper": (
        "Code {code}. Avec du réseau, envoie au bot le code puis tes réponses dans l'ordre, "
        "séparées par « ; » ou une par ligne, par exemple : {code} {example}"
    ),
    "answer": "Réponse :",
    "chat": "Cette leçon dans le chat :",
    "page": "page",
    "or": "ou",
    "free": "réponse libre, à corriger par l'enseignant",
}
_EN = {
    "contents": "Contents",
    "module": "Part",
    "lesson": "Lesson",
    "exercises": "Exercises",
    "answers": "Answer key",
    "levels": "Levels",
    "subject": "Subject",
    "licence": "Licence",
    "authors": "Authors",
    "audio": "audio",
    "video": "video",
    "true_false": "True / False",
    "true": "True",
    "false": "False",
    "several": "(several answers possible)",
    "paper": (
        "Code {code}. Once online, send the bot the code and your answers in order, "
        "separated by “;” or one per line, for example: {code} {example}"
    ),
    "answer": "Answer:",
    "chat": "This lesson in the chat:",
    "page": "page",
    "or": "or",
    "free": "free answer, for the teacher to mark",
}
_AR = {
    "contents": "المحتويات",
    "module": "الجزء",
    "lesson": "الدرس",
    "exercises": "تمارين",
    "answers": "الإجابات",
    "levels": "المستويات",
    "subject": "المادة",
    "licence": "الرخصة",
    "authors": "المؤلفون",
    "audio": "صوت",
    "video": "فيديو",
    "true_false": "صحيح / خطأ",
    "true": "صحيح",
    "false": "خطأ",
    "several": "(عدة إجابات ممكنة)",
    "paper": (
        "الرمز {code}. عند توفر الشبكة، أرسل إلى البوت الرمز ثم إجاباتك بالترتيب، "
        "مفصولة بـ «;» أو كل إجابة في سطر، مثلًا: {code} {example}"
    ),
    "answer": "الإجابة:",
    "chat": "هذا الدرس في المحادثة:",
    "page": "صفحة",
    "or": "أو",
    "free": "إجابة حرة يصححها المعلم",
}
_LABELS = {"fr": _FR, "en": _EN, "ar": _AR}

_SUBJECTS = {
    "mathematiques": "Mathématiques",
    "francais": "Français",
    "sciences": "Sciences",
    "sante": "Santé",
    "histoire-geo": "Histoire-géographie",
    "civisme": "Civisme",
    "autre": "Autre",
}


def _primary(language: str) -> str:
    """Return the primary language of a code: fr_SN -> fr."""
    return language.replace("_", "-").split("-")[0].casefold()


def labels(language: str) -> dict[str, str]:
    """Return the booklet's words for a language, French when we have none."""
    return _LABELS.get(_primary(language), _FR)


def subject_name(subject: str) -> str:
    """Return a subject's display name (French, as in the interface catalog's msgids)."""
    return _SUBJECTS.get(subject, subject)


def number(value: float, language: str) -> str:
    """Format a number the local way: 1 500, 0,33."""
    try:
        locale = Locale.parse(_primary(language))
    except (UnknownLocaleError, ValueError):
        locale = Locale.parse("fr")
    text = format_decimal(value, locale=locale, group_separator=True)
    return text.replace("\u202f", " ").replace("\xa0", " ")
