"""Becoming a teacher: with an invitation code from an admin of one's country, or by a request
an admin approves. Until granted, a person who chose "teacher" keeps student rights."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from content.model import LEVELS, SUBJECTS
from content.subjects import subjects_named

from dialogs.context import Context, Step, Turn
from dialogs.events import Entered, Incoming, TextReceived
from dialogs.flow import CANCEL, Flow, FlowState, fresh, state_of
from dialogs.flows.common import menu_option, route
from dialogs.flows.learning import subject_name
from dialogs.flows.onboarding import level_name
from dialogs.flows.role_help import role_lines
from dialogs.messages import Ask, Option, Out, Say
from dialogs.options import choose
from dialogs.roles import Role
from dialogs.services import need
from dialogs.teaching_ports import TeachingDesk

MAX_SCHOOL = 120
MAX_NAME = 60


@dataclass
class Becoming(FlowState, flow="teachers"):
    """The teacher's profile being filled in (how they came: a code or a request), until
    it is saved; and, for a state an older release stored with no call waiting, where
    `teacher_school_late` went on (`then`) or back (`back`)."""

    via: str = ""
    school: str = ""
    name: str = ""
    subjects: list[str] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)
    then: str = ""
    back: str = ""
    legacy = {  # noqa: RUF012
        "via": "teacher.via",
        "school": "teacher.school",
        "name": "teacher.name",
        "subjects": "teacher.subjects",
        "levels": "teacher.levels",
        "then": "school_then",
        "back": "school_back",
    }


def teaching(ctx: Context) -> TeachingDesk:
    """The teaching port; every channel that runs these flows provides it."""
    return need(ctx.services.teaching, "teaching", "teacher flows")


async def is_teacher(ctx: Context) -> bool:
    """Whether the person holds the teacher role (granted, not only chosen in onboarding)."""
    if ctx.services.admin is None:
        return False
    return any(g.role is Role.TEACHER for g in await ctx.services.admin.grants())


async def teacher_home(ctx: Context, event: Incoming) -> Turn:
    """The teacher's space, or the way to become one."""
    if await is_teacher(ctx):
        return Turn(goto="classes_home")
    options = (
        Option("code", ctx._("🎟️ J'ai un code d'invitation")),
        Option("request", ctx._("✉️ Demander l'accès enseignant")),
        menu_option(ctx),
    )
    if isinstance(event, Entered):
        text = ctx._(
            "Pour créer des classes et suivre vos élèves, il faut un compte enseignant : "
            "un code d'invitation de l'administration de votre pays, ou une demande qu'elle "
            "acceptera. En attendant, vous gardez l'accès aux cours."
        )
        return Turn([Ask(text, options, ctx.state.prompt)])
    if typed_code(event) and choose(ctx, event, options) is None:
        # The admin's message says "open « Espace enseignant » and write this code": the
        # code typed here is taken as the code it is, not "Je n'ai pas compris".
        fresh(ctx, Becoming).via = "code"
        return await teacher_code(ctx, event)
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    work = state_of(ctx, Becoming)
    work.via, work.school, work.name, work.subjects, work.levels = chosen, "", "", [], []
    return Turn(goto="teacher_code" if chosen == "code" else "teacher_school")


CODE_SHAPE = re.compile(r"(?=[A-Z]*\d)(?=\d*[A-Z])[A-Z0-9]{6,12}")  # letters and digits


def typed_code(event: Incoming) -> bool:
    """Whether a typed text looks like an invitation code ("l4xa 7l5n"), not a word."""
    if not isinstance(event, TextReceived) or event.text.startswith("/"):
        return False
    return CODE_SHAPE.fullmatch("".join(event.text.split()).upper().replace("-", "")) is not None


async def teacher_code(ctx: Context, event: Incoming) -> Turn:
    """Type the invitation code; a good one grants the teacher role at once."""
    options = (menu_option(ctx),)
    if isinstance(event, Entered):
        return Turn([Ask(ctx._("Écrivez votre code d'invitation :"), options, ctx.state.prompt)])
    if isinstance(event, TextReceived) and not event.text.startswith("/"):
        problem = await teaching(ctx).use_invite(event.text, ctx.profile.country)
        if problem is not None:
            return Turn([Say(_invite_problem(ctx, problem))], reprompt=True)
        return Turn([Say(ctx._("Code accepté : vous êtes enseignant."))], goto="teacher_school")
    chosen = route(ctx, event, options)
    return chosen if isinstance(chosen, Turn) else Turn(goto="menu")


def _invite_problem(ctx: Context, problem: str) -> str:
    """Why an invitation code was refused."""
    reasons = {
        "unknown": ctx._("Je ne connais pas ce code. Vérifiez-le et réessayez."),
        "country": ctx._("Ce code est valable pour un autre pays que le vôtre."),
        "used": ctx._("Ce code a déjà servi autant de fois que prévu."),
        "expired": ctx._("Ce code a expiré. Demandez-en un nouveau à votre administration."),
    }
    return reasons.get(problem, reasons["unknown"])


async def teacher_school(ctx: Context, event: Incoming) -> Turn:
    """The teacher's school."""
    options = (menu_option(ctx),)
    if isinstance(event, Entered):
        text = ctx._("Dans quelle école enseignez-vous ? (nom et ville)")
        return Turn([Ask(text, options, ctx.state.prompt)])
    if isinstance(event, TextReceived) and not event.text.startswith("/") and event.text.strip():
        state_of(ctx, Becoming).school = " ".join(event.text.split())[:MAX_SCHOOL]
        return Turn(goto="teacher_colleague_name")
    chosen = route(ctx, event, options)
    return chosen if isinstance(chosen, Turn) else Turn(goto="menu")


async def school_missing(ctx: Context) -> bool:
    """Whether a granted teacher never said their school: a role given by an admin or the
    command line, without the teacher's onboarding. Colleagues read "name (country,
    school)" in circles, so classes and circles ask for it, with a choice of its own."""
    if ctx.services.teaching is None or not await is_teacher(ctx):
        return False
    return not await ctx.services.teaching.my_school()


def school_option(ctx: Context) -> Option:
    """The choice that gives the school (`school_missing`)."""
    return Option("school", ctx._("🏫 Mon école"))


def school_request(ctx: Context) -> str:
    """Why the school is asked, above classes and circles while it is missing."""
    return ctx._(
        "Vos collègues verront votre nom, votre pays et votre école : "
        "donnez votre école avec « 🏫 Mon école »."
    )


async def school_first(ctx: Context, then: str, back: str) -> Turn | None:
    """Before what shows a granted teacher's school to colleagues (a circle message, a
    thread's, a colleague met): ask for it when it is missing, then go on to `then`; "later"
    goes `back` instead (the school still missing, what the caller kept waiting is dropped)."""
    if not await school_missing(ctx):
        return None
    return Turn(call="teacher_school_late", then=then, back=back)


async def teacher_school_late(ctx: Context, event: Incoming) -> Turn:
    """The school of a teacher granted directly (called: dialogs/flow.py); then on to where
    they were going, or back where they came from on "later"."""
    # A state an older release stored has no call waiting, but these keys.
    work = state_of(ctx, Becoming)
    then = work.then or "classes_home"
    options = (Option("later", ctx._("⏭️ Plus tard")),)
    if isinstance(event, Entered):
        text = ctx._(
            "Vos collègues verront votre nom, votre pays et votre école. "
            "Dans quelle école enseignez-vous ? (nom et ville)"
        )
        return Turn([Ask(text, options, ctx.state.prompt)])
    if isinstance(event, TextReceived) and not event.text.startswith("/") and event.text.strip():
        school = " ".join(event.text.split())[:MAX_SCHOOL]
        await teaching(ctx).set_school(school)
        work.then = work.back = ""
        done = ctx._("C'est noté : %(school)s.", school=school)
        return Turn([Say(done)], ret=school, goto=then)
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    back = work.back or then
    work.then = work.back = ""
    return Turn(ret=CANCEL, goto=back)


def clean_name(text: str) -> str | None:
    """A name as typed, on one line (None when shorter than two letters)."""
    name = " ".join(text.replace(",", " ").replace(";", " ").split())[:MAX_NAME]
    return name if len(name) >= 2 else None


async def teacher_colleague_name(ctx: Context, event: Incoming) -> Turn:
    """The teacher's name as colleagues see it in circles (asked once; "later" skips it)."""
    options = (Option("later", ctx._("⏭️ Plus tard")),)
    if isinstance(event, Entered):
        if ctx.services.shelf is not None and await ctx.services.shelf.signature():
            return Turn(goto="teacher_subjects")  # known already (their courses)
        text = ctx._("Votre nom, tel que vos collègues le verront (par exemple « Awa Ndiaye ») :")
        return Turn([Ask(text, options, ctx.state.prompt)])
    if isinstance(event, TextReceived) and not event.text.startswith("/"):
        name = clean_name(event.text)
        if name is None:
            return Turn([Say(ctx._("Écrivez votre nom (deux lettres au moins)."))], reprompt=True)
        state_of(ctx, Becoming).name = name
        return Turn(goto="teacher_subjects")
    chosen = route(ctx, event, options)
    return chosen if isinstance(chosen, Turn) else Turn(goto="teacher_subjects")


async def teacher_rename(ctx: Context, event: Incoming) -> Turn:
    """Change the name colleagues see (from the teacher's space)."""
    options = (Option("back", ctx._("⬅️ Mes classes")),)
    if isinstance(event, Entered):
        known = await ctx.services.shelf.signature() if ctx.services.shelf is not None else None
        now = (
            ctx._("Vos collègues vous voient sous le nom « %(name)s ».", name=known)
            if known
            else ctx._(
                "Vous n'avez pas encore donné votre nom : vos collègues voient « Enseignant·e »."
            )
        )
        ask = ctx._("Votre nom, tel que vos collègues le verront :")
        return Turn([Ask(f"{now}\n{ask}", options, ctx.state.prompt)])
    if isinstance(event, TextReceived) and not event.text.startswith("/"):
        name = clean_name(event.text)
        if name is None:
            return Turn([Say(ctx._("Écrivez votre nom (deux lettres au moins)."))], reprompt=True)
        await teaching(ctx).set_name(name)
        done = ctx._("C'est noté : vos collègues vous verront sous le nom « %(name)s ».", name=name)
        return Turn([Say(done)], goto="classes_home")
    chosen = route(ctx, event, options)
    return chosen if isinstance(chosen, Turn) else Turn(goto="classes_home")


async def teacher_subjects(ctx: Context, event: Incoming) -> Turn:
    """Tick the subjects taught."""
    labels = {key: subject_name(ctx, key) for key in SUBJECTS}
    question = ctx._("Quelles matières enseignez-vous ?")
    return await _ticks(ctx, event, "subjects", labels, question, "teacher_levels", subjects_named)


async def teacher_levels(ctx: Context, event: Incoming) -> Turn:
    """Tick the levels taught."""
    labels = {code: level_name(ctx, code) for code in LEVELS}
    return await _ticks(ctx, event, "levels", labels, ctx._("À quelles classes ?"), "teacher_done")


async def _ticks(
    ctx: Context,
    event: Incoming,
    key: str,
    labels: dict[str, str],
    question: str,
    then: str,
    named: Callable[[str], tuple[str, ...]] | None = None,
) -> Turn:
    """A question answered by ticking options, then "Valider"; `named` reads the options
    a typed text names otherwise than by their labels ("maths": Mathématiques), ticked."""
    work = state_of(ctx, Becoming)
    ticked = work.subjects if key == "subjects" else work.levels
    options = tuple(
        Option(code, ("✅ " if code in ticked else "⬜ ") + label) for code, label in labels.items()
    ) + (Option("done", ctx._("Valider ▶️")),)
    if isinstance(event, Entered):
        hint = ctx._("Touchez pour cocher, puis « Valider ».")
        return Turn([Ask(f"{question}\n{hint}", options, ctx.state.prompt, 2)])
    if named and isinstance(event, TextReceived) and choose(ctx, event, options) is None:
        found = [code for code in named(event.text) if code in labels]
        if found:
            ticked.extend(code for code in found if code not in ticked)
            return Turn(goto=ctx.state.step)
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "done":
        if not ticked:
            return Turn([Say(ctx._("Cochez au moins une réponse."))], reprompt=True)
        return Turn(goto=then)
    if chosen in ticked:
        ticked.remove(chosen)
    else:
        ticked.append(chosen)
    return Turn(goto=ctx.state.step)


async def teacher_done(ctx: Context, event: Incoming) -> Turn:
    """Save the profile: a teacher with a code is ready; a request waits for an admin."""
    work = state_of(ctx, Becoming)
    granted = await is_teacher(ctx)
    status = "approved" if granted else "pending"
    subjects, levels = tuple(work.subjects), tuple(work.levels)
    await teaching(ctx).save_profile(work.school, subjects, levels, status)
    if work.name:
        await teaching(ctx).set_name(work.name)
    work.via, work.school, work.name, work.subjects, work.levels = "", "", "", [], []
    if granted:
        opens = [ctx._("Voici ce que vous pouvez faire maintenant :")]
        opens += role_lines(ctx.t.gettext, Role.TEACHER)
        ready = ctx._("Votre profil d'enseignant est prêt.")
        return Turn([Say(ready + "\n" + "\n".join(opens))], goto="classes_home")
    country = ctx.t.country_name(ctx.profile.country or "") if ctx.profile.country else "–"
    sent: list[Out] = [
        Say(
            ctx._(
                "Votre demande est envoyée à l'administration (%(country)s). Vous gardez "
                "l'accès aux cours en attendant sa réponse.",
                country=country,
            )
        )
    ]
    return Turn(sent, goto="menu")


STEPS: dict[str, Step] = {
    "teacher_home": teacher_home,
    "teacher_code": teacher_code,
    "teacher_school": teacher_school,
    "teacher_school_late": teacher_school_late,
    "teacher_colleague_name": teacher_colleague_name,
    "teacher_rename": teacher_rename,
    "teacher_subjects": teacher_subjects,
    "teacher_levels": teacher_levels,
    "teacher_done": teacher_done,
}
FLOW = Flow("teachers", STEPS, services=("admin", "shelf", "teaching"), state=Becoming)
