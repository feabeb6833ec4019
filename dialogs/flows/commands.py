"""Commands that work from anywhere: /start, /menu, /progres, /aide, /langue, data rights."""

from __future__ import annotations

import re
from collections.abc import Callable

from dialogs.context import Context, Step, Turn
from dialogs.events import Incoming, TextReceived
from dialogs.flow import Flow, state_of
from dialogs.flows.classes import start_joining
from dialogs.flows.learning import reachable
from dialogs.flows.menu import export_document, help_text
from dialogs.flows.onboarding import Onboarding, onboard_then
from dialogs.flows.place import go_to_lesson
from dialogs.flows.progress import progress_text
from dialogs.messages import Say

# Deep links to a lesson (booklet QR codes, t.me/<bot>?start=PAYLOAD, /?start=PAYLOAD on the
# web) carry "/start l_<course_id>__<lesson_id>". Telegram allows only [A-Za-z0-9_-] and 64
# characters in a start payload; ids are slugs [a-z0-9-] of at most 24 characters
# (content/normalize.py), so "_" never occurs in them and "__" separates them unambiguously.
_SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_LESSON_PAYLOAD = re.compile(rf"l_({_SLUG})__({_SLUG})")


def lesson_payload(course_id: str, lesson_id: str) -> str:
    """The /start payload that opens a lesson: "l_<course_id>__<lesson_id>"."""
    return f"l_{course_id}__{lesson_id}"


def parse_lesson_payload(payload: str) -> tuple[str, str] | None:
    """(course_id, lesson_id) of a lesson payload; None when it is not one."""
    match = _LESSON_PAYLOAD.fullmatch(payload)
    return (match[1], match[2]) if match else None


def _payload(event: Incoming) -> str:
    """What follows the command word: "/start l_a__b" -> "l_a__b"."""
    if not isinstance(event, TextReceived):
        return ""
    parts = event.text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


async def start(ctx: Context, event: Incoming) -> Turn:
    """Begin onboarding, or welcome a known learner back to the menu (or to a linked lesson)."""
    payload = _payload(event)
    if payload.startswith("l_"):
        return await _open_linked_lesson(ctx, payload)
    if payload.startswith("c_") and ctx.services.teaching is not None:
        return await start_joining(ctx, payload.removeprefix("c_"))
    if not ctx.profile.complete:
        return Turn(goto="welcome")
    return Turn([Say(ctx._("Bon retour parmi nous !"))], goto="menu")


async def _open_linked_lesson(ctx: Context, payload: str) -> Turn:
    """Open the lesson of a deep link; a newcomer is onboarded first, then lands there.

    A course for a teacher's classes opens only for its author and their students; to anyone
    else its link is a link to nothing (the same answer as an unknown lesson, which tells
    nothing of the course). A newcomer cannot be in a class yet: the lesson step, where they
    land after onboarding, decides then."""
    ids = parse_lesson_payload(payload)
    found = ctx.library.get(ids[0]) if ids else None
    if found is not None and ctx.profile.complete:
        found = await reachable(ctx, found.id)
    if ids is None or found is None or found.lesson(ids[1]) is None:
        text = ctx._("Désolé, je ne trouve pas cette leçon.")
        return Turn([Say(text)], goto="menu" if ctx.profile.complete else "welcome")
    if not ctx.profile.complete:  # onboarding, then the lesson
        note = ctx._("Je vous ouvrirai cette leçon juste après quelques questions.")
        return onboard_then(ctx, {"course": ids[0], "lesson": ids[1]}, note)
    go_to_lesson(ctx, ids[0], ids[1])
    return Turn(goto="lesson")


ONBOARDING = frozenset({"welcome", "consent", "country", "role", "level"})


async def menu(ctx: Context, event: Incoming) -> Turn:
    """Open the main menu; onboarding first if it is not finished (its question again, or
    its start when the learner left it: a learner just added to a shared phone)."""
    if ctx.profile.complete:
        return Turn(goto="menu")
    state_of(ctx, Onboarding).editing = False
    return Turn(goto=ctx.state.step if ctx.state.step in ONBOARDING else "welcome")


async def progress(ctx: Context, event: Incoming) -> Turn:
    """Show progress, then the current question again."""
    if not ctx.profile.complete:
        return Turn(reprompt=True)
    return Turn([Say(await progress_text(ctx))], reprompt=True)


async def help_(ctx: Context, event: Incoming) -> Turn:
    """Explain the bot, then the current question again."""
    return Turn([Say(await help_text(ctx))], reprompt=True)


async def language(ctx: Context, event: Incoming) -> Turn:
    """Change the interface language."""
    if not ctx.profile.complete:
        return Turn(goto="welcome")
    state_of(ctx, Onboarding).editing = True  # onboarding's step, back to the settings after
    return Turn(goto="welcome")


async def my_data(ctx: Context, event: Incoming) -> Turn:
    """Send everything stored about the learner as a JSON document."""
    return Turn([await export_document(ctx)], reprompt=True)


async def erase(ctx: Context, event: Incoming) -> Turn:
    """Ask for confirmation before erasing everything."""
    return Turn(goto="erase_confirm")


COMMANDS: dict[str, Step] = {
    "start": start,
    "menu": menu,
    "progres": progress,
    "progress": progress,
    "aide": help_,
    "help": help_,
    "langue": language,
    "language": language,
    "mes_donnees": my_data,
    "mydata": my_data,
    "supprimer_mes_donnees": erase,
    "deletemydata": erase,
}


def command_descriptions(_: Callable[[str], str]) -> list[tuple[str, str]]:
    """The commands a platform may list in its menu, described in one language."""
    return [
        ("start", _("Commencer ou reprendre")),
        ("menu", _("Le menu principal")),
        ("progres", _("Mes progrès")),
        ("aide", _("Aide")),
        ("langue", _("Changer de langue")),
        ("mes_donnees", _("Recevoir mes données")),
        ("supprimer_mes_donnees", _("Supprimer mes données")),
        ("eleve", _("Changer d'élève (téléphone partagé)")),
        ("devoirs", _("Mes devoirs")),
        ("certificats", _("Mes certificats")),
        ("donnees_legeres", _("Économie de données")),
        ("rejoindre", _("Rejoindre une classe")),
        ("stop_annonces", _("Ne plus recevoir d'annonces")),
        ("rappels", _("Mes rappels")),
        ("stop_rappels", _("Ne plus recevoir de rappels")),
        ("famille", _("Mes parents : leur résumé de la semaine")),
        ("stop_parent", _("Ne plus recevoir de résumé d'un élève")),
        ("mon_code", _("Mon code (pour recevoir un rôle)")),
        ("mon_id", _("Mon canal et mon identifiant")),
    ]


# The commands reachable from anywhere, a flow without steps of its own.
FLOW = Flow(
    "commands",
    {},
    COMMANDS,
    services=(
        "admin",
        "certificates",
        "mastery",
        "phone_fallback",
        "reminders",
        "shelf",
        "teaching",
    ),
)
