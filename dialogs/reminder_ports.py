"""Ports of the learner's reminders and learning days (bot/storage/reminders.py implements them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Protocol

from dialogs.reminding import QuietHours


@dataclass(frozen=True)
class ReminderSetting:
    """When a learner asked to be reminded (their local time), and whether it is on."""

    at: time
    enabled: bool
    next_due_at: datetime | None  # UTC; None once stopped


class ReminderDesk(Protocol):
    """One learner's reminder and learning days, inside their turn's transaction."""

    quiet: QuietHours  # the deployment's quiet hours (REMINDER_QUIET_HOURS)

    async def setting(self) -> ReminderSetting | None:
        """The learner's reminder, None if they never set one."""
        ...

    async def remind_at(self, at: time, next_due_at: datetime) -> None:
        """Remind every day at `at` (local time), first at `next_due_at` (UTC)."""
        ...

    async def stop(self) -> bool:
        """No more reminders; False if none was on."""
        ...

    async def learned(self, day: date) -> None:
        """Remember that the learner learned something on `day` (their local date)."""
        ...

    async def learning_days(self) -> list[date]:
        """The local dates on which the learner learned something, oldest first."""
        ...
