"""Teaching at the right level: a course's placement quiz, and remediation after two failures.

Placement: the course page offers the quiz (`# Test de placement` in the course); its answers
update the learner's mastery; the lessons whose skills are all mastered may then be skipped,
"placed out": marked ⏭️ on the course page, open like any other, neither done nor scored
(a certificate still asks each lesson's quiz). Remediation: a skill failed twice in a course
(first tries of quizzes and reviews, as mastery counts them) brings the author's
`remédiation:` as a step of its own, then the learner goes on where they were; without one,
an honest note says which help there is ("plus facile", "indice").

The remediation is called (`Turn(call="remedy", then=...)`): the quiz or the review that
called it keeps its state meanwhile, and gets the learner back when it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from content.model import Course, Lesson, Question
from content.normalize import fold
from content.placement import mastered_lessons, remediation_for
from content.skills import skill_names
from content.translations import localized_course

from dialogs.context import Context, Step, Turn
from dialogs.events import Entered, Incoming, OptionChosen, TextReceived
from dialogs.flow import Flow, FlowState, fresh, state_of
from dialogs.flows.common import menu_option, route, unexpected
from dialogs.flows.learning import reachable
from dialogs.flows.place import place
from dialogs.flows.quiz_help import help_asked, may_be_easier
from dialogs.kinds import DIALOG_KINDS, MORE
from dialogs.kinds.picks import Picks
from dialogs.messages import Ask, Option, Out, QuizQuestion, Say

PLACEMENT = "_placement"  # never a lesson id: those are [a-z0-9-] slugs
DONT_KNOW_ID = "_dont_know"  # never an option id of a question: those are letters
# Typed at a placement question: a wrong answer, whatever the question's kind (folded words).
DONT_KNOW = frozenset(
    fold(words)
    for words in (
        "je ne sais pas",
        "je sais pas",
        "sais pas",
        "aucune idée",
        "I don't know",
        "I do not know",
        "don't know",
        "لا أعرف",
    )
)
PLACED = "⏭️"  # a lesson skipped after the placement quiz
# Untyped on purpose: the courses whose placement quiz the learner took, read by the course
# page (the learning flow) long after this flow was left; a learner's record rather than a
# flow's work (its place would be the mastery store).
TAKEN = "placed"


@dataclass
class Placement(FlowState, flow="placement"):
    """The placement question being asked, and the remediation being shown: the course,
    lesson, question and skill, and "b", the step to go back to when no call waits (a state
    of the previous release)."""

    question: int = 0
    remedy: dict[str, Any] | None = None
    legacy = {"question": "pq", "remedy": "rm"}  # noqa: RUF012


def placement_option(ctx: Context, found: Course) -> tuple[Option, ...]:
    """The course page's way into its placement quiz, where it has one."""
    if found.placement is None or ctx.services.mastery is None:
        return ()
    return (Option(PLACEMENT, ctx._("🧭 Test de placement")),)


def placement_note(ctx: Context, found: Course, started: bool) -> str:
    """What the course page says of its placement quiz before the learner started the
    course or took the quiz."""
    taken = ctx.state.data.get(TAKEN, [])
    if found.placement is None or ctx.services.mastery is None or started or found.id in taken:
        return ""
    return ctx.ngettext(
        "🧭 Vous connaissez déjà une partie de ce cours ? Le test de placement (%(n)s "
        "question) vous propose de sauter les leçons que vous maîtrisez.",
        "🧭 Vous connaissez déjà une partie de ce cours ? Le test de placement (%(n)s "
        "questions) vous propose de sauter les leçons que vous maîtrisez.",
        len(found.placement.questions),
    )


def start_placement(ctx: Context) -> Turn:
    """Open the placement quiz of the course in the state at its first question."""
    fresh(ctx, Placement)
    fresh(ctx, Picks)  # a matching or ordering question's picks start over
    return Turn(goto="placement")


async def placement(ctx: Context, event: Incoming) -> Turn:
    """Ask the next placement question, or read the answer to it (no right answer shown:
    the quiz finds where to start; the lessons teach)."""
    found = await reachable(ctx, place(ctx).course)
    if found is None or found.placement is None or ctx.services.mastery is None:
        return Turn([Say(ctx._("Ce test n'est plus disponible."))], goto="menu")
    shown = localized_course(found, ctx.profile.locale)  # the learner's language
    questions = (shown.placement or found.placement).questions  # same ids, same grading
    work = state_of(ctx, Placement)
    index = min(work.question, len(questions) - 1)
    question = questions[index]
    kind = DIALOG_KINDS[question.type]
    options = kind.options(ctx, question)
    if isinstance(event, Entered):
        header = ctx._(
            "🧭 Test de placement : question %(n)s sur %(total)s", n=index + 1, total=len(questions)
        )
        return Turn([_with_dont_know(ctx, kind.ask(ctx, question, header, options))])
    if isinstance(event, OptionChosen) and event.option_id == "menu":
        return Turn(goto="menu")
    if help_asked(event) is not None:
        text = ctx._(
            "🧭 Pendant le test, répondez sans aide : c'est ce qui dit où commencer. Si vous ne "
            "savez pas, touchez « 🤷 Je ne sais pas » ou écrivez-le."
        )
        return Turn([Say(text)], reprompt=True)
    typed = isinstance(event, TextReceived) and fold(event.text[:40]) in DONT_KNOW
    if typed or (isinstance(event, OptionChosen) and event.option_id == DONT_KNOW_ID):
        correct = False  # a wrong answer: the honest way to say "not yet"
    else:
        answer = kind.read(ctx, question, event, options)
        if answer is None:
            return unexpected(ctx, event)
        if answer is MORE:
            return Turn(goto="placement")
        from dialogs.flows.quiz import grade_answer  # quiz imports this module

        correct = grade_answer(question, answer).correct
    await ctx.services.mastery.observe(question.skills, correct, ctx.now)
    work.question = index + 1
    fresh(ctx, Picks)
    if index + 1 < len(questions):
        return Turn(goto="placement")
    work.question = 0
    taken = [str(c) for c in ctx.state.data.get(TAKEN, []) if c != found.id][-20:]
    ctx.state.data[TAKEN] = [*taken, found.id]  # the course page offers it no more
    return Turn([Say(ctx._("🧭 Merci, le test est fini !"))], goto="placement_done")


def _with_dont_know(ctx: Context, asked: Out) -> Out:
    """A placement question with "🤷 Je ne sais pas" (better than a guess: the estimate stays
    honest), before the menu; a choice question as a regular poll (a quiz poll would show the
    right answer)."""
    know = Option(DONT_KNOW_ID, ctx._("🤷 Je ne sais pas"))
    if isinstance(asked, QuizQuestion):
        return replace(asked, correct_ids=(), extra=(know, *asked.extra))
    if isinstance(asked, Ask):
        options = asked.options
        if options and options[-1].id == "menu":
            return replace(asked, options=(*options[:-1], know, options[-1]))
        return replace(asked, options=(*options, know))
    return asked


async def placement_done(ctx: Context, event: Incoming) -> Turn:
    """The lessons the learner masters, offered to skip; or where to start."""
    found = await reachable(ctx, place(ctx).course)
    if found is None or ctx.services.mastery is None:
        return Turn(goto="menu")
    done = {d.lesson_id for d in await ctx.records.lessons_done() if d.course_id == found.id}
    placed = await ctx.services.mastery.placed_out(found.id)
    known = {m.skill: m.p_known for m in await ctx.services.mastery.mine()}
    shown = localized_course(found, ctx.profile.locale)  # titles in the learner's language
    skippable = mastered_lessons(shown, known, frozenset(done | placed))
    if not skippable:
        text = ctx._(
            "Le mieux est de suivre les leçons du cours dans l'ordre : chacune vous fera "
            "progresser. Choisissez-en une pour commencer."
        )
        return Turn([Say(text)], goto="course")
    options = (
        Option(
            "skip",
            ctx.ngettext("⏭️ Sauter cette leçon", "⏭️ Sauter ces leçons", len(skippable)),
        ),
        Option("all", ctx._("📚 Tout suivre quand même")),
        menu_option(ctx),
    )
    if isinstance(event, Entered):
        listed = "\n".join(f"• {found.lesson_index(le.id) + 1}. {le.title}" for le in skippable)
        text = (
            ctx.ngettext(
                "Vous maîtrisez déjà la leçon :",
                "Vous maîtrisez déjà ces leçons :",
                len(skippable),
            )
            + "\n"
            + listed
            + "\n\n"
            + ctx.ngettext(
                "Voulez-vous la sauter ? Elle restera sur la page du cours, marquée ⏭️ : "
                "vous pourrez y revenir quand vous voulez. Sautée, elle ne compte pas "
                "comme terminée et n'a pas de note.",
                "Voulez-vous les sauter ? Elles resteront sur la page du cours, marquées ⏭️ : "
                "vous pourrez y revenir quand vous voulez. Sautées, elles ne comptent pas "
                "comme terminées et n'ont pas de note.",
                len(skippable),
            )
        )
        return Turn([Ask(text, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "skip":
        await ctx.services.mastery.place_out(found.id, tuple(le.id for le in skippable), ctx.now)
        text = ctx.ngettext(
            "C'est noté : cette leçon est marquée ⏭️. Voici la suite du cours.",
            "C'est noté : ces leçons sont marquées ⏭️. Voici la suite du cours.",
            len(skippable),
        )
    else:
        text = ctx._("Très bien : vous suivrez toutes les leçons.")
    return Turn([Say(text)], goto="course")


async def after_failure(
    ctx: Context,
    found: Course,
    lesson: Lesson | None,
    question: Question,
    skills: tuple[str, ...],
    turn: Turn,
) -> Turn:
    """Count a wrong first try on the question's skills; at the second failure of a skill,
    its remediation comes before `turn` goes on (a step of its own when the author wrote
    one, with the way back kept), or a note of the help there is."""
    if ctx.services.mastery is None or not skills:
        return turn
    failed = await ctx.services.mastery.struggle(found.id, skills, ctx.now)
    if not failed:
        return turn
    skill = failed[0]
    text = remediation_for(localized_course(found, ctx.profile.locale), lesson, question, skill)
    name = skill_names([found]).get(skill, skill)
    if not text and may_be_easier(ctx, question):
        note = ctx._(
            "🧩 « %(skill)s » vous donne du mal : c'est normal, on apprend en se trompant. À "
            "une question, écrivez « plus facile » pour retirer une mauvaise réponse, ou "
            "« indice » pour un coup de pouce.",
            skill=name,
        )
        turn.messages.append(Say(note))
        return turn
    if not text:  # a typed answer, or a review: no option to take away
        note = ctx._(
            "🧩 « %(skill)s » vous donne du mal : c'est normal, on apprend en se trompant. À "
            "une question, écrivez « indice » pour un coup de pouce.",
            skill=name,
        )
        turn.messages.append(Say(note))
        return turn
    then = turn.goto or ctx.state.step
    state_of(ctx, Placement).remedy = {
        "c": found.id,
        "l": lesson.id if lesson else "",
        "q": question.id,
        "s": skill,
        "b": then,
    }
    turn.goto, turn.call, turn.then = None, "remedy", then
    turn.reprompt = False
    return turn


async def remedy(ctx: Context, event: Incoming) -> Turn:
    """The author's remediation of a skill failed twice, then back where the learner was."""
    back = state_of(ctx, Placement).remedy
    if not isinstance(back, dict):
        return Turn(goto="menu")
    found = ctx.library.get(str(back.get("c")))
    found = localized_course(found, ctx.profile.locale) if found else None  # their language
    lesson = found.lesson(str(back.get("l"))) if found else None
    question = _question(found, lesson, str(back.get("q")))
    if found is None or question is None:
        return _back(ctx, back)
    skill = str(back.get("s"))
    options = (Option("go_on", ctx._("J'ai compris, on continue ▶️")), menu_option(ctx))
    if isinstance(event, Entered):
        name = skill_names([found]).get(skill, skill)
        intro = ctx._(
            "🧩 « %(skill)s » vous donne du mal : voici une aide pas à pas avant de continuer.",
            skill=name,
        )
        text = remediation_for(found, lesson, question, skill)
        shown: list[Out] = [Ask(f"{intro}\n\n{text}", options, ctx.state.prompt)]
        return Turn(shown)
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    return _back(ctx, back)


def _back(ctx: Context, back: dict[str, Any]) -> Turn:
    """Back where the remediation was called from (where the previous release said, when
    it made no call)."""
    state_of(ctx, Placement).remedy = None
    return Turn(ret=None, goto=str(back.get("b") or "menu"))


def _question(found: Course | None, lesson: Lesson | None, question_id: str) -> Question | None:
    """A question of a lesson's quiz by its id."""
    if found is None or lesson is None or lesson.quiz is None:
        return None
    return next((q for q in lesson.quiz.questions if q.id == question_id), None)


STEPS: dict[str, Step] = {
    "placement": placement,
    "placement_done": placement_done,
    "remedy": remedy,
}
FLOW = Flow("placement", STEPS, services=("mastery", "shelf"), state=Placement)
