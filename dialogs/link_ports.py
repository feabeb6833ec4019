"""Ports of one learner across channels: an address (a USSD or SMS phone, another chat app)
that follows the progress of a learner known elsewhere, by the code /mon_code gives there."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Unlinked:
    """What /delier undid: this address's own link, or the addresses linked to this learner."""

    own: bool = False
    others: int = 0


class LinkDesk(Protocol):
    """Links of the current address and learner, inside their turn's transaction."""

    async def find(self, code: str) -> int | None:
        """The learner a /mon_code code names (the one they follow, when that address is
        linked itself); None for no such code."""
        ...

    async def is_current(self, learner_id: int) -> bool:
        """Whether that learner is the one this turn runs for (the code is one's own)."""
        ...

    async def link(self, learner_id: int, notice: Mapping[str, str]) -> None:
        """This address follows that learner from now on (its next turn runs for them); the
        learner is told on their own channel (`notice`, by language), where it can write."""
        ...

    async def unlink(self) -> Unlinked:
        """Undo this address's link; on an address that is not linked, undo the links of
        other addresses to this learner (the owner of the code cuts them off)."""
        ...
