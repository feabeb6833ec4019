"""What the dialogs remember about a learner between two messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class Profile:
    """Who the learner said they are; the minimum we need to teach them."""

    locale: str | None = None  # interface language code: fr, en, ar...
    country: str | None = None  # ISO 3166 alpha-2 (SN, CI, ...) or "other"
    role: str | None = None  # "student" | "teacher"
    level: str | None = None  # one of content.model.LEVELS
    consented_at: datetime | None = None
    # Where the learner stopped: {"course": id, "lesson": id, "step": n} or None.
    bookmark: dict[str, Any] | None = None

    @property
    def complete(self) -> bool:
        """True once onboarding gave us everything the menu needs."""
        return None not in (self.locale, self.country, self.role, self.level, self.consented_at)


@dataclass
class DialogState:
    """Which step waits for the learner's next message, and that flow's working data."""

    step: str = "welcome"
    data: dict[str, Any] = field(default_factory=dict)
    # Numbers each prompt shown; a tap on an option of another prompt is stale.
    prompt: int = 0
    # What steps read during one turn and the engine saves after it (dialogs/flow.py: the
    # flows' typed states, the value a call returned); never stored as such.
    live: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
