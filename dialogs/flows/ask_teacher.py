""" "Ask my teacher", the student's side: from a lesson, a student of a class that takes
questions types one; it is stored and the teacher is told. Learners in no such class see
nothing new. No flow imports here (learning.py imports this module)."""

from __future__ import annotations

from dialogs.context import Context, Step, Translator, Turn, translate
from dialogs.events import Entered, Incoming, TextReceived
from dialogs.flow import Flow
from dialogs.flows.class_texts import lesson_title, notice_texts
from dialogs.flows.common import route
from dialogs.flows.place import place
from dialogs.messages import Ask, Option, Say
from dialogs.report_ports import Asked

ASK = "ask"  # the lesson step's option id (never a lesson's own: next, back, menu)


async def ask_option(ctx: Context) -> tuple[Option, ...]:
    """The lesson's "ask my teacher" option, for students of a class taking questions."""
    if ctx.services.reports is None or await ctx.services.reports.open_class() is None:
        return ()
    return (Option(ASK, ctx._("❓ Demander à mon enseignant")),)


async def student_ask(ctx: Context, event: Incoming) -> Turn:
    """The student types a question about the lesson; their teacher is told."""
    room = await ctx.services.reports.open_class() if ctx.services.reports is not None else None
    if room is None:
        text = ctx._("Vous ne pouvez pas poser de question à un enseignant en ce moment.")
        return Turn([Say(text)], goto="lesson")
    options = (Option("back", ctx._("⬅️ Retour à la leçon")),)
    if isinstance(event, Entered):
        text = ctx._(
            "Écrivez votre question pour l'enseignant de la classe « %(room)s » :", room=room[1]
        )
        return Turn([Ask(text, options, ctx.state.prompt)])
    if isinstance(event, TextReceived) and not event.text.startswith("/") and event.text.strip():
        return await _send(ctx, room[0], event.text.strip())
    chosen = route(ctx, event, options)
    return chosen if isinstance(chosen, Turn) else Turn(goto="lesson")


async def _send(ctx: Context, class_id: int, text: str) -> Turn:
    """Store the question and tell the teacher."""
    here = place(ctx)
    course, lesson = str(here.course), str(here.lesson)
    assert ctx.services.reports is not None and ctx.services.teaching is not None
    asked = await ctx.services.reports.ask(class_id, course, lesson, text)
    if asked is None:
        return Turn([Say(ctx._("Cette classe ne reçoit plus de questions."))], goto="lesson")
    title = lesson_title(ctx, course, lesson)
    texts = notice_texts(ctx, asked.teacher_locale, lambda t: _notice(t, asked, title, text))
    await ctx.services.teaching.notify(texts, user_ids=(asked.teacher_id,))
    done = ctx._("Votre question est envoyée. La réponse de votre enseignant arrivera ici.")
    return Turn([Say(done)], goto="lesson")


def _notice(t: Translator, asked: Asked, lesson: str, text: str) -> str:
    """The teacher's notice of a new question, in the language of `t`."""
    return translate(
        t,
        "❓ Question de %(name)s (%(room)s) sur « %(lesson)s » :\n%(question)s\n\n"
        "Répondez avec /questions",
        name=asked.student_name,
        room=asked.class_name,
        lesson=lesson,
        question=text,
    )


STEPS: dict[str, Step] = {"student_ask": student_ask}
FLOW = Flow("ask_teacher", STEPS, services=("reports", "teaching"))
