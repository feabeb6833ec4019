"""Admins in the chat: their menu, granting roles, following and cancelling announcements.

Every action is checked against dialogs/roles.py with the admin's grants, read from storage
in the admin's own turn: a national admin sees and acts on their own country only, and a
person without an admin role is refused with a clear message.
"""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.admin_ports import AdminDesk, BroadcastStats
from dialogs.context import Context, Step, Turn
from dialogs.events import Entered, Incoming, TextReceived
from dialogs.flow import Flow, FlowState, state_of
from dialogs.flows.circle_texts import in_every_language
from dialogs.flows.common import menu_option, route
from dialogs.flows.paid import paid_cost
from dialogs.flows.role_help import role_notice, role_title
from dialogs.messages import Ask, Option, Say
from dialogs.roles import Action, Grant, Role, countries_of, is_admin, may, may_grant
from dialogs.services import need


@dataclass
class Granting(FlowState, flow="admin"):
    """The person a role is being given to, found by their code, and their country."""

    person: int | None = None
    country: str | None = None
    legacy = {"person": "grantee.id", "country": "grantee.country"}  # noqa: RUF012


def _grantee_country(ctx: Context) -> str | None:
    """The country of the person a role is given to (None: none of the programme's)."""
    country = state_of(ctx, Granting).country
    return country if country != "other" else None


def desk(ctx: Context) -> AdminDesk:
    """The admin port; every channel that runs admin flows provides it."""
    return need(ctx.services.admin, "admin", "admin flows")


def refused(ctx: Context, *, within_admin: bool = False) -> Turn:
    """The answer to an action the person's role does not allow.

    From a command, the person's current question comes again; from an admin step, the admin
    menu (asking that step again would only refuse again).
    """
    text = ctx._("Cette action est réservée aux administrateurs de votre pays.")
    if within_admin:  # leaving the announcement's steps drops its draft
        return Turn([Say(text)], goto="admin_menu")
    return Turn([Say(text)], reprompt=True)


async def admin_command(ctx: Context, event: Incoming) -> Turn:
    """/admin: the admin menu, for admins only."""
    if ctx.services.admin is None or not is_admin(await desk(ctx).grants()):
        return refused(ctx)
    return Turn(goto="admin_menu")


async def admin_menu(ctx: Context, event: Incoming) -> Turn:
    """What an admin can do."""
    options = (
        Option("announce", ctx._("📣 Nouvelle annonce")),
        Option("broadcasts", ctx._("📋 Annonces envoyées")),
        Option("grant", ctx._("👤 Donner un rôle")),
        Option("invite", ctx._("🎟️ Inviter des enseignants")),
        Option("requests", ctx._("🧑‍🏫 Demandes d'enseignants")),
        Option("stats", ctx._("📊 Statistiques")),
        Option("creathon", ctx._("🏆 Creathon")),
        Option("circles", ctx._("🌍 Cercles")),
        Option("journal", ctx._("📜 Journal de modération")),
        menu_option(ctx),
    )
    if isinstance(event, Entered):
        return Turn(
            [Ask(ctx._("Administration : que voulez-vous faire ?"), options, ctx.state.prompt)]
        )
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    targets = {
        "announce": "ann_text",
        "broadcasts": "admin_broadcasts",
        "grant": "grant_code",
        "stats": "admin_stats",
        "invite": "invite_country",
        "requests": "teacher_requests",
        "creathon": "cr_home",
        "circles": "circles_home",
        "journal": "mod_journal",
    }
    if chosen == "announce":
        from dialogs.flows.announce import new_draft  # announce imports this module

        new_draft(ctx)
    return Turn(goto=targets[chosen])


def admins_only(step: Step) -> Step:
    """A step that first checks, in this very turn, that the person is still an admin."""

    async def checked(ctx: Context, event: Incoming) -> Turn:
        if ctx.services.admin is None or not is_admin(await desk(ctx).grants()):
            text = ctx._("Cette action est réservée aux administrateurs de votre pays.")
            return Turn([Say(text)], goto="menu")
        return await step(ctx, event)

    checked.__doc__ = step.__doc__
    return checked


def admin_back(ctx: Context) -> Option:
    """The way back to the admin menu."""
    return Option("admin", ctx._("⬅️ Administration"))


async def grant_code(ctx: Context, event: Incoming) -> Turn:
    """Ask for the code of the person to give a role to (they get it with /mon_code)."""
    options = (admin_back(ctx), menu_option(ctx))
    if isinstance(event, Entered):
        text = ctx._("Envoyez le code de la personne. Elle l'obtient en écrivant /mon_code au bot.")
        return Turn([Ask(text, options, ctx.state.prompt)])
    if isinstance(event, TextReceived) and not event.text.startswith("/"):
        found = await desk(ctx).find_person(event.text)
        if found is None:
            return Turn([Say(ctx._("Je ne trouve personne avec ce code."))], reprompt=True)
        work = state_of(ctx, Granting)
        work.person, work.country = found[0], found[1]
        return Turn(goto="grant_role")
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    return Turn(goto="admin_menu")


def role_name(ctx: Context, role: Role) -> str:
    """A role as people say it."""
    return role_title(ctx.t.gettext, role)


def _grant_for(role: Role, country: str | None, language: str = "") -> Grant:
    """The grant of a role for a person of `country` (a regional admin has none); a
    translator's is for a language (any one, to ask whether the role may be given at all)."""
    if role is Role.TRANSLATOR:
        return Grant(role, country, language or "*")
    return Grant(role, None if role is Role.REGIONAL_ADMIN else country)


async def grant_role(ctx: Context, event: Incoming) -> Turn:
    """Choose the role to give; only the roles this admin may give that person are offered."""
    country = _grantee_country(ctx)
    grants = await desk(ctx).grants()
    allowed = [r for r in Role if may_grant(grants, _grant_for(r, country))]
    options = tuple(Option(r.value, role_name(ctx, r)) for r in allowed)
    options += (admin_back(ctx),)
    if isinstance(event, Entered):
        if not allowed:
            text = ctx._("Vous ne pouvez donner aucun rôle à cette personne (autre pays ?).")
            return Turn([Say(text)], goto="admin_menu")
        return Turn([Ask(ctx._("Quel rôle lui donner ?"), options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "admin":
        return Turn(goto="admin_menu")
    if chosen == Role.TRANSLATOR:
        return Turn(goto="grant_language")
    return await _give(ctx, _grant_for(Role(chosen), country))


async def grant_language(ctx: Context, event: Incoming) -> Turn:
    """A translator's language: one of the interface's, French (the source) aside."""
    options = tuple(Option(la.code, la.name) for la in ctx.languages if la.code != "fr")
    options += (admin_back(ctx),)
    if isinstance(event, Entered):
        return Turn([Ask(ctx._("Traducteur de quelle langue ?"), options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "admin":
        return Turn(goto="admin_menu")
    return await _give(ctx, _grant_for(Role.TRANSLATOR, _grantee_country(ctx), chosen))


async def _give(ctx: Context, grant: Grant) -> Turn:
    """Give the chosen role to the person named by their code, checked again at writing."""
    person = state_of(ctx, Granting).person
    if person is None or not may_grant(await desk(ctx).grants(), grant):
        return refused(ctx, within_admin=True)
    notice = in_every_language(ctx, lambda c: role_notice(c.t.gettext, grant.role, ask_school=True))
    if grant.role is Role.TRANSLATOR:  # kept with its language alone
        grant = Grant(grant.role, None, grant.language)
    await desk(ctx).grant(int(person), grant, notice)
    done = ctx._("C'est fait : rôle « %(role)s » donné.", role=role_name(ctx, grant.role))
    return Turn([Say(done)], goto="admin_menu")


async def admin_broadcasts(ctx: Context, event: Incoming) -> Turn:
    """The latest announcements of the admin's countries, with their progress."""
    grants = await desk(ctx).grants()
    listed = await desk(ctx).broadcasts(countries_of(grants))
    running = [b for b in listed if b.status in ("queued", "scheduled") and b.queued]
    running += [b for b in listed if b.status == "scheduled" and not b.queued]
    # Numbered as listed (1: the newest): the storage's ids count every message sent to
    # many (notices, reminders...), not the admin's announcements.
    shown = {b.id: n for n, b in enumerate(listed, 1)}
    options = tuple(
        Option(f"c{b.id}", ctx._("❌ Annuler l'annonce %(n)s", n=shown[b.id])) for b in running
    ) + (admin_back(ctx), menu_option(ctx))
    if isinstance(event, Entered):
        lines = [broadcast_line(ctx, b, n) for n, b in enumerate(listed, 1)] or [
            ctx._("Aucune annonce pour l'instant.")
        ]
        return Turn(
            [Say("\n\n".join(lines)), Ask(ctx._("Et maintenant ?"), options, ctx.state.prompt)]
        )
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "admin":
        return Turn(goto="admin_menu")
    target = next((b for b in listed if f"c{b.id}" == chosen), None)
    if target is None or not may(grants, Action.CANCEL_BROADCAST, target.countries or None):
        return refused(ctx, within_admin=True)
    cancelled = await desk(ctx).cancel_broadcast(target.id)
    text = ctx.ngettext(
        "Annonce « %(preview)s » annulée : %(n)s message ne partira pas.",
        "Annonce « %(preview)s » annulée : %(n)s messages ne partiront pas.",
        cancelled,
        preview=_short(target.preview, 40),
    )
    return Turn([Say(text)], goto="admin_broadcasts")


def broadcast_line(ctx: Context, stats: BroadcastStats, n: int) -> str:
    """One announcement's figures (`n`: its place in the list): who, when, and where its
    sending stands."""
    counts = stats.counts
    status = {
        "scheduled": ctx._("programmée"),
        "queued": ctx._("en cours"),
        "done": ctx._("terminée"),
        "cancelled": ctx._("annulée"),
    }.get(stats.status, stats.status)
    head = ctx._(
        "%(n)s. %(date)s · %(status)s · « %(preview)s »",
        n=n,
        date=ctx.t.date(stats.created_at),
        status=status,
        preview=_short(stats.preview),
    )
    figures = ctx._(
        "public %(total)s · envoyés %(sent)s · reçus %(delivered)s · échecs %(failed)s · "
        "injoignables %(unreachable)s · en attente %(queued)s",
        total=ctx.t.number(stats.total),
        sent=ctx.t.number(counts.get("sent", 0)),
        delivered=ctx.t.number(stats.delivered),
        failed=ctx.t.number(counts.get("failed", 0)),
        unreachable=ctx.t.number(counts.get("unreachable", 0)),
        queued=ctx.t.number(stats.queued),
    )
    if stats.parts or stats.paid_templates:  # SMS parts, WhatsApp templates: each its unit
        cost = paid_cost(ctx, stats.parts, stats.paid_templates)
        figures += "\n" + ctx._("Coût : %(cost)s", cost=cost)
    if stats.reasons:
        why = ", ".join(f"{reason} × {ctx.t.number(n)}" for reason, n in stats.reasons.items())
        figures += "\n" + ctx._("Raisons des échecs : %(reasons)s", reasons=why)
    return f"{head}\n{figures}"


def _short(text: str, limit: int = 60) -> str:
    """The start of a text, on one line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


async def my_code(ctx: Context, event: Incoming) -> Turn:
    """/mon_code: the short code an admin asks for to give this person a role."""
    if ctx.services.admin is None:
        return Turn(reprompt=True)
    code = await desk(ctx).person_code()
    text = ctx._(
        "Votre code : %(code)s\nDonnez-le à un administrateur s'il doit vous donner un rôle "
        "(enseignant, modérateur...).",
        code=code,
    )
    return Turn([Say(text)], reprompt=True)


async def my_id(ctx: Context, event: Incoming) -> Turn:
    """/mon_id: the person's own channel and id, as `python -m bot admin grant` takes them.

    Only ever shown to the person themself. On the web chat the id is also what resumes the
    conversation in a browser, so it comes with the advice to give it to the server's
    operator only; everywhere else /mon_code (a short code an admin types) is the better way.
    """
    channel, external_id = ctx.user.channel, ctx.user.external_id
    command = f"python -m bot admin grant --channel {channel} --id {external_id} --role …"
    lines = [
        ctx._("Votre canal : %(channel)s", channel=channel),
        ctx._("Votre identifiant : %(id)s", id=external_id),
        ctx._(
            "Pour recevoir un rôle, donnez plutôt /mon_code à un administrateur. L'équipe "
            "technique, elle, écrit : %(command)s",
            command=command,
        ),
    ]
    if ctx.address_is_key:  # the web chat: the id opens the conversation
        lines.append(
            ctx._(
                "⚠️ Sur le web, cet identifiant ouvre aussi votre conversation : ne le donnez "
                "qu'à l'équipe technique, jamais en public."
            )
        )
    return Turn([Say("\n".join(lines))], reprompt=True)


async def stop_announcements(ctx: Context, event: Incoming) -> Turn:
    """/stop_annonces: no more announcements; lessons go on."""
    if ctx.services.admin is not None:
        await desk(ctx).set_announcements(False)
    text = ctx._(
        "Vous ne recevrez plus d'annonces. Vos cours continuent. "
        "Pour les recevoir à nouveau : /annonces"
    )
    return Turn([Say(text)], reprompt=True)


async def start_announcements(ctx: Context, event: Incoming) -> Turn:
    """/annonces: announcements again."""
    if ctx.services.admin is not None:
        await desk(ctx).set_announcements(True)
    return Turn([Say(ctx._("Vous recevrez à nouveau les annonces."))], reprompt=True)


STEPS: dict[str, Step] = {
    "admin_menu": admins_only(admin_menu),
    "grant_code": admins_only(grant_code),
    "grant_role": admins_only(grant_role),
    "grant_language": admins_only(grant_language),
    "admin_broadcasts": admins_only(admin_broadcasts),
}
COMMANDS: dict[str, Step] = {
    "admin": admin_command,
    "mon_code": my_code,
    "mycode": my_code,
    "mon_id": my_id,
    "myid": my_id,
    "stop_annonces": stop_announcements,
    "stop": stop_announcements,
    "annonces": start_announcements,
}
FLOW = Flow("admin", STEPS, COMMANDS, services=("admin",), state=Granting)
