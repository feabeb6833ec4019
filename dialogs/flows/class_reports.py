"""The class report for its teacher: per course (or all), who started and finished, the
average best score, who has been away, the hardest questions; a bar chart, a CSV, and each
student's answers on demand. Only the teacher's own classes (the queries check it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from statistics import mean

from dialogs.context import Context, Step, Turn
from dialogs.events import Entered, Incoming
from dialogs.flow import Flow, FlowState, state_of
from dialogs.flows.class_texts import answer_shown, course_title, lesson_title, question_text
from dialogs.flows.class_tools import owned_class, reports
from dialogs.flows.classes import teachers_only
from dialogs.flows.common import route
from dialogs.messages import Ask, Document, Option, Out, Say
from dialogs.report_ports import GivenAnswer, QuestionStat, QuizResult, StudentProgress
from dialogs.spreadsheet import csv_bytes
from dialogs.teaching_ports import ClassRoom

HARDEST = 3
COURSE_BUTTONS = 8
SHORT = 80  # characters of a question quoted in the summary
MAX_ANSWERS = 40  # lines of one student's answers


@dataclass
class Reporting(FlowState, flow="class_reports"):
    """The courses the report is about (their students' answers are shown on demand)."""

    scope: list[str] = field(default_factory=list)
    legacy = {"scope": "report"}  # noqa: RUF012


def _scope(ctx: Context) -> list[str]:
    """The courses reported; what an older release kept under "report" for the moderation
    (a message id) is no list of courses."""
    scope = state_of(ctx, Reporting).scope
    return [str(c) for c in scope] if isinstance(scope, list) else []


async def class_report(ctx: Context, event: Incoming) -> Turn:
    """Choose one of the courses the students touched (or all); then the report."""
    room = await owned_class(ctx)
    if room is None:
        return Turn(goto="classes_home")
    touched = await reports(ctx).courses(room.id)
    options = tuple(
        Option(f"c{i}", f"📘 {course_title(ctx, c)}")
        for i, c in enumerate(touched[:COURSE_BUTTONS])
    ) + (Option("all", ctx._("📚 Tous les cours")), Option("back", ctx._("⬅️ La classe")))
    if isinstance(event, Entered):
        if not touched:
            text = ctx._("Aucun élève de la classe n'a encore commencé de cours.")
            return Turn([Say(text)], goto="class_page")
        return Turn([Ask(ctx._("Le suivi de quel cours ?"), options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "back":
        return Turn(goto="class_page")
    scope = touched if chosen == "all" else [touched[int(chosen[1:])]]
    state_of(ctx, Reporting).scope = scope
    return Turn(await report(ctx, room, scope), goto="class_answers")


async def report(ctx: Context, room: ClassRoom, scope: list[str]) -> list[Out]:
    """The summary, the chart (when charts can be drawn) and the CSV."""
    desk = reports(ctx)
    progress = await desk.progress(room.id)
    results = [r for r in await desk.quiz_results(room.id, None) if r.course_id in scope]
    stats = [(c, s) for c in scope for s in await desk.question_stats(room.id, c)]
    name = course_title(ctx, scope[0]) if len(scope) == 1 else ctx._("tous les cours")
    title = ctx._("📊 Suivi de « %(room)s » · %(course)s", room=room.name, course=name)
    days, _ = await desk.absence_settings(room.id)  # the class's own setting
    lines = [
        title,
        "",
        *_progress_lines(ctx, progress, results, scope, days),
        *_hardest(ctx, stats),
    ]
    messages: list[Out] = [Say("\n".join(lines))]
    if ctx.services.charts is not None and progress:
        caption = ctx._("Leçons terminées · %(course)s", course=name)
        done = [float(sum(p.lessons.get(c, 0) for c in scope)) for p in progress]
        most = float(sum(_lessons_in(ctx, c) for c in scope))
        png = await ctx.services.charts.progress_bars(
            caption, [p.name for p in progress], done, most, ctx.t.rtl
        )
        messages.append(Document(f"suivi-{room.join_code}.png", png, "image/png", caption))
    caption = ctx._("Les résultats de chaque élève à chaque quiz (CSV)")
    csv_file = Document(f"suivi-{room.join_code}.csv", table(ctx, results), "text/csv", caption)
    names = {p.user_id: p.name for p in progress}
    given = [
        (names[uid], course, answer)
        for course in scope
        for uid, answer in await desk.class_answers(room.id, course)
        if uid in names
    ]
    caption = ctx._("Les réponses de chaque élève, comme ils les ont données (CSV)")
    answers = Document(
        f"reponses-{room.join_code}.csv", answers_table(ctx, given), "text/csv", caption
    )
    return [*messages, csv_file, answers]


def _lessons_in(ctx: Context, course_id: str) -> int:
    """How many lessons a course has (0 if the library lost it)."""
    found = ctx.library.get(course_id)
    return len(found.lessons) if found else 0


def _finished(ctx: Context, student: StudentProgress, scope: list[str]) -> list[str]:
    """The courses of the scope the student finished (every lesson done)."""
    return [
        c for c in scope if _lessons_in(ctx, c) and student.lessons.get(c, 0) >= _lessons_in(ctx, c)
    ]


def _progress_lines(
    ctx: Context,
    progress: list[StudentProgress],
    results: list[QuizResult],
    scope: list[str],
    days: int,
) -> list[str]:
    """Who started, who finished, the average best score, who has been away (for `days`
    days or more: the class's absence setting)."""
    started = [p.name for p in progress if any(p.lessons.get(c) for c in scope)]
    finished = [
        p.name if len(scope) == 1 else f"{p.name} ({', '.join(course_title(ctx, c) for c in f)})"
        for p in progress
        if (f := _finished(ctx, p, scope))
    ]
    away = [p.name for p in progress if ctx.now - p.last_seen_at >= timedelta(days=days)]
    return [
        _names(ctx, started, "started"),
        _names(ctx, finished, "finished"),
        _average(ctx, results),
        _away(ctx, away, days),
    ]


def _names(ctx: Context, names: list[str], kind: str) -> str:
    """One line naming the students who started (or finished), or saying there is none."""
    listed = ", ".join(names)
    if kind == "started":
        if not names:
            return ctx._("Personne n'a encore commencé.")
        return ctx.ngettext(
            "%(n)s élève a commencé : %(names)s",
            "%(n)s élèves ont commencé : %(names)s",
            len(names),
            names=listed,
        )
    if not names:
        return ctx._("Personne n'a encore terminé tout le cours.")
    return ctx.ngettext(
        "%(n)s élève a terminé toutes les leçons : %(names)s",
        "%(n)s élèves ont terminé toutes les leçons : %(names)s",
        len(names),
        names=listed,
    )


def _away(ctx: Context, names: list[str], days: int) -> str:
    """The students away for `days` days or more, or that everyone came."""
    if not names:
        return ctx.ngettext(
            "Tout le monde est venu ces %(n)s derniers jours.",
            "Tout le monde est venu ces %(n)s derniers jours.",
            days,
        )
    return ctx.ngettext(
        "%(n)s élève n'est pas venu depuis %(days)s jours ou plus : %(names)s",
        "%(n)s élèves ne sont pas venus depuis %(days)s jours ou plus : %(names)s",
        len(names),
        days=ctx.t.number(days),
        names=", ".join(names),
    )


def _average(ctx: Context, results: list[QuizResult]) -> str:
    """The average of the students' best score at each quiz."""
    ratios = [r.best / r.max_score for r in results if r.max_score > 0]
    if not ratios:
        return ctx._("Aucun quiz terminé pour l'instant.")
    score = ctx.t.percent(mean(ratios))
    return ctx._("Score moyen (meilleur essai de chaque quiz) : %(score)s", score=score)


def _hardest(ctx: Context, stats: list[tuple[str, QuestionStat]]) -> list[str]:
    """The questions most often missed on the first try, with the commonest wrong answer."""
    missed = sorted(
        (pair for pair in stats if pair[1].wrong), key=lambda p: (-p[1].wrong_share, -p[1].wrong)
    )[:HARDEST]
    if not missed:
        return []
    lines = ["", ctx._("Les questions les plus difficiles :")]
    for rank, (course, stat) in enumerate(missed, 1):
        question = _short(question_text(ctx, course, stat.lesson_id, stat.question_id))
        lines.append(
            ctx.ngettext(
                "%(rank)s. « %(question)s » (%(lesson)s) : %(share)s de réponses fausses au "
                "premier essai. Réponse fausse la plus fréquente : « %(answer)s » (%(n)s fois).",
                "%(rank)s. « %(question)s » (%(lesson)s) : %(share)s de réponses fausses au "
                "premier essai. Réponse fausse la plus fréquente : « %(answer)s » (%(n)s fois).",
                stat.top_wrong_count,
                rank=rank,
                question=question,
                lesson=lesson_title(ctx, course, stat.lesson_id),
                share=ctx.t.percent(stat.wrong_share),
                answer=_short(shown(ctx, course, stat.lesson_id, stat.question_id, stat.top_wrong)),
            )
        )
    return lines


def shown(ctx: Context, course: str, lesson: str, question: str, answer: str | None) -> str:
    """A recorded answer (or none) as its text, not an option id."""
    return answer_shown(ctx, course, lesson, question, answer) if answer is not None else ""


def isolated(ctx: Context, text: str) -> str:
    """A course's text (in the course's language) kept in its own direction inside a line of
    a right-to-left interface (Unicode first-strong isolate), so it does not scramble."""
    return f"\u2068{text}\u2069" if ctx.t.rtl else text


def _short(text: str) -> str:
    """A text on one line, cut to SHORT characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= SHORT else flat[: SHORT - 1] + "…"


def table(ctx: Context, results: list[QuizResult]) -> bytes:
    """One row per student and quiz, as CSV (UTF-8 with a BOM, for spreadsheets)."""
    rows: list[list[object]] = []
    rows.append(
        [
            ctx._("élève"),
            ctx._("cours"),
            ctx._("leçon"),
            ctx._("meilleur score"),
            ctx._("sur"),
            ctx._("essais"),
            ctx._("dernier essai"),
        ]
    )
    for r in results:
        rows.append(
            [
                r.name,
                course_title(ctx, r.course_id),
                lesson_title(ctx, r.course_id, r.lesson_id),
                f"{r.best:g}",
                f"{r.max_score:g}",
                r.attempts,
                r.last_at.date().isoformat(),
            ]
        )
    return csv_bytes(rows)


def answers_table(ctx: Context, given: list[tuple[str, str, GivenAnswer]]) -> bytes:
    """One row per answer (student, course, lesson, question, the answer's text, right or
    not, first try or retry, date), as CSV (UTF-8 with a BOM); what students typed is defused
    of formulas like every other cell."""
    rows: list[list[object]] = []
    rows.append(
        [
            ctx._("élève"),
            ctx._("cours"),
            ctx._("leçon"),
            ctx._("question"),
            ctx._("réponse"),
            ctx._("juste"),
            ctx._("essai"),
            ctx._("date"),
        ]
    )
    for name, course, a in sorted(given, key=lambda row: row[0].casefold()):
        rows.append(
            [
                name,
                course_title(ctx, course),
                lesson_title(ctx, course, a.lesson_id),
                " ".join(question_text(ctx, course, a.lesson_id, a.question_id).split()),
                " ".join(answer_shown(ctx, course, a.lesson_id, a.question_id, a.answer).split()),
                ctx._("oui") if a.correct else ctx._("non"),
                a.try_number,
                a.answered_at.date().isoformat(),
            ]
        )
    return csv_bytes(rows)


async def class_answers(ctx: Context, event: Incoming) -> Turn:
    """The students of the class; one's answers in the reported courses on demand."""
    room = await owned_class(ctx)
    if room is None:
        return Turn(goto="classes_home")
    members = await reports(ctx).progress(room.id)
    options = tuple(Option(f"s{m.user_id}", f"👤 {m.name}") for m in members) + (
        Option("back", ctx._("⬅️ La classe")),
    )
    if isinstance(event, Entered):
        text = ctx._("Voir les réponses d'un élève :")
        return Turn([Ask(text, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "back":
        return Turn(goto="class_page")
    student = next(m for m in members if f"s{m.user_id}" == chosen)
    scope = _scope(ctx)
    given = [(c, a) for c in scope for a in await reports(ctx).answers(room.id, student.user_id, c)]
    return Turn([Say(_answers_text(ctx, student.name, given))], reprompt=True)


def _answers_text(ctx: Context, name: str, given: list[tuple[str, GivenAnswer]]) -> str:
    """A student's answers, one per line: lesson, question, answer, right or wrong."""
    if not given:
        return ctx._("%(name)s n'a encore répondu à aucune question de ce cours.", name=name)
    lines = [ctx._("Les réponses de %(name)s :", name=name)]
    for course, a in given[-MAX_ANSWERS:]:
        question = _short(question_text(ctx, course, a.lesson_id, a.question_id))
        mark = "✅" if a.correct else "❌"
        retry = " " + ctx._("(2e essai)") if a.try_number > 1 else ""
        lesson = lesson_title(ctx, course, a.lesson_id)
        answer = _short(answer_shown(ctx, course, a.lesson_id, a.question_id, a.answer))
        arrow = "←" if ctx.t.rtl else "→"
        parts = (isolated(ctx, lesson), isolated(ctx, question), isolated(ctx, answer))
        lines.append(f"{mark} {parts[0]} · {parts[1]} {arrow} « {parts[2]} »{retry}")
    return "\n".join(lines)


STEPS: dict[str, Step] = {
    "class_report": teachers_only(class_report),
    "class_answers": teachers_only(class_answers),
}
FLOW = Flow(
    "class_reports",
    STEPS,
    services=("admin", "charts", "reports", "teaching"),
    state=Reporting,
)
