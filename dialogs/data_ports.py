"""Ports of light data: a learner's setting and the media they asked for per local day."""

from __future__ import annotations

from datetime import date
from typing import Protocol


class DataSaver(Protocol):
    """One learner's light-data setting and daily media count, inside their turn."""

    @property
    def budget(self) -> int:
        """Bytes of media a day a learner may ask for in light-data mode; 0: unlimited."""
        ...

    async def light(self) -> bool:
        """Whether lessons send text first and media only on request."""
        ...

    async def set_light(self, on: bool) -> None:
        """Turn light data on or off."""
        ...

    async def spent(self, day: date) -> int:
        """Bytes of media asked for on `day` (the learner's local day)."""
        ...

    async def spend(self, day: date, size: int) -> None:
        """Count one media file of `size` bytes sent on `day`."""
        ...
