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
    from dialogs.mastery_ports import MasteryDesk
    from dialogs.review_ports import ReviewDesk


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
    # for what it needs with `need(ctx.services.admin, "admin")`, or tests
    # `ctx.services.admin is None`.
    services: Services = field(default_factory=Services)
    # Picks the translator of another language (after the learner chose one).
    translator_for: Callable[[str], Translator] = field(repr=False, default=lambda _: _never())

    # The last two services still read through the context (by dialogs/flows/quiz.py and
    # dialogs/flows/review.py); elsewhere `ctx.services.review`, `ctx.services.mastery`.
    @property
    def review(self) -> ReviewDesk | None:
        """The learner's deck of questions to review (`ctx.services.review`)."""
        return self.services.review

    @property
    def mastery(self) -> MasteryDesk | None:
        """The learner's mastery of skills (BKT) (`ctx.services.mastery`)."""
        return self.services.mastery

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
