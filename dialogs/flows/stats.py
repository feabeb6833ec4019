"""Impact reports for admins: a text summary, a weekly chart and a CSV, per country.

Aggregates only: no person is named or counted alone. A national admin sees their country.
"""

from __future__ import annotations

import csv
import io

from dialogs.admin_ports import CountryFigures, Impact
from dialogs.context import Context, Step, Turn
from dialogs.events import Incoming
from dialogs.flows.admin import admins_only, desk, refused
from dialogs.messages import Document, Out, Say
from dialogs.roles import Action, countries_of, may

WEEKS = 12


async def stats_command(ctx: Context, event: Incoming) -> Turn:
    """/stats: the impact report, then the current question again."""
    if ctx.admin is None:
        return refused(ctx)
    grants = await desk(ctx).grants()
    scope = countries_of(grants)
    if not may(grants, Action.VIEW_STATS, None if scope is None else sorted(scope)):
        return refused(ctx)
    impact = await desk(ctx).impact(scope, WEEKS)
    return Turn(await report(ctx, impact), reprompt=True)


async def admin_stats(ctx: Context, event: Incoming) -> Turn:
    """From the admin menu: the report, then the admin menu again."""
    turn = await stats_command(ctx, event)
    return Turn(turn.messages, goto="admin_menu")


async def report(ctx: Context, impact: Impact) -> list[Out]:
    """The summary, the chart (when charts can be drawn) and the CSV."""
    messages: list[Out] = [Say(summary(ctx, impact))]
    weeks = [ctx.t.date(start) for start in impact.week_starts]
    if ctx.charts is not None and impact.week_starts:
        series = {
            ctx._("Nouveaux élèves"): impact.new_learners,
            ctx._("Leçons terminées"): impact.lessons,
        }
        title = ctx._("Les %(n)s dernières semaines", n=len(weeks))
        png = await ctx.charts.weekly(title, weeks, series, ctx.t.rtl)
        messages.append(Document("impact.png", png, "image/png", title))
    messages.append(
        Document("impact.csv", table(ctx, impact), "text/csv", ctx._("Les chiffres par pays (CSV)"))
    )
    return messages


def summary(ctx: Context, impact: Impact) -> str:
    """The figures in words: all countries together, then each country."""
    lines = [ctx._("📊 Impact du programme"), "", _figures(ctx, impact.total())]
    for row in impact.countries:
        name = ctx.t.country_name(row.country) if len(row.country) == 2 else ctx._("Autre pays")
        lines += ["", f"{name} : " + _figures(ctx, row)]
    if impact.failures:
        codes = ", ".join(
            f"{code} × {ctx.t.number(count)}" for code, count in sorted(impact.failures.items())
        )
        lines += ["", ctx._("Messages WhatsApp refusés (code × nombre) : %(codes)s", codes=codes)]
    if impact.dead_letters:  # the operators see which and why: python -m bot dead-letters
        parked = ", ".join(
            f"{channel} × {ctx.t.number(count)}"
            for channel, count in sorted(impact.dead_letters.items())
        )
        lines += [
            "",
            ctx._(
                "Messages reçus mais jamais traités, mis de côté pour l'équipe technique"
                " (canal × nombre, 3 derniers jours) : %(parked)s",
                parked=parked,
            ),
        ]
    return "\n".join(lines)


def _figures(ctx: Context, row: CountryFigures) -> str:
    """One line of figures."""
    score = ctx.t.percent(row.average_score) if row.average_score is not None else "–"
    return ctx._(
        "%(learners)s élèves inscrits, %(a7)s actifs sur 7 jours, %(a30)s sur 30 jours ; "
        "%(lessons)s leçons terminées, %(quizzes)s quiz (score moyen %(score)s) ; "
        "%(teachers)s enseignants, %(classes)s classes, %(courses)s cours publiés "
        "dont %(shared)s pour tous les pays.",
        learners=ctx.t.number(row.learners),
        a7=ctx.t.number(row.active_7),
        a30=ctx.t.number(row.active_30),
        lessons=ctx.t.number(row.lessons_done),
        quizzes=ctx.t.number(row.quizzes),
        score=score,
        teachers=ctx.t.number(row.teachers),
        classes=ctx.t.number(row.classes),
        courses=ctx.t.number(row.courses),
        shared=ctx.t.number(row.shared),
    )


def table(ctx: Context, impact: Impact) -> bytes:
    """The per-country figures as CSV (UTF-8 with a BOM, so spreadsheets read the accents)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            ctx._("pays"),
            ctx._("élèves"),
            ctx._("actifs 7 jours"),
            ctx._("actifs 30 jours"),
            ctx._("leçons terminées"),
            ctx._("quiz"),
            ctx._("score moyen"),
            ctx._("enseignants"),
            ctx._("classes"),
            ctx._("cours publiés"),
            ctx._("cours pour tous les pays"),
        ]
    )
    for row in impact.countries:
        score = f"{row.average_score:.3f}" if row.average_score is not None else ""
        writer.writerow(
            [
                row.country,
                row.learners,
                row.active_7,
                row.active_30,
                row.lessons_done,
                row.quizzes,
                score,
                row.teachers,
                row.classes,
                row.courses,
                row.shared,
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


STEPS: dict[str, Step] = {"admin_stats": admins_only(admin_stats)}
