"""The checks a translation passes before it is kept: in the chat and on import alike.

A translation keeps the French source's placeholders (%(name)s, %s) and commands (/aide),
survives being filled in (a lone "%" would break it), and fits where it appears: a button
label within the shortest label a channel shows whole (dialogs/capabilities.py).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dialogs.translation_ports import PluralCategory, SourceString

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")
NAMED = re.compile(r"%\((\w+)\)")
COMMAND = re.compile(r"(?<![\w/])/[a-z_]+")
NUMBER = "n"  # ctx.ngettext always fills %(n)s with the count

Say = Callable[..., str]  # ctx._: a message and its values, translated


@dataclass(frozen=True)
class Problem:
    """Why a translation is refused."""

    kind: str  # "empty", "missing", "unknown", "percent", "command", "long"
    names: tuple[str, ...] = ()
    length: int = 0
    limit: int = 0


def keep_list(source: SourceString) -> tuple[str, ...]:
    """What the translation must keep as written: placeholders, then commands."""
    texts = (source.msgid, source.plural) if source.plural else (source.msgid,)
    found: list[str] = []
    for text in texts:
        for token in [*PLACEHOLDER.findall(text), *COMMAND.findall(text)]:
            if token not in found:
                found.append(token)
    return tuple(found)


def limit_of(source: SourceString) -> int:
    """The longest translation that fits: a button's label limit, unless the French itself
    is longer (then as long as the French); else the longest text of a message."""
    if source.label_limit:
        return max(source.label_limit, len(source.msgid), len(source.plural))
    return source.text_limit


def problems(
    source: SourceString, text: str, category: PluralCategory | None = None
) -> list[Problem]:
    """What is wrong with `text` as the translation of `source` (for one plural category)."""
    text = text.strip()
    if not text:
        return [Problem("empty")]
    found: list[Problem] = []
    expected = Counter(PLACEHOLDER.findall(source.msgid))
    if source.plural:
        expected |= Counter(PLACEHOLDER.findall(source.plural))
    got = Counter(PLACEHOLDER.findall(text))
    missing = expected - got
    if category is not None and category.single:
        missing.pop(f"%({NUMBER})s", None)  # "one" may say "un" instead of the number
    unknown = got - expected
    if missing:
        found.append(Problem("missing", tuple(sorted(missing))))
    if unknown:
        found.append(Problem("unknown", tuple(sorted(unknown))))
    if not missing and not unknown and (expected or source.plural) and not _fills(text, source):
        found.append(Problem("percent"))
    commands = set(COMMAND.findall(source.msgid))
    lost = sorted(c for c in commands if c not in COMMAND.findall(text))
    if lost:
        found.append(Problem("command", tuple(lost)))
    limit = limit_of(source)
    if len(text) > limit:
        found.append(Problem("long", length=len(text), limit=limit))
    return found


def explain(_: Say, problem: Problem, button: bool = False) -> str:
    """A problem in words, saying how to fix it."""
    names = ", ".join(problem.names)
    if problem.kind == "empty":
        return _("La traduction est vide : écrivez le texte, ou touchez « Passer ».")
    if problem.kind == "missing":
        return _(
            "Il manque %(names)s : gardez ces marques telles quelles, le bot les remplace par "
            "un nom ou un nombre.",
            names=names,
        )
    if problem.kind == "unknown":
        return _("%(names)s n'est pas dans le français : retirez-le.", names=names)
    if problem.kind == "percent":
        return _("Un signe « % » seul casse le texte : écrivez « %% » pour un pour cent.")
    if problem.kind == "command":
        return _("Gardez la commande %(names)s telle quelle (sans la traduire).", names=names)
    if button:
        return _(
            "Trop long : %(length)s caractères, un bouton en montre au plus %(limit)s.",
            length=problem.length,
            limit=problem.limit,
        )
    return _(
        "Trop long : %(length)s caractères, un message en porte au plus %(limit)s.",
        length=problem.length,
        limit=problem.limit,
    )


def described(_: Say, source: SourceString, found: list[Problem]) -> str:
    """Every problem of a refused translation, one per line."""
    return "\n".join(explain(_, p, bool(source.label_limit)) for p in found)


def examples_text(category: PluralCategory) -> str:
    """ "1, 21, 31…": numbers of a category."""
    shown = ", ".join(str(n) for n in category.examples)
    return shown if category.single else shown + "…"


def _fills(text: str, source: SourceString) -> bool:
    """Whether the text survives being filled in as the bot fills it."""
    names = set(NAMED.findall(source.msgid + source.plural))
    values: Any
    if names or source.plural:
        values = dict.fromkeys(names | {NUMBER}, "x")
    else:
        values = tuple("x" for _ in PLACEHOLDER.findall(source.msgid))
    try:
        text % values
    except (ValueError, TypeError, KeyError):
        return False
    return True
