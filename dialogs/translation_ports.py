"""What the translators' flows need from storage: strings to translate, proposals to review.

An interface string is known by its French source (the gettext msgid, and its plural msgid).
A translation is proposed by one translator of a language, then reviewed by another of the
same language (accepted as it is, edited, or rejected); only reviewed translations reach
learners (bot/i18n.py reads them over the .po files).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

PROPOSED, ACCEPTED, EDITED, REJECTED = "proposed", "accepted", "edited", "rejected"
UNCLEAR, SUGGESTION = "unclear", "suggestion"  # a source flagged unclear; a draft (fuzzy)
REVIEWED = (ACCEPTED, EDITED)


@dataclass(frozen=True)
class PluralCategory:
    """One plural category of a language (CLDR): its name and numbers that take it."""

    name: str  # "one", "few", "other"...
    examples: tuple[int, ...]  # a few numbers of the category, smallest first
    single: bool = False  # only one number takes it (Arabic 0, 1, 2): %(n)s may be left out


@dataclass(frozen=True)
class SourceString:
    """An interface string as a translator sees it."""

    key: str  # a short stable id of the French source
    msgid: str
    plural: str  # the French plural ("" for a string without plural forms)
    english: tuple[str, ...]  # the English translation (one form, or singular and plural)
    places: tuple[str, ...]  # where it appears: commands ("/admin") and steps ("admin_menu")
    label_limit: int  # a button label: at most this many characters (0: not a button)
    text_limit: int  # the longest text a message carries on every channel
    views: int = 0  # how often learners were shown it (counted by the bot)
    suggestion: tuple[str, ...] = ()  # a draft: a fuzzy .po entry, an imported suggestion
    # The French this string replaced, when its translation was reviewed before the French
    # changed (then `suggestion` is that translation, to adapt).
    previous: str = ""


@dataclass(frozen=True)
class Proposal:
    """A translation waiting for review."""

    id: int
    lang: str
    source: SourceString
    forms: tuple[str, ...]
    mine: bool  # proposed by the person reading it (who may not review it)


@dataclass(frozen=True)
class Progress:
    """How far one language is translated."""

    lang: str
    translated: int  # strings translated in full (reviewed, or in the .po file)
    total: int  # strings of the interface
    seen_share: float  # the share of what learners are shown that is translated (0..1)
    to_review: int  # proposals waiting for a second translator
    unclear: int  # French sources flagged as unclear


class TranslationDesk(Protocol):
    """Strings and translations, inside the current person's turn (one transaction)."""

    def categories(self, lang: str) -> tuple[PluralCategory, ...]:
        """The plural categories of `lang`, in the order of its gettext plural forms."""
        ...

    async def next_to_translate(self, lang: str, skipped: Collection[str]) -> SourceString | None:
        """The most-seen string of `lang` left to translate (untranslated, only a draft, or
        its French changed since it was translated), none proposed nor reviewed, leaving out
        the keys `skipped`; None when none is left."""
        ...

    async def source(self, key: str, lang: str = "") -> SourceString | None:
        """A string by its key, with the draft of `lang` if any (None when the interface no
        longer has it)."""
        ...

    async def propose(self, lang: str, key: str, forms: tuple[str, ...]) -> int:
        """Propose a translation by the current person; its id."""
        ...

    async def flag_unclear(self, lang: str, key: str) -> None:
        """The current person finds the French source unclear."""
        ...

    async def next_to_review(self, lang: str, skipped: Collection[int]) -> Proposal | None:
        """The oldest proposal of `lang` by someone else, leaving out the ids `skipped`."""
        ...

    async def review(self, proposal_id: int, verdict: str, forms: tuple[str, ...] = ()) -> bool:
        """Accept, edit (with `forms`) or reject a proposal; False when it is not someone
        else's proposal still waiting (the current person's own, or already reviewed)."""
        ...

    async def progress(self, langs: Collection[str] | None = None) -> list[Progress]:
        """How far each language (all but French when None) is translated."""
        ...
