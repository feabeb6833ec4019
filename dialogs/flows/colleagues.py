"""Find a colleague: a teacher asks for a peer of the same subject and level in another
country; the request is proposed to one matching teacher at a time, who accepts or declines
from their circles. On acceptance both learn each other's name, country and school (never a
phone number) and meet in a one-to-one circle."""

from __future__ import annotations

from typing import TYPE_CHECKING

from content.model import LEVELS, SUBJECTS

from dialogs.circle_ports import Colleague, ColleagueAsk
from dialogs.context import Context, Step, Turn
from dialogs.events import Entered, Incoming
from dialogs.flow import state_of
from dialogs.flows import circle_texts as says
from dialogs.flows.common import menu_option, route
from dialogs.flows.learning import subject_name
from dialogs.flows.onboarding import level_name
from dialogs.flows.teachers import school_first
from dialogs.messages import Ask, Option, Say

if TYPE_CHECKING:
    from dialogs.flows.circles import Circling


def _work(ctx: Context) -> Circling:
    """The circles flow's state (these steps are part of that flow)."""
    from dialogs.flows.circles import Circling  # circles imports this module

    return state_of(ctx, Circling)


def answer_options(ctx: Context, asks: list[ColleagueAsk]) -> tuple[Option, ...]:
    """Accept or decline each request proposed to the person."""
    options: list[Option] = []
    for ask in asks:
        options.append(Option(f"a{ask.id}", ctx._("✅ Accepter n°%(id)s", id=ask.id)))
        options.append(Option(f"d{ask.id}", ctx._("❌ Refuser n°%(id)s", id=ask.id)))
    return tuple(options)


def colleague_asks_text(ctx: Context, asks: list[ColleagueAsk]) -> str:
    """The requests waiting for the person's answer (who asks is told on acceptance)."""
    lines = [ctx._("Des collègues cherchent un·e partenaire :")]
    for ask in asks:
        lines.append(_ask_line(ctx, ask))
    return "\n".join(lines)


def _ask_line(ctx: Context, ask: ColleagueAsk) -> str:
    """ "n°3 · Mathématiques, 6e · Mali"."""
    return ctx._(
        "n°%(id)s · %(subject)s, %(level)s · %(country)s",
        id=ask.id,
        subject=subject_name(ctx, ask.subject),
        level=level_name(ctx, ask.level),
        country=ctx.t.country_name(ask.asker.country) if ask.asker.country else "–",
    )


async def answer_option(ctx: Context, asks: list[ColleagueAsk], chosen: str) -> Turn:
    """Accept (both meet in a new circle) or decline (the next colleague is asked)."""
    if ctx.services.circles is None:
        return Turn(goto="menu")
    answered = await ctx.services.circles.answer(int(chosen[1:]), chosen[0] == "a")
    if answered is None:
        return Turn([Say(ctx._("Déjà fait."))], goto="circles_home")
    ask, circle_id = answered
    if circle_id is None:
        if await _ask_next(ctx, ask.asker, ask.subject, ask.level):
            text = ctx._("C'est noté : la demande ira à un·e autre collègue.")
        else:  # nobody else: the asker is told so
            text = ctx._("C'est noté.")
        return Turn([Say(text)], goto="circles_home")
    me = await ctx.services.circles.me()
    told = says.in_every_language(
        ctx,
        lambda c: c._(
            "🤝 %(who)s a accepté votre demande. Retrouvez-vous dans « 🌍 Cercles "
            "d'enseignants », cercle « Échange ».",
            who=says.who(c, me),
        ),
    )
    await ctx.services.circles.notice((ask.asker.user_id,), told)
    _work(ctx).circle = circle_id
    text = ctx._(
        "Vous êtes en relation avec %(who)s. Écrivez-lui dans votre cercle d'échange.",
        who=says.who(ctx, ask.asker),
    )
    return Turn([Say(text)], goto="circle_page")


async def _ask_next(
    ctx: Context, asker: Colleague, subject: str, level: str, *, present: bool = False
) -> bool:
    """Propose the request to the next colleague; tell the asker when nobody is left (by a
    notice, unless they are `present`: the caller says it in the turn, at once)."""
    assert ctx.services.circles is not None
    found = await ctx.services.circles.ask_colleague(asker.user_id, subject, level)
    if found is None:
        if not present:
            told = says.in_every_language(ctx, lambda c: _nobody(c, subject, level))
            await ctx.services.circles.notice((asker.user_id,), told)
        return False
    country = asker.country
    proposal = says.in_every_language(
        ctx,
        lambda c: c._(
            "🤝 Un·e enseignant·e (%(country)s) cherche un·e collègue en %(subject)s, "
            "%(level)s. Ouvrez « 🌍 Cercles d'enseignants » pour accepter ou refuser.",
            country=c.t.country_name(country) if country else "–",
            subject=subject_name(c, subject),
            level=level_name(c, level),
        ),
    )
    await ctx.services.circles.notice((found.user_id,), proposal)
    return True


def _nobody(ctx: Context, subject: str, level: str) -> str:
    """No colleague left to propose the request to."""
    return ctx._(
        "Aucun·e collègue n'est disponible pour votre demande (%(subject)s, %(level)s) "
        "pour l'instant. Réessayez plus tard.",
        subject=subject_name(ctx, subject),
        level=level_name(ctx, level),
    )


async def colleague_subject(ctx: Context, event: Incoming) -> Turn:
    """The subject the colleague should teach."""
    options = tuple(Option(key, subject_name(ctx, key)) for key in SUBJECTS) + (
        Option("back", ctx._("⬅️ Cercles")),
    )
    if isinstance(event, Entered):
        if asked := await school_first(ctx, "colleague_subject", "circles_home"):
            return asked  # the colleague who accepts reads name, country and school
        text = ctx._("Trouver un·e collègue d'un autre pays : quelle matière ?")
        return Turn([Ask(text, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "back":
        return Turn(goto="circles_home")
    _work(ctx).colleague = chosen
    return Turn(goto="colleague_level")


async def colleague_level(ctx: Context, event: Incoming) -> Turn:
    """The level; then the request goes to one matching colleague."""
    options = (*(Option(code, level_name(ctx, code)) for code in LEVELS), menu_option(ctx))
    if isinstance(event, Entered):
        return Turn([Ask(ctx._("Quelle classe ?"), options, ctx.state.prompt, 3)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if ctx.services.circles is None:
        return Turn(goto="menu")
    work = _work(ctx)
    subject, work.colleague = work.colleague or "autre", ""
    me = await ctx.services.circles.me()
    if await _ask_next(ctx, me, subject, chosen, present=True):
        text = ctx._(
            "J'ai proposé votre demande à un·e collègue d'un autre pays. "
            "Vous serez prévenu·e de sa réponse."
        )
        return Turn([Say(text)], goto="circles_home")
    return Turn([Say(_nobody(ctx, subject, chosen))], goto="circles_home")


STEPS: dict[str, Step] = {
    "colleague_subject": colleague_subject,
    "colleague_level": colleague_level,
}
