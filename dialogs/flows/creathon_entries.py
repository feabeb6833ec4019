"""What teachers and jurors do in a Creathon: a teacher submits one of their own courses
(a draft or a published one, as long as it reads without error and fits the contest's
classes and subjects) with how they use it in class, and may change it until the deadline;
reviewers and jurors read each scenario handed to them without its author's name, score
each criterion of the rubric from 0 to 10 and comment; authors read their reviews, never
who wrote them."""

from __future__ import annotations

from content.format_write import with_header
from content.model import Course

from dialogs.context import Context, Step, Turn
from dialogs.creathon_ports import JUROR, PEER, Contest, ToReview
from dialogs.events import Entered, Incoming, TextReceived
from dialogs.flow import Flow, state_of
from dialogs.flows.authoring import _parsed, authoring
from dialogs.flows.classes import teachers_only
from dialogs.flows.common import route
from dialogs.flows.creathon import chosen_contest, contest_people_only, creathon, when_text
from dialogs.flows.creathon_page import Entries, cr_contest
from dialogs.flows.publishing import ask_name_then, signature
from dialogs.messages import Ask, Option, Out, Say
from dialogs.rubric import TOP, weighted

MAX_DESCRIPTION = 500
MAX_COMMENT = 500
LISTED = 8


def _back(ctx: Context) -> Option:
    """The way back to the contest's page."""
    return Option("back", ctx._("⬅️ Le concours"))


def fits(course: Course, contest: Contest) -> bool:
    """Whether a course is for the contest's classes and subjects (none chosen: any)."""
    subject_ok = not contest.subjects or course.subject in contest.subjects
    levels_ok = not contest.levels or bool(set(course.levels) & set(contest.levels))
    return subject_ok and levels_ok


async def _eligible(ctx: Context, contest: Contest) -> list[Course]:
    """The teacher's own courses (drafts and published) that read and fit the contest."""
    found = []
    for mine in await authoring(ctx).mine():
        parsed = _parsed(ctx, mine.course_id, mine.source)
        if not isinstance(parsed, str) and fits(parsed, contest):
            found.append(parsed)
    return found


async def cr_pick_course(ctx: Context, event: Incoming) -> Turn:
    """Which of the teacher's courses is their scenario."""
    contest = await chosen_contest(ctx)
    if contest is None or contest.status != "open":
        return Turn(goto="cr_contest" if contest else "cr_home")
    courses = await _eligible(ctx, contest)
    options = tuple(Option(f"c:{c.id}", f"📘 {c.title}") for c in courses[:LISTED])
    options += (_back(ctx),)
    if isinstance(event, Entered):
        text = ctx._(
            "Quel cours proposez-vous ? Un de vos cours, brouillon ou publié, pour les classes "
            "et matières du concours."
        )
        if not courses:
            text = ctx._(
                "Aucun de vos cours ne convient : écrivez-en un dans « Mes cours » pour les "
                "classes et matières du concours."
            )
        return Turn([Ask(text, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "back":
        return Turn(goto="cr_contest")
    work = state_of(ctx, Entries)
    work.course, work.description = chosen[2:], None
    return Turn(goto="cr_describe")


async def cr_describe(ctx: Context, event: Incoming) -> Turn:
    """How the course is used in class, in a few sentences."""
    options = (_back(ctx),)
    if isinstance(event, Entered):
        text = ctx._(
            "Décrivez en quelques phrases comment vous utilisez ce cours en classe "
            "(%(max)s caractères au plus) :",
            max=ctx.t.number(MAX_DESCRIPTION),
        )
        return Turn([Ask(text, options, ctx.state.prompt)])
    if isinstance(event, TextReceived) and not event.text.startswith("/") and event.text.strip():
        description = " ".join(event.text.split())[:MAX_DESCRIPTION]
        state_of(ctx, Entries).description = description
        return Turn(goto="cr_submitted")
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    _forget_entry(ctx)
    return Turn(goto="cr_contest")


async def cr_submitted(ctx: Context, event: Incoming) -> Turn:
    """Sign the course if it is not signed yet, then keep the submission."""
    work = state_of(ctx, Entries)
    description = work.description
    contest = await chosen_contest(ctx)
    mine = await authoring(ctx).get(str(work.course))
    if contest is None or mine is None or description is None:
        _forget_entry(ctx)
        return Turn(goto="cr_contest" if contest else "cr_home")
    name = await signature(ctx)
    if name is None:
        return ask_name_then(ctx, "cr_submitted")
    parsed = _parsed(ctx, mine.course_id, mine.source)
    if not isinstance(parsed, str) and not parsed.authors:
        await authoring(ctx).save(mine.course_id, with_header(mine.source, "authors", name))
    _forget_entry(ctx)
    kept = await creathon(ctx).submit(contest.id, mine.course_id, str(description))
    if not kept:
        return Turn([Say(ctx._("Les dépôts de ce concours sont clos."))], goto="cr_contest")
    done = ctx._(
        "Votre scénario est déposé. Vous pouvez le modifier jusqu'au %(date)s.",
        date=when_text(ctx, contest.submit_by),
    )
    return Turn([Say(done)], goto="cr_contest")


def _forget_entry(ctx: Context) -> None:
    """The submission is kept or given up: forget it."""
    work = state_of(ctx, Entries)
    work.course, work.description = "", None


def _kind(ctx: Context) -> str:
    """Peer review or jury scoring, as the contest's page chose."""
    return JUROR if state_of(ctx, Entries).kind == JUROR else PEER


def _letter(index: int) -> str:
    """Scenarios are named A, B, C... for each reviewer: nothing of their author."""
    return chr(ord("A") + index % 26)


async def cr_reviews(ctx: Context, event: Incoming) -> Turn:
    """The scenarios handed to this person, with what is left to score."""
    contest = await chosen_contest(ctx)
    if contest is None:
        return Turn(goto="cr_home")
    handed = await creathon(ctx).to_review(contest.id, _kind(ctx))
    options = tuple(
        Option(
            f"r{item.review_id}",
            ("✅ " if item.done else "⏳ ") + ctx._("Scénario %(letter)s", letter=_letter(i)),
        )
        for i, item in enumerate(handed)
    ) + (_back(ctx),)
    if isinstance(event, Entered):
        left = sum(not item.done for item in handed)
        text = ctx.ngettext(
            "Scénarios anonymes à noter : %(n)s reste à faire.",
            "Scénarios anonymes à noter : %(n)s restent à faire.",
            left,
        )
        return Turn([Ask(text, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "back":
        return Turn(goto="cr_contest")
    work = state_of(ctx, Entries)
    work.review, work.scores = int(chosen[1:]), []
    return Turn(goto="cr_read")


async def _handed(ctx: Context) -> tuple[Contest, ToReview] | None:
    """The contest and the scenario the state points to, if it is handed to this person."""
    contest = await chosen_contest(ctx)
    wanted = state_of(ctx, Entries).review
    if contest is None:
        return None
    handed = await creathon(ctx).to_review(contest.id, _kind(ctx))
    item = next((h for h in handed if h.review_id == wanted), None)
    return None if item is None else (contest, item)


def scenario(ctx: Context, item: ToReview) -> list[Out]:
    """The scenario as reviewers read it: how it is used, then the course; no author."""
    shown: list[Out] = [Say(ctx._("Utilisation en classe : %(text)s", text=item.description))]
    parsed = _parsed(ctx, item.course_id, item.source)
    if isinstance(parsed, str):
        return [*shown, Say(parsed)]
    shown.append(Say(f"📘 {parsed.title}" + (f"\n{parsed.summary}" if parsed.summary else "")))
    for number, les in enumerate(parsed.lessons, 1):
        steps = "\n\n".join(step.text for step in les.steps)
        shown.append(Say(f"{number}. {les.title}\n\n{steps}"))
        for question in les.quiz.questions if les.quiz else ():
            answers = "\n".join(("✅ " if c.correct else "▫️ ") + c.text for c in question.choices)
            shown.append(Say(f"❓ {question.text}\n{answers}"))
    return shown


async def cr_read(ctx: Context, event: Incoming) -> Turn:
    """Read a scenario, then score it."""
    found = await _handed(ctx)
    if found is None:
        return Turn(goto="cr_reviews")
    options = (Option("score", ctx._("📝 Noter ce scénario")), Option("list", ctx._("⬅️ La liste")))
    if isinstance(event, Entered):
        question = ctx._("Quand vous l'avez lu, notez-le critère par critère.")
        return Turn([*scenario(ctx, found[1]), Ask(question, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    state_of(ctx, Entries).scores = []
    return Turn(goto="cr_score" if chosen == "score" else "cr_reviews")


async def cr_score(ctx: Context, event: Incoming) -> Turn:
    """One criterion of the rubric, from 0 to 10."""
    found = await _handed(ctx)
    if found is None:
        return Turn(goto="cr_reviews")
    contest = found[0]
    scores = state_of(ctx, Entries).scores
    if len(scores) >= len(contest.criteria):
        return Turn(goto="cr_comment")
    name, weight = contest.criteria[len(scores)]
    options = tuple(Option(str(n), str(n)) for n in range(TOP + 1))
    if isinstance(event, Entered):
        text = ctx._(
            "« %(criterion)s » (%(weight)s %%) : votre note de 0 à 10 ?",
            criterion=name,
            weight=weight,
        )
        return Turn([Ask(text, options, ctx.state.prompt, 6)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    scores.append(int(chosen))
    return Turn(goto="cr_comment" if len(scores) == len(contest.criteria) else "cr_score")


async def cr_comment(ctx: Context, event: Incoming) -> Turn:
    """A comment for the author (they will not know who wrote it); then the scores are kept."""
    found = await _handed(ctx)
    work = state_of(ctx, Entries)
    if found is None or len(work.scores) != len(found[0].criteria):
        return Turn(goto="cr_reviews")
    options = (Option("none", ctx._("Sans commentaire")),)
    if isinstance(event, Entered):
        text = ctx._("Un commentaire pour l'auteur, qui ne saura pas qui l'a écrit :")
        return Turn([Ask(text, options, ctx.state.prompt)])
    comment = ""
    if isinstance(event, TextReceived) and not event.text.startswith("/") and event.text.strip():
        comment = " ".join(event.text.split())[:MAX_COMMENT]
    else:
        chosen = route(ctx, event, options)
        if isinstance(chosen, Turn):
            return chosen
    scores = tuple(int(s) for s in work.scores)
    total = weighted(found[0].criteria, scores)
    work.review, work.scores = None, []
    if not await creathon(ctx).score(found[1].review_id, scores, total, comment):
        return Turn([Say(ctx._("Cette notation est close."))], goto="cr_contest")
    done = ctx._(
        "Merci ! Vos notes sont enregistrées : %(total)s sur 100.", total=ctx.t.number(total, 1)
    )
    return Turn([Say(done)], goto="cr_reviews")


async def cr_feedback(ctx: Context, event: Incoming) -> Turn:
    """The reviews of the teacher's scenario: scores and comments, never their authors."""
    contest = await chosen_contest(ctx)
    if contest is None:
        return Turn(goto="cr_home")
    options = (_back(ctx),)
    if isinstance(event, Entered):
        lines = []
        for review in await creathon(ctx).feedback(contest.id):
            who = ctx._("Un juré") if review.kind == JUROR else ctx._("Un relecteur")
            named = zip(contest.criteria, review.scores, strict=False)
            marks = ", ".join(f"{name} {score}/10" for (name, _), score in named)
            said = f"\n« {review.comment} »" if review.comment else ""
            lines.append(f"{who} · {ctx.t.number(review.total, 1)}/100 · {marks}{said}")
        text = "\n\n".join(lines) or ctx._("Pas encore d'avis sur votre scénario.")
        return Turn([Ask(text, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    return chosen if isinstance(chosen, Turn) else Turn(goto="cr_contest")


STEPS: dict[str, Step] = {
    "cr_contest": contest_people_only(cr_contest),
    "cr_pick_course": teachers_only(cr_pick_course),
    "cr_describe": teachers_only(cr_describe),
    "cr_submitted": teachers_only(cr_submitted),
    "cr_feedback": teachers_only(cr_feedback),
    "cr_reviews": contest_people_only(cr_reviews),
    "cr_read": contest_people_only(cr_read),
    "cr_score": contest_people_only(cr_score),
    "cr_comment": contest_people_only(cr_comment),
}
FLOW = Flow(
    "creathon_entries",
    STEPS,
    services=("admin", "authoring", "creathon", "shelf", "teaching"),
    state=Entries,
)
