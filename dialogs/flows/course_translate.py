"""Translating a course in the chat (/traduire_cours, or "📚 Un cours" in /traduire).

A translator of a language, or a teacher (a granted role) whose interface is in that
language, picks a course and is shown its texts one at a time in reading order (titles,
each step, each question with its options, feedback, hints, explanation, the typed answers
accepted; content/translation_units.py): the French, the translation the course has if any
(to redo when the French changed since), where it is and its limit, what to keep. They type
the translation, skip, or flag the French as unclear. Each translation is checked at entry
(placeholders, commands, a missing word's gap, bold, links, a button's length) and waits
for someone else of the language, who accepts, corrects or rejects it; nobody reviews their
own. Reviewed texts reach learners at once on this worker (LibraryChanged), at the next
library refresh on the others; `python -m bot catalogs export-courses` writes them into the
course's `course.<lang>.md`.
"""

from __future__ import annotations

from dataclasses import dataclass

from content.model import Course
from content.translation_units import (
    ANSWERS,
    COURSE,
    EXPLANATION,
    FEEDBACK,
    HINT,
    LESSON,
    MODULE,
    OPTION,
    PAIR,
    QUESTION,
    REMEDY,
    STEP,
    SUMMARY,
    Unit,
    existing,
    is_current,
    markup_problems,
    units,
)
from content.translations import PLACEMENT_ID

from dialogs.context import Context, Step, Turn
from dialogs.course_translation_ports import CourseTranslationDesk, Entry
from dialogs.events import Entered, Incoming, TextReceived
from dialogs.flow import Flow, fresh, state_of
from dialogs.flows.common import menu_option, route
from dialogs.flows.translate import (
    Sitting,
    isolated,
    kept_under,
    language_guard,
    language_name,
    typed_option,
)
from dialogs.messages import Ask, Option, Say
from dialogs.ports import LibraryChanged
from dialogs.roles import Role, translated_languages
from dialogs.translating import Problem, described, problems
from dialogs.translation_ports import ACCEPTED, EDITED, PROPOSED, REJECTED, REVIEWED, SourceString

SKIPPED_KEPT = 300  # texts skipped in one sitting
UNCLEAR_SHOWN = 5  # texts found unclear listed on the course's translation page
UNCLEAR_LENGTH = 80  # characters of their French quoted there


@dataclass
class CourseSitting(Sitting, flow="course_translate"):
    """A sitting of one course's texts."""

    course: str = ""


CourseSitting.legacy = kept_under("ct", CourseSitting)


def desk(ctx: Context) -> CourseTranslationDesk:
    """The course translations port; every channel provides it."""
    if ctx.services.course_translations is None:
        raise RuntimeError("course translation flows need ctx.services.course_translations")
    return ctx.services.course_translations


def _work(ctx: Context) -> CourseSitting:
    """This sitting's working state (changed in place)."""
    return state_of(ctx, CourseSitting)


async def course_languages(ctx: Context) -> tuple[str, ...]:
    """The languages this person may translate courses into: those they translate, and
    their interface's language when they are a granted teacher (not the courses' French)."""
    if ctx.services.admin is None or ctx.services.course_translations is None:
        return ()
    grants = await ctx.services.admin.grants()
    held = set(translated_languages(grants))
    if any(g.role is Role.TEACHER for g in grants) and ctx.profile.locale:
        held.add(ctx.profile.locale.split("_")[0])
    held.discard("fr")
    return tuple(sorted(held))


def _refusal(ctx: Context) -> str:
    return ctx._(
        "Traduire un cours est réservé aux traducteurs et aux enseignants dont l'interface "
        "est dans la langue de la traduction."
    )


course_translators_only = language_guard(course_languages, CourseSitting, _refusal)


async def course_translate_command(ctx: Context, event: Incoming) -> Turn:
    """/traduire_cours: pick a language (if several) and a course."""
    if not await course_languages(ctx):
        return Turn([Say(_refusal(ctx))], reprompt=True)
    fresh(ctx, CourseSitting)
    return Turn(goto="ct_courses")


def _courses(ctx: Context, lang: str) -> list[Course]:
    """The courses that may be translated into `lang`: the open ones written in another."""
    return [
        c
        for c in ctx.library.courses
        if c.id not in ctx.library.restricted and c.language.split("_")[0] != lang
    ]


async def ct_courses(ctx: Context, event: Incoming) -> Turn:
    """The language (for someone of several), then the course to translate."""
    held = await course_languages(ctx)
    work = _work(ctx)
    if work.lang not in held and len(held) == 1:
        work.lang = held[0]
    if work.lang not in held:  # someone of several languages picks one first
        picker = tuple(Option(code, language_name(ctx, code)) for code in held)
        picker += (menu_option(ctx),)
        if isinstance(event, Entered):
            return Turn([Ask(ctx._("Quelle langue ?"), picker, ctx.state.prompt)])
        picked = route(ctx, event, picker)
        if isinstance(picked, Turn):
            return picked
        fresh(ctx, CourseSitting).lang = picked
        return Turn(goto="ct_courses")
    lang = work.lang
    waiting = await desk(ctx).waiting(lang)
    courses = _courses(ctx, lang)
    options = tuple(
        Option(
            c.id,
            ctx._("%(title)s (%(n)s à relire)", title=c.title, n=waiting[c.id])
            if waiting.get(c.id)
            else c.title,
        )
        for c in courses
    )
    options += (menu_option(ctx),)
    if isinstance(event, Entered):
        text = ctx._("Quel cours traduire en %(language)s ?", language=language_name(ctx, lang))
        if not courses:
            text = ctx._("Aucun cours à traduire pour l'instant.")
        return Turn([Ask(text, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    work = fresh(ctx, CourseSitting)
    work.lang, work.course = lang, chosen
    return Turn(goto="ct_course")


def _course(ctx: Context) -> Course | None:
    """The course of the sitting, as the library has it now (none without a language)."""
    work = _work(ctx)
    return ctx.library.get(work.course) if work.lang else None


def _state_of(course: Course, lang: str, unit: Unit, entries: dict[str, Entry]) -> str:
    """Where a text stands: "done" (translated, up to date), "busy" (proposed, waiting),
    "redo" (its French changed since it was translated), "todo"."""
    entry = entries.get(unit.key)
    if entry is not None and entry.status in (PROPOSED, *REVIEWED) and entry.mark == unit.mark:
        return "busy" if entry.status == PROPOSED else "done"
    found = existing(course, lang, unit)
    if is_current(found, unit):
        return "done"
    return "redo" if found is not None else "todo"


async def ct_course(ctx: Context, event: Incoming) -> Turn:
    """A course in a language: how far it is, then translate or review."""
    course = _course(ctx)
    work = _work(ctx)
    if course is None:
        return Turn([Say(ctx._("Ce cours n'est plus disponible."))], goto="ct_courses")
    lang = work.lang
    entries = await desk(ctx).entries(course.id, lang)
    states = [_state_of(course, lang, unit, entries) for unit in units(course)]
    waiting = (await desk(ctx).waiting(lang)).get(course.id, 0)
    unclear = await desk(ctx).unclear(course.id, lang)
    options = (
        Option("translate", ctx._("✍️ Traduire")),
        Option("review", ctx._("🔎 Relire (%(n)s)", n=ctx.t.number(waiting))),
        Option("courses", ctx._("📚 Autre cours")),
        menu_option(ctx),
    )
    if isinstance(event, Entered):
        text = ctx._(
            "« %(title)s » en %(language)s : %(done)s textes traduits sur %(total)s, "
            "%(redo)s à refaire (le français a changé), %(busy)s en attente de relecture. "
            "Français jugé peu clair : %(unclear)s.",
            title=course.title,
            language=language_name(ctx, lang),
            done=ctx.t.number(states.count("done")),
            total=ctx.t.number(len(states)),
            redo=ctx.t.number(states.count("redo")),
            busy=ctx.t.number(states.count("busy")),
            unclear=ctx.t.number(len(unclear)),
        )
        return Turn([Ask(text + _unclear_list(ctx, course, unclear), options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "courses":
        fresh(ctx, CourseSitting).lang = lang
        return Turn(goto="ct_courses")
    return Turn(goto="ct_unit" if chosen == "translate" else "ct_review")


def _unclear_list(ctx: Context, course: Course, keys: list[str]) -> str:
    """The texts translators found unclear, where they are and their French, for the
    course's author or teacher to rewrite (the first UNCLEAR_SHOWN; "" when none)."""
    known = {unit.key: unit for unit in units(course)}
    found = [known[key] for key in keys if key in known]
    if not found:
        return ""
    lines = ["", "", ctx._("❓ Jugés peu clairs (l'auteur du cours peut les réécrire) :")]
    for unit in found[:UNCLEAR_SHOWN]:
        source = _short(unit.source)
        lines.append(f"• {where(ctx, unit)} : « {isolated(ctx, source)} »")
    if len(found) > UNCLEAR_SHOWN:
        more = len(found) - UNCLEAR_SHOWN
        lines.append(ctx.ngettext("… et %(n)s autre", "… et %(n)s autres", more))
    return "\n".join(lines)


def _short(text: str) -> str:
    """A text on one line, cut to UNCLEAR_LENGTH characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= UNCLEAR_LENGTH else flat[: UNCLEAR_LENGTH - 1] + "…"


async def ct_unit(ctx: Context, event: Incoming) -> Turn:
    """The next text of the course to translate or redo, in reading order."""
    course = _course(ctx)
    work = _work(ctx)
    if course is None:
        return Turn([Say(ctx._("Ce cours n'est plus disponible."))], goto="ct_courses")
    lang = work.lang
    entries = await desk(ctx).entries(course.id, lang)
    skipped = set(work.skip)
    for unit in units(course):
        if unit.key in skipped:
            continue
        entry = entries.get(unit.key)
        if entry is not None and entry.status == "unclear" and entry.mark == unit.mark:
            continue  # flagged by this person: not offered again for this French
        state = _state_of(course, lang, unit, entries)
        if state in ("todo", "redo"):
            work.key, work.mode = unit.key, "new"
            return Turn([Say(card(ctx, course, lang, unit))], goto="ct_text")
    text = ctx._(
        "Plus rien à traduire dans ce cours en %(language)s pour l'instant : merci !",
        language=language_name(ctx, lang),
    )
    return Turn([Say(text)], goto="ct_course")


def where(ctx: Context, unit: Unit) -> str:
    """Where a text is in the course, in words."""
    if unit.kind == COURSE:
        return ctx._("Titre du cours")
    if unit.kind == SUMMARY:
        return ctx._("Résumé du cours")
    if unit.kind == MODULE:
        return ctx._("Titre d'un module")
    lesson = ctx._("Leçon « %(lesson)s »", lesson=unit.lesson_title)
    if unit.lesson_id == PLACEMENT_ID:
        lesson = ctx._("Test de placement")
    if unit.kind == LESSON:
        return ctx._("Titre de la leçon")
    if unit.kind == STEP:
        return ctx._("%(lesson)s, étape %(n)s", lesson=lesson, n=unit.number)
    if unit.kind == REMEDY and not unit.number:
        return ctx._(
            "%(lesson)s, remédiation (l'aide donnée à qui échoue deux fois)", lesson=lesson
        )
    question = ctx._("%(lesson)s, question %(n)s", lesson=lesson, n=unit.number)
    parts = {
        QUESTION: question,
        OPTION: ctx._("%(question)s, option %(n)s", question=question, n=unit.part),
        FEEDBACK: ctx._(
            "%(question)s, réponse à qui choisit l'option %(n)s", question=question, n=unit.part
        ),
        HINT: ctx._("%(question)s, indice %(n)s", question=question, n=unit.part),
        EXPLANATION: ctx._("%(question)s, explication", question=question),
        ANSWERS: ctx._(
            "%(question)s, réponses acceptées (séparées par « ; », celles en français le restent)",
            question=question,
        ),
        PAIR: ctx._("%(question)s, paire %(n)s (gardez « -> »)", question=question, n=unit.part),
        REMEDY: ctx._(
            "%(question)s, remédiation (l'aide donnée à qui échoue deux fois)", question=question
        ),
    }
    return parts[unit.kind]


def _source(ctx: Context, unit: Unit) -> SourceString:
    """A course text in the shape the interface strings' checks take."""
    limits = desk(ctx)
    label = limits.label_limit if unit.button else 0
    return SourceString(unit.key, unit.source, "", (), (), label, limits.text_limit)


def _limit(ctx: Context, unit: Unit) -> int:
    """The longest translation that fits: a button's label (or the French, if longer),
    within the course format's own limit for options."""
    limits = desk(ctx)
    if not unit.button:
        return limits.text_limit
    limit = max(limits.label_limit, len(unit.source))
    return min(limit, unit.limit) if unit.limit else limit


def card(ctx: Context, course: Course, lang: str, unit: Unit) -> str:
    """A text as the translator needs it: where, the French, what the course has, the limit."""
    lines = [
        f"{course.title} · {where(ctx, unit)}",
        ctx._("Français : « %(text)s »", text=isolated(ctx, unit.source)),
    ]
    found = existing(course, lang, unit)
    if found is not None and not is_current(found, unit):
        lines.append(
            ctx._(
                "À refaire : le français a changé depuis cette traduction : « %(text)s »",
                text=isolated(ctx, found[0]),
            )
        )
    if unit.button:
        lines.append(
            ctx._("Un bouton : au plus %(n)s caractères.", n=ctx.t.number(_limit(ctx, unit)))
        )
    keep = [token for token in ("___", "**", "->") if token in unit.source]
    if keep:
        lines.append(ctx._("À garder tel quel : %(items)s", items=" ".join(keep)))
    return "\n".join(lines)


def refused(ctx: Context, unit: Unit, text: str) -> str:
    """Why a translation is refused, one reason a line ("" when it passes)."""
    source, limit = _source(ctx, unit), _limit(ctx, unit)
    found = [p for p in problems(source, text) if p.kind != "long"]
    if len(text.strip()) > limit:
        found.append(Problem("long", length=len(text.strip()), limit=limit))
    reasons = [described(ctx._, source, found)] if found else []
    messages = {
        "gap": ctx._("Gardez le trou « ___ » : l'élève y met le mot qui manque."),
        "bold": ctx._("Gardez les « ** » du texte en gras, comme dans le français."),
        "link": ctx._("Gardez les adresses web telles quelles."),
        "arrow": ctx._("Gardez « -> » entre les deux côtés de la paire."),
        "answers": ctx._("Écrivez au moins une réponse (plusieurs : séparées par « ; »)."),
    }
    if not found or found[0].kind != "empty":
        reasons += [messages[kind] for kind in markup_problems(unit, text)]
    return "\n".join(reasons)


def _unit(course: Course, key: object) -> Unit | None:
    return next((u for u in units(course) if u.key == key), None)


async def ct_text(ctx: Context, event: Incoming) -> Turn:
    """The translation of the text shown (or a reviewer's correction), checked at entry."""
    course = _course(ctx)
    work = _work(ctx)
    unit = _unit(course, work.key) if course else None
    mode = work.mode
    if course is None or unit is None:  # the course changed since
        return Turn(goto="ct_unit" if mode == "new" else "ct_review")
    lang = work.lang
    options: tuple[Option, ...]
    if mode == "new":
        options = (
            Option("skip", ctx._("⏭️ Passer")),
            Option("unclear", ctx._("❓ Pas clair")),
            Option("back", ctx._("⬅️ Le cours")),
        )
    else:
        options = (Option("back", ctx._("⬅️ Le cours")),)
    if isinstance(event, Entered):
        prompt = ctx._("Écrivez la traduction en %(language)s :", language=language_name(ctx, lang))
        return Turn([Ask(prompt, options, ctx.state.prompt)])
    chosen = typed_option(event, options)
    if chosen == "back":
        return Turn(goto="ct_course")
    if chosen in ("skip", "unclear"):
        work.skip = [*work.skip, unit.key][-SKIPPED_KEPT:]
        if chosen == "skip":
            return Turn(goto="ct_unit")
        await desk(ctx).flag_unclear(course.id, lang, unit.key, unit.source, unit.mark)
        return Turn([Say(ctx._("Noté : ce français sera revu. Merci !"))], goto="ct_unit")
    if not isinstance(event, TextReceived):
        routed = route(ctx, event, options + (menu_option(ctx),))
        return routed if isinstance(routed, Turn) else Turn(reprompt=True)
    text = event.text.strip()
    why = refused(ctx, unit, text)
    if why:
        return Turn([Say(why)], reprompt=True)
    if mode == "edit":
        done = await desk(ctx).review(work.proposal or 0, EDITED, text)
        work.key, work.mode, work.proposal = None, "new", None
        if not done:
            return Turn([Say(_not_yours(ctx))], goto="ct_review")
        said = ctx._("Corrigée et acceptée : les élèves la lisent dès maintenant.")
        return Turn([Say(said)], goto="ct_review", effects=[LibraryChanged()])
    await desk(ctx).propose(course.id, lang, unit.key, unit.source, unit.mark, text)
    work.key = None
    said = ctx._(
        "Merci ! Une autre personne qui parle %(language)s va la relire avant que les élèves "
        "la voient.",
        language=language_name(ctx, lang),
    )
    return Turn([Say(said)], goto="ct_unit")


def _not_yours(ctx: Context) -> str:
    return ctx._(
        "Cette traduction n'est plus à relire, ou c'est la vôtre : une autre personne la relit."
    )


async def ct_review(ctx: Context, event: Incoming) -> Turn:
    """The oldest translation of this course by someone else: accept, correct or reject."""
    course = _course(ctx)
    work = _work(ctx)
    if course is None:
        return Turn([Say(ctx._("Ce cours n'est plus disponible."))], goto="ct_courses")
    lang = work.lang
    skipped = list(work.rskip)
    options = (
        Option("accept", ctx._("✅ Accepter")),
        Option("edit", ctx._("✏️ Corriger")),
        Option("reject", ctx._("❌ Refuser")),
        Option("skip", ctx._("⏭️ Passer")),
        Option("back", ctx._("⬅️ Le cours")),
    )
    if isinstance(event, Entered):
        proposal = await desk(ctx).next_to_review(course.id, lang, skipped)
        if proposal is None:
            text = ctx._(
                "Rien à relire dans ce cours en %(language)s pour l'instant.",
                language=language_name(ctx, lang),
            )
            return Turn([Say(text)], goto="ct_course")
        work.shown, work.shown_key = proposal.id, proposal.key
        unit = _unit(course, proposal.key)
        lines = [
            f"{course.title} · {where(ctx, unit)}" if unit else course.title,
            ctx._("Français : « %(text)s »", text=isolated(ctx, proposal.source)),
            ctx._("Proposé : « %(text)s »", text=isolated(ctx, proposal.text)),
        ]
        if unit is None or unit.mark != proposal.mark:
            lines.append(ctx._("Le français a changé depuis : refusez-la, elle sera refaite."))
        return Turn([Say("\n".join(lines)), Ask(ctx._("Votre avis ?"), options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "back":
        return Turn(goto="ct_course")
    proposal_id = work.shown or 0
    if chosen == "skip":
        work.rskip = [*skipped, proposal_id][-SKIPPED_KEPT:]
        return Turn(goto="ct_review")
    if chosen == "edit":
        work.key, work.mode, work.proposal = work.shown_key, "edit", proposal_id
        return Turn(goto="ct_text")
    verdict = ACCEPTED if chosen == "accept" else REJECTED
    if not await desk(ctx).review(proposal_id, verdict):
        return Turn([Say(_not_yours(ctx))], goto="ct_review")
    if verdict == REJECTED:
        said = ctx._("Refusée : le texte revient parmi ceux à traduire.")
        return Turn([Say(said)], goto="ct_review")
    said = ctx._("Acceptée : les élèves la lisent dès maintenant.")
    return Turn([Say(said)], goto="ct_review", effects=[LibraryChanged()])


STEPS: dict[str, Step] = {
    "ct_courses": course_translators_only(ct_courses),
    "ct_course": course_translators_only(ct_course),
    "ct_unit": course_translators_only(ct_unit),
    "ct_text": course_translators_only(ct_text),
    "ct_review": course_translators_only(ct_review),
}
# A translation may start with a command-like word: it goes to the step, not the command.
FREE_TEXT = frozenset({"ct_text"})
COMMANDS: dict[str, Step] = {
    "traduire_cours": course_translate_command,
    "translate_course": course_translate_command,
}
FLOW = Flow(
    "course_translate",
    STEPS,
    COMMANDS,
    services=("admin", "course_translations"),
    state=CourseSitting,
)
