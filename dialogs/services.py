"""The ports a turn offers the dialogs (storage desks, printing, charts...), in one object.

`Context` (dialogs/context.py) keeps what every step needs (the person, their state, a
translator, the library, their records, the clock, the channel's capabilities) and hands
the rest through `ctx.services`: a port a channel or a test does not provide is None. A
step that cannot work without one asks for it with `need`, which fails with the name of the
missing service and the port that implements it, instead of an AttributeError on None.

bot/conversations.py fills every service of a person's turn (`groups` only in a group's
turn); tests/driver.py fills what a test gives (the in-memory fakes of tests/fakes/ports.py).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TypeVar

from dialogs.admin_ports import AdminDesk, Charts
from dialogs.authoring_ports import AuthoringDesk
from dialogs.certificate_ports import CertificateDesk, Certifier
from dialogs.circle_ports import CircleDesk, GroupDesk
from dialogs.course_translation_ports import CourseTranslationDesk
from dialogs.creathon_ports import CreathonDesk
from dialogs.data_ports import DataSaver
from dialogs.event_ports import EventDesk, ThreadDesk
from dialogs.fallback_ports import PhoneFallback
from dialogs.family_ports import FamilyDesk
from dialogs.link_ports import LinkDesk
from dialogs.mastery_ports import MasteryDesk
from dialogs.moderation_ports import ModerationDesk
from dialogs.ports import Booklets
from dialogs.profile_ports import ProfileDesk
from dialogs.reminder_ports import ReminderDesk
from dialogs.report_ports import ReportDesk
from dialogs.review_ports import ReviewDesk
from dialogs.sharing_ports import Shelf
from dialogs.teaching_ports import Links, TeachingDesk
from dialogs.translation_ports import TranslationDesk

T = TypeVar("T")


class MissingService(RuntimeError):
    """A step needs a service its turn does not offer (a wiring error, not the person's)."""


@dataclass
class Services:
    """Every optional port of a turn; None where the channel or the test gives none."""

    booklets: Booklets | None = None  # printing, for teachers
    admin: AdminDesk | None = None  # roles, announcements and broadcasts (bot/storage)
    charts: Charts | None = None  # the impact chart (bot/charts.py)
    teaching: TeachingDesk | None = None  # invitations, teacher requests, classes
    links: Links | None = None  # join links and QR codes of classes
    authoring: AuthoringDesk | None = None  # the teacher's own courses
    reports: ReportDesk | None = None  # class reports, essays to grade, students' questions
    shelf: Shelf | None = None  # the shared library: visibility, uses, ratings
    circles: CircleDesk | None = None  # teachers' circles and colleague requests
    moderation: ModerationDesk | None = None  # circles' filter, reports, sanctions, log
    groups: GroupDesk | None = None  # a Telegram group linked to a circle (group turns only)
    creathon: CreathonDesk | None = None  # contests of scenarios, reviews, results
    events: EventDesk | None = None  # webinars and meetings of circles
    threads: ThreadDesk | None = None  # discussion threads of shared courses
    certificates: CertificateDesk | None = None  # the learner's certificates (bot/storage)
    certifier: Certifier | None = None  # signs, prints and checks them (bot/certificates)
    review: ReviewDesk | None = None  # the learner's deck of questions to review
    mastery: MasteryDesk | None = None  # the learner's mastery of skills (BKT)
    families: FamilyDesk | None = None  # guardians (either side) and the optional sex
    reminders: ReminderDesk | None = None  # the learner's daily reminder and learning days
    data_saver: DataSaver | None = None  # light data: the setting and the daily media budget
    profiles: ProfileDesk | None = None  # the learners sharing this phone (bot/storage)
    translations: TranslationDesk | None = None  # interface strings for translators
    address_links: LinkDesk | None = None  # this address following a learner of elsewhere
    course_translations: CourseTranslationDesk | None = None  # courses translated in the chat
    phone_fallback: PhoneFallback | None = None  # SMS when the chat app stops reaching them

    def offered(self) -> tuple[str, ...]:
        """The names of the services given."""
        return tuple(f.name for f in fields(self) if getattr(self, f.name) is not None)


def need(port: T | None, name: str, who: str = "this step") -> T:
    """The service `name` (a field of `Services`), or MissingService naming it."""
    if port is None:
        kind = PORTS.get(name, "?")
        raise MissingService(f"{who} needs the {name!r} service ({kind}), not given to this turn")
    return port


# Each service's port, for the error above: the Protocol's module and name.
PORTS = {
    "booklets": "dialogs/ports.py Booklets",
    "admin": "dialogs/admin_ports.py AdminDesk",
    "charts": "dialogs/admin_ports.py Charts",
    "teaching": "dialogs/teaching_ports.py TeachingDesk",
    "links": "dialogs/teaching_ports.py Links",
    "authoring": "dialogs/authoring_ports.py AuthoringDesk",
    "reports": "dialogs/report_ports.py ReportDesk",
    "shelf": "dialogs/sharing_ports.py Shelf",
    "circles": "dialogs/circle_ports.py CircleDesk",
    "moderation": "dialogs/moderation_ports.py ModerationDesk",
    "groups": "dialogs/circle_ports.py GroupDesk",
    "creathon": "dialogs/creathon_ports.py CreathonDesk",
    "events": "dialogs/event_ports.py EventDesk",
    "threads": "dialogs/event_ports.py ThreadDesk",
    "certificates": "dialogs/certificate_ports.py CertificateDesk",
    "certifier": "dialogs/certificate_ports.py Certifier",
    "review": "dialogs/review_ports.py ReviewDesk",
    "mastery": "dialogs/mastery_ports.py MasteryDesk",
    "families": "dialogs/family_ports.py FamilyDesk",
    "reminders": "dialogs/reminder_ports.py ReminderDesk",
    "data_saver": "dialogs/data_ports.py DataSaver",
    "profiles": "dialogs/profile_ports.py ProfileDesk",
    "translations": "dialogs/translation_ports.py TranslationDesk",
    "address_links": "dialogs/link_ports.py LinkDesk",
    "course_translations": "dialogs/course_translation_ports.py CourseTranslationDesk",
    "phone_fallback": "dialogs/fallback_ports.py PhoneFallback",
}
