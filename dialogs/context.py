"""What a step sees: the learner, their state, a translator, the library and their records."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from content.library import Library

from dialogs.capabilities import TEXT_ONLY, Capabilities
from dialogs.elision import elide
from dialogs.events import Incoming, UserRef
from dialogs.messages import Out
from dialogs.ports import Effect, LearnerRecords
from dialogs.services import Services
from dialogs.state import DialogState, Profile

if TYPE_CHECKING:
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
    caps: Capabilities = TEXT_ONLY  # what the person's channel can do (dialogs/capabilities.py)
    # The storage and rendering ports this turn offers (dialogs/services.py); a flow asks
    # for what it needs with `need(ctx.admin, ...)`, or tests `ctx.admin is None`.
    services: Services = field(default_factory=Services)
    # Picks the translator of another language (after the learner chose one).
    translator_for: Callable[[str], Translator] = field(repr=False, default=lambda _: _never())

    # Each service, read through the context as before (dialogs/services.py).
    @property
    def booklets(self) -> Booklets | None:
        """Printing, for teachers (`ctx.services.booklets`)."""
        return self.services.booklets

    @property
    def admin(self) -> AdminDesk | None:
        """Roles, announcements and broadcasts (bot/storage) (`ctx.services.admin`)."""
        return self.services.admin

    @property
    def charts(self) -> Charts | None:
        """The impact chart (bot/charts.py) (`ctx.services.charts`)."""
        return self.services.charts

    @property
    def teaching(self) -> TeachingDesk | None:
        """Invitations, teacher requests, classes (`ctx.services.teaching`)."""
        return self.services.teaching

    @property
    def links(self) -> Links | None:
        """Join links and QR codes of classes (`ctx.services.links`)."""
        return self.services.links

    @property
    def authoring(self) -> AuthoringDesk | None:
        """The teacher's own courses (`ctx.services.authoring`)."""
        return self.services.authoring

    @property
    def reports(self) -> ReportDesk | None:
        """Class reports, essays to grade, students' questions (`ctx.services.reports`)."""
        return self.services.reports

    @property
    def shelf(self) -> Shelf | None:
        """The shared library: visibility, uses, ratings (`ctx.services.shelf`)."""
        return self.services.shelf

    @property
    def circles(self) -> CircleDesk | None:
        """Teachers' circles and colleague requests (`ctx.services.circles`)."""
        return self.services.circles

    @property
    def moderation(self) -> ModerationDesk | None:
        """Circles' filter, reports, sanctions, log (`ctx.services.moderation`)."""
        return self.services.moderation

    @property
    def groups(self) -> GroupDesk | None:
        """A Telegram group linked to a circle (group turns only) (`ctx.services.groups`)."""
        return self.services.groups

    @property
    def creathon(self) -> CreathonDesk | None:
        """Contests of scenarios, reviews, results (`ctx.services.creathon`)."""
        return self.services.creathon

    @property
    def events(self) -> EventDesk | None:
        """Webinars and meetings of circles (`ctx.services.events`)."""
        return self.services.events

    @property
    def threads(self) -> ThreadDesk | None:
        """Discussion threads of shared courses (`ctx.services.threads`)."""
        return self.services.threads

    @property
    def certificates(self) -> CertificateDesk | None:
        """The learner's certificates (bot/storage) (`ctx.services.certificates`)."""
        return self.services.certificates

    @property
    def certifier(self) -> Certifier | None:
        """Signs, prints and checks them (bot/certificates) (`ctx.services.certifier`)."""
        return self.services.certifier

    @property
    def review(self) -> ReviewDesk | None:
        """The learner's deck of questions to review (`ctx.services.review`)."""
        return self.services.review

    @property
    def mastery(self) -> MasteryDesk | None:
        """The learner's mastery of skills (BKT) (`ctx.services.mastery`)."""
        return self.services.mastery

    @property
    def families(self) -> FamilyDesk | None:
        """Guardians (either side) and the optional sex (`ctx.services.families`)."""
        return self.services.families

    @property
    def reminders(self) -> ReminderDesk | None:
        """The learner's daily reminder and learning days (`ctx.services.reminders`)."""
        return self.services.reminders

    @property
    def data_saver(self) -> DataSaver | None:
        """Light data: the setting and the daily media budget (`ctx.services.data_saver`)."""
        return self.services.data_saver

    @property
    def profiles(self) -> ProfileDesk | None:
        """The learners sharing this phone (bot/storage) (`ctx.services.profiles`)."""
        return self.services.profiles

    @property
    def translations(self) -> TranslationDesk | None:
        """Interface strings for translators (`ctx.services.translations`)."""
        return self.services.translations

    @property
    def phone_fallback(self) -> PhoneFallback | None:
        """SMS when the chat app stops reaching them (`ctx.services.phone_fallback`)."""
        return self.services.phone_fallback

    @property
    def address_links(self) -> LinkDesk | None:
        """This address following a learner of elsewhere (`ctx.services.address_links`)."""
        return self.services.address_links

    @property
    def course_translations(self) -> CourseTranslationDesk | None:
        """Courses translated in the chat (`ctx.services.course_translations`)."""
        return self.services.course_translations

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


class _Nothing:
    """No return value: the turn does not return from a call."""

    def __repr__(self) -> str:
        return "NOTHING"


NOTHING: Any = _Nothing()


def _never() -> Translator:
    raise RuntimeError("no translator factory given to the Context")


@dataclass
class Turn:
    """What a step decided: messages to send, where to go next, and state changes."""

    messages: list[Out] = field(default_factory=list)
    goto: str | None = None  # enter this step next (shows its prompt, with a new prompt number)
    reprompt: bool = False  # show the current step's prompt again (same prompt number)
    effects: list[Effect] = field(default_factory=list)
    # Call a sub-flow (dialogs/flow.py): enter `call`, go on to `then` when it returns, to
    # `back` (or `then`) when it returns CANCEL.
    call: str | None = None
    then: str | None = None
    back: str | None = None
    # Return from a called flow with this value (CANCEL: the person gave up); `goto` is
    # where to go when no call waits (a state stored by an older release).
    ret: Any = NOTHING


Step = Callable[[Context, Incoming], Awaitable[Turn]]
