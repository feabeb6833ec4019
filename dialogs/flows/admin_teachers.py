"""Admins and teachers: invitation codes for a country's teachers, and teacher requests to
approve or refuse. A national admin acts on their own country only."""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.context import Context, Step, Turn
from dialogs.events import Entered, Incoming
from dialogs.flow import Flow, FlowState, state_of
from dialogs.flows.admin import admin_back, admins_only, desk, refused
from dialogs.flows.circle_texts import in_every_language
from dialogs.flows.common import route
from dialogs.flows.onboarding import COUNTRIES
from dialogs.flows.role_help import role_notice
from dialogs.flows.teachers import teaching
from dialogs.messages import Ask, Option, Say
from dialogs.roles import Action, Role, countries_of, may

SHOWN_REQUESTS = 4  # requests with their buttons at once (two buttons each)


@dataclass
class Invitation(FlowState, flow="admin_teachers"):
    """The invitation being prepared (dropped once the admin leaves the flow)."""

    country: str = ""
    uses: int = 1
    legacy = {"country": "invite.country", "uses": "invite.uses"}  # noqa: RUF012


def _invite(ctx: Context) -> Invitation:
    """The invitation being prepared."""
    return state_of(ctx, Invitation)


async def invite_country(ctx: Context, event: Incoming) -> Turn:
    """The country of the teachers to invite (a national admin's own, without asking)."""
    scope = countries_of(await desk(ctx).grants())
    offered = COUNTRIES if scope is None else tuple(c for c in COUNTRIES if c in scope)
    if len(offered) == 1:
        _invite(ctx).country = offered[0]
        return Turn(goto="invite_uses")
    options = tuple(Option(c, ctx.t.country_name(c)) for c in offered) + (admin_back(ctx),)
    if isinstance(event, Entered):
        return Turn(
            [Ask(ctx._("Pour les enseignants de quel pays ?"), options, ctx.state.prompt, 2)]
        )
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "admin":
        return Turn(goto="admin_menu")
    _invite(ctx).country = chosen
    return Turn(goto="invite_uses")


async def invite_uses(ctx: Context, event: Incoming) -> Turn:
    """How many teachers may use the code."""
    options = (
        Option("1", ctx._("Une seule personne")),
        Option("10", ctx._("Jusqu'à 10 personnes")),
        Option("50", ctx._("Jusqu'à 50 personnes")),
    )
    if isinstance(event, Entered):
        return Turn(
            [
                Ask(
                    ctx._("Combien de personnes pourront utiliser ce code ?"),
                    options,
                    ctx.state.prompt,
                )
            ]
        )
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    _invite(ctx).uses = int(chosen)
    return Turn(goto="invite_days")


async def invite_days(ctx: Context, event: Incoming) -> Turn:
    """How long the code is valid; then it exists."""
    options = (
        Option("7", ctx._("Une semaine")),
        Option("30", ctx._("Un mois")),
    )
    if isinstance(event, Entered):
        return Turn([Ask(ctx._("Pendant combien de temps ?"), options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    wanted = _invite(ctx)
    country = wanted.country
    if not may(await desk(ctx).grants(), Action.GRANT, [country]):
        return refused(ctx, within_admin=True)
    invite = await teaching(ctx).create_invite(country, wanted.uses, int(chosen))
    wanted.country, wanted.uses = "", 1
    text = ctx.ngettext(
        "Code d'invitation : %(code)s\nValable pour %(n)s enseignant (%(country)s) "
        "jusqu'au %(date)s. L'enseignant ouvre « Espace enseignant » dans le menu et "
        "écrit ce code.",
        "Code d'invitation : %(code)s\nValable pour %(n)s enseignants (%(country)s) "
        "jusqu'au %(date)s. Chaque enseignant ouvre « Espace enseignant » dans le menu et "
        "écrit ce code.",
        invite.max_uses,
        code=invite.code,
        country=ctx.t.country_name(country),
        date=ctx.t.date(invite.expires_at),
    )
    return Turn([Say(text)], goto="admin_menu")


async def teacher_requests(ctx: Context, event: Incoming) -> Turn:
    """Pending teacher requests of the admin's countries: approve or refuse."""
    grants = await desk(ctx).grants()
    pending = await teaching(ctx).requests(countries_of(grants))
    shown = pending[:SHOWN_REQUESTS]
    options: tuple[Option, ...] = ()
    for n, request in enumerate(shown, 1):
        options += (
            Option(f"y{request.user_id}", ctx._("✅ Accepter n°%(n)s", n=n)),
            Option(f"n{request.user_id}", ctx._("❌ Refuser n°%(n)s", n=n)),
        )
    options += (admin_back(ctx),)
    if isinstance(event, Entered):
        lines = [
            f"{n}. {r.school} · {ctx.t.country_name(r.country)} · "
            f"{', '.join(r.subjects)} · {', '.join(r.levels)} · {ctx.t.date(r.requested_at)}"
            for n, r in enumerate(shown, 1)
        ]
        text = "\n".join(lines) or ctx._("Aucune demande en attente.")
        return Turn([Say(text), Ask(ctx._("Et maintenant ?"), options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "admin":
        return Turn(goto="admin_menu")
    target = next((r for r in shown if r.user_id == int(chosen[1:])), None)
    if target is None or not may(grants, Action.GRANT, [target.country]):
        return refused(ctx, within_admin=True)
    approve = chosen.startswith("y")
    notice = in_every_language(ctx, lambda c: _answer(c, approve))
    await teaching(ctx).decide(target.user_id, approve, notice)
    done = ctx._("Demande acceptée.") if chosen.startswith("y") else ctx._("Demande refusée.")
    return Turn([Say(done)], goto="teacher_requests")


def _answer(ctx: Context, approve: bool) -> str:
    """What the person who asked to be a teacher reads once an admin decided."""
    if approve:
        return role_notice(ctx.t.gettext, Role.TEACHER)
    return ctx._(
        "Votre demande d'accès enseignant n'a pas été acceptée. Vous gardez l'accès aux "
        "cours ; un code d'invitation de l'administration de votre pays reste possible."
    )


STEPS: dict[str, Step] = {
    name: admins_only(step)
    for name, step in {
        "invite_country": invite_country,
        "invite_uses": invite_uses,
        "invite_days": invite_days,
        "teacher_requests": teacher_requests,
    }.items()
}
FLOW = Flow("admin_teachers", STEPS, services=("admin", "teaching"), state=Invitation)
