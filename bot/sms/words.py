"""The words an SMS learner types instead of tapping: STOP (and its equivalents), and
commands without their slash ("PROGRES" for /progres); and commands shown without it.

STOP is honoured by the channel itself, before the dialogs, in every language the programme
serves; the local-language words are the common ones for "stop" / "leave it" and are
meant to grow with the programme's translators.
"""

from __future__ import annotations

import re
import unicodedata

from dialogs.flows.commands import command_descriptions

STOP_WORDS = frozenset(
    {
        "stop",  # the word every operator honours
        "arret",  # ARRET, ARRÊT
        "arreter",
        "desabonner",
        "desinscrire",
        "unsubscribe",
        "quit",
        "tsaya",  # Hausa
        "bayil",  # Wolof: leave it
        "taxawal",  # Wolof: stop it
        "dabila",  # Bambara: stop (a dabila)
        "a dabila",
        "dartu",  # Fula (Pulaar): stop
        "توقف",  # Arabic
        "الغاء",  # Arabic: cancel
    }
)
START_WORDS = frozenset({"start", "demarrer", "reprendre"})
# The learner's commands, as the dialogs list them (/progres, /aide, /langue...).
COMMANDS = frozenset(name for name, _ in command_descriptions(lambda text: text))
_SLASHED = re.compile(r"/([a-z_]+)\b")


def folded(text: str) -> str:
    """A typed word as compared: lower case, without accents, punctuation or extra spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    kept = "".join(c if c.isalnum() or c in " _" else " " for c in plain)
    return " ".join(kept.split())


def is_stop(text: str) -> bool:
    """Whether the message asks to stop every SMS ("STOP", "Arrêt !", "stop stop")."""
    word = folded(text)
    return word in STOP_WORDS or (bool(word) and set(word.split()) <= STOP_WORDS)


def as_command(text: str) -> str:
    """A command typed without its slash, as the dialogs read it: "PROGRES" → "/progres",
    "rejoindre AB12" → "/rejoindre AB12" (a single word, or the first word in capitals);
    START → /start. Anything else is unchanged."""
    words = text.strip().split(maxsplit=1)
    if not words or text.strip().startswith("/"):
        return text
    first = folded(words[0]).replace(" ", "_")
    if first in START_WORDS:
        first = "start"
    alone = len(words) == 1
    if first in COMMANDS and (alone or words[0].isupper()):
        return "/" + first + ("" if alone else " " + words[1])
    return text


def shown_commands(text: str) -> str:
    """Commands as an SMS learner types them: "/progres" → "PROGRES"."""
    return _SLASHED.sub(lambda m: m[1].upper() if m[1] in COMMANDS else m[0], text)
