"""What a step sees: the learner, their state, a translator, the library and their records."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from content.library import Library

from dialogs.admin_ports import AdminDesk, Charts
from dialogs.authoring_ports import AuthoringDesk
from dialogs.capabilities import TEXT_ONLY, Capabilities
from dialogs.certificate_ports import CertificateDesk, Certifier
from dialogs.circle_ports import CircleDesk, GroupDesk
from dialogs.course_translation_ports import CourseTranslationDesk
from dialogs.creathon_ports import CreathonDesk
from dialogs.data_ports import DataSaver
from dialogs.elision import elide
from dialogs.event_ports import EventDesk, ThreadDesk
from dialogs.events import Incoming, UserRef
from dialogs.family_ports import FamilyDesk
from dialogs.link_ports import LinkDesk
from dialogs.mastery_ports import MasteryDesk
from dialogs.messages import Out
from dialogs.moderation_ports import ModerationDesk
from dialogs.ports import Booklets, Effect, LearnerRecords
from dialogs.profile_ports import ProfileDesk
from dialogs.reminder_ports import ReminderDesk
from dialogs.report_ports import ReportDesk
from dialogs.review_ports import ReviewDesk
from dialogs.sharing_ports import Shelf
from dialogs.state import DialogState, Profile
from dialogs.teaching_ports import Links, TeachingDesk
from dialogs.translation_ports import TranslationDesk


class Translator(Protocol):
    """Interface text and locale-aware formatting for one language (bot/i18n.py)."""

    lang: str
    rtl: bool

    def gettext(self, message: str) -> str:
        """Translate a message."""
        ...

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Translate a message with a plural form chosen for n."""
        ...

    def number(self, value: float, decimals: int = 0) -> str:
        """Format a number for the learner's locale."""
        ...

    def percent(self, ratio: float) -> str:
        """Format a ratio (0..1) as a percentage."""
        ...

    def date(self, value: datetime) -> str:
        """Format a date for the learner's locale."""
        ...

    def country_name(self, code: str) -> str:
        """Name of a country (ISO 3166 alpha-2) in the learner's language."""
        ...


@dataclass(frozen=True)
class Language:
    """An interface language offered in the picker, named in its own script."""

    code: str
    name: str
    rtl: bool = False


@dataclass
class Context:
    """Everything a step may read; it changes nothing itself but its own working copy."""

    user: UserRef
    profile: Profile
    state: DialogState
    t: Translator
    library: Library
    records: LearnerRecords
    now: datetime
    languages: tuple[Language, ...] = ()
    booklets: Booklets | None = None  # printing, for teachers
    admin: AdminDesk | None = None  # roles, announcements and broadcasts (bot/storage)
    charts: Charts | None = None  # the impact chart (bot/charts.py)
    teaching: TeachingDesk | None = None  # invitations, teacher requests, classes
    links: Links | None = None  # join links and QR codes of classes
    authoring: AuthoringDesk | None = None  # the teacher's own courses
    caps: Capabilities = TEXT_ONLY  # what the person's channel can do (dialogs/capabilities.py)
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
    address_links: LinkDesk | None = None  # this address following a learner of elsewhere
    translations: TranslationDesk | None = None  # interface strings for translators
    course_translations: CourseTranslationDesk | None = None  # courses translated in the chat
    # Picks the translator of another language (after the learner chose one).
    translator_for: Callable[[str], Translator] = field(repr=False, default=lambda _: _never())

    @property
    def address_is_phone(self) -> bool:
        """The channel's id of the person is their phone number."""
        return self.caps.address_is_phone

    @property
    def address_is_key(self) -> bool:
        """The channel's id of the person is made up by their device and opens their
        conversation: a key to keep, not a name to give (the web chat)."""
        return self.caps.address_is_key

    @property
    def can_remind(self) -> bool:
        """The channel can write first, later."""
        return self.caps.can_push

    def _(self, message: str, **values: Any) -> str:
        """Translate a message and fill its %(name)s placeholders."""
        return translate(self.t, message, **values)

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> str:
        """Translate a plural message; `n` is also available as %(n)s."""
        return translate_plural(self.t, singular, plural, n, **values)

    def set_language(self, lang: str) -> None:
        """Switch the interface language for the rest of this turn and after."""
        self.profile.locale = lang
        self.t = self.translator_for(lang)


def translate(t: Translator, message: str, **values: Any) -> str:
    """A message in `t`'s language with its %(name)s placeholders filled.

    Text left in French elides before names: "C'est au tour d'Aïssatou" (dialogs/elision.py).
    """
    text = t.gettext(message)
    if not values:
        return text
    return (elide(text, values) if text == message else text) % values


def translate_plural(t: Translator, singular: str, plural: str, n: int, **values: Any) -> str:
    """A plural message in `t`'s language for `n` (also available as %(n)s)."""
    text = t.ngettext(singular, plural, n)
    filled = {"n": t.number(n), **values}
    return (elide(text, filled) if text in (singular, plural) else text) % filled


def _never() -> Translator:
    raise RuntimeError("no translator factory given to the Context")


@dataclass
class Turn:
    """What a step decided: messages to send, where to go next, and state changes."""

    messages: list[Out] = field(default_factory=list)
    goto: str | None = None  # enter this step next (shows its prompt, with a new prompt number)
    reprompt: bool = False  # show the current step's prompt again (same prompt number)
    effects: list[Effect] = field(default_factory=list)


Step = Callable[[Context, Incoming], Awaitable[Turn]]
