"""Teachers' circles: teachers (and moderators and admins) across countries join circles by
subject and level, choose how they follow them (every message, a daily digest, muted), read
the last messages, write or answer one; each message is relayed to the other members on
their own channel, signed with the author's name, country and school. Students never see
circles: every step checks the person's role in its own turn."""

from __future__ import annotations

from dataclasses import dataclass

from content.model import SUBJECTS

from dialogs.admin_ports import Attachment
from dialogs.circle_ports import CircleDesk, CircleInfo
from dialogs.context import Context, Step, Turn
from dialogs.events import Entered, Incoming, MediaReceived, TextReceived
from dialogs.flow import Flow, FlowState, state_of
from dialogs.flows import circle_texts as says
from dialogs.flows import colleagues, moderation
from dialogs.flows.circle_picks import pick_post
from dialogs.flows.colleagues import answer_option, answer_options, colleague_asks_text
from dialogs.flows.common import menu_option, route, unexpected
from dialogs.flows.learning import subject_name
from dialogs.flows.teachers import (
    is_teacher,
    school_first,
    school_missing,
    school_option,
    school_request,
)
from dialogs.messages import Ask, Option, Say
from dialogs.roles import in_circles, may_create_circle, may_moderate
from dialogs.services import need

SHOWN = 5  # last messages shown when a circle opens
MAX_TEXT = 2000
ATTACHABLE = {"photo": "image", "document": "document", "voice": "document"}


@dataclass
class Circling(FlowState, flow="circles"):
    """The circle open (its page and what is done from it; kept while the page calls the
    moderation's report or the circle's events), the message being answered, a new circle's
    subject, the subject a colleague is sought for (dialogs/flows/colleagues.py), and a
    colleague's request to accept once the school asked first is given (its option:
    "a<id>")."""

    circle: int | None = None
    reply_to: int | None = None
    new_subject: str = ""
    colleague: str = ""
    pending: str = ""
    legacy = {  # noqa: RUF012
        "circle": "circle",
        "reply_to": "circle_reply",
        "new_subject": "new_circle",
        "colleague": "colleague",
        "pending": "school_pending",
    }


def _work(ctx: Context) -> Circling:
    """This flow's state; a circle an older release kept is an id or nothing."""
    work = state_of(ctx, Circling)
    if not isinstance(work.circle, int):
        work.circle = None
    return work


def desk(ctx: Context) -> CircleDesk:
    """The circles port; every channel that runs these flows provides it."""
    return need(ctx.services.circles, "circles", "circle flows")


def circle_people_only(step: Step) -> Step:
    """A step that first checks, in this very turn, that the person may use circles."""

    async def checked(ctx: Context, event: Incoming) -> Turn:
        if (
            ctx.services.circles is None
            or ctx.services.admin is None
            or not in_circles(await ctx.services.admin.grants())
        ):
            text = ctx._("Les cercles sont réservés aux enseignants.")
            return Turn([Say(text)], goto="menu")
        return await step(ctx, event)

    checked.__doc__ = step.__doc__
    return checked


async def circles_command(ctx: Context, event: Incoming) -> Turn:
    """/cercles: the teachers' circles (teachers, moderators and admins)."""
    return Turn(goto="circles_home")


def _label(ctx: Context, circle: CircleInfo) -> str:
    """ "✅ Mathématiques - collège (12)": a tick when one is a member."""
    mark = "✅" if circle.digest else "🌍"
    return f"{mark} {circle.name} ({ctx.t.number(circle.members)})"


async def circles_home(ctx: Context, event: Incoming) -> Turn:
    """The circles, requests from colleagues to answer, and finding a colleague."""
    grants = await ctx.services.admin.grants() if ctx.services.admin else []
    asks = await desk(ctx).asks()
    found = await desk(ctx).circles()
    options = answer_options(ctx, asks) + tuple(Option(f"c{c.id}", _label(ctx, c)) for c in found)
    options += (Option("find", ctx._("🤝 Trouver un·e collègue")),)
    if may_create_circle(grants):
        options += (Option("new", ctx._("➕ Nouveau cercle")),)
    if may_moderate(grants) and ctx.services.moderation is not None:
        options += (Option("moderate", ctx._("🛡️ Modération")),)
    if await is_teacher(ctx):
        options += (Option("classes", ctx._("⬅️ Mes classes")),)
    if missing := await school_missing(ctx):
        options += (school_option(ctx),)
    options += (menu_option(ctx),)
    work = _work(ctx)
    pending, work.pending = work.pending, ""
    if isinstance(event, Entered) and pending and not missing:  # accepted once the school given
        return await answer_option(ctx, asks, pending)
    if isinstance(event, Entered):
        text = (
            ctx._("Cercles d'enseignants : échangez avec des collègues de toute la région.")
            if found
            else ctx._("Il n'y a pas encore de cercle.")
        )
        lines = [colleague_asks_text(ctx, asks), text] if asks else [text]
        if missing:
            lines.insert(0, school_request(ctx))
        return Turn([Ask("\n\n".join(lines), options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen[0] in "ad" and chosen[1:].isdigit():
        if chosen[0] == "a" and (asked := await school_first(ctx, "circles_home", "circles_home")):
            work.pending = chosen
            return asked  # the colleague will read it: the school first, then accepted
        return await answer_option(ctx, asks, chosen)
    if chosen == "school":
        return Turn(call="teacher_school_late", then="circles_home")
    targets = {
        "find": "colleague_subject",
        "new": "circle_new_subject",
        "classes": "classes_home",
        "moderate": "mod_home",
    }
    if chosen in targets:
        return Turn(goto=targets[chosen])
    work.circle = int(chosen[1:])
    return Turn(goto="circle_page")


async def circle_new_subject(ctx: Context, event: Incoming) -> Turn:
    """A new circle's subject (admins and moderators)."""
    if ctx.services.admin is None or not may_create_circle(await ctx.services.admin.grants()):
        text = ctx._("Seuls les administrateurs et les modérateurs créent des cercles.")
        return Turn([Say(text)], goto="circles_home")
    options = tuple(Option(key, subject_name(ctx, key)) for key in SUBJECTS)
    options += (menu_option(ctx),)
    if isinstance(event, Entered):
        return Turn([Ask(ctx._("Le cercle de quelle matière ?"), options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    _work(ctx).new_subject = chosen
    return Turn(goto="circle_new_level")


def level_groups(ctx: Context) -> dict[str, str]:
    """The circles' level groups, as people say them."""
    return {"primary": ctx._("primaire"), "lower": ctx._("collège"), "upper": ctx._("lycée")}


async def circle_new_level(ctx: Context, event: Incoming) -> Turn:
    """A new circle's level group; then the circle exists, its creator in it."""
    if ctx.services.admin is None or not may_create_circle(await ctx.services.admin.grants()):
        return Turn(goto="circles_home")
    groups = level_groups(ctx)
    options = (*(Option(key, name) for key, name in groups.items()), menu_option(ctx))
    if isinstance(event, Entered):
        return Turn([Ask(ctx._("Pour quelles classes ?"), options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    work = _work(ctx)
    subject, work.new_subject = work.new_subject or "autre", ""
    name = ctx._(
        "%(subject)s - %(level)s", subject=subject_name(ctx, subject), level=groups[chosen]
    )
    circle_id = await desk(ctx).create_circle(name, subject, chosen)
    await desk(ctx).set_digest(circle_id, "every")
    work.circle = circle_id
    return Turn([Say(ctx._("Le cercle « %(name)s » est créé.", name=name))], goto="circle_page")


async def _circle(ctx: Context) -> CircleInfo | None:
    """The circle open, if the person may still see it (the circle's events read it too:
    the page calls them, so this flow's state stays)."""
    wanted = _work(ctx).circle
    return next((c for c in await desk(ctx).circles() if c.id == wanted), None)


async def circle_page(ctx: Context, event: Incoming) -> Turn:
    """One circle: its last messages; write, answer, how to follow it, join or leave."""
    circle = await _circle(ctx)
    if circle is None:
        return Turn(goto="circles_home")
    member = circle.digest is not None
    options = (
        (
            Option("write", ctx._("✍️ Écrire")),
            Option("reply", ctx._("↩️ Répondre")),
            Option("report", ctx._("🚩 Signaler")),
            Option("digest", ctx._("🔔 Comment recevoir les messages")),
            Option("leave", ctx._("🚪 Quitter le cercle")),
        )
        if member
        else (Option("join", ctx._("➕ Rejoindre le cercle")),)
    ) + (
        Option("events", ctx._("📅 Événements")),
        Option("back", ctx._("⬅️ Cercles")),
        menu_option(ctx),
    )
    if isinstance(event, Entered):
        title = circle.name
        if ctx.services.admin is not None and may_create_circle(await ctx.services.admin.grants()):
            title += "\n" + ctx._(
                "Pour relier un groupe Telegram : ajoutez-y le bot, puis envoyez "
                "/lier_cercle %(id)s dans le groupe.",
                id=circle.id,
            )
        return Turn([*await _recent(ctx, circle), Ask(title, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    return await _page_choice(ctx, circle, chosen)


async def _recent(ctx: Context, circle: CircleInfo) -> list[Say]:
    """The last messages of a circle, numbered for answering."""
    posts = await desk(ctx).recent(circle.id, SHOWN)
    if not posts:
        return [Say(ctx._("Pas encore de message dans ce cercle."))]
    shown = []
    for post in posts:
        body = (
            ctx._("🚫 Message retiré par la modération.")
            if post.removed
            else says.relayed(ctx, post.author, post.text, post.quoted)
        )
        shown.append(f"n°{post.id} · {ctx.t.date(post.created_at)}\n{body}")
    return [Say("\n\n".join(shown))]


async def _page_choice(ctx: Context, circle: CircleInfo, chosen: str) -> Turn:
    """Where a circle page's option leads."""
    if chosen in ("join", "leave"):
        await desk(ctx).set_digest(circle.id, "every" if chosen == "join" else None)
        text = (
            ctx._("Vous faites partie du cercle « %(name)s ».", name=circle.name)
            if chosen == "join"
            else ctx._("Vous avez quitté le cercle « %(name)s ».", name=circle.name)
        )
        return Turn([Say(text)], goto="circle_page" if chosen == "join" else "circles_home")
    _work(ctx).reply_to = None
    if chosen == "report":  # the circle handed over; back here after
        return moderation.reporting(ctx, circle.id)
    if chosen == "events":  # they read the circle from this flow's state, kept while called
        return Turn(call="circle_events", then="circle_page")
    targets = {
        "write": "circle_write",
        "reply": "circle_reply",
        "digest": "circle_digest",
        "back": "circles_home",
    }
    return Turn(goto=targets[chosen])


async def circle_digest(ctx: Context, event: Incoming) -> Turn:
    """How to follow the circle: every message, one digest a day, or nothing."""
    circle = await _circle(ctx)
    if circle is None or circle.digest is None:
        return Turn(goto="circles_home")
    options = (
        Option("every", ctx._("📨 Chaque message")),
        Option("daily", ctx._("🗓️ Un résumé par jour")),
        Option("mute", ctx._("🔕 Rien (je viendrai lire)")),
        Option("back", ctx._("⬅️ Le cercle")),
    )
    if isinstance(event, Entered):
        return Turn([Ask(ctx._("Comment recevoir ce cercle ?"), options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen != "back":
        await desk(ctx).set_digest(circle.id, chosen)
        return Turn([Say(ctx._("C'est noté."))], goto="circle_page")
    return Turn(goto="circle_page")


async def circle_reply(ctx: Context, event: Incoming) -> Turn:
    """Choose the message to answer among the last ones."""
    circle = await _circle(ctx)
    if circle is None or circle.digest is None:
        return Turn(goto="circles_home")
    return await pick_post(
        ctx,
        event,
        desk(ctx),
        circle.id,
        label=lambda p: ctx._(
            "↩️ n°%(id)s · %(name)s", id=p.id, name=p.author.name or ctx._("Enseignant·e")
        ),
        prompts=(ctx._("À quel message répondre ?"), ctx._("Aucun message à répondre.")),
        keep=lambda post: setattr(_work(ctx), "reply_to", post),
        then="circle_write",
    )


async def circle_write(ctx: Context, event: Incoming) -> Turn:
    """The next message (text, photo, voice note or document) goes to the circle."""
    circle = await _circle(ctx)
    if circle is None or circle.digest is None:
        return Turn(goto="circles_home")
    options = (Option("back", ctx._("⬅️ Le cercle")),)
    if isinstance(event, Entered):
        if asked := await school_first(ctx, "circle_write", "circle_page"):
            return asked  # the message is signed with name, country and school
        text = ctx._("Écrivez votre message au cercle « %(name)s » :", name=circle.name)
        return Turn([Ask(text, options, ctx.state.prompt)])
    if isinstance(event, TextReceived) and not event.text.startswith("/") and event.text.strip():
        return await _post(ctx, circle, event.text.strip()[:MAX_TEXT], None)
    if isinstance(event, MediaReceived) and event.kind in ATTACHABLE and event.file_id:
        kind = ATTACHABLE[event.kind]
        attached = Attachment(
            kind, ctx.user.channel, event.file_id, event.filename, event.mime, event.size
        )
        return await _post(ctx, circle, f"📎 {event.filename or event.kind}", attached)
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen if chosen.goto == "menu" else unexpected(ctx, event)
    return Turn(goto="circle_page")


async def _post(ctx: Context, circle: CircleInfo, text: str, attachment: Attachment | None) -> Turn:
    """Keep and relay the message; schedule tonight's digest for those who get it so."""
    work = _work(ctx)
    reply_to, work.reply_to = work.reply_to, None
    quoted = ""
    if reply_to is not None:
        recent = await desk(ctx).recent(circle.id, 50)
        answered = [p for p in recent if p.id == reply_to and not p.removed]
        quoted = says_start(answered[0].text) if answered else ""
        reply_to = reply_to if answered else None
    refused = await moderation.screened(ctx, circle, (text, attachment, reply_to))
    if refused is not None:
        return refused
    me = await desk(ctx).me()
    relay = says.in_every_language(ctx, lambda c: says.relayed(c, me, text, quoted))
    posted = await desk(ctx).post(circle.id, text, relay, attachment, reply_to)
    if posted.digest:
        posts = await desk(ctx).digest_posts(circle.id)
        texts = says.in_every_language(ctx, lambda c: says.digest(c, circle.name, posts))
        await desk(ctx).schedule_digest(circle.id, posted.digest, texts)
    done = ctx.ngettext(
        "Message envoyé au cercle (%(n)s membre le reçoit maintenant).",
        "Message envoyé au cercle (%(n)s membres le reçoivent maintenant).",
        posted.relayed + posted.held,
    )
    return Turn([Say(done)], goto="circle_page")


def says_start(text: str, limit: int = 60) -> str:
    """The start of a message, on one line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


STEPS: dict[str, Step] = {
    name: circle_people_only(step)
    for name, step in {
        "circles_home": circles_home,
        "circle_new_subject": circle_new_subject,
        "circle_new_level": circle_new_level,
        "circle_page": circle_page,
        "circle_digest": circle_digest,
        "circle_reply": circle_reply,
        "circle_write": circle_write,
        **colleagues.STEPS,
    }.items()
}
COMMANDS: dict[str, Step] = {"cercles": circle_people_only(circles_command)}
FLOW = Flow(
    "circles",
    STEPS,
    COMMANDS,
    services=("admin", "circles", "moderation", "teaching"),
    state=Circling,
)
