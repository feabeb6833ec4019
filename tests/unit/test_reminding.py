"""Reminder times, quiet hours and streaks: pure rules, with the clock passed in."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from dialogs.reminding import QuietHours, next_due, parse_time
from dialogs.streaks import Streak, streak
from dialogs.when import zone_of


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("18:30", time(18, 30)),
        ("18h30", time(18, 30)),
        ("18h", time(18)),
        ("7H05", time(7, 5)),
        ("١٨:٣٠", time(18, 30)),
        (" 20.15 ", time(20, 15)),
        ("24:00", None),
        ("18:75", None),
        ("six heures", None),
    ],
)
def test_typed_times(typed: str, meant: time | None) -> None:
    assert parse_time(typed) == meant


def test_quiet_hours_across_midnight_and_within_a_day() -> None:
    night = QuietHours.parse("21:00-07:00")
    assert night.contains(time(21)) and night.contains(time(3)) and night.contains(time(6, 59))
    assert not night.contains(time(7)) and not night.contains(time(20, 59))
    assert night.allowed() == (time(7), time(12), time(17), time(18), time(20))
    siesta = QuietHours.parse("13h-15h")
    assert siesta.contains(time(14)) and not siesta.contains(time(15))
    assert QuietHours.parse("") == QuietHours()
    with pytest.raises(ValueError, match="quiet hours"):
        QuietHours.parse("night")


def test_next_due_in_the_learner_zone() -> None:
    morning = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert next_due(time(18), zone_of("SN"), morning) == morning.replace(hour=18)
    assert next_due(time(18), zone_of("TD"), morning) == morning.replace(hour=17)
    evening = morning.replace(hour=18)  # just sent: the next one is tomorrow
    assert next_due(time(18), zone_of("SN"), evening) == evening + timedelta(days=1)


def days(*numbers: int) -> list[date]:
    """December 2026 dates."""
    return [date(2026, 12, n) for n in numbers]


def test_days_in_a_row_make_a_streak() -> None:
    assert streak([], date(2026, 12, 5)) == Streak(0, 0, False)
    assert streak(days(1, 2, 3), date(2026, 12, 3)) == Streak(3, 3, True)
    assert streak(days(1, 2, 3), date(2026, 12, 4)) == Streak(3, 3, False)  # still today


def test_one_missed_day_a_week_is_forgiven() -> None:
    assert streak(days(1, 2, 4, 5), date(2026, 12, 5)).current == 4
    assert streak(days(1, 2, 3), date(2026, 12, 5)).current == 3  # today keeps it alive
    assert streak(days(1, 3, 5), date(2026, 12, 5)) == Streak(1, 2, True)  # not twice a week
    assert streak(days(1, 3, 4, 5, 6, 7, 8, 9, 11), date(2026, 12, 11)).current == 9


def test_a_stopped_streak_keeps_the_best() -> None:
    found = streak(days(1, 2, 3, 4, 10), date(2026, 12, 14))
    assert found == Streak(0, 4, False)
