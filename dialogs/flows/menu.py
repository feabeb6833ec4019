"""The main menu, the profile settings and the learner's data (export, erasure)."""

from __future__ import annotations

import json

from dialogs.context import Context, Step, Turn
from dialogs.events import Entered, Incoming
from dialogs.flow import Flow, state_of
from dialogs.flows import phone_fallback
from dialogs.flows.assignments import with_homework
from dialogs.flows.certificates import my_certificates
from dialogs.flows.common import menu_option, route, unexpected
from dialogs.flows.onboarding import Onboarding
from dialogs.flows.profiles import erase_note
from dialogs.flows.progress import progress_text
from dialogs.flows.quiz_help import words_here
from dialogs.flows.role_help import roles_help, student_lines
from dialogs.messages import Ask, ClearScreen, Document, Option, Say
from dialogs.options import choose
from dialogs.ports import EraseLearner
from dialogs.roles import Role, is_admin

MAX_ROWS = 10  # a WhatsApp list holds at most ten rows
SECONDARY = ("help", "settings", "profiles", "data")  # under "more" when the menu is full


async def menu(ctx: Context, event: Incoming) -> Turn:
    """Offer the main choices; "continue" only when there is somewhere to continue."""
    options = await _with_roles(
        ctx, await with_homework(ctx, await _with_review(ctx, _menu_options(ctx)))
    )
    options = await _with_certificates(ctx, options)
    if len(options) > MAX_ROWS:  # two levels: the settings-like entries go under "more"
        options = (
            *(o for o in options if o.id not in SECONDARY),
            Option("more", ctx._("➕ Plus de choix")),
        )
    if isinstance(event, Entered):
        return Turn([Ask(ctx._("Que voulez-vous faire ?"), options, ctx.state.prompt)])
    return await _menu_choice(ctx, event, options)


async def menu_more(ctx: Context, event: Incoming) -> Turn:
    """The second page of a full menu: help, settings, profiles, data."""
    options = tuple(o for o in _menu_options(ctx) if o.id in SECONDARY) + (menu_option(ctx),)
    if isinstance(event, Entered):
        return Turn([Ask(ctx._("Que voulez-vous faire ?"), options, ctx.state.prompt)])
    return await _menu_choice(ctx, event, options)


async def _menu_choice(ctx: Context, event: Incoming, options: tuple[Option, ...]) -> Turn:
    """Where a choice of the menu (or of its second page) leads."""
    chosen = choose(ctx, event, options)
    targets = {
        "continue": "resume",
        "courses": "subjects",
        "settings": "settings",
        "data": "my_data",
        "teacher": "teacher_home",
        "admin": "admin_menu",
        "translate": "tr_home",
        "circles": "circles_home",
        "join": "join_code",
        "homework": "homework",
        "review": "review",
        "profiles": "profiles",
        "more": "menu_more",
        "menu": "menu",
    }
    if chosen in targets:
        return Turn(goto=targets[chosen])
    if chosen == "progress":
        return Turn([Say(await progress_text(ctx))], reprompt=True)
    if chosen == "help":
        return Turn([Say(await help_text(ctx))], reprompt=True)
    if chosen == "certificates":
        return await my_certificates(ctx, event)
    return unexpected(ctx, event)


async def _with_roles(ctx: Context, options: tuple[Option, ...]) -> tuple[Option, ...]:
    """The entries of the roles held, before the help: administration, circles, classes."""
    grants = await ctx.services.admin.grants() if ctx.services.admin is not None else []
    held = {grant.role for grant in grants}
    extra = []
    if is_admin(grants):
        extra.append(Option("admin", ctx._("🛠️ Administration")))
    elif Role.MODERATOR in held:
        extra.append(Option("circles", ctx._("🌍 Cercles")))
    if Role.TRANSLATOR in held:
        extra.append(Option("translate", ctx._("🌐 Traduire")))
    if Role.TEACHER in held and not any(o.id == "teacher" for o in options):
        extra.append(Option("teacher", ctx._("🧑‍🏫 Espace enseignant")))
        options = tuple(o for o in options if o.id != "join")
    if not extra:
        return options
    at = next((i for i, o in enumerate(options) if o.id == "help"), len(options))
    return (*options[:at], *extra, *options[at:])


async def _with_certificates(ctx: Context, options: tuple[Option, ...]) -> tuple[Option, ...]:
    """ "My certificates" after the progress once one is earned: it can be had again."""
    if ctx.services.certificates is None or not await ctx.services.certificates.mine():
        return options
    at = next((i + 1 for i, o in enumerate(options) if o.id == "progress"), len(options))
    entry = Option("certificates", ctx._("🎓 Mes certificats"))
    return (*options[:at], entry, *options[at:])


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
    if ctx.services.teaching is not None:  # channels with storage for classes
        if ctx.profile.role == "teacher":
            options.insert(-2, Option("teacher", ctx._("🧑‍🏫 Espace enseignant")))
        else:
            options.insert(-2, Option("join", ctx._("🏫 Rejoindre une classe")))
    if ctx.services.profiles is not None:  # channels with storage for several learners on one phone
        options.insert(-1, Option("profiles", ctx._("👥 Changer d'élève")))
    return tuple(options)


async def _with_review(ctx: Context, options: tuple[Option, ...]) -> tuple[Option, ...]:
    """The menu with "Réviser (N)" after "continue" when questions of the deck are due."""
    due = await ctx.services.review.due_count(ctx.now) if ctx.services.review is not None else 0
    if not due:
        return options
    at = 1 if options and options[0].id == "continue" else 0
    entry = Option("review", ctx._("🔁 Réviser (%(n)s)", n=ctx.t.number(due)))
    return (*options[:at], entry, *options[at:])


async def help_text(ctx: Context) -> str:
    """What the bot does, the commands everyone has, then what this person's roles open."""
    _ = ctx.t.gettext
    head = ctx._(
        "Imaginecole vous propose des leçons courtes et des quiz, à votre rythme.\n\n"
        "Touchez les boutons, ou écrivez votre choix : ses mots (« cours »), "
        "ou la lettre ou le numéro affiché devant lui. "
        "Vous pouvez vous arrêter quand vous voulez : je reprends là où vous en étiez."
    )
    lines = student_lines(_)
    fallback = ctx.services.phone_fallback
    if fallback is not None:  # only where this number can be reached another way
        lines.append(
            ctx._(
                "/secours_sms : vous écrire par %(channel)s si ce numéro ne reçoit plus nos "
                "messages ici",
                channel=fallback.label,
            )
        )
    paragraphs = [head, "\n".join(lines)]
    here = words_here(ctx)  # at a quiz's question, its help words first
    if here is not None:
        paragraphs.insert(1, here)
    grants = await ctx.services.admin.grants() if ctx.services.admin is not None else []
    paragraphs += roles_help(_, grants)
    return "\n\n".join(paragraphs)


async def settings(ctx: Context, event: Incoming) -> Turn:
    """Change the language or a part of the profile."""
    options = (
        Option("welcome", ctx._("🌍 Langue")),
        Option("country", ctx._("Pays")),
        Option("role", ctx._("Rôle")),
        Option("level", ctx._("Classe")),
        Option("reminders", ctx._("🔔 Rappels")),
        Option("light_data", ctx._("📶 Économie de données")),
        *phone_fallback.offered(ctx),
        *_family_options(ctx),
        menu_option(ctx),
    )
    if isinstance(event, Entered):
        return Turn([Ask(ctx._("Que voulez-vous changer ?"), options, ctx.state.prompt, 2)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "reminders":
        return Turn(goto="reminders")
    if chosen in ("family", "sex"):  # settings of their own (dialogs/flows/families.py)
        return Turn(goto=chosen)
    if chosen in ("light_data", "phone_fallback"):  # settings of their own, not the profile
        return Turn(goto=chosen)
    state_of(ctx, Onboarding).editing = True  # onboarding's step, back here after
    return Turn(goto=chosen)


def _family_options(ctx: Context) -> tuple[Option, ...]:
    """Guardians and the optional "girl or boy", where the storage keeps them."""
    if ctx.services.families is None:
        return ()
    return (Option("family", ctx._("👪 Parents")), Option("sex", ctx._("Fille ou garçon")))


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
    chosen = choose(ctx, event, options)
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
    chosen = choose(ctx, event, options)
    if chosen == "erase":
        bye = ctx._("C'est fait : tout est effacé. Pour recommencer un jour, écrivez /start.")
        return Turn([ClearScreen(), Say(bye)], effects=[EraseLearner()])
    if chosen == "keep":
        return Turn([Say(ctx._("Rien n'a été effacé."))], goto="menu")
    return unexpected(ctx, event)


STEPS: dict[str, Step] = {
    "menu": menu,
    "menu_more": menu_more,
    "settings": settings,
    "my_data": my_data,
    "erase_confirm": erase_confirm,
}
FLOW = Flow(
    "menu",
    STEPS,
    services=(
        "admin",
        "certificates",
        "certifier",
        "families",
        "mastery",
        "phone_fallback",
        "profiles",
        "reminders",
        "review",
        "teaching",
    ),
)
