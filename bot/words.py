"""Commands typed without their slash, on channels whose phones make "/" hard to type
(`slashless_commands`: SMS, USSD): "PROGRES" is /progres, "AIDE" /aide, "MENU" /menu; and
replies show them so ("/progres" -> "PROGRES").

One mapping for every such channel: the conversations read typed words through `as_command`
(bot/conversations.py), the text renderer shows commands through `shown_commands`
(bot/text_render.py).
"""

from __future__ import annotations

import re
import unicodedata

from dialogs.flows.commands import command_descriptions

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
    """Commands as a learner without a slash types them: "/progres" → "PROGRES"."""
    return _SLASHED.sub(lambda m: m[1].upper() if m[1] in COMMANDS else m[0], text)
