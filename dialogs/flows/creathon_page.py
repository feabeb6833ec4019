"""A Creathon's page: where it stands and what each person can do there; the admin moves it
on (close submissions, hand the shortlist to the jury, proclaim the results); the results
rank by jury score (ties: peer score), and the three winners are published to every
country, marked in the shared library and announced to teachers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from content.format_write import with_header

from dialogs.admin_ports import Audience, BroadcastDraft
from dialogs.context import Context, Turn
from dialogs.creathon_ports import DONE, JUROR, JURY, OPEN, PEER, REVIEW, Contest, Standing
from dialogs.events import Entered, Incoming
from dialogs.flow import FlowState, state_of
from dialogs.flows.admin import desk
from dialogs.flows.authoring import _parsed
from dialogs.flows.common import route
from dialogs.flows.creathon import (
    chosen_contest,
    close_submissions,
    contest_text,
    creathon,
    is_juror,
    may_run,
    notice_texts,
    start_jury,
)
from dialogs.flows.teachers import is_teacher
from dialogs.messages import Ask, Option, Say
from dialogs.ports import LibraryChanged
from dialogs.rubric import ranking


@dataclass
class Entries(FlowState, flow="creathon_entries"):
    """The state of the contest's page and what is done from it (dialogs/flows/
    creathon_entries.py): the scenario being submitted, the kind of review chosen on the
    page, and the scenario being scored with the scores given so far."""

    course: str = ""  # the course submitted
    description: str | None = None  # how it is used in class, once written
    kind: str = PEER  # PEER or JUROR
    review: int | None = None  # the review being scored
    scores: list[int] = field(default_factory=list)  # one per criterion, in order
    legacy = {  # noqa: RUF012
        "course": "cr_entry.course",
        "description": "cr_entry.description",
        "kind": "cr_kind",
        "review": "cr_review.id",
        "scores": "cr_review.scores",
    }


WINNERS = 3


async def _options(ctx: Context, contest: Contest) -> tuple[Option, ...]:
    """What this person can do on this contest now."""
    found: list[Option] = []
    teacher = await is_teacher(ctx)
    mine = await creathon(ctx).mine(contest.id) if teacher else None
    if teacher and contest.status == OPEN:
        label = ctx._("✏️ Modifier mon scénario") if mine else ctx._("📤 Déposer mon scénario")
        found.append(Option("submit", label))
    if contest.status == REVIEW and await creathon(ctx).to_review(contest.id, PEER):
        found.append(Option("peer", ctx._("📝 Relire les scénarios")))
    if contest.status == JURY and await is_juror(ctx, contest):
        found.append(Option("jury", ctx._("⚖️ Noter la présélection")))
    if mine is not None and contest.status != OPEN:
        found.append(Option("feedback", ctx._("📬 Les avis sur mon scénario")))
    if await may_run(ctx):
        found += _admin_options(ctx, contest)
    return (*found, Option("back", ctx._("⬅️ Le Creathon")))


def _admin_options(ctx: Context, contest: Contest) -> list[Option]:
    """The admin's way to move the contest on."""
    moves = {
        OPEN: Option("close", ctx._("🔒 Clore les dépôts")),
        REVIEW: Option("to_jury", ctx._("⚖️ Passer au jury")),
        JURY: Option("results", ctx._("🏆 Proclamer les résultats")),
    }
    return [moves[contest.status]] if contest.status in moves else []


async def cr_contest(ctx: Context, event: Incoming) -> Turn:
    """A contest's page: its rules and phase, the results once published, and the actions."""
    contest = await chosen_contest(ctx)
    if contest is None:
        return Turn(goto="cr_home")
    options = await _options(ctx, contest)
    if isinstance(event, Entered):
        return Turn([Ask(await _page(ctx, contest), options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen in ("peer", "jury"):
        state_of(ctx, Entries).kind = PEER if chosen == "peer" else JUROR
        return Turn(goto="cr_reviews")
    steps = {"submit": "cr_pick_course", "feedback": "cr_feedback", "back": "cr_home"}
    if chosen in steps:
        return Turn(goto=steps[chosen])
    return await _move_on(ctx, contest, chosen)


async def _page(ctx: Context, contest: Contest) -> str:
    """The page's text."""
    lines = [contest_text(ctx, contest)]
    mine = await creathon(ctx).mine(contest.id)
    if mine is not None:
        title = await _my_title(ctx, mine.course_id)
        lines.append(ctx._("Votre scénario : le cours « %(course)s ».", course=title))
    if await may_run(ctx):
        count = len(await creathon(ctx).submissions(contest.id))
        lines.append(ctx.ngettext("%(n)s scénario déposé.", "%(n)s scénarios déposés.", count))
    if contest.status == DONE:
        lines += [ctx._("Résultats :"), *await results_lines(ctx, contest)]
    return "\n".join(lines)


async def _move_on(ctx: Context, contest: Contest, chosen: str) -> Turn:
    """An admin's move (checked again in this turn)."""
    if not await may_run(ctx):
        text = ctx._("Seul un administrateur régional peut ouvrir un concours.")
        return Turn([Say(text)], goto="cr_contest")
    if chosen == "close" and contest.status == OPEN:
        count = await close_submissions(ctx, contest)
        text = ctx.ngettext(
            "Dépôts clos : %(n)s relecteur a reçu des scénarios.",
            "Dépôts clos : %(n)s relecteurs ont reçu des scénarios.",
            count,
        )
        return Turn([Say(text)], goto="cr_contest")
    if chosen == "to_jury" and contest.status == REVIEW:
        count = await start_jury(ctx, contest)
        text = ctx.ngettext(
            "%(n)s scénario présélectionné pour le jury.",
            "%(n)s scénarios présélectionnés pour le jury.",
            count,
        )
        return Turn([Say(text)], goto="cr_contest")
    if chosen == "results" and contest.status == JURY:
        return await proclaim(ctx, contest)
    return Turn(goto="cr_contest")


def course_title(ctx: Context, standing: Standing, source: str) -> str:
    """A submitted course's title (its id when the text no longer reads)."""
    parsed = _parsed(ctx, standing.submission.course_id, source) if ctx.services.authoring else None
    return (
        standing.submission.course_id if parsed is None or isinstance(parsed, str) else parsed.title
    )


async def _my_title(ctx: Context, course_id: str) -> str:
    """The title of one of the teacher's own courses (its id if it no longer reads)."""
    if ctx.services.authoring is None:
        return course_id
    for mine in await ctx.services.authoring.mine():
        if mine.course_id == course_id:
            parsed = _parsed(ctx, mine.course_id, mine.source)
            return course_id if isinstance(parsed, str) else parsed.title
    found = ctx.library.get(course_id)
    return found.title if found else course_id


async def _titles(ctx: Context, standings: list[Standing]) -> dict[int, str]:
    """The titles of the submitted courses, by submission."""
    found = {}
    for standing in standings:
        source = await creathon(ctx).winner_source(standing.submission.id) or ""
        found[standing.submission.id] = course_title(ctx, standing, source)
    return found


async def results_lines(ctx: Context, contest: Contest) -> list[str]:
    """The ranking: title, author, country, jury and peer scores."""
    ranked = ranking(await creathon(ctx).standings(contest.id))
    titles = await _titles(ctx, ranked)
    return [
        _result_line(ctx, index, standing, titles[standing.submission.id])
        for index, standing in enumerate(ranked, 1)
    ]


def _result_line(ctx: Context, rank: int, standing: Standing, title: str) -> str:
    """ "🥇 1. « L'eau » — Awa Ndiaye (Sénégal) · jury 82 · pairs 75"."""
    medal = {1: "🥇 ", 2: "🥈 ", 3: "🥉 "}.get(rank, "")
    return medal + ctx._(
        "%(rank)s. « %(title)s » — %(author)s (%(country)s) · jury %(jury)s · pairs %(peer)s",
        rank=rank,
        title=title,
        author=standing.author_name or ctx._("auteur inconnu"),
        country=ctx.t.country_name(standing.submission.country),
        jury="–" if standing.jury is None else ctx.t.number(standing.jury, 1),
        peer="–" if standing.peer is None else ctx.t.number(standing.peer, 1),
    )


async def proclaim(ctx: Context, contest: Contest) -> Turn:
    """Rank, publish the winners to every country, and announce them to teachers."""
    ranked = ranking(await creathon(ctx).standings(contest.id))
    winners = ranked[:WINNERS]
    sources = {}
    for standing in winners:
        source = await creathon(ctx).winner_source(standing.submission.id)
        if source is not None:
            sources[standing.submission.id] = with_header(source, "country", "all")
    ranks = {s.submission.id: rank for rank, s in enumerate(ranked, 1)}
    await creathon(ctx).crown(contest.id, ranks, sources)
    titles = await _titles(ctx, winners)
    await _announce(ctx, contest, winners, titles)
    done = ctx._("Résultats publiés : les lauréats sont dans la bibliothèque partagée.")
    return Turn([Say(done)], goto="cr_contest", effects=[LibraryChanged()])


async def _announce(
    ctx: Context, contest: Contest, winners: list[Standing], titles: dict[int, str]
) -> None:
    """The winners, announced to every teacher in their language."""

    def render(_: Callable[[str], str]) -> str:
        names = "\n".join(
            f"{rank}. « {titles[s.submission.id]} » — {s.author_name}"
            for rank, s in enumerate(winners, 1)
        )
        return _(
            "🏆 Creathon « %(theme)s » : voici les lauréats !\n%(winners)s\nLeurs scénarios "
            "sont dans la bibliothèque partagée (Espace enseignant)."
        ) % {"theme": contest.theme, "winners": names}

    audience = Audience(roles=("teacher",))
    await desk(ctx).create_broadcast(BroadcastDraft(notice_texts(render, ctx), audience))
