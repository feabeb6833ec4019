"""Ports of families: a learner's guardians and the optional answer girl / boy.

A guardian is invited by a code the learner passes on by hand; the guardian sends it to the
bot from their own phone, on any channel, and accepts there (their consent, on their side).
Either side can end it: the learner removes the guardian, the guardian stops.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

INVITATION_DAYS = timedelta(days=7)  # how long an invitation's code can be used
SEXES = ("girl", "boy")  # the answers kept; "prefer not to say" keeps nothing


@dataclass(frozen=True)
class GuardianLink:
    """One link between a learner and a guardian, as either side sees it."""

    id: int
    learner_name: str  # the first name the learner chose to be shown to the guardian
    code: str
    accepted_at: datetime | None  # None: the invitation waits for the guardian
    created_at: datetime


class FamilyDesk(Protocol):
    """One person's links as a learner and as a guardian, inside their turn's transaction."""

    async def invite(self, learner_name: str, now: datetime) -> str:
        """A new invitation's code (valid INVITATION_DAYS)."""
        ...

    async def guardians(self) -> list[GuardianLink]:
        """The learner's guardians and waiting invitations, oldest first."""
        ...

    async def remove(self, link_id: int) -> bool:
        """The learner removes a guardian or withdraws an invitation."""
        ...

    async def invitation(self, code: str, now: datetime) -> GuardianLink | None:
        """A waiting invitation by its code (any case), not expired, not one's own."""
        ...

    async def accept(self, link_id: int, now: datetime, first_summary: datetime) -> bool:
        """The guardian accepts: summaries from `first_summary` on (False: gone meanwhile)."""
        ...

    async def tell_other(self, link_id: int, texts: dict[str, str], now: datetime) -> None:
        """A notice (one text per language) to the other side of one of one's links, through
        the outbox; nothing when the link is not one's own or has no other side yet."""
        ...

    async def children(self) -> list[GuardianLink]:
        """The learners whose summaries this person receives."""
        ...

    async def stop(self) -> int:
        """The guardian stops every summary; how many links ended."""
        ...

    async def sex(self) -> str | None:
        """The learner's answer ("girl", "boy"), or None."""
        ...

    async def set_sex(self, sex: str | None, now: datetime) -> None:
        """Keep an answer, or forget it (None: prefer not to say)."""
        ...
