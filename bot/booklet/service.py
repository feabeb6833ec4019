"""Booklets for the chat: made after the turn, in the render pool, once per course content."""

from __future__ import annotations

from bot.addresses import page_base
from bot.booklet import render_booklet
from bot.rendering import Renderer
from content.model import Course
from dialogs.messages import Later


class CachedBooklets:
    """Booklets (dialogs/ports.py) with their links pointing at this deployment.

    Keyed by the course's content (its text, files' sizes, language) and the base URL: a
    republished course is another booklet, an unchanged one comes from the cache.
    """

    def __init__(self, base_url: str, renderer: Renderer | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.renderer = renderer or Renderer(pool="thread")
        # False without PUBLIC_URL: a web turn's booklet links to the page's own address.
        self.configured = True

    async def booklet(self, course: Course, language: str | None = None) -> Later:
        """The PDF, made after the turn: a few tenths of a second the first time."""
        base = page_base(self.base_url, self.configured)
        return self.renderer.later(_booklet, course, base, language)


def _booklet(course: Course, base_url: str, language: str | None = None) -> bytes:
    """render_booklet with positional arguments (what a process pool pickles)."""
    return render_booklet(course, base_url=base_url, language=language)
