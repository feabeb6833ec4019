"""Dates and times typed by an admin, read in their country's time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dialogs.when import parse_when, zone_of

NOW = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)  # a Sunday, 10:00 in Dakar, 11:00 in N'Djamena


@pytest.mark.parametrize(
    ("typed", "country", "expected"),
    [
        ("01/12 08:00", "SN", datetime(2026, 12, 1, 8, 0, tzinfo=UTC)),
        ("1/12 8h", "TD", datetime(2026, 12, 1, 7, 0, tzinfo=UTC)),  # N'Djamena is UTC+1
        ("01/12/2027 à 18h30", "SN", datetime(2027, 12, 1, 18, 30, tzinfo=UTC)),
        ("demain 8h", "SN", datetime(2026, 11, 30, 8, 0, tzinfo=UTC)),
        ("Demain à 07:15", "NE", datetime(2026, 11, 30, 6, 15, tzinfo=UTC)),
        ("18:30", "SN", datetime(2026, 11, 29, 18, 30, tzinfo=UTC)),
        ("9h", "SN", datetime(2026, 11, 30, 9, 0, tzinfo=UTC)),  # passed today: tomorrow
        ("28/11 08:00", "SN", datetime(2027, 11, 28, 8, 0, tzinfo=UTC)),  # passed: next year
        ("aujourd'hui 16h", "CM", datetime(2026, 11, 29, 15, 0, tzinfo=UTC)),
        ("tomorrow at 8:00", "SN", datetime(2026, 11, 30, 8, 0, tzinfo=UTC)),
        ("٠١/١٢ ٠٨:٠٠", "MR", datetime(2026, 12, 1, 8, 0, tzinfo=UTC)),
        ("غدا ٨:٠٠", "TD", datetime(2026, 11, 30, 7, 0, tzinfo=UTC)),
        # A weekday: its next one, as a teacher says a deadline ("vendredi 18h").
        ("vendredi 18h", "SN", datetime(2026, 12, 4, 18, 0, tzinfo=UTC)),
        ("Lundi à 8h", "SN", datetime(2026, 11, 30, 8, 0, tzinfo=UTC)),
        ("le mercredi 10h30", "CM", datetime(2026, 12, 2, 9, 30, tzinfo=UTC)),
        ("dimanche 18h", "SN", datetime(2026, 11, 29, 18, 0, tzinfo=UTC)),  # today, to come
        ("dimanche 9h", "SN", datetime(2026, 12, 6, 9, 0, tzinfo=UTC)),  # passed: next week
        ("friday at 18:00", "SN", datetime(2026, 12, 4, 18, 0, tzinfo=UTC)),
        ("الجمعة ١٨:٠٠", "MR", datetime(2026, 12, 4, 18, 0, tzinfo=UTC)),
    ],
)
def test_typed_moments(typed: str, country: str, expected: datetime) -> None:
    assert parse_when(typed, NOW, zone_of(country)) == expected


@pytest.mark.parametrize("typed", ["", "bientôt", "31/02 08:00", "25h", "12:75", "01/13 8h"])
def test_unreadable_moments(typed: str) -> None:
    assert parse_when(typed, NOW, zone_of("SN")) is None


def test_an_unknown_country_reads_utc() -> None:
    assert parse_when("12:00", NOW, zone_of("other")) == datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
