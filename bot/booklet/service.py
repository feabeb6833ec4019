"""Booklets for the chat: rendered off the event loop, once per course and process."""

from __future__ import annotations

import asyncio

from bot.booklet import render_booklet
from content.model import Course


class CachedBooklets:
    """Booklets (dialogs/ports.py) with their links pointing at this deployment."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._made: dict[str, bytes] = {}

    async def booklet(self, course: Course) -> bytes:
        """The PDF; a few tenths of a second the first time, then from memory."""
        if course.id not in self._made:
            pdf = await asyncio.to_thread(render_booklet, course, base_url=self.base_url)
            self._made[course.id] = pdf
        return self._made[course.id]
