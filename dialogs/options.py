"""Understanding a learner's choice, whether tapped, typed as a number, or typed as words."""

from __future__ import annotations

import unicodedata

from content.normalize import fold

from dialogs.events import Incoming, OptionChosen, TextReceived
from dialogs.messages import Option


def strip_markers(label: str) -> str:
    """Drop emoji, symbols and a leading number from a label: "📚 Les cours" -> "Les cours"."""
    kept = "".join(c for c in label if unicodedata.category(c)[0] in "LNZP" or c in "'-")
    return kept.lstrip("0123456789.) ").strip()


def choose(event: Incoming, options: tuple[Option, ...]) -> str | None:
    """Return the id of the option the event picks, or None if it picks none."""
    if isinstance(event, OptionChosen):
        return event.option_id if any(o.id == event.option_id for o in options) else None
    if isinstance(event, TextReceived):
        return _typed_choice(event.text, options)
    return None


def _typed_choice(text: str, options: tuple[Option, ...]) -> str | None:
    """Map "2", "Français" or "francais" to an option id."""
    typed = fold(text)
    if typed.isdigit() and 1 <= int(typed) <= len(options):
        return options[int(typed) - 1].id
    for option in options:
        if typed and typed in (fold(option.label), fold(strip_markers(option.label)), option.id):
            return option.id
    return None


def numbered(options: tuple[Option, ...]) -> str:
    """Options as a numbered text list, for a reminder of what can be typed."""
    return "\n".join(f"{i}. {strip_markers(o.label)}" for i, o in enumerate(options, 1))
