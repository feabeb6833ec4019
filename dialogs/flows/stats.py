"""Impact reports for admins: a text summary, a weekly chart and a CSV, per country.

Aggregates only: no person is named or counted alone. A national admin sees their country.
"""

from __future__ import annotations

from dialogs.admin_ports import CountryFigures, Impact, SexFigures
from dialogs.context import Context, Step, Turn
from dialogs.events import Incoming
from dialogs.flow import Flow
from dialogs.flows.admin import admins_only, desk, refused
from dialogs.flows.paid import paid_cost
from dialogs.messages import Document, Out, Say
from dialogs.roles import Action, countries_of, may
from dialogs.small_cells import SMALL, by_sex
from dialogs.spreadsheet import csv_bytes
from dialogs.translation_ports import Progress

WEEKS = 12


async def stats_command(ctx: Context, event: Incoming) -> Turn:
    """/stats: the impact report, then the current question again."""
    if ctx.services.admin is None:
        return refused(ctx)
    grants = await desk(ctx).grants()
    scope = countries_of(grants)
    if not may(grants, Action.VIEW_STATS, None if scope is None else sorted(scope)):
        return refused(ctx)
    impact = await desk(ctx).impact(scope, WEEKS)
    messages = await report(ctx, impact)
    if ctx.services.translations is not None:
        languages = await ctx.services.translations.progress()
        messages.insert(1, Say(translations_summary(ctx, languages)))
    return Turn(messages, reprompt=True)


def translations_summary(ctx: Context, languages: list[Progress]) -> str:
    """How complete each interface language is, weighted by what learners are shown."""
    lines = [ctx._("🌐 Traductions de l'interface (part de ce que les élèves lisent) :")]
    for row in languages:
        name = next((la.name for la in ctx.languages if la.code == row.lang), row.lang)
        lines.append(
            ctx._(
                "%(language)s : %(share)s · %(done)s/%(total)s chaînes · %(review)s à relire",
                language=name,
                share=ctx.t.percent(row.seen_share),
                done=ctx.t.number(row.translated),
                total=ctx.t.number(row.total),
                review=ctx.t.number(row.to_review),
            )
        )
    return "\n".join(lines)


async def admin_stats(ctx: Context, event: Incoming) -> Turn:
    """From the admin menu: the report, then the admin menu again."""
    turn = await stats_command(ctx, event)
    return Turn(turn.messages, goto="admin_menu")


async def report(ctx: Context, impact: Impact) -> list[Out]:
    """The summary, the chart (when charts can be drawn) and the CSV."""
    messages: list[Out] = [Say(summary(ctx, impact))]
    groups = by_sex(impact.by_sex)
    answered = any(row.sex != "unknown" and row.learners for row in impact.by_sex)
    if answered:  # once some students answered "girl or boy"
        messages.append(Say(sex_summary(ctx, groups)))
    weeks = [ctx.t.date(start) for start in impact.week_starts]
    if ctx.services.charts is not None and impact.week_starts:
        series = {
            ctx._("Nouveaux élèves"): impact.new_learners,
            ctx._("Leçons terminées"): impact.lessons,
        }
        title = ctx.ngettext("La dernière semaine", "Les %(n)s dernières semaines", len(weeks))
        png = await ctx.services.charts.weekly(title, weeks, series, ctx.t.rtl)
        messages.append(Document("impact.png", png, "image/png", title))
    messages.append(
        Document("impact.csv", table(ctx, impact), "text/csv", ctx._("Les chiffres par pays (CSV)"))
    )
    if answered:
        caption = ctx._("Les chiffres par pays et par sexe (CSV)")
        messages.append(Document("impact_sexe.csv", sex_table(ctx, groups), "text/csv", caption))
    return messages


def _sex_name(ctx: Context, sex: str) -> str:
    names = {"girl": ctx._("Filles"), "boy": ctx._("Garçons")}
    return names.get(sex, ctx._("Non précisé"))


def _count(ctx: Context, n: int) -> str:
    """A count of people as shown: "moins de 5" from 1 to 4."""
    return ctx._("moins de %(n)s", n=SMALL) if 0 < n < SMALL else ctx.t.number(n)


def sex_summary(ctx: Context, groups: list[tuple[SexFigures, bool]]) -> str:
    """Students by sex, all countries then each country; a small group is not shown."""
    lines = [
        ctx._(
            "👧👦 Élèves par sexe (pour protéger chacun, un groupe de moins de %(n)s n'est "
            "pas montré)",
            n=SMALL,
        )
    ]
    country = None
    for row, hidden in groups:
        if not row.learners:
            continue
        if row.country != country:
            country = row.country
            if not country:
                lines += ["", ctx._("Tous les pays")]
            elif len(country) == 2:
                lines += ["", ctx.t.country_name(country)]
            else:
                lines += ["", ctx._("Autre pays")]
        name = _sex_name(ctx, row.sex)
        if hidden:
            lines.append(ctx._("· %(sex)s : masqué", sex=name))
            continue
        score = ctx.t.percent(row.average_score) if row.average_score is not None else "–"
        lines.append(
            ctx._(
                "· %(sex)s : %(learners)s élèves, %(active)s actifs sur 7 jours, "
                "%(lessons)s leçons terminées, score moyen %(score)s",
                sex=name,
                learners=ctx.t.number(row.learners),
                active=_count(ctx, row.active_7),
                lessons=ctx.t.number(row.lessons_done),
                score=score,
            )
        )
    return "\n".join(lines)


def sex_table(ctx: Context, groups: list[tuple[SexFigures, bool]]) -> bytes:
    """Students by country and sex as CSV; a hidden group's figures are left empty."""
    rows: list[list[object]] = [
        [
            ctx._("pays"),
            ctx._("sexe"),
            ctx._("élèves"),
            ctx._("actifs 7 jours"),
            ctx._("leçons terminées"),
            ctx._("quiz"),
            ctx._("score moyen"),
        ]
    ]
    for row, hidden in groups:
        if not row.learners:
            continue
        head: list[object] = [row.country or ctx._("tous"), row.sex]
        if hidden:
            rows.append([*head, "", "", "", "", ""])
            continue
        score = f"{row.average_score:.3f}" if row.average_score is not None else ""
        active = "" if 0 < row.active_7 < SMALL else row.active_7
        rows.append([*head, row.learners, active, row.lessons_done, row.quizzes, score])
    return csv_bytes(rows)


def summary(ctx: Context, impact: Impact) -> str:
    """The figures in words: all countries together, then each country."""
    lines = [ctx._("📊 Impact du programme"), "", _figures(ctx, impact.total())]
    for row in impact.countries:
        name = ctx.t.country_name(row.country) if len(row.country) == 2 else ctx._("Autre pays")
        lines += ["", ctx._("%(country)s : %(figures)s", country=name, figures=_figures(ctx, row))]
    for channel in impact.failures:  # per channel, named by its label (bot/channels.py)
        codes = ", ".join(
            f"{code} × {ctx.t.number(count)}" for code, count in channel.codes.items()
        )
        lines += [
            "",
            ctx._(
                "Messages %(channel)s refusés (code × nombre) : %(codes)s",
                channel=channel.label,
                codes=codes,
            ),
        ]
    if impact.paid_announcements:  # SMS by the part, WhatsApp's templates by the message
        lines += [
            "",
            ctx._(
                "Annonces payées au message, 30 derniers jours : %(sent)s envoyées, %(cost)s",
                sent=ctx.t.number(impact.paid_announcements),
                cost=paid_cost(ctx, impact.paid_parts, impact.paid_templates),
            ),
        ]
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
    """One line of figures, each count with its noun in the singular or the plural."""
    score = ctx.t.percent(row.average_score) if row.average_score is not None else "–"
    return ctx._(
        "%(learners)s, %(a7)s, %(a30)s ; %(lessons)s, %(quizzes)s (score moyen %(score)s) ; "
        "%(teachers)s, %(classes)s, %(courses)s dont %(shared)s pour tous les pays.",
        learners=ctx.ngettext("%(n)s élève inscrit", "%(n)s élèves inscrits", row.learners),
        a7=ctx.ngettext("%(n)s actif sur 7 jours", "%(n)s actifs sur 7 jours", row.active_7),
        a30=ctx.ngettext("%(n)s sur 30 jours", "%(n)s sur 30 jours", row.active_30),
        lessons=ctx.ngettext("%(n)s leçon terminée", "%(n)s leçons terminées", row.lessons_done),
        quizzes=ctx.ngettext("%(n)s quiz", "%(n)s quiz", row.quizzes),
        score=score,
        teachers=ctx.ngettext("%(n)s enseignant", "%(n)s enseignants", row.teachers),
        classes=ctx.ngettext("%(n)s classe", "%(n)s classes", row.classes),
        courses=ctx.ngettext("%(n)s cours publié", "%(n)s cours publiés", row.courses),
        shared=ctx.t.number(row.shared),
    )


def table(ctx: Context, impact: Impact) -> bytes:
    """The per-country figures as CSV (UTF-8 with a BOM, so spreadsheets read the accents)."""
    rows: list[list[object]] = []
    rows.append(
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
        rows.append(
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
    return csv_bytes(rows)


STEPS: dict[str, Step] = {"admin_stats": admins_only(admin_stats)}
FLOW = Flow("stats", STEPS, {"stats": stats_command}, services=("admin", "charts", "translations"))
