"""The Creathon: a regional admin opens a contest of pedagogical scenarios (theme, rules,
classes and subjects, deadlines, a weighted rubric, a jury); teachers submit one of their
courses with how they use it in class; peers of other countries review each scenario
anonymously; the jury scores the shortlist; the winners are published to every country,
marked in the shared library, and announced to teachers.

This module holds the contest's pages and the admin's steps; creathon_entries.py holds what
teachers and jurors do (submit, review, score).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from content.model import LEVELS, SUBJECTS

from dialogs.context import Context, Step, Turn
from dialogs.creathon_ports import DONE, JURY, OPEN, REVIEW, Contest, ContestDraft, CreathonDesk
from dialogs.events import Entered, Incoming, TextReceived
from dialogs.flow import Flow, FlowState, fresh, state_of
from dialogs.flows.admin import admins_only, desk
from dialogs.flows.common import menu_option, route
from dialogs.flows.learning import subject_name
from dialogs.flows.onboarding import level_name
from dialogs.flows.teachers import is_teacher
from dialogs.lines import as_lines
from dialogs.messages import Ask, Option, Out, Say
from dialogs.roles import Action, is_admin, may
from dialogs.rubric import parse_rubric, shortlist
from dialogs.services import need
from dialogs.when import parse_when, zone_of

MAX_THEME = 120
MAX_RULES = 1500
MAX_JURY = 9
LANGUAGES = ("fr", "en", "ar")  # the notices and the announcement go out in these


@dataclass
class Opening(FlowState, flow="creathon"):
    """The contest a regional admin is describing, until it is opened: the deadlines as ISO
    texts, the rubric as [criterion, weight] pairs, the jurors' user ids. And the contest
    whose page is open (`contest`): this flow calls the page (`open_page`), so it keeps it
    while the page and what is done from it run (dialogs/flows/creathon_entries.py)."""

    contest: int | None = None
    theme: str | None = None
    rules: str | None = None
    levels: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    submit_by: str | None = None
    review_by: str | None = None
    criteria: list[list[Any]] | None = None
    jury: list[int] | None = None
    legacy = {  # noqa: RUF012
        "contest": "cr",
        **{
            name: f"cr_new.{name}"
            for name in (
                "theme",
                "rules",
                "levels",
                "subjects",
                "submit_by",
                "review_by",
                "criteria",
                "jury",
            )
        },
    }


def creathon(ctx: Context) -> CreathonDesk:
    """The Creathon port; every channel that runs these flows provides it."""
    return need(ctx.services.creathon, "creathon", "the Creathon")


async def may_run(ctx: Context) -> bool:
    """Whether the person may open and run contests (they are for every country)."""
    return ctx.services.admin is not None and may(
        await ctx.services.admin.grants(), Action.CREATHON, None
    )


async def is_juror(ctx: Context, contest: Contest | None = None) -> bool:
    """Whether the person sits on the jury of this contest (of any, without one)."""
    if ctx.services.creathon is None:
        return False
    judging = await creathon(ctx).judging()
    return contest.id in judging if contest is not None else bool(judging)


async def takes_part(ctx: Context) -> bool:
    """Teachers, admins and jurors reach the Creathon; students do not."""
    if ctx.services.admin is None or ctx.services.creathon is None:
        return False
    if await is_teacher(ctx) or is_admin(await ctx.services.admin.grants()):
        return True
    return await is_juror(ctx)


def contest_people_only(step: Step) -> Step:
    """A step that first checks, in this very turn, that the person takes part."""

    async def checked(ctx: Context, event: Incoming) -> Turn:
        if not await takes_part(ctx):
            fresh(ctx, Opening)
            text = ctx._("Le Creathon est réservé aux enseignants, au jury et aux administrateurs.")
            return Turn([Say(text)], goto="menu")
        return await step(ctx, event)

    checked.__doc__ = step.__doc__
    return checked


async def creathon_command(ctx: Context, event: Incoming) -> Turn:
    """/creathon: the contests, for the people who take part."""
    if not await takes_part(ctx):
        text = ctx._("Le Creathon est réservé aux enseignants, au jury et aux administrateurs.")
        return Turn([Say(text)], reprompt=True)
    return Turn(goto="cr_home")


def phase_name(ctx: Context, status: str) -> str:
    """Where a contest stands, as people say it."""
    return {
        OPEN: ctx._("dépôts ouverts"),
        REVIEW: ctx._("relecture par les pairs"),
        JURY: ctx._("notation par le jury"),
        DONE: ctx._("résultats publiés"),
    }.get(status, status)


async def cr_home(ctx: Context, event: Incoming) -> Turn:
    """The contests, newest first; a regional admin opens a new one."""
    listed = await creathon(ctx).contests()
    options = tuple(
        Option(f"k{c.id}", f"🏆 {c.theme} · {phase_name(ctx, c.status)}") for c in listed[:8]
    )
    if await may_run(ctx):
        options += (Option("new", ctx._("➕ Nouveau concours")),)
    options += (menu_option(ctx),)
    if isinstance(event, Entered):
        text = ctx._("🏆 Creathon : les concours de scénarios pédagogiques.")
        if not listed:
            text += "\n" + ctx._("Aucun concours pour l'instant.")
        return Turn([Ask(text, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "new":
        fresh(ctx, Opening)
        return Turn(goto="cr_theme")
    return open_page(ctx, int(chosen[1:]))


def open_page(ctx: Context, contest_id: int, said: tuple[Out, ...] = ()) -> Turn:
    """The contest's page, called: back here, at the contests, when it is left."""
    state_of(ctx, Opening).contest = contest_id
    return Turn(list(said), call="cr_contest", then="cr_home")


def new_contest(ctx: Context) -> Opening:
    """The contest being opened, kept in the flow's state."""
    return state_of(ctx, Opening)


def _back(ctx: Context) -> Option:
    """The way back to the contests."""
    return Option("back", ctx._("⬅️ Le Creathon"))


async def _typed(
    ctx: Context,
    event: Incoming,
    question: str,
    keep: Callable[[str], Turn],
    lines: bool = False,
) -> Turn:
    """Ask for a text (`lines`: a list, one item per line); `keep` takes it; the back button
    leads to the contests."""
    options = (_back(ctx),)
    if not await may_run(ctx):
        fresh(ctx, Opening)
        text = ctx._("Seul un administrateur régional peut ouvrir un concours.")
        return Turn([Say(text)], goto="cr_home")
    if isinstance(event, Entered):
        return Turn([Ask(question, options, ctx.state.prompt, lines=lines)])
    if isinstance(event, TextReceived) and not event.text.startswith("/") and event.text.strip():
        return keep(event.text.strip())
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    fresh(ctx, Opening)
    return Turn(goto="cr_home")


async def cr_theme(ctx: Context, event: Incoming) -> Turn:
    """The contest's theme (for example « L'eau dans notre village »)."""

    def keep(text: str) -> Turn:
        new_contest(ctx).theme = " ".join(text.split())[:MAX_THEME]
        return Turn(goto="cr_rules")

    question = ctx._("Le thème du concours (par exemple « L'eau dans notre village ») :")
    return await _typed(ctx, event, question, keep)


async def cr_rules(ctx: Context, event: Incoming) -> Turn:
    """The contest's rules, as one message."""

    def keep(text: str) -> Turn:
        new_contest(ctx).rules = text[:MAX_RULES]
        return Turn(goto="cr_levels")

    question = ctx._("Le règlement du concours, en un seul message :")
    return await _typed(ctx, event, question, keep)


async def _ticks(
    ctx: Context, event: Incoming, key: str, choices: tuple[Option, ...], then: str
) -> Turn:
    """Tick some of `choices` (none ticked: all of them), then « Valider »."""
    work = new_contest(ctx)
    ticked = work.levels if key == "levels" else work.subjects
    options = tuple(
        Option(o.id, ("✅ " if o.id in ticked else "⬜ ") + o.label) for o in choices
    ) + (Option("done", ctx._("Valider ▶️")), _back(ctx))
    if isinstance(event, Entered):
        text = ctx._("Touchez pour cocher, puis « Valider » (rien de coché : toutes).")
        return Turn([Ask(text, options, ctx.state.prompt, 3)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen in ("done", "back"):
        if chosen == "back":
            fresh(ctx, Opening)
        return Turn(goto=then if chosen == "done" else "cr_home")
    if chosen in ticked:
        ticked.remove(chosen)
    else:
        ticked.append(chosen)
    return Turn(goto=str(ctx.state.step))


async def cr_levels(ctx: Context, event: Incoming) -> Turn:
    """The classes the contest is for."""
    choices = tuple(Option(code, level_name(ctx, code)) for code in LEVELS)
    return await _ticks(ctx, event, "levels", choices, "cr_subjects")


async def cr_subjects(ctx: Context, event: Incoming) -> Turn:
    """The subjects the contest is for."""
    choices = tuple(Option(key, subject_name(ctx, key)) for key in SUBJECTS)
    return await _ticks(ctx, event, "subjects", choices, "cr_submit_by")


async def _deadline(ctx: Context, event: Incoming, key: str, question: str, then: str) -> Turn:
    """A typed day and time, after now (and after the submission deadline for reviews)."""
    zone = zone_of(ctx.profile.country)
    after = new_contest(ctx).submit_by if key == "review_by" else None
    earliest = ctx.now if after is None else _moment(after)

    def keep(text: str) -> Turn:
        moment = parse_when(text, ctx.now, zone)
        if moment is None or moment <= earliest:
            again = ctx._("Je n'ai pas compris cette date, ou elle est déjà passée.")
            return Turn([Say(again)], reprompt=True)
        setattr(new_contest(ctx), key, moment.isoformat())
        return Turn(goto=then)

    return await _typed(ctx, event, question, keep)


def _moment(value: str) -> datetime:
    """A deadline kept in the dialog state."""
    return datetime.fromisoformat(value)


async def cr_submit_by(ctx: Context, event: Incoming) -> Turn:
    """The submission deadline."""
    question = ctx._(
        "Date limite des dépôts ? Écrivez le jour et l'heure, par exemple « 15/01 18:00 »."
    )
    return await _deadline(ctx, event, "submit_by", question, "cr_review_by")


async def cr_review_by(ctx: Context, event: Incoming) -> Turn:
    """The review deadline, after the submission deadline."""
    question = ctx._("Date limite des relectures ? Par exemple « 31/01 18:00 ».")
    return await _deadline(ctx, event, "review_by", question, "cr_rubric")


async def cr_rubric(ctx: Context, event: Incoming) -> Turn:
    """The rubric: one criterion a line with its weight; the weights sum to 100."""

    def keep(text: str) -> Turn:
        parsed = parse_rubric(as_lines(text, dashes=False))  # "Clarté - 30" keeps its dash
        if isinstance(parsed, str):
            problem = {
                "sum": ctx._("Les poids doivent faire 100 en tout."),
                "count": ctx._("Donnez entre 1 et 8 critères."),
            }.get(parsed, ctx._("Chaque ligne doit être un critère suivi de son poids."))
            return Turn([Say(problem)], reprompt=True)
        new_contest(ctx).criteria = [list(c) for c in parsed]
        return Turn(goto="cr_jury")

    question = ctx._(
        "La grille d'évaluation : un critère par ligne suivi de son poids, les poids faisant "
        "100 en tout. Par exemple :\nClarté 30\nActivité des élèves 40\nAdaptation au "
        "contexte 30"
    )
    return await _typed(ctx, event, question, keep, lines=True)


async def cr_jury(ctx: Context, event: Incoming) -> Turn:
    """The jury: the codes the jurors get with /mon_code, separated by spaces."""
    codes: list[str] = []

    def keep(text: str) -> Turn:
        codes.extend(text.split()[:MAX_JURY])
        return Turn(goto="cr_confirm")

    question = ctx._(
        "Le jury : écrivez les codes des jurés, séparés par des espaces. "
        "Chacun obtient le sien en écrivant /mon_code au bot."
    )
    turn = await _typed(ctx, event, question, keep)
    if not codes:
        return turn
    found = []
    for code in codes:
        person = await desk(ctx).find_person(code)
        if person is None:
            unknown = ctx._("Je ne trouve personne avec le code %(code)s.", code=code.upper())
            return Turn([Say(unknown)], reprompt=True)
        found.append(person[0])
    new_contest(ctx).jury = sorted(set(found))
    return turn


def _draft(work: Opening) -> ContestDraft | None:
    """The contest the admin described (None until every part is given)."""
    needed = (work.theme, work.rules, work.submit_by, work.review_by, work.criteria, work.jury)
    if any(part is None for part in needed):
        return None
    return ContestDraft(
        theme=str(work.theme),
        rules=str(work.rules),
        levels=tuple(work.levels),
        subjects=tuple(work.subjects),
        submit_by=_moment(str(work.submit_by)),
        review_by=_moment(str(work.review_by)),
        criteria=tuple((str(n), int(w)) for n, w in work.criteria or ()),
        jury=tuple(int(j) for j in work.jury or ()),
    )


async def cr_confirm(ctx: Context, event: Incoming) -> Turn:
    """The contest as teachers will read it; open it, or start over."""
    draft = _draft(new_contest(ctx))
    if not await may_run(ctx) or draft is None:
        fresh(ctx, Opening)
        return Turn(goto="cr_home")
    options = (Option("open", ctx._("✅ Ouvrir le concours")), _back(ctx))
    if isinstance(event, Entered):
        summary = contest_text(ctx, Contest(**vars(draft)))
        return Turn([Say(summary), Ask(ctx._("On l'ouvre ?"), options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    fresh(ctx, Opening)
    if chosen == "back":
        return Turn(goto="cr_home")
    contest_id = await creathon(ctx).open_contest(draft)
    done = ctx._("Le concours « %(theme)s » est ouvert aux dépôts.", theme=draft.theme)
    return open_page(ctx, contest_id, (Say(done),))


def when_text(ctx: Context, moment: datetime) -> str:
    """A deadline in the reader's time zone: "15 janv. 2027 à 18:00"."""
    local = moment.astimezone(zone_of(ctx.profile.country))
    return ctx._("%(date)s à %(time)s", date=ctx.t.date(local), time=local.strftime("%H:%M"))


def contest_text(ctx: Context, contest: Contest) -> str:
    """A contest's page: theme, rules, classes, subjects, deadlines, rubric, phase."""
    levels = ", ".join(level_name(ctx, c) for c in contest.levels) or ctx._("toutes")
    subjects = ", ".join(subject_name(ctx, s) for s in contest.subjects) or ctx._("toutes")
    rubric = ", ".join(f"{name} {weight} %" for name, weight in contest.criteria)
    lines = [
        ctx._("🏆 Creathon « %(theme)s »", theme=contest.theme),
        contest.rules,
        ctx._("Classes : %(levels)s · Matières : %(subjects)s", levels=levels, subjects=subjects),
        ctx._(
            "Dépôts jusqu'au %(submit)s · relectures jusqu'au %(review)s",
            submit=when_text(ctx, contest.submit_by),
            review=when_text(ctx, contest.review_by),
        ),
        ctx._("Grille : %(rubric)s", rubric=rubric),
        ctx._("Étape : %(phase)s", phase=phase_name(ctx, contest.status)),
    ]
    return "\n".join(lines)


async def chosen_contest(ctx: Context) -> Contest | None:
    """The contest whose page is open, moved on if a deadline has passed."""
    wanted = state_of(ctx, Opening).contest
    found = next((c for c in await creathon(ctx).contests() if c.id == wanted), None)
    if found is None:
        return None
    if found.status == OPEN and ctx.now >= found.submit_by:
        await close_submissions(ctx, found)
    elif found.status == REVIEW and ctx.now >= found.review_by:
        await start_jury(ctx, found)
    else:
        return found
    return next((c for c in await creathon(ctx).contests() if c.id == wanted), None)


def notice_texts(render: Callable[[Callable[[str], str]], str], ctx: Context) -> dict[str, str]:
    """A notice in each language of the programme (each person reads theirs)."""
    return {lang: render(ctx.translator_for(lang).gettext) for lang in LANGUAGES}


async def close_submissions(ctx: Context, contest: Contest) -> int:
    """Close the submissions, draw the reviewers and tell them; how many reviewers."""
    reviewers = await creathon(ctx).close_submissions(contest.id)
    if reviewers and ctx.services.teaching is not None:

        def render(_: Callable[[str], str]) -> str:
            return _(
                "🏆 Creathon « %(theme)s » : des scénarios vous attendent pour une relecture "
                "anonyme. Écrivez /creathon pour les lire et les noter."
            ) % {"theme": contest.theme}

        await ctx.services.teaching.notify(notice_texts(render, ctx), user_ids=reviewers)
    return len(reviewers)


async def start_jury(ctx: Context, contest: Contest) -> int:
    """Hand the best scenarios by peer score to the jury and tell the jurors."""
    standings = await creathon(ctx).standings(contest.id)
    best = tuple(s.submission.id for s in shortlist(standings, contest.shortlist))
    jurors = await creathon(ctx).start_jury(contest.id, best)
    if jurors and ctx.services.teaching is not None:

        def render(_: Callable[[str], str]) -> str:
            return _(
                "🏆 Creathon « %(theme)s » : la présélection attend la note du jury. "
                "Écrivez /creathon pour la lire et la noter."
            ) % {"theme": contest.theme}

        await ctx.services.teaching.notify(notice_texts(render, ctx), user_ids=jurors)
    return len(best)


STEPS: dict[str, Step] = {
    "cr_home": contest_people_only(cr_home),
    **{
        name: admins_only(step)
        for name, step in {
            "cr_theme": cr_theme,
            "cr_rules": cr_rules,
            "cr_levels": cr_levels,
            "cr_subjects": cr_subjects,
            "cr_submit_by": cr_submit_by,
            "cr_review_by": cr_review_by,
            "cr_rubric": cr_rubric,
            "cr_jury": cr_jury,
            "cr_confirm": cr_confirm,
        }.items()
    },
}
FLOW = Flow(
    "creathon", STEPS, {"creathon": creathon_command}, services=("admin", "creathon"), state=Opening
)
