"""What translating a course in the chat needs from storage (dialogs/flows/course_translate.py).

A text of a course (a unit of content/translation_units.py, known by the course, the
language and its key) is proposed by one translator or teacher of the language, then
reviewed by another (accepted, edited or rejected); nobody reviews their own. Only reviewed
texts reach learners: bot/storage/course_translations.py lays them over the course's files
when the library is read again. Statuses are the interface strings' (translation_ports).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Entry:
    """The latest proposed, reviewed or flagged row of one text of a course."""

    key: str
    text: str
    mark: str  # the fingerprint of the French it was made from
    status: str
    mine: bool  # written (or flagged) by the person asking


@dataclass(frozen=True)
class CourseProposal:
    """A text of a course waiting for review."""

    id: int
    course_id: str
    lang: str
    key: str
    source: str  # the French it was made from
    mark: str
    text: str


class CourseTranslationDesk(Protocol):
    """Course texts and their translations, inside the current person's turn."""

    label_limit: int  # the longest button label every channel shows whole
    text_limit: int  # the longest message every channel carries

    async def entries(self, course_id: str, lang: str) -> dict[str, Entry]:
        """key -> its latest row that is waiting or reviewed (or flagged unclear by the
        current person); rejected ones are left out (the text is to translate again)."""
        ...

    async def propose(
        self, course_id: str, lang: str, key: str, source: str, mark: str, text: str
    ) -> int:
        """A translation by the current person; its id."""
        ...

    async def flag_unclear(
        self, course_id: str, lang: str, key: str, source: str, mark: str
    ) -> None:
        """The current person finds this French unclear."""
        ...

    async def next_to_review(
        self, course_id: str, lang: str, skipped: Collection[int]
    ) -> CourseProposal | None:
        """The oldest proposal of this course and language by someone else."""
        ...

    async def waiting(self, lang: str) -> dict[str, int]:
        """course id -> proposals by someone else waiting for review in `lang`."""
        ...

    async def unclear(self, course_id: str, lang: str) -> list[str]:
        """The keys of the course's texts someone translating into `lang` found unclear,
        the first flagged first."""
        ...

    async def review(self, proposal_id: int, verdict: str, text: str = "") -> bool:
        """Accept, edit (with `text`) or reject someone else's waiting proposal; False when
        it is the current person's own or no longer waiting."""
        ...
