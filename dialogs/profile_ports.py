"""Ports of shared phones: the learner profiles of one chat account, their first names, PINs."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

MAX_PROFILES = 6  # learners on one phone
PIN_TRIES = 3  # wrong PINs in a row before the profile is locked
PIN_LOCK = timedelta(minutes=15)
UNLOCK_STEP = "profile_unlock"  # asks the PIN of the profile an erasure put in use
NAME_LENGTH = 20  # fits a button on every channel


@dataclass(frozen=True)
class LearnerProfile:
    """One learner of the account, as the profile list shows it."""

    id: int
    first_name: str | None
    has_pin: bool
    main: bool  # the row the phone's address belongs to
    current: bool  # the profile this turn runs for
    complete: bool  # onboarding finished
    locked_until: datetime | None = None  # too many wrong PINs: no try before then


@dataclass(frozen=True)
class PinCheck:
    """The answer to a PIN: right, wrong (tries left), or the profile locked until a time."""

    ok: bool
    tries_left: int = 0
    locked_until: datetime | None = None


class ProfileDesk(Protocol):
    """The profiles of the current learner's account, inside their turn's transaction."""

    async def profiles(self) -> list[LearnerProfile]:
        """Every profile of the account, the main one first (one when nobody shares it)."""
        ...

    async def add(self, first_name: str, prompt: int) -> bool:
        """Create a profile and make it the one in use; False at MAX_PROFILES.

        `prompt` is the current prompt number: the new profile's prompts come after it.
        """
        ...

    async def name_current(self, first_name: str) -> None:
        """Give the current profile a first name."""
        ...

    async def switch(self, profile_id: int, prompt: int) -> bool:
        """Make another profile of the account the one in use; False if it is not one."""
        ...

    async def check_pin(self, profile_id: int, pin: str, now: datetime) -> PinCheck:
        """Check a profile's PIN, counting wrong ones and locking after PIN_TRIES."""
        ...

    async def set_pin(self, pin: str | None) -> None:
        """Set (or with None remove) the current profile's PIN."""
        ...

    async def reset_pin(self, profile_id: int) -> bool:
        """Remove another profile's PIN (the main profile only); False when not allowed."""
        ...

    async def erase(self, profile_id: int) -> bool:
        """Erase another profile of the account and everything about it."""
        ...


def read_pin(text: str) -> str | None:
    """Four digits typed in any script (Arabic-Indic included), as ASCII; None otherwise."""
    digits = [ch for ch in text if not ch.isspace()]
    if len(digits) != 4 or not all(ch.isdecimal() for ch in digits):
        return None
    return "".join(str(unicodedata.decimal(ch)) for ch in digits)


def clean_name(text: str) -> str | None:
    """A first name as typed, tidied; None when it cannot be one."""
    name = " ".join(text.split())
    if not name or len(name) > NAME_LENGTH or name.startswith("/"):
        return None
    if not any(ch.isalpha() for ch in name):
        return None
    return name
