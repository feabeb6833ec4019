"""The main menu, the profile settings and the learner's data (export, erasure)."""

from __future__ import annotations

import json

from dialogs.context import Context, Step, Turn
from dialogs.events import Entered, Incoming
from dialogs.flows.assignments import with_homework
from dialogs.flows.common import menu_option, route, unexpected
from dialogs.flows.profiles import erase_note
from dialogs.flows.progress import progress_text
from dialogs.messages import Ask, Document, Option, Say
from dialogs.options import choose
from dialogs.ports import EraseLearner


async def menu(ctx: Context, event: Incoming) -> Turn:
    """Offer the main choices; "continue" only when there is somewhere to continue."""
    options = await with_homework(ctx, await _with_review(ctx, _menu_options(ctx)))
    if isinstance(event, Entered):
        ctx.state.data.pop("editing", None)  # a settings edit left half-way ends here
        return Turn([Ask(ctx._("Que voulez-vous faire ?"), options, ctx.state.prompt)])
    chosen = choose(event, options)
    targets = {
        "continue": "resume",
        "courses": "subjects",
        "settings": "settings",
        "data": "my_data",
        "teacher": "teacher_home",
        "join": "join_code",
        "homework": "homework",
        "review": "review",
        "profiles": "profiles",
    }
    if chosen in targets:
        return Turn(goto=targets[chosen])
    if chosen == "progress":
        return Turn([Say(await progress_text(ctx))], reprompt=True)
    if chosen == "help":
        return Turn([Say(help_text(ctx))], reprompt=True)
    return unexpected(ctx, event)


def _menu_options(ctx: Context) -> tuple[Option, ...]:
    """The menu's buttons for this learner."""
    options = []
    if ctx.profile.bookmark:
        options.append(Option("continue", ctx._("▶️ Continuer où je me suis arrêté")))
    options += [
        Option("courses", ctx._("📚 Les cours")),
        Option("progress", ctx._("📈 Mes progrès")),
        Option("help", ctx._("❓ Aide")),
        Option("settings", ctx._("⚙️ Langue et profil")),
        Option("data", ctx._("🔒 Mes données")),
    ]
    if ctx.teaching is not None:  # channels with storage for classes
        if ctx.profile.role == "teacher":
            options.insert(-2, Option("teacher", ctx._("🧑‍🏫 Espace enseignant")))
        else:
            options.insert(-2, Option("join", ctx._("🏫 Rejoindre une classe")))
    if ctx.profiles is not None:  # channels with storage for several learners on one phone
        options.insert(-1, Option("profiles", ctx._("👥 Changer d'élève")))
    return tuple(options)


async def _with_review(ctx: Context, options: tuple[Option, ...]) -> tuple[Option, ...]:
    """The menu with "Réviser (N)" after "continue" when questions of the deck are due."""
    due = await ctx.review.due_count(ctx.now) if ctx.review is not None else 0
    if not due:
        return options
    at = 1 if options and options[0].id == "continue" else 0
    entry = Option("review", ctx._("🔁 Réviser (%(n)s)", n=ctx.t.number(due)))
    return (*options[:at], entry, *options[at:])


def help_text(ctx: Context) -> str:
    """What the bot does and the commands that work everywhere."""
    return ctx._(
        "Imaginecole vous propose des leçons courtes et des quiz, à votre rythme.\n\n"
        "Touchez les boutons, ou écrivez le numéro d'un choix. "
        "Vous pouvez vous arrêter quand vous voulez : je reprends là où vous en étiez.\n\n"
        "/menu : le menu principal\n"
        "/progres : vos progrès\n"
        "/langue : changer de langue\n"
        "/mes_donnees : recevoir tout ce que je garde sur vous\n"
        "/supprimer_mes_donnees : tout effacer"
    )


async def settings(ctx: Context, event: Incoming) -> Turn:
    """Change the language or a part of the profile."""
    options = (
        Option("welcome", ctx._("🌍 Langue")),
        Option("country", ctx._("Pays")),
        Option("role", ctx._("Rôle")),
        Option("level", ctx._("Classe")),
        Option("reminders", ctx._("🔔 Rappels")),
        Option("light_data", ctx._("📶 Économie de données")),
        menu_option(ctx),
    )
    if isinstance(event, Entered):
        return Turn([Ask(ctx._("Que voulez-vous changer ?"), options, ctx.state.prompt, 2)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "reminders":
        return Turn(goto="reminders")
    if chosen == "light_data":  # a setting of its own, not a part of the profile to edit
        return Turn(goto=chosen)
    ctx.state.data["editing"] = True
    return Turn(goto=chosen)


async def my_data(ctx: Context, event: Incoming) -> Turn:
    """Send everything stored about the learner, or offer to erase it."""
    options = (
        Option("export", ctx._("📄 Recevoir mes données")),
        Option("erase", ctx._("🗑️ Supprimer mes données")),
        menu_option(ctx),
    )
    if isinstance(event, Entered):
        text = ctx._("Vos données vous appartiennent. Que voulez-vous faire ?")
        return Turn([Ask(text, options, ctx.state.prompt)])
    chosen = choose(event, options)
    if chosen == "export":
        return Turn([await export_document(ctx)], reprompt=True)
    if chosen in ("erase", "menu"):
        return Turn(goto="erase_confirm" if chosen == "erase" else "menu")
    return unexpected(ctx, event)


async def export_document(ctx: Context) -> Document:
    """Everything stored about the learner, as a JSON document."""
    data = await ctx.records.export()
    content = json.dumps(data, ensure_ascii=False, indent=2).encode()
    caption = ctx._("Voici tout ce que je garde sur vous.")
    return Document("mes_donnees.json", content, "application/json", caption)


async def erase_confirm(ctx: Context, event: Incoming) -> Turn:
    """Ask for confirmation, then erase the learner completely."""
    options = (
        Option("erase", ctx._("Oui, tout effacer")),
        Option("keep", ctx._("Non, garder")),
    )
    if isinstance(event, Entered):
        text = ctx._(
            "Voulez-vous vraiment effacer votre profil et tous vos progrès ? "
            "Cela ne peut pas être annulé."
        )
        if (shared := await erase_note(ctx)) is not None:  # a phone of several learners
            text = f"{text}\n\n{shared}"
        return Turn([Ask(text, options, ctx.state.prompt)])
    chosen = choose(event, options)
    if chosen == "erase":
        bye = ctx._("C'est fait : tout est effacé. Pour recommencer un jour, écrivez /start.")
        return Turn([Say(bye)], effects=[EraseLearner()])
    if chosen == "keep":
        return Turn([Say(ctx._("Rien n'a été effacé."))], goto="menu")
    return unexpected(ctx, event)


STEPS: dict[str, Step] = {
    "menu": menu,
    "settings": settings,
    "my_data": my_data,
    "erase_confirm": erase_confirm,
}
