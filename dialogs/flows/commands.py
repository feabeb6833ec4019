"""Commands that work from anywhere: /start, /menu, /progres, /aide, /langue, data rights."""

from __future__ import annotations

from collections.abc import Callable

from dialogs.context import Context, Step, Turn
from dialogs.events import Incoming
from dialogs.flows.menu import export_document, help_text
from dialogs.flows.progress import progress_text
from dialogs.messages import Say


async def start(ctx: Context, event: Incoming) -> Turn:
    """Begin onboarding, or welcome a known learner back to the menu."""
    if not ctx.profile.complete:
        return Turn(goto="welcome")
    return Turn([Say(ctx._("Bon retour parmi nous !"))], goto="menu")


async def menu(ctx: Context, event: Incoming) -> Turn:
    """Open the main menu (onboarding first if it is not finished)."""
    return Turn(goto="menu" if ctx.profile.complete else ctx.state.step)


async def progress(ctx: Context, event: Incoming) -> Turn:
    """Show progress, then the current question again."""
    if not ctx.profile.complete:
        return Turn(reprompt=True)
    return Turn([Say(await progress_text(ctx))], reprompt=True)


async def help_(ctx: Context, event: Incoming) -> Turn:
    """Explain the bot, then the current question again."""
    return Turn([Say(help_text(ctx))], reprompt=True)


async def language(ctx: Context, event: Incoming) -> Turn:
    """Change the interface language."""
    if not ctx.profile.complete:
        return Turn(goto="welcome")
    ctx.state.data["editing"] = True
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
    ]
