"""Reminders: whether and when a learner is reminded to learn, and what the reminder says.

The time is the learner's own (their country's zone, dialogs/when.py); nights are quiet
(REMINDER_QUIET_HOURS); a channel that cannot write first says so plainly, and one whose
reminders wait for the person's next visit (the web chat) says that before they choose.
A bare number typed picks an option (WhatsApp lists are answered that way): a typed time
needs its ":" or "h" ("18:30", "18h30", "18h").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from dialogs.context import Context, Step, Translator, Turn, translate, translate_plural
from dialogs.events import Entered, Incoming, TextReceived
from dialogs.flow import Flow
from dialogs.flows.common import menu_option, unexpected
from dialogs.messages import Ask, Option, Say
from dialogs.options import choose
from dialogs.reminder_ports import ReminderDesk
from dialogs.reminding import next_due, parse_time
from dialogs.when import TIME_ZONES, zone_of

STOP = "stop"


def _label(at: time) -> str:
    """A time of day as shown and typed: "18:00"."""
    return at.strftime("%H:%M")


def _id(at: time) -> str:
    """The option id of a preset time: "t1800"."""
    return "t" + at.strftime("%H%M")


def _options(ctx: Context, desk: ReminderDesk, on: bool) -> tuple[Option, ...]:
    """The times outside quiet hours, "stop" when a reminder is on, and the menu."""
    options = [Option(_id(at), _label(at)) for at in desk.quiet.allowed()]
    if on:
        options.append(Option(STOP, ctx._("🔕 Ne plus me rappeler")))
    return (*options, menu_option(ctx))


async def reminders(ctx: Context, event: Incoming) -> Turn:
    """Offer reminder times (or stopping them); take a tapped or typed time."""
    desk = ctx.services.reminders
    if desk is None or not ctx.can_remind:
        return Turn([Say(_web_only(ctx))], goto="menu")
    setting = await desk.setting()
    on = setting is not None and setting.enabled
    options = _options(ctx, desk, on)
    if isinstance(event, Entered):
        current = setting.at if setting is not None and on else None
        return Turn([Ask(_prompt(ctx, current), options, ctx.state.prompt)])
    chosen = choose(ctx, event, options)
    if chosen == "menu":
        return Turn(goto="menu")
    if chosen == STOP:
        return Turn([await _stop(ctx, desk)], goto="menu")
    presets = {_id(at): at for at in desk.quiet.allowed()}
    if chosen in presets:
        return await _remind_at(ctx, desk, presets[chosen])
    typed = parse_time(event.text) if isinstance(event, TextReceived) else None
    if typed is None:
        return _not_a_time(ctx, event)
    return await _remind_at(ctx, desk, typed)


def _prompt(ctx: Context, current: time | None) -> str:
    """What the reminder is now, and how to choose."""
    code = ctx.profile.country or ""
    how = ctx._("Choisissez une heure, ou écrivez-la (par exemple 18h30).")
    if code in TIME_ZONES:
        zone = ctx._("Heure de chez vous : %(country)s.", country=ctx.t.country_name(code))
    else:
        zone = ctx._("Heures en temps universel (UTC).")
    if current is None:
        first = ctx._("🔔 Voulez-vous un petit rappel chaque jour pour continuer d'apprendre ?")
    else:
        first = ctx._("🔔 Je vous rappelle chaque jour à %(time)s.", time=_label(current))
    if not ctx.caps.pushes_live:
        first += "\n" + ctx._(
            "Ici, le rappel vous attend dans cette page : vous le verrez en l'ouvrant, "
            "sans sonnerie quand elle est fermée."
        )
    return f"{first}\n{how} {zone}"


def _web_only(ctx: Context) -> str:
    """Why a channel that cannot write first offers no reminders."""
    return ctx._(
        "Ici, je ne peux pas vous écrire en premier : pas de rappels possibles. Retrouvez "
        "Imaginecole dans une application de messagerie pour en recevoir."
    )


def _not_a_time(ctx: Context, event: Incoming) -> Turn:
    """A typed text that is no time of day."""
    if not isinstance(event, TextReceived):
        return unexpected(ctx, event)
    text = ctx._("Je n'ai pas compris l'heure. Écrivez-la comme ceci : 18h30 ou 18:30.")
    return Turn([Say(text)], reprompt=True)


async def _remind_at(ctx: Context, desk: ReminderDesk, at: time) -> Turn:
    """Keep the time unless it falls in the night; say when the reminders will come."""
    if desk.quiet.contains(at):
        text = ctx._(
            "Pas de rappel la nuit : entre %(start)s et %(end)s, je ne vous écris pas. "
            "Choisissez une autre heure.",
            start=_label(desk.quiet.start),
            end=_label(desk.quiet.end),
        )
        return Turn([Say(text)], reprompt=True)
    await desk.remind_at(at, next_due(at, zone_of(ctx.profile.country), ctx.now))
    text = ctx._(
        "✅ C'est noté : je vous rappellerai chaque jour à %(time)s, au plus une fois par jour, "
        "et pas les jours où vous avez déjà appris. Pour arrêter : /stop_rappels",
        time=_label(at),
    )
    return Turn([Say(text)], goto="menu")


async def _stop(ctx: Context, desk: ReminderDesk) -> Say:
    """No more reminders."""
    if await desk.stop():
        text = ctx._(
            "🔕 D'accord, je ne vous enverrai plus de rappel. Pour les reprendre : /rappels"
        )
    else:
        text = ctx._("Vous n'avez pas de rappel. Pour en demander un : /rappels")
    return Say(text)


async def reminders_command(ctx: Context, event: Incoming) -> Turn:
    """/rappels: the reminder settings (after onboarding)."""
    if not ctx.profile.complete:
        return Turn(reprompt=True)
    return Turn(goto="reminders")


async def stop_command(ctx: Context, event: Incoming) -> Turn:
    """/stop_rappels: no more reminders, from anywhere."""
    if ctx.services.reminders is None:
        return Turn(reprompt=True)
    return Turn([await _stop(ctx, ctx.services.reminders)], reprompt=True)


@dataclass(frozen=True)
class ReminderFacts:
    """What a reminder can name: the lesson to continue, reviews due, a close deadline."""

    lesson: tuple[str, str] | None = None  # (course title, lesson title)
    reviews: int = 0
    deadline: tuple[str, datetime] | None = None  # (what is due, when)


class Voice:
    """Words in one language outside a turn (the reminder loop has no Context)."""

    def __init__(self, t: Translator) -> None:
        self.t = t

    def _(self, message: str, **values: Any) -> str:
        """Translate a message and fill its %(name)s placeholders (as Context does)."""
        return translate(self.t, message, **values)

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> str:
        """Translate a plural message; `n` is also available as %(n)s."""
        return translate_plural(self.t, singular, plural, n, **values)


def reminder_text(t: Translator, facts: ReminderFacts) -> str:
    """The reminder, naming what is concrete, with how to stop it."""
    say = Voice(t)
    lines = [say._("🔔 C'est l'heure d'apprendre un peu !")]
    if facts.lesson is not None:
        course, lesson = facts.lesson
        lines.append(
            say._(
                "📚 Votre leçon vous attend : « %(lesson)s » (%(course)s).",
                lesson=lesson,
                course=course,
            )
        )
    if facts.reviews:
        lines.append(
            say.ngettext(
                "🔁 %(n)s question à revoir aujourd'hui.",
                "🔁 %(n)s questions à revoir aujourd'hui.",
                facts.reviews,
            )
        )
    if facts.deadline is not None:
        work, when = facts.deadline
        lines.append(
            say._("📝 À rendre avant le %(date)s : %(work)s", date=t.date(when), work=work)
        )
    if len(lines) == 1:
        lines.append(say._("🌱 Quelques minutes suffisent : choisissez un cours dans le menu."))
    lines.append(say._("Écrivez /menu pour commencer. Ne plus recevoir de rappel : /stop_rappels"))
    return "\n".join(lines)


STEPS: dict[str, Step] = {"reminders": reminders}
COMMANDS: dict[str, Step] = {
    "rappels": reminders_command,
    "reminders": reminders_command,
    "stop_rappels": stop_command,
    "stopreminders": stop_command,
}
FLOW = Flow("reminders", STEPS, COMMANDS, services=("reminders",))
