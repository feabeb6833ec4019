"""Grading essays: the class's free answers one at a time (question, student, answer), a
mark out of 20 tapped or typed, a comment; the student is told through a personal notice."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dialogs.context import Context, Step, Translator, Turn
from dialogs.events import Entered, Incoming, TextReceived
from dialogs.flow import Flow, FlowState, state_of
from dialogs.flows.class_texts import lesson_title, notice_texts, question_text
from dialogs.flows.class_tools import owned_class, reports
from dialogs.flows.classes import teachers_only
from dialogs.flows.common import route
from dialogs.flows.teachers import teaching
from dialogs.messages import Ask, Option, Say
from dialogs.report_ports import Essay
from dialogs.teaching_ports import ClassRoom

MARKS = {"m0": 0.0, "m1": 0.25, "m2": 0.5, "m3": 0.75, "m4": 1.0}
OUT_OF = 20
MAX_COMMENT = 500


@dataclass
class Grading(FlowState, flow="class_essays"):
    """The essay shown, its mark once given, and the essays skipped in this round."""

    essay: list[Any] | None = None  # see _key
    score: float | None = None
    skipped: list[list[Any]] = field(default_factory=list)
    legacy = {"essay": "essay.key", "score": "essay.score", "skipped": "skipped"}  # noqa: RUF012


def _key(essay: Essay) -> list[str | int]:
    """What identifies an essay in the dialog state."""
    return [essay.user_id, essay.course_id, essay.lesson_id, essay.question_id]


async def _current(ctx: Context, room: ClassRoom) -> Essay | None:
    """The ungraded essay of the class the state points to."""
    wanted = state_of(ctx, Grading).essay
    return next((e for e in await reports(ctx).essays(room.id) if _key(e) == wanted), None)


async def class_essays(ctx: Context, event: Incoming) -> Turn:
    """The next ungraded essay of the class, and its mark."""
    room = await owned_class(ctx)
    if room is None:
        return Turn(goto="classes_home")
    options = tuple(Option(k, f"{ctx.t.number(v * OUT_OF)}/20") for k, v in MARKS.items()) + (
        Option("skip", ctx._("⏭️ Passer")),
        Option("back", ctx._("⬅️ La classe")),
    )
    if isinstance(event, Entered):
        return await _show_next(ctx, room, options)
    if isinstance(event, TextReceived) and not event.text.startswith("/"):
        return _typed_mark(ctx, event.text)
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "back":
        return Turn(goto="class_page")  # leaving the flow forgets what was skipped
    if chosen == "skip":
        work = state_of(ctx, Grading)
        if work.essay is not None:
            work.skipped.append(work.essay)
        return Turn(goto="class_essays")
    return _marked(ctx, MARKS[chosen])


async def _show_next(ctx: Context, room: ClassRoom, options: tuple[Option, ...]) -> Turn:
    """Show the first essay not skipped, or say there is none left."""
    work = state_of(ctx, Grading)
    waiting = [e for e in await reports(ctx).essays(room.id) if _key(e) not in work.skipped]
    if not waiting:
        return Turn([Say(ctx._("Aucune copie à corriger."))], goto="class_page")
    essay = waiting[0]
    work.essay, work.score = _key(essay), None
    text = ctx._(
        "📝 Copie de %(name)s (%(n)s à corriger)\n"
        "Leçon : %(lesson)s\nQuestion : %(question)s\n\nRéponse :\n%(answer)s\n\n"
        "Quelle note ? Touchez un bouton ou écrivez une note sur 20.",
        name=essay.name,
        n=ctx.t.number(len(waiting)),
        lesson=lesson_title(ctx, essay.course_id, essay.lesson_id),
        question=question_text(ctx, essay.course_id, essay.lesson_id, essay.question_id),
        answer=essay.text,
    )
    return Turn([Ask(text, options, ctx.state.prompt, 5)])


def _typed_mark(ctx: Context, text: str) -> Turn:
    """A mark typed out of 20 ("15", "12,5", "14/20")."""
    typed = text.strip().removesuffix("/20").replace(",", ".").strip()
    try:
        value = float(typed)
    except ValueError:
        value = -1.0
    if not 0 <= value <= OUT_OF:
        return Turn([Say(ctx._("Écrivez une note entre 0 et 20, ou touchez un bouton."))])
    return _marked(ctx, value / OUT_OF)


def _marked(ctx: Context, score: float) -> Turn:
    """Keep the mark; the comment comes next."""
    state_of(ctx, Grading).score = score
    return Turn(goto="essay_comment")


async def essay_comment(ctx: Context, event: Incoming) -> Turn:
    """A comment for the student (or none); then the essay is graded and they are told."""
    room = await owned_class(ctx)
    if room is None:
        return Turn(goto="classes_home")
    options = (
        Option("none", ctx._("Sans commentaire")),
        Option("back", ctx._("⬅️ Changer la note")),
    )
    if isinstance(event, Entered):
        text = ctx._("Un commentaire pour l'élève ? Écrivez-le, ou touchez « Sans commentaire ».")
        return Turn([Ask(text, options, ctx.state.prompt)])
    if isinstance(event, TextReceived) and not event.text.startswith("/"):
        return await _grade(ctx, room, event.text.strip()[:MAX_COMMENT])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    return await _grade(ctx, room, "") if chosen == "none" else Turn(goto="class_essays")


async def _grade(ctx: Context, room: ClassRoom, comment: str) -> Turn:
    """Store the mark and tell the student."""
    essay = await _current(ctx, room)
    work = state_of(ctx, Grading)
    score = -1.0 if work.score is None else float(work.score)
    work.essay, work.score = None, None
    if essay is None or not 0 <= score <= 1 or not await reports(ctx).grade(room.id, essay, score):
        return Turn([Say(ctx._("Cette copie n'est plus à corriger."))], goto="class_essays")
    texts = notice_texts(ctx, essay.locale, lambda t: _notice(ctx, t, essay, score, comment))
    await teaching(ctx).notify(texts, user_ids=(essay.user_id,))
    mark = ctx.t.number(score * OUT_OF, 2)
    done = ctx._(
        "Note enregistrée : %(mark)s/20. %(name)s va la recevoir.", mark=mark, name=essay.name
    )
    return Turn([Say(done)], goto="class_essays")


def _notice(ctx: Context, t: Translator, essay: Essay, score: float, comment: str) -> str:
    """The student's notice, in the language of `t`."""
    text = t.gettext(
        "📝 Votre enseignant a corrigé votre réponse à « %(question)s » (%(lesson)s) : %(mark)s/20."
    ) % {
        "question": question_text(ctx, essay.course_id, essay.lesson_id, essay.question_id),
        "lesson": lesson_title(ctx, essay.course_id, essay.lesson_id),
        "mark": t.number(score * OUT_OF, 2),
    }
    if comment:
        text += "\n" + t.gettext("Son commentaire : %(comment)s") % {"comment": comment}
    return text


STEPS: dict[str, Step] = {
    "class_essays": teachers_only(class_essays),
    "essay_comment": teachers_only(essay_comment),
}
FLOW = Flow("class_essays", STEPS, services=("admin", "reports", "teaching"), state=Grading)
