"""People talking to the real dialogs on the real store (SQLite or PostgreSQL), no transport.

For flows whose logic lives in storage (roles, announcements, the outbox): each message goes
through Conversations.handle exactly as a channel's would, and the replies are captured.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bot.conversations import Conversations, Outcome
from bot.i18n import I18n
from bot.storage.db import create_engine
from bot.storage.store import SqlStore
from content.library import Library
from dialogs.events import Incoming, MediaReceived, OptionChosen, TextReceived, UserRef
from dialogs.flows import build_dialogs
from dialogs.messages import Ask, Out, QuizQuestion
from tests.driver import bundled_library, find_option, text_of

_ids = itertools.count(1)


@asynccontextmanager
async def open_conversations(
    database_url: str, library: Library | None = None
) -> AsyncIterator[Conversations]:
    """Conversations on a migrated database (the `database_url` fixture migrates it), with
    the bundled library unless told another (`tests.driver.with_audio_course()`)."""
    engine = create_engine(database_url)
    files = Path(tempfile.mkdtemp(prefix="authored-"))  # teachers' course files
    store = SqlStore(engine, files)
    try:
        courses = bundled_library() if library is None else library
        yield Conversations(store, build_dialogs(), courses, I18n(), b"test")
    finally:
        store.close()
        await engine.dispose()
        shutil.rmtree(files, ignore_errors=True)


@dataclass
class Person:
    """Someone on a channel, talking through the real conversations."""

    conversations: Conversations
    user: UserRef
    sent: list[Out] = field(default_factory=list)

    @classmethod
    def on(cls, conversations: Conversations, channel: str, external_id: str) -> Person:
        """A person of `channel` with that id."""
        return cls(conversations, UserRef(channel, external_id))

    async def _deliver(self, event: Incoming) -> list[Out]:
        got: list[Out] = []

        async def capture(outcome: Outcome) -> None:
            got.extend(outcome.messages)

        await self.conversations.handle(event, f"k{next(_ids)}", capture)
        self.sent.extend(got)
        return got

    async def send(self, text: str) -> list[Out]:
        """Type a message."""
        return await self._deliver(TextReceived(self.user, f"m{next(_ids)}", text))

    async def send_file(
        self,
        kind: str,
        file_id: str,
        filename: str = "",
        content: bytes | None = None,
        mime: str = "",
    ) -> list[Out]:
        """Send a photo or a document the platform knows as `file_id` (fetched: `content`)."""
        size = len(content or b"")
        event = MediaReceived(
            self.user, f"m{next(_ids)}", kind, file_id, filename, mime, size, content
        )
        return await self._deliver(event)

    async def tap(self, label_or_id: str) -> list[Out]:
        """Tap an option of the last prompt."""
        asked = self.last_prompt()
        option = find_option(asked, label_or_id)
        event = OptionChosen(self.user, f"m{next(_ids)}", asked.prompt, option.id)
        return await self._deliver(event)

    async def tap_forged(self, option_id: str) -> list[Out]:
        """Tap an option id the last prompt did not offer (a forged or stale callback)."""
        event = OptionChosen(self.user, f"m{next(_ids)}", self.last_prompt().prompt, option_id)
        return await self._deliver(event)

    def last_prompt(self) -> Ask | QuizQuestion:
        """The last message with options."""
        for message in reversed(self.sent):
            if isinstance(message, Ask | QuizQuestion):
                return message
        raise AssertionError("no prompt was sent")

    def options(self) -> list[str]:
        """The labels of the last prompt."""
        return [o.label for o in self.last_prompt().options]

    def texts(self, messages: list[Out] | None = None) -> str:
        """Every text sent (or of the given messages), one per line."""
        return "\n".join(text_of(m) for m in (self.sent if messages is None else messages))

    async def onboard(
        self, country: str = "Sénégal", role: str = "Élève", level: str = "CM2"
    ) -> None:
        """Language, consent, country, role, class."""
        await self.send("/start")
        await self.tap("Français")
        await self.tap("J'accepte")
        await self.tap(country)
        await self.tap(role)
        await self.tap(level)
