"""Classes: a teacher creates one and gets a join code, links and a QR code; students join
with the code or a link under the name their teacher will see; the teacher sees the roster
and can take a student out. A student may be in several classes."""

from __future__ import annotations

from dataclasses import dataclass

from content.model import LEVELS, SUBJECTS

from dialogs.context import Context, Step, Turn
from dialogs.events import Entered, Incoming, TextReceived
from dialogs.flow import Flow, FlowState, fresh, returned, state_of
from dialogs.flows.assignments import work_summary
from dialogs.flows.class_tools import (
    hold_class,
    more_options,
    owned_class,
    page_choice,
    page_options,
)
from dialogs.flows.common import menu_option, route
from dialogs.flows.learning import subject_name
from dialogs.flows.onboarding import level_name, onboard_then
from dialogs.flows.teachers import (
    is_teacher,
    school_missing,
    school_option,
    school_request,
    teaching,
)
from dialogs.messages import Ask, Document, Option, Out, Say
from dialogs.teaching_ports import ClassRoom

MAX_NAME = 40


@dataclass
class Classes(FlowState, flow="classes"):
    """The class a teacher is creating (its name, its level), and the class a student is
    joining (found by its code). `pending`: the code of a class link opened before
    onboarding, as the previous release kept it (`join_pending`); a newcomer's link now
    comes back as the value onboarding returns.

    The class a teacher has in hand is not here: it is `class_tools.InHand`, kept in the
    class flows and the assignments."""

    new_name: str = ""
    new_level: str = ""
    joining: int | None = None
    joining_name: str = ""
    pending: str = ""
    legacy = {  # noqa: RUF012
        "new_name": "new_class.name",
        "new_level": "new_class.level",
        "joining": "joining.id",
        "joining_name": "joining.name",
        "pending": "join_pending",
    }


ROSTER_BUTTONS = 8  # "take out" buttons shown at once (the roster text lists everyone)


def teachers_only(step: Step) -> Step:
    """A step that first checks, in this very turn, that the person is a teacher."""

    async def checked(ctx: Context, event: Incoming) -> Turn:
        if not await is_teacher(ctx):
            text = ctx._("Cette action est réservée aux enseignants.")
            return Turn([Say(text)], goto="menu")
        return await step(ctx, event)

    checked.__doc__ = step.__doc__
    return checked


async def classes_command(ctx: Context, event: Incoming) -> Turn:
    """/classes: the teacher's classes (teachers only)."""
    if ctx.services.teaching is None or not await is_teacher(ctx):
        text = ctx._("Cette commande est réservée aux enseignants. Voir « Espace enseignant ».")
        return Turn([Say(text)], reprompt=True)
    return Turn(goto="classes_home")


def _class_label(ctx: Context, room: ClassRoom) -> str:
    """ "👥 CM2 A · CM2 (12)"."""
    return f"👥 {room.name} · {level_name(ctx, room.level)} ({ctx.t.number(room.members)})"


async def classes_home(ctx: Context, event: Incoming) -> Turn:
    """The teacher's classes, and a new one."""
    rooms = await teaching(ctx).classes()
    options = tuple(Option(f"k{r.id}", _class_label(ctx, r)) for r in rooms) + (
        Option("new", ctx._("➕ Nouvelle classe")),
        Option("author", ctx._("✍️ Mes cours")),
        Option("shared", ctx._("📚 Bibliothèque partagée")),
        Option("creathon", ctx._("🏆 Creathon")),
        Option("circles", ctx._("🌍 Cercles d'enseignants")),
        Option("name", ctx._("🪪 Mon nom")),
        menu_option(ctx),
    )
    if missing := await school_missing(ctx):
        options = (*options[:-2], school_option(ctx), *options[-2:])
    if isinstance(event, Entered):
        text = ctx._("Vos classes :") if rooms else ctx._("Vous n'avez pas encore de classe.")
        if missing:
            text = f"{school_request(ctx)}\n\n{text}"
        return Turn([Ask(text, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "school":
        return Turn(call="teacher_school_late", then="classes_home")
    if chosen in ("author", "shared", "circles", "creathon", "name"):
        targets = {"author": "author_home", "shared": "shared_home", "circles": "circles_home"}
        targets["name"] = "teacher_rename"
        return Turn(goto=targets.get(chosen, "cr_home"))
    if chosen == "new":
        fresh(ctx, Classes)
        return Turn(goto="class_new_name")
    hold_class(ctx, int(chosen[1:]))
    return Turn(goto="class_page")


async def class_new_name(ctx: Context, event: Incoming) -> Turn:
    """The new class's name, as the teacher and students will see it."""
    options = (Option("back", ctx._("⬅️ Mes classes")),)
    if isinstance(event, Entered):
        text = ctx._("Le nom de la classe (par exemple « CM2 B » ou « 6e maths ») :")
        return Turn([Ask(text, options, ctx.state.prompt)])
    if isinstance(event, TextReceived) and not event.text.startswith("/") and event.text.strip():
        state_of(ctx, Classes).new_name = " ".join(event.text.split())[:MAX_NAME]
        return Turn(goto="class_new_level")
    chosen = route(ctx, event, options)
    return chosen if isinstance(chosen, Turn) else Turn(goto="classes_home")


async def class_new_level(ctx: Context, event: Incoming) -> Turn:
    """The new class's level."""
    options = tuple(Option(code, level_name(ctx, code)) for code in LEVELS)
    if isinstance(event, Entered):
        return Turn([Ask(ctx._("Quelle classe ?"), options, ctx.state.prompt, 3)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    state_of(ctx, Classes).new_level = chosen
    return Turn(goto="class_new_subject")


async def class_new_subject(ctx: Context, event: Incoming) -> Turn:
    """The new class's subject; then the class exists, with its code, links and QR code."""
    options = tuple(Option(key, subject_name(ctx, key)) for key in SUBJECTS)
    if isinstance(event, Entered):
        return Turn([Ask(ctx._("Quelle matière ?"), options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    draft = state_of(ctx, Classes)
    name, level, draft.new_name, draft.new_level = draft.new_name or "?", draft.new_level, "", ""
    room = await teaching(ctx).create_class(name, level, chosen)
    hold_class(ctx, room.id)
    done = ctx._("La classe « %(name)s » est créée.", name=room.name)
    return Turn([Say(done), *invitation(ctx, room)], goto="class_page")


def invitation(ctx: Context, room: ClassRoom) -> list[Out]:
    """How students join: the code, the links, and the QR code to print or show."""
    lines = [
        ctx._(
            "Pour rejoindre la classe, vos élèves écrivent /rejoindre %(code)s", code=room.join_code
        )
    ]
    if ctx.services.links is None:
        return [Say("\n".join(lines))]
    links = ctx.services.links.join_links(room.join_code)
    lines.append(ctx._("ou ouvrent un de ces liens :"))
    lines += [f"• {url}" for url in (*links.apps, links.web) if url]
    caption = ctx._(
        "Le code QR de la classe « %(name)s », à imprimer ou à montrer au tableau.", name=room.name
    )
    qr = Document(
        f"classe-{room.join_code}.png", ctx.services.links.qr_png(links.web), "image/png", caption
    )
    return [Say("\n".join(lines)), qr]


async def class_page(ctx: Context, event: Incoming) -> Turn:
    """One class: its figures, its students, its join code."""
    room = await owned_class(ctx)
    if room is None:
        return Turn(goto="classes_home")
    options = (
        Option("invite", ctx._("🔗 Code, liens et QR")),
        Option("work", ctx._("📚 Donner un travail")),
        *await page_options(ctx, room.id),
        Option("more", ctx._("➕ Plus…")),
        Option("back", ctx._("⬅️ Mes classes")),
    )  # at most 10 (a WhatsApp list): the rarely used tools are under "Plus…"
    if isinstance(event, Entered):
        text = ctx.ngettext(
            "%(name)s · %(level)s · %(subject)s\n%(n)s élève · code %(code)s",
            "%(name)s · %(level)s · %(subject)s\n%(n)s élèves · code %(code)s",
            room.members,
            name=room.name,
            level=level_name(ctx, room.level),
            subject=subject_name(ctx, room.subject),
            code=room.join_code,
        )
        work = await work_summary(ctx, room)
        return Turn(
            [Ask(f"👥 {text}" + (f"\n\n{work}" if work else ""), options, ctx.state.prompt)]
        )
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "invite":
        return Turn(invitation(ctx, room), reprompt=True)
    if chosen == "work":
        return Turn(goto="work_home")
    if chosen == "more":
        return Turn(goto="class_more")
    if (tool := await page_choice(ctx, room.id, chosen)) is not None:
        return tool
    return Turn(goto="classes_home")


async def class_more(ctx: Context, event: Incoming) -> Turn:
    """The class page's rarely used tools: the students (to take one out), opening or
    closing the students' questions."""
    room = await owned_class(ctx)
    if room is None:
        return Turn(goto="classes_home")
    options = (
        Option("roster", ctx._("👥 Les élèves")),
        *await more_options(ctx, room.id),
        Option("back", ctx._("⬅️ La classe")),
    )
    if isinstance(event, Entered):
        text = ctx._("Plus d'outils pour « %(name)s » :", name=room.name)
        return Turn([Ask(text, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "roster":
        return Turn(goto="class_roster")
    if (tool := await page_choice(ctx, room.id, chosen)) is not None:
        return tool
    return Turn(goto="class_page")


async def class_roster(ctx: Context, event: Incoming) -> Turn:
    """The students of the class; the teacher can take one out."""
    room = await owned_class(ctx)
    if room is None:
        return Turn(goto="classes_home")
    members = await teaching(ctx).members(room.id)
    options = tuple(
        Option(f"x{m.user_id}", ctx._("❌ Retirer %(name)s", name=m.name))
        for m in members[:ROSTER_BUTTONS]
    ) + (Option("back", ctx._("⬅️ La classe")),)
    if isinstance(event, Entered):
        names = "\n".join(
            f"{i}. {m.name} ({ctx.t.date(m.joined_at)})" for i, m in enumerate(members, 1)
        )
        text = names or ctx._("Personne n'a encore rejoint cette classe.")
        return Turn([Say(text), Ask(ctx._("Et maintenant ?"), options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "back":
        return Turn(goto="class_page")
    removed = await teaching(ctx).remove_member(room.id, int(chosen[1:]))
    text = ctx._("L'élève ne fait plus partie de la classe.") if removed else ctx._("Déjà fait.")
    return Turn([Say(text)], goto="class_roster")


async def join_command(ctx: Context, event: Incoming) -> Turn:
    """/rejoindre [CODE]: join a class (the code may come with the command or a link)."""
    if ctx.services.teaching is None:
        return Turn(reprompt=True)
    parts = event.text.split(maxsplit=1) if isinstance(event, TextReceived) else []
    code = parts[1].strip().removeprefix("c_") if len(parts) > 1 else ""
    return await start_joining(ctx, code)


async def start_joining(ctx: Context, code: str) -> Turn:
    """Open the join flow, with a code already known or not (newcomers onboard first)."""
    if not ctx.profile.complete:  # onboarding, then joining
        note = ctx._("Je vous inscrirai dans la classe juste après quelques questions.")
        return onboard_then(ctx, {"join": code}, note)
    if code:
        return await _found(ctx, code)
    return Turn(goto="join_code")


async def _found(ctx: Context, code: str) -> Turn:
    """Go on with the class a code opens, or say the code is unknown."""
    room = await teaching(ctx).find_class(code)
    if room is None:
        text = ctx._(
            "Je ne trouve pas de classe avec ce code. Vérifiez-le auprès de votre enseignant."
        )
        return Turn([Say(text)], goto="join_code")
    work = state_of(ctx, Classes)
    work.joining, work.joining_name = room.id, room.name
    return Turn(goto="join_name")


async def join_code(ctx: Context, event: Incoming) -> Turn:
    """Ask for the class code."""
    options = (menu_option(ctx),)
    text = ctx._("Écrivez le code de la classe (6 lettres et chiffres) :")
    work = state_of(ctx, Classes)
    link = returned(ctx)  # a link opened before onboarding, returned by onboarding
    pending = str(link.get("join") or "") if isinstance(link, dict) else work.pending
    work.pending = ""
    if isinstance(event, Entered) and pending:
        found = await _found(ctx, pending)
        if found.goto != "join_code":
            return found
        # An unknown code: asked here, not by entering this step again (in this turn it
        # would read the same returned link).
        return Turn([*found.messages, Ask(text, options, ctx.state.prompt)])
    if isinstance(event, Entered):
        return Turn([Ask(text, options, ctx.state.prompt)])
    if isinstance(event, TextReceived) and not event.text.startswith("/") and event.text.strip():
        return await _found(ctx, event.text)
    chosen = route(ctx, event, options)
    return chosen if isinstance(chosen, Turn) else Turn(goto="menu")


async def join_name(ctx: Context, event: Incoming) -> Turn:
    """The name the teacher will see; then the student is in the class."""
    work = state_of(ctx, Classes)
    joining, name = work.joining, work.joining_name or "?"
    if joining is None:  # a state that lost the class (an upgrade): its code again
        return Turn(goto="join_code")
    options = (menu_option(ctx),)
    if isinstance(event, Entered):
        text = ctx._(
            "Classe « %(name)s ». Quel prénom votre enseignant verra-t-il ? "
            "(Il ne sera montré qu'à lui.)",
            name=name,
        )
        return Turn([Ask(text, options, ctx.state.prompt)])
    if isinstance(event, TextReceived) and not event.text.startswith("/") and event.text.strip():
        work.joining, work.joining_name = None, ""
        added = await teaching(ctx).join(int(joining), event.text)
        if added is None:
            gone = ctx._("Cette classe n'existe plus. Demandez le nouveau code à votre enseignant.")
            return Turn([Say(gone)], goto="join_code")
        text = (
            ctx._("Bienvenue dans la classe « %(name)s » !", name=name)
            if added
            else ctx._("Vous êtes déjà dans la classe « %(name)s ».", name=name)
        )
        return Turn([Say(text)], goto="menu")
    chosen = route(ctx, event, options)
    return chosen if isinstance(chosen, Turn) else Turn(goto="menu")


STEPS: dict[str, Step] = {
    "classes_home": teachers_only(classes_home),
    "class_new_name": teachers_only(class_new_name),
    "class_new_level": teachers_only(class_new_level),
    "class_new_subject": teachers_only(class_new_subject),
    "class_page": teachers_only(class_page),
    "class_more": teachers_only(class_more),
    "class_roster": teachers_only(class_roster),
    "join_code": join_code,
    "join_name": join_name,
}
COMMANDS: dict[str, Step] = {
    "classes": classes_command,
    "rejoindre": join_command,
    "join": join_command,
}
FLOW = Flow(
    "classes", STEPS, COMMANDS, services=("admin", "links", "reports", "teaching"), state=Classes
)
