"""Publishing a teacher's course: for whom (the author's classes, their country, every
country), under which licence, signed with the teacher's name (asked once, then kept in the
`authors:` line of their courses). The choices are written into the course's header, so the
file says what the bot does."""

from __future__ import annotations

import re
from dataclasses import dataclass

from content.format_write import with_header

from dialogs.context import Context, Step, Turn
from dialogs.events import Entered, Incoming, TextReceived
from dialogs.flow import CANCEL, Flow, FlowState, state_of
from dialogs.flows.authoring import _parsed, _source, authoring
from dialogs.flows.classes import teachers_only
from dialogs.flows.common import route
from dialogs.flows.versions import changes_line, changes_of
from dialogs.messages import Ask, Option, Say
from dialogs.ports import LibraryChanged
from dialogs.sharing_ports import CLASSES, COUNTRY, EVERYWHERE

LICENCES = ("CC BY-SA 4.0", "CC BY 4.0", "CC BY-NC-SA 4.0", "CC0 1.0")
DEFAULT_LICENCE = LICENCES[0]
MAX_NAME = 60
_PUBLIC = re.compile(r"^public[ \t]*:", re.MULTILINE | re.IGNORECASE)


@dataclass
class Publication(FlowState, flow="publishing"):
    """What the teacher chose for the course being published, until it is; the name they
    just typed to sign with (`teacher_name`: read by `signature` in the turn it returns to
    its caller, which keeps it with what it signs); and, for a state an older release stored
    with no call waiting, where `teacher_name` went on."""

    visibility: str = ""  # CLASSES, COUNTRY or EVERYWHERE
    audience: str = ""  # "students" or "teachers"
    licence: str = ""
    signature: str = ""
    after_name: str = ""
    legacy = {  # noqa: RUF012
        "visibility": "publish.visibility",
        "audience": "publish.audience",
        "licence": "publish.licence",
        "signature": "signature",
        "after_name": "after_name",
    }


async def signature(ctx: Context) -> str | None:
    """The name the teacher signs with: just typed, or kept from their courses (and their
    ratings: what they signed keeps it)."""
    typed = state_of(ctx, Publication).signature
    if typed:
        return str(typed)
    return await ctx.services.shelf.signature() if ctx.services.shelf is not None else None


def ask_name_then(ctx: Context, then: str) -> Turn:
    """Call the step asking the teacher's name; it returns to `then` (dialogs/flow.py)."""
    return Turn(call="teacher_name", then=then, back="classes_home")


async def teacher_name(ctx: Context, event: Incoming) -> Turn:
    """The teacher's name as their courses and ratings will show it (asked once)."""
    options = (Option("back", ctx._("⬅️ Mes classes")),)
    if isinstance(event, Entered):
        text = ctx._(
            "Votre nom, tel qu'il apparaîtra comme auteur de vos cours "
            "(par exemple « Awa Ndiaye ») :"
        )
        return Turn([Ask(text, options, ctx.state.prompt)])
    if isinstance(event, TextReceived) and not event.text.startswith("/"):
        name = " ".join(event.text.replace(",", " ").replace(";", " ").split())[:MAX_NAME]
        if len(name) < 2:
            return Turn([Say(ctx._("Écrivez votre nom (deux lettres au moins)."))], reprompt=True)
        # No call waiting: a state an older release stored, with its `after_name` key.
        work = state_of(ctx, Publication)
        work.signature = name
        after, work.after_name = work.after_name or "classes_home", ""
        return Turn(ret=name, goto=after)
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    state_of(ctx, Publication).after_name = ""
    return Turn(ret=CANCEL, goto="classes_home")


# Courses for teachers (`public: enseignants`): for the teachers of my country, or of all.
FOR_TEACHERS = {"t-country": COUNTRY, "t-all": EVERYWHERE}


async def author_publish(ctx: Context, event: Incoming) -> Turn:
    """For whom to publish: the students of my classes, of my country, or of every country;
    or teachers (of my country, of every country). A course published before shows first
    what this new version changes."""
    current = await _source(ctx)
    if current is None:
        return Turn(goto="author_home")
    options = (
        Option(CLASSES, ctx._("👥 Les élèves de mes classes")),
        Option(COUNTRY, ctx._("🏳️ Les élèves de mon pays")),
        Option(EVERYWHERE, ctx._("🌍 Les élèves de tous les pays")),
        Option("t-country", ctx._("🧑‍🏫 Les enseignants de mon pays")),
        Option("t-all", ctx._("🧑‍🏫 Les enseignants de tous les pays")),
        Option("back", ctx._("⬅️ Le cours")),
    )
    if isinstance(event, Entered):
        parsed = _parsed(ctx, *current)
        if isinstance(parsed, str):
            return Turn([Say(parsed)], goto="author_course")
        text = ctx._("Pour qui publier ce cours ?")
        entry = await authoring(ctx).get(current[0])
        if entry is not None and entry.published is not None:
            if not entry.draft_pending:
                text = ctx._("Ce cours est publié tel quel.") + "\n" + text
            else:
                line = changes_line(ctx, changes_of(entry, authoring(ctx).path_of(current[0])))
                what = ctx._("Nouvelle version : %(changes)s.", changes=line)
                text = what + "\n" + text
        return Turn([Ask(text, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "back":
        return Turn(goto="author_course")
    audience = "teachers" if chosen in FOR_TEACHERS else "students"
    work = state_of(ctx, Publication)
    work.visibility, work.audience, work.licence = FOR_TEACHERS.get(chosen, chosen), audience, ""
    return Turn(goto="author_licence")


async def author_licence(ctx: Context, event: Incoming) -> Turn:
    """Under which licence other teachers may reuse the course (CC BY-SA 4.0 by default)."""
    current = await _source(ctx)
    if current is None:
        return Turn(goto="author_home")
    parsed = _parsed(ctx, *current)
    if isinstance(parsed, str):
        return Turn([Say(parsed)], goto="author_course")
    if parsed.attribution and re.search(r"\bSA\b", parsed.licence.upper()):
        # Share-alike: an adaptation keeps the licence of the course it is adapted from.
        state_of(ctx, Publication).licence = parsed.licence
        kept = ctx._(
            "Ce cours est adapté d'un cours sous licence %(licence)s : il garde cette licence.",
            licence=parsed.licence,
        )
        return Turn([Say(kept)], goto="author_release")
    options = tuple(
        Option(f"l{i}", ctx._("%(licence)s (conseillée)", licence=name) if not i else name)
        for i, name in enumerate(LICENCES)
    ) + (Option("back", ctx._("⬅️ Le cours")),)
    if isinstance(event, Entered):
        text = ctx._(
            "Sous quelle licence les autres enseignants pourront-ils réutiliser ce cours ? "
            "CC BY-SA : en citant l'auteur et en partageant leurs adaptations de même ; "
            "CC BY : en citant l'auteur ; CC BY-NC-SA : de même, sans usage commercial ; "
            "CC0 : librement."
        )
        return Turn([Ask(text, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "back":
        return Turn(goto="author_course")
    state_of(ctx, Publication).licence = LICENCES[int(chosen[1:])]
    return Turn(goto="author_release")


async def author_release(ctx: Context, event: Incoming) -> Turn:
    """Write visibility, licence and author into the header, then publish."""
    current = await _source(ctx)
    if current is None:
        return Turn(goto="author_home")
    name = await signature(ctx)
    if name is None:
        return ask_name_then(ctx, "author_release")
    choice = state_of(ctx, Publication)
    visibility = choice.visibility or COUNTRY
    licence, for_teachers = choice.licence or DEFAULT_LICENCE, choice.audience == "teachers"
    choice.visibility = choice.audience = choice.licence = ""
    country = ctx.profile.country or ""
    if visibility == COUNTRY and (not country or country == "other"):
        visibility = EVERYWHERE
    course_id, source = current
    # A course for my classes is written for every country: its members may live anywhere,
    # and the library offers it to them alone (Library.restricted).
    source = with_header(source, "country", country if visibility == COUNTRY else "all")
    source = with_header(source, "licence", licence)
    source = with_header(source, "authors", name)
    for_teachers = for_teachers and visibility != CLASSES
    # `public:` is written once teachers were chosen, then kept in step with the choice.
    if for_teachers or _PUBLIC.search(source.split("\n#", 1)[0]):
        source = with_header(source, "public", "enseignants" if for_teachers else "élèves")
    await authoring(ctx).save(course_id, source)
    await authoring(ctx).publish(course_id, visibility)
    done = {
        CLASSES: ctx._("Publié : les élèves de vos classes le trouvent dans « Les cours »."),
        COUNTRY: ctx._("Publié : les élèves de votre pays le trouvent dans « Les cours »."),
        EVERYWHERE: ctx._("Publié : les élèves de tous les pays le trouvent dans « Les cours »."),
    }[visibility]
    if for_teachers:
        done = {
            COUNTRY: ctx._(
                "Publié pour les enseignants de votre pays : il n'est pas proposé aux élèves."
            ),
            EVERYWHERE: ctx._(
                "Publié pour les enseignants de tous les pays : il n'est pas proposé aux élèves."
            ),
        }[visibility]
    return Turn([Say(done)], goto="author_course", effects=[LibraryChanged()])


STEPS: dict[str, Step] = {
    name: teachers_only(step)
    for name, step in {
        "teacher_name": teacher_name,
        "author_publish": author_publish,
        "author_licence": author_licence,
        "author_release": author_release,
    }.items()
}
FLOW = Flow("publishing", STEPS, services=("admin", "authoring", "shelf"), state=Publication)
