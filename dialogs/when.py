"""Reading a date and time an admin or a teacher types ("01/12 08:00", "demain 8h",
"vendredi 18h", "18:30") in the time zone of their country. Pure: the clock is passed in."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# The programme's countries and their time zones (West Africa: UTC+0, Central: UTC+1).
TIME_ZONES = {
    "BJ": "Africa/Porto-Novo",
    "BF": "Africa/Ouagadougou",
    "CM": "Africa/Douala",
    "CI": "Africa/Abidjan",
    "GN": "Africa/Conakry",
    "ML": "Africa/Bamako",
    "MR": "Africa/Nouakchott",
    "NE": "Africa/Niamey",
    "SN": "Africa/Dakar",
    "TD": "Africa/Ndjamena",
    "TG": "Africa/Lome",
}
DEFAULT_ZONE = "Africa/Abidjan"  # UTC, no daylight saving, like most of the region

TOMORROW = ("demain", "tomorrow", "غدا", "غدًا")
TODAY = ("aujourd'hui", "today", "اليوم")
# Arabic-Indic and Persian digits typed on an Arabic keyboard read as 0-9.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)
_TIME = r"(?P<hour>\d{1,2})\s*(?:[:h]\s*(?P<minute>\d{2})?)?"
_DAY = r"(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})(?:[/.-](?P<year>\d{2,4}))?"
# A weekday means its next one (today's when the time is still to come): "vendredi 18h".
WEEKDAYS = {
    **dict.fromkeys(("lundi", "monday", "الاثنين", "الإثنين"), 0),
    **dict.fromkeys(("mardi", "tuesday", "الثلاثاء"), 1),
    **dict.fromkeys(("mercredi", "wednesday", "الأربعاء", "الاربعاء"), 2),
    **dict.fromkeys(("jeudi", "thursday", "الخميس"), 3),
    **dict.fromkeys(("vendredi", "friday", "الجمعة"), 4),
    **dict.fromkeys(("samedi", "saturday", "السبت"), 5),
    **dict.fromkeys(("dimanche", "sunday", "الأحد", "الاحد"), 6),
}
_PATTERNS = (
    re.compile(rf"^{_DAY}\s+(?:à\s+)?{_TIME}$"),
    re.compile(
        rf"^(?:(?:le|on|يوم)\s+)?(?P<weekday>{'|'.join(WEEKDAYS)})\s+"
        rf"(?:prochain\s+)?(?:à\s+|at\s+)?{_TIME}$"
    ),
    re.compile(rf"^(?P<word>{'|'.join(TOMORROW + TODAY)})\s+(?:à\s+|at\s+)?{_TIME}$"),
    re.compile(rf"^{_TIME}$"),
)


def zone_of(country: str | None) -> ZoneInfo:
    """The time zone of a country of the programme (UTC elsewhere)."""
    return ZoneInfo(TIME_ZONES.get(country or "", DEFAULT_ZONE))


def parse_when(text: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    """The moment meant by `text` in `zone`, as an aware datetime; None if unreadable.

    A bare time means today, or tomorrow when it has passed; a day without a year means this
    year, or next year when it has passed.
    """
    typed = " ".join(text.strip().casefold().replace("’", "'").translate(_DIGITS).split())
    local_now = now.astimezone(zone)
    for pattern in _PATTERNS:
        match = pattern.match(typed)
        if match:
            return _moment(match, local_now, zone)
    return None


def _moment(match: re.Match[str], now: datetime, zone: ZoneInfo) -> datetime | None:
    """Assemble the moment from the parts the pattern found."""
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if hour > 23 or minute > 59:
        return None
    at = time(hour, minute)
    groups = match.groupdict()
    if groups.get("day"):
        return _on_day(match, now, zone, at)
    day = now.date()
    if groups.get("weekday"):
        ahead = (WEEKDAYS[groups["weekday"]] - day.weekday()) % 7
        moment = datetime.combine(day + timedelta(days=ahead), at, zone)
        return moment if moment > now else moment + timedelta(days=7)
    if groups.get("word") in TOMORROW:
        day += timedelta(days=1)
    moment = datetime.combine(day, at, zone)
    if not groups.get("word") and moment <= now:
        moment += timedelta(days=1)
    return moment


def _on_day(match: re.Match[str], now: datetime, zone: ZoneInfo, at: time) -> datetime | None:
    """A day written as 01/12 or 01/12/2026."""
    year = int(match["year"]) if match["year"] else now.year
    year += 2000 if year < 100 else 0
    try:
        moment = datetime.combine(date(year, int(match["month"]), int(match["day"])), at, zone)
    except ValueError:
        return None
    if not match["year"] and moment <= now:
        moment = moment.replace(year=year + 1)
    return moment
