"""What the class page offers beyond the roster: the report, essays to grade, students'
questions and muting them. The steps live in class_reports, class_groups, class_essays and
class_questions.

The class page calls these tools (`page_choice`: `Turn(call=..., then="class_page")`), so
what the page keeps stays while they run and they come back to it; each reads the class
through `owned_class`. The class in hand is `InHand`, a state of no flow kept in the class
flows and in the assignments a class is given (the shared library's "give to a class" goes
straight there): `hold_class` sets it, `owned_class` reads it.
"""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.context import Context, Turn
from dialogs.flow import FlowState, fresh, state_of
from dialogs.flows.teachers import teaching
from dialogs.messages import Option, Say
from dialogs.report_ports import ReportDesk
from dialogs.services import need
from dialogs.teaching_ports import ClassRoom

PAGE_STEPS = {
    "report": "class_report",
    "groups": "class_groups",
    "absent": "class_absent",
    "essays": "class_essays",
    "questions": "class_questions",
}


def reports(ctx: Context) -> ReportDesk:
    """The report port; every channel that runs the class flows provides it."""
    return need(ctx.services.reports, "reports", "class flows")


async def page_options(ctx: Context, class_id: int) -> tuple[Option, ...]:
    """The class page's options for reports, essays and questions (opening or closing the
    questions is under "Plus…": `more_options`)."""
    if ctx.services.reports is None:
        return ()
    figures = await ctx.services.reports.figures(class_id)
    return (
        Option("report", ctx._("📊 Suivi de la classe")),
        Option("groups", ctx._("🎯 Groupes par niveau")),
        Option("absent", ctx._("😴 Absences")),
        Option("essays", ctx._("📝 À corriger (%(n)s)", n=ctx.t.number(figures.essays))),
        Option(
            "questions", ctx._("❓ Questions des élèves (%(n)s)", n=ctx.t.number(figures.questions))
        ),
    )


async def more_options(ctx: Context, class_id: int) -> tuple[Option, ...]:
    """The rarely used tools of the class page's "Plus…": opening or closing the questions."""
    if ctx.services.reports is None:
        return ()
    figures = await ctx.services.reports.figures(class_id)
    if figures.questions_open:
        return (Option("q_off", ctx._("🔕 Fermer les questions")),)
    return (Option("q_on", ctx._("🔔 Ouvrir les questions")),)


async def page_choice(ctx: Context, class_id: int, chosen: str) -> Turn | None:
    """Where one of these options leads; None for the page's own options."""
    if chosen in PAGE_STEPS:
        from dialogs.flows import class_essays, class_questions  # they import this module

        for state in (class_essays.Grading, class_questions.Answering):
            restart(ctx, state)  # from the page: the class's essays and questions, none skipped
        return Turn(call=PAGE_STEPS[chosen], then="class_page")
    if chosen not in ("q_on", "q_off"):
        return None
    is_open = chosen == "q_on"
    await reports(ctx).set_questions_open(class_id, is_open)
    text = (
        ctx._("Vos élèves peuvent de nouveau vous poser des questions depuis les leçons.")
        if is_open
        else ctx._("Les questions sont fermées : vos élèves ne verront plus ce bouton.")
    )
    return Turn([Say(text)], goto="class_page")


def restart(ctx: Context, state: type[FlowState]) -> None:
    """A flow's state emptied, and what an older release kept of it untyped dropped (read
    once, so it is not read again when the flow is entered)."""
    state_of(ctx, state)
    fresh(ctx, state)


@dataclass
class InHand(FlowState, flow="class_in_hand"):
    """The class a teacher has in hand: chosen on their classes page (or in the shared
    library, to give it a course), read by the class page, its tools and the assignments."""

    shared_by = frozenset(
        {
            "classes",
            "assignments",
            "class_reports",
            "class_groups",
            "class_essays",
            "class_questions",
        }
    )
    legacy = {"room": "class"}  # noqa: RUF012

    room: int | None = None


def hold_class(ctx: Context, room: int) -> None:
    """The teacher takes this class in hand (the class page and its tools read it)."""
    state_of(ctx, InHand).room = room


async def owned_class(ctx: Context) -> ClassRoom | None:
    """The teacher's class in hand (None if it is not theirs any more)."""
    wanted = state_of(ctx, InHand).room
    return next((r for r in await teaching(ctx).classes() if r.id == wanted), None)
