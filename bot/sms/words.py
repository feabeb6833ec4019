"""The words an SMS learner types to stop every SMS: STOP and its equivalents (commands typed
without their slash, "PROGRES", are every such channel's: bot/words.py).

STOP is honoured by the channel itself, before the dialogs, in every language the programme
serves; the local-language words are the common ones for "stop" / "leave it" and are
meant to grow with the programme's translators.
"""

from __future__ import annotations

from bot.words import folded

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


def is_stop(text: str) -> bool:
    """Whether the message asks to stop every SMS ("STOP", "Arrêt !", "stop stop")."""
    word = folded(text)
    return word in STOP_WORDS or (bool(word) and set(word.split()) <= STOP_WORDS)
