"""Events of circles: an admin or a moderator announces a webinar or a meeting (a title, a
day and time typed in their own time zone, a link); each member reads the moment in their own
country's time and language, says "I will come", and those who will come are reminded an hour
before. The reminder's audience is the event itself, read when the reminder is queued, so a
member who answers after the announcement is reminded too."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from dialogs.circle_ports import CircleInfo
from dialogs.context import Context, Step, Turn
from dialogs.event_ports import CircleEvent, EventDesk
from dialogs.events import Entered, Incoming, TextReceived
from dialogs.flow import Flow, FlowState, fresh, state_of
from dialogs.flows import circle_texts as says
from dialogs.flows.circles import _circle, circle_people_only, desk
from dialogs.flows.common import route
from dialogs.flows.teachers import teaching
from dialogs.messages import Ask, Option, Say
from dialogs.roles import may_create_circle
from dialogs.services import need
from dialogs.when import parse_when, zone_of


@dataclass
class Announcing(FlowState, flow="circle_events"):
    """The event a member opened; the event being announced (title, start as an ISO
    text, link), until it is."""

    event: int | None = None
    title: str | None = None
    when: str | None = None
    link: str | None = None
    legacy = {  # noqa: RUF012
        "event": "event",
        "title": "new_event.title",
        "when": "new_event.when",
        "link": "new_event.link",
    }


REMIND_BEFORE = timedelta(hours=1)
MAX_TITLE = 120
MAX_LINK = 300


def agenda(ctx: Context) -> EventDesk:
    """The events port; every channel that runs these flows provides it."""
    return need(ctx.services.events, "events", "circle events")


def moment(ctx: Context, at: datetime, country: str | None) -> str:
    """ "15 décembre 2026 à 17:00, heure du pays (Tchad)": the time in a country's zone."""
    local = at.astimezone(zone_of(country))
    when = {"date": ctx.t.date(local), "time": local.strftime("%H:%M")}
    if not country or country == "other":
        return ctx._("%(date)s à %(time)s (UTC)", **when)
    name = ctx.t.country_name(country)
    return ctx._("%(date)s à %(time)s, heure du pays (%(country)s)", country=name, **when)


async def _may_announce(ctx: Context) -> bool:
    """Whether the person announces events (admins and moderators)."""
    return ctx.services.admin is not None and may_create_circle(await ctx.services.admin.grants())


async def circle_events(ctx: Context, event: Incoming) -> Turn:
    """The coming events of a circle, each at the member's own time; announce one."""
    circle = await _circle(ctx)
    if circle is None:
        return Turn(goto="circles_home")
    found = await agenda(ctx).upcoming(circle.id)
    options = tuple(Option(f"e{e.id}", f"📅 {e.title}") for e in found)
    if await _may_announce(ctx):
        options += (Option("new", ctx._("➕ Annoncer un événement")),)
    options += (Option("back", ctx._("⬅️ Le cercle")),)
    if isinstance(event, Entered):
        lines = [ctx._("Événements à venir dans « %(name)s » :", name=circle.name)]
        lines += [f"📅 {e.title} — {moment(ctx, e.starts_at, ctx.profile.country)}" for e in found]
        if not found:
            lines = [ctx._("Aucun événement n'est annoncé dans « %(name)s ».", name=circle.name)]
        return Turn([Ask("\n".join(lines), options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "back":
        return Turn(goto="circle_page")
    if chosen == "new":
        fresh(ctx, Announcing)
        return Turn(goto="event_title")
    state_of(ctx, Announcing).event = int(chosen[1:])
    return Turn(goto="event_page")


async def event_title(ctx: Context, event: Incoming) -> Turn:
    """The new event's title (admins and moderators)."""
    return await _typed(ctx, event, ctx._("Le titre de l'événement :"), "title", "event_when")


async def _typed(ctx: Context, event: Incoming, question: str, key: str, then: str) -> Turn:
    """A text the announcer types, kept in the new event's working data."""
    if not await _may_announce(ctx):
        return Turn(goto="circle_events")
    options = (Option("back", ctx._("⬅️ Les événements")),)
    if isinstance(event, Entered):
        return Turn([Ask(question, options, ctx.state.prompt)])
    if isinstance(event, TextReceived) and not event.text.startswith("/") and event.text.strip():
        return await _keep(ctx, key, " ".join(event.text.split()), then)
    chosen = route(ctx, event, options)
    return chosen if isinstance(chosen, Turn) else Turn(goto="circle_events")


async def _keep(ctx: Context, key: str, text: str, then: str) -> Turn:
    """Check and keep one answer: the title, the moment, or the link (then announce)."""
    draft = state_of(ctx, Announcing)
    if key == "when":
        at = parse_when(text, ctx.now, zone_of(ctx.profile.country))
        if at is None:
            problem = ctx._("Je n'ai pas compris. Écrivez par exemple « 15/12 16:00 ».")
            return Turn([Say(problem)], reprompt=True)
        if at - REMIND_BEFORE <= ctx.now:
            return Turn(
                [Say(ctx._("L'événement doit commencer dans plus d'une heure."))], reprompt=True
            )
        draft.when = at.isoformat()
    elif key == "link":
        if not text.startswith(("https://", "http://")) or " " in text:
            problem = ctx._("Écrivez le lien complet, qui commence par https://")
            return Turn([Say(problem)], reprompt=True)
        draft.link = text[:MAX_LINK]
    else:
        draft.title = text[:MAX_TITLE]
    return Turn(goto=then)


async def event_when(ctx: Context, event: Incoming) -> Turn:
    """The new event's day and time, in the announcer's own time zone."""
    question = ctx._("Le jour et l'heure, à l'heure de votre pays (par exemple « 15/12 16:00 ») :")
    return await _typed(ctx, event, question, "when", "event_link")


async def event_link(ctx: Context, event: Incoming) -> Turn:
    """The link of the webinar or the meeting."""
    question = ctx._("Le lien pour rejoindre l'événement (https://...) :")
    return await _typed(ctx, event, question, "link", "event_announced")


async def event_announced(ctx: Context, event: Incoming) -> Turn:
    """Keep the event, schedule the reminder, and tell each member at their own time."""
    circle = await _circle(ctx)
    draft = state_of(ctx, Announcing)
    title, when, link = draft.title, draft.when, draft.link
    draft.title = draft.when = draft.link = None
    if (
        circle is None
        or not await _may_announce(ctx)
        or title is None
        or when is None
        or link is None
    ):
        return Turn(goto="circle_events")
    at = datetime.fromisoformat(when)
    event_id = await agenda(ctx).announce(circle.id, title, link, at)
    found = CircleEvent(event_id, circle.id, title, link, at)
    reminder = says.in_every_language(ctx, lambda c: _reminder(c, circle, found))
    sent, _ = await teaching(ctx).notify(reminder, event_id=event_id, at=at - REMIND_BEFORE)
    await agenda(ctx).set_reminder(event_id, sent)
    told = await _tell_members(ctx, circle, found)
    done = ctx.ngettext(
        "L'événement est annoncé à %(n)s membre du cercle.",
        "L'événement est annoncé aux %(n)s membres du cercle.",
        told,
    )
    return Turn([Say(done)], goto="circle_events")


async def _tell_members(ctx: Context, circle: CircleInfo, found: CircleEvent) -> int:
    """One notice per country of the members, with the moment in that country's time."""
    by_country: dict[str, list[int]] = {}
    for user_id, country in await agenda(ctx).members(circle.id):
        by_country.setdefault(country, []).append(user_id)
    for country, user_ids in by_country.items():
        texts = says.in_every_language(ctx, _announcement(circle, found, country))
        await desk(ctx).notice(tuple(user_ids), texts)
    return sum(len(ids) for ids in by_country.values())


def _announcement(circle: CircleInfo, found: CircleEvent, country: str) -> Callable[[Context], str]:
    """The notice of a new event, for the members of one country."""

    def build(ctx: Context) -> str:
        return ctx._(
            "📅 Nouvel événement dans « %(circle)s » : « %(title)s », le %(when)s.\n%(link)s\n"
            "Pour dire que vous viendrez : « 🌍 Cercles d'enseignants », le cercle, "
            "puis « 📅 Événements ».",
            circle=circle.name,
            title=found.title,
            when=moment(ctx, found.starts_at, country),
            link=found.link,
        )

    return build


def _reminder(ctx: Context, circle: CircleInfo, found: CircleEvent) -> str:
    """The reminder an hour before, to those who said they will come."""
    return ctx._(
        "⏰ Dans une heure : « %(title)s » (cercle « %(circle)s »).\n%(link)s",
        title=found.title,
        circle=circle.name,
        link=found.link,
    )


async def event_page(ctx: Context, event: Incoming) -> Turn:
    """One event at the member's own time, its link, who comes; "I will come" or not."""
    circle = await _circle(ctx)
    wanted = state_of(ctx, Announcing).event
    found = (
        next((e for e in await agenda(ctx).upcoming(circle.id) if e.id == wanted), None)
        if circle
        else None
    )
    if found is None:
        return Turn(goto="circle_events" if circle else "circles_home")
    options = (
        Option("no", ctx._("↩️ Je ne viendrai pas"))
        if found.mine
        else Option("yes", ctx._("✅ Je viendrai")),
        Option("back", ctx._("⬅️ Les événements")),
    )
    if isinstance(event, Entered):
        return Turn([Ask(_event_text(ctx, found), options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "back":
        return Turn(goto="circle_events")
    await agenda(ctx).come(found.id, chosen == "yes")
    text = (
        ctx._("C'est noté : vous recevrez un rappel une heure avant.")
        if chosen == "yes"
        else ctx._("C'est noté : vous ne recevrez pas de rappel.")
    )
    return Turn([Say(text)], goto="event_page")


def _event_text(ctx: Context, found: CircleEvent) -> str:
    """An event's page: title, moment in the member's time, link, and who comes."""
    coming = ctx.ngettext(
        "%(n)s personne a dit qu'elle viendra.",
        "%(n)s personnes ont dit qu'elles viendront.",
        found.coming,
    )
    lines = [f"📅 {found.title}", moment(ctx, found.starts_at, ctx.profile.country), found.link]
    lines.append(coming)
    if found.mine:
        lines.append(ctx._("Vous avez dit que vous viendrez."))
    return "\n".join(lines)


STEPS: dict[str, Step] = {
    name: circle_people_only(step)
    for name, step in {
        "circle_events": circle_events,
        "event_title": event_title,
        "event_when": event_when,
        "event_link": event_link,
        "event_announced": event_announced,
        "event_page": event_page,
    }.items()
}
FLOW = Flow(
    "circle_events", STEPS, services=("admin", "circles", "events", "teaching"), state=Announcing
)
