"""When a reminder may go: the learner's time of day in their zone, outside quiet hours.

Pure: the clock is passed in. Times are local to the learner (dialogs/when.py gives the zone
of their country); what is stored and compared is UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_QUIET = "21:00-07:00"
# Times offered as buttons; those inside the deployment's quiet hours are left out.
PRESETS = (time(7), time(12), time(17), time(18), time(20))
# Arabic-Indic and Persian digits typed on an Arabic keyboard read as 0-9 (as in when.py).
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)
_TYPED = re.compile(r"^(?P<hour>\d{1,2})\s*(?:[:hH.]\s*(?P<minute>\d{2})?)?$")


def parse_time(text: str) -> time | None:
    """A time of day typed as "18:30", "18h30", "18h", "18" or in Arabic digits."""
    match = _TYPED.match(text.strip().translate(_DIGITS))
    if match is None:
        return None
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    return time(hour, minute) if hour <= 23 and minute <= 59 else None


@dataclass(frozen=True)
class QuietHours:
    """The night, in local time: from `start` (included) to `end` (excluded)."""

    start: time = time(21)
    end: time = time(7)

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """ "21:00-07:00" (an empty text: the default); ValueError if unreadable."""
        start_text, _, end_text = (text.strip() or DEFAULT_QUIET).partition("-")
        start, end = parse_time(start_text), parse_time(end_text)
        if start is None or end is None:
            raise ValueError(f"quiet hours must read like {DEFAULT_QUIET!r}, not {text!r}")
        return cls(start, end)

    def contains(self, at: time) -> bool:
        """Whether a local time of day falls in the quiet hours."""
        if self.start == self.end:
            return False  # no quiet hours at all
        if self.start < self.end:
            return self.start <= at < self.end
        return at >= self.start or at < self.end

    def allowed(self, times: tuple[time, ...] = PRESETS) -> tuple[time, ...]:
        """The times of `times` outside the quiet hours."""
        return tuple(at for at in times if not self.contains(at))


def next_due(at: time, zone: ZoneInfo, now: datetime) -> datetime:
    """The first moment after `now` when it is `at` in `zone`, in UTC."""
    local = now.astimezone(zone)
    moment = datetime.combine(local.date(), at, zone)
    if moment <= local:
        moment = datetime.combine(local.date() + timedelta(days=1), at, zone)
    return moment.astimezone(UTC)


SUMMARY_DAY = 6  # Sunday (Monday is 0): families have time to read it
SUMMARY_TIME = time(18)  # the guardian's local time


def next_weekly(
    zone: ZoneInfo,
    now: datetime,
    quiet: QuietHours | None = None,
    day: int = SUMMARY_DAY,
    at: time = SUMMARY_TIME,
) -> datetime:
    """The first `day` (Monday is 0) at `at` in `zone` after `now` (by default Sunday 18:00),
    in UTC; moved to the end of the quiet hours when a deployment's quiet hours cover it."""
    if quiet is not None and quiet.contains(at):
        at = quiet.end
    local = now.astimezone(zone)
    days = (day - local.weekday()) % 7
    moment = datetime.combine(local.date() + timedelta(days=days), at, zone)
    if moment <= local:
        moment += timedelta(days=7)
    return moment.astimezone(UTC)
