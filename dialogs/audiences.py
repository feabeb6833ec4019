"""Who an announcement or a notice reaches, as pure rules (no storage).

`conditions` turns an `Audience` (dialogs/admin_ports.py) into the list of conditions a
person must meet; the SQL desk (bot/storage/admin.py, `audience_where`) writes each one as
a Core condition of one INSERT ... SELECT, and `reaches` checks them on one person in memory (the
fakes of the tests, the unit tests of these rules). The decisions live here:
- only people who consented, on a channel that can write first (unless counting who would
  be missed), and not marked unreachable;
- /stop_annonces stops announcements, never a personal notice (grade, assignment, circle);
- a Telegram group linked to a circle gets that circle's posts only;
- a circle's digest reaches its daily members, and those who follow every message but missed
  one of its posts live (WhatsApp, outside the 24-hour window when it was relayed), wherever
  their window stands by the evening: nobody gets again what they got live;
- every filter given (countries, roles, levels, languages, classes, people, activity,
  unfinished work, an event's attendees, a circle's members) narrows the audience.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from dialogs.admin_ports import Audience

GROUP = "group"  # users.role of a Telegram group linked to a circle


@dataclass(frozen=True)
class Condition:
    """One condition of an audience: its name and its value (None when it takes none)."""

    name: str
    value: Any = None


def conditions(audience: Audience, now: datetime, *, any_channel: bool = False) -> list[Condition]:
    """What a person must meet to be in the audience, in the order the SQL writes them."""
    found = [Condition("consented")]
    if not any_channel:
        found.append(Condition("pushing"))
    found.append(Condition("reachable"))
    if not audience.personal:  # once per person: not an address following a learner
        found.append(Condition("not_opted_out"))
        found.append(Condition("not_following"))
    if audience.circle_id is None:
        found.append(Condition("not_group"))
    if audience.class_ids:
        found.append(Condition("in_classes", audience.class_ids))
    if audience.user_ids:
        found.append(Condition("is_one_of", audience.user_ids))
    if audience.unfinished:
        found.append(Condition("unfinished", audience.unfinished))
    if audience.unfinished_lesson:
        found.append(Condition("lesson_not_done", audience.unfinished_lesson))
    if audience.circle_id is not None:
        found.append(Condition("circle", (audience.circle_id, audience.circle_mode)))
    if audience.exclude_user is not None:
        found.append(Condition("is_not", audience.exclude_user))
    if audience.event_id is not None:  # read when queued: late answers are counted
        found.append(Condition("attends", audience.event_id))
    for name, values in (
        ("country", audience.countries),
        ("role", audience.roles),
        ("level", audience.levels),
        ("locale", audience.languages),
    ):
        if values:
            found.append(Condition(name, values))
    if audience.active_days:
        found.append(Condition("seen_since", now - timedelta(days=audience.active_days)))
    return found


@dataclass(frozen=True)
class Reader:
    """What the rules read of one person."""

    id: int
    consented: bool = True
    can_push: bool = True  # their channel can write first
    reachable: bool = True  # not marked unreachable by their platform (or falling back)
    following: bool = False  # an address following a learner of another channel
    opted_out: bool = False  # said /stop_annonces
    role: str | None = None
    country: str | None = None
    level: str | None = None
    locale: str | None = None
    last_seen: datetime | None = None
    class_ids: frozenset[int] = frozenset()
    lessons: Mapping[str, frozenset[str]] = field(default_factory=dict)  # course -> done
    circles: Mapping[int, str] = field(default_factory=dict)  # circle -> how they follow it
    events: frozenset[int] = frozenset()  # events they said they will come to
    window_open: bool = True  # inside their channel's reply window (always, without one)
    # A post of a circle's coming digest did not reach them live (on a channel with a reply
    # window, closed when it was relayed): what they already got live is not sent again.
    missed_live: bool = False


def meets(condition: Condition, person: Reader) -> bool:
    """Whether one person meets one condition."""
    name, value = condition.name, condition.value
    simple = {
        "consented": person.consented,
        "pushing": person.can_push,
        "reachable": person.reachable,
        "not_opted_out": not person.opted_out,
        "not_following": not person.following,
        "not_group": person.role != GROUP,
    }
    if name in simple:
        return simple[name]
    if name == "in_classes":
        return bool(person.class_ids & set(value))
    if name == "is_one_of":
        return bool(person.id in value)
    if name == "is_not":
        return bool(person.id != value)
    if name == "unfinished":
        course, lessons = value
        return bool(len(person.lessons.get(course, ())) < lessons)
    if name == "lesson_not_done":
        course, lesson = value
        return lesson not in person.lessons.get(course, ())
    if name == "attends":
        return value in person.events
    if name == "circle":
        circle, mode = value
        follows = person.circles.get(circle)
        if mode == "digest":  # whoever follows every message got those inside their window
            return follows == "daily" or (follows == "every" and person.missed_live)
        return follows == "every" and person.window_open
    if name in ("country", "role", "level", "locale"):
        return getattr(person, name) in value
    if name == "seen_since":
        return person.last_seen is not None and person.last_seen >= value
    raise ValueError(f"unknown audience condition {name!r}")


def reaches(
    audience: Audience, person: Reader, now: datetime, *, any_channel: bool = False
) -> bool:
    """Whether the audience reaches this person."""
    return all(meets(c, person) for c in conditions(audience, now, any_channel=any_channel))


def circle_delivery(follows: str, can_push: bool, window_open: bool) -> str | None:
    """How a member gets a circle's new message: "now", in tonight's "digest", or not at
    all (None: muted, or on a channel that cannot write first). `follows` is "every",
    "daily" or "mute"; outside their channel's reply window (WhatsApp's 24 hours) a member
    who follows every message waits for the digest rather than a paid template."""
    if follows == "mute" or not can_push:
        return None
    if follows == "daily" or not window_open:
        return "digest"
    return "now"
