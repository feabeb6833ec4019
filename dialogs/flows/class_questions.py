""" "Ask my teacher", the teacher's side: unanswered questions one at a time (from the class
page, or /questions for all their classes); the typed answer goes to the student as a
notice quoting their question."""

from __future__ import annotations

from dataclasses import dataclass, field

from dialogs.context import Context, Step, Translator, Turn
from dialogs.events import Entered, Incoming, TextReceived
from dialogs.flow import Flow, FlowState, state_of
from dialogs.flows.class_texts import lesson_title, notice_texts
from dialogs.flows.class_tools import owned_class, reports
from dialogs.flows.classes import teachers_only
from dialogs.flows.common import route
from dialogs.flows.teachers import is_teacher, teaching
from dialogs.messages import Ask, Option, Say
from dialogs.report_ports import StudentQuestion

MAX_ANSWER = 1000


@dataclass
class Answering(FlowState, flow="class_questions"):
    """Whose questions are shown (all the teacher's classes, or the class of the page), the
    question shown and those skipped in this round."""

    every_class: bool = False
    question: int | None = None
    skipped: list[int] = field(default_factory=list)
    legacy = {"every_class": "questions_all", "question": "tq", "skipped": "skipped_q"}  # noqa: RUF012


async def questions_command(ctx: Context, event: Incoming) -> Turn:
    """/questions: the students' unanswered questions of all the teacher's classes."""
    if ctx.services.teaching is None or ctx.services.reports is None or not await is_teacher(ctx):
        text = ctx._("Cette commande est réservée aux enseignants. Voir « Espace enseignant ».")
        return Turn([Say(text)], reprompt=True)
    work = state_of(ctx, Answering)
    work.every_class, work.skipped = True, []
    return Turn(goto="class_questions")


async def _scope(ctx: Context) -> int | bool | None:
    """The class whose questions are shown, None for all, False if the class is not theirs."""
    if state_of(ctx, Answering).every_class:
        return None
    room = await owned_class(ctx)
    return room.id if room is not None else False


async def class_questions(ctx: Context, event: Incoming) -> Turn:
    """The next unanswered question; the teacher types the answer."""
    scope = await _scope(ctx)
    if scope is False:
        return Turn(goto="classes_home")
    back = "class_page" if scope is not None else "classes_home"
    options = (
        Option("skip", ctx._("⏭️ Question suivante")),
        Option("back", ctx._("⬅️ Retour")),
    )
    if isinstance(event, Entered):
        return await _show_next(ctx, scope, options, back)
    if isinstance(event, TextReceived) and not event.text.startswith("/") and event.text.strip():
        return await _answer(ctx, event.text.strip()[:MAX_ANSWER])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "skip":
        work = state_of(ctx, Answering)
        if work.question is not None:
            work.skipped.append(work.question)
        return Turn(goto="class_questions")
    return Turn(goto=back)  # leaving the flow forgets its state


async def _show_next(
    ctx: Context, scope: int | None, options: tuple[Option, ...], back: str
) -> Turn:
    """Show the first question not skipped, or say there is none left."""
    work = state_of(ctx, Answering)
    waiting = [q for q in await reports(ctx).questions(scope) if q.id not in work.skipped]
    if not waiting:
        return Turn([Say(ctx._("Aucune question en attente."))], goto=back)
    question = waiting[0]
    work.question = question.id
    text = ctx._(
        "❓ %(name)s (%(room)s), sur « %(lesson)s » :\n%(question)s\n\nÉcrivez votre réponse :",
        name=question.name,
        room=question.class_name,
        lesson=lesson_title(ctx, question.course_id, question.lesson_id),
        question=question.text,
    )
    return Turn([Ask(text, options, ctx.state.prompt)])


async def _answer(ctx: Context, text: str) -> Turn:
    """Store the answer and relay it to the student."""
    answered = await reports(ctx).answer(state_of(ctx, Answering).question or 0, text)
    if answered is None:
        return Turn([Say(ctx._("Cette question a déjà une réponse."))], goto="class_questions")
    texts = notice_texts(ctx, answered.locale, lambda t: _notice(t, answered, text))
    await teaching(ctx).notify(texts, user_ids=(answered.student_id,))
    done = ctx._("Réponse envoyée à %(name)s.", name=answered.name)
    return Turn([Say(done)], goto="class_questions")


def _notice(t: Translator, question: StudentQuestion, answer: str) -> str:
    """The student's notice of the answer, quoting their question, in the language of `t`."""
    return t.gettext(
        "💬 Votre enseignant a répondu à votre question « %(question)s » :\n%(answer)s"
    ) % {"question": question.text, "answer": answer}


STEPS: dict[str, Step] = {"class_questions": teachers_only(class_questions)}
COMMANDS: dict[str, Step] = {"questions": questions_command}
FLOW = Flow(
    "class_questions", STEPS, COMMANDS, services=("admin", "reports", "teaching"), state=Answering
)
