"""Port of the phone fallback: a learner whose chat app stops reaching their number is
written to on another channel at the same number (SMS), if they said yes."""

from __future__ import annotations

from typing import Protocol


class PhoneFallback(Protocol):
    """One address's yes to the fallback, inside its turn; given only where there is one (a
    channel whose address is a phone, and a channel that takes over phones configured)."""

    @property
    def label(self) -> str:
        """The fallback channel's name as people read it ("SMS")."""
        ...

    async def opted(self) -> bool:
        """Whether the learner said yes."""
        ...

    async def set_opted(self, on: bool) -> None:
        """Keep their yes, or take it back."""
        ...
