"""Moderation of teachers' circles: members report a message (with an optional reason);
moderators (of any country) and admins see reported and held messages and remove, release,
dismiss, warn the author, mute them in the circle (1 or 7 days) or take them out of it; admins
read the audit log. The filter itself runs in storage when a message is posted (`screened`).
Every step checks the person's role in its own turn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from dialogs.admin_ports import Attachment
from dialogs.circle_ports import CircleDesk, CircleInfo, Posted
from dialogs.context import Context, Step, Turn
from dialogs.events import Entered, Incoming, TextReceived
from dialogs.flow import Flow, FlowState, fresh, state_of
from dialogs.flows import circle_texts as says
from dialogs.flows.circle_picks import pick_post
from dialogs.flows.common import menu_option, route
from dialogs.messages import Ask, Option, Say
from dialogs.moderation_ports import LogEntry, ModerationDesk, Pending, Screened
from dialogs.roles import in_circles, is_admin, may_moderate
from dialogs.services import need

SHOWN = 5  # messages offered for a report
JOURNAL = 20  # audit log lines shown to admins
PREVIEW = 300  # characters of a message shown to moderators
MUTES = {"mute1": 1, "mute7": 7}  # option -> days


@dataclass
class Moderating(FlowState, flow="moderation"):
    """The circle whose message a member reports (handed over by the circle's page, which
    calls the report: `reporting`), the message they report, and the one a moderator is
    handling."""

    circle: int | None = None
    report: int | None = None
    moderated: int | None = None
    legacy = {"circle": "circle", "report": "report", "moderated": "moderated"}  # noqa: RUF012


def _work(ctx: Context) -> Moderating:
    """This flow's state; a value an older release kept under a key another flow also used
    (the class report's courses under "report") is no message id."""
    work = state_of(ctx, Moderating)
    if not isinstance(work.circle, int):
        work.circle = None
    if not isinstance(work.report, int):
        work.report = None
    if not isinstance(work.moderated, int):
        work.moderated = None
    return work


def reporting(ctx: Context, circle_id: int) -> Turn:
    """Report a message of this circle: called from the circle's page, which it goes back to
    (its own state, the circle open, stays while it waits)."""
    fresh(ctx, Moderating).circle = circle_id
    return Turn(call="circle_report", then="circle_page")


def desk(ctx: Context) -> ModerationDesk:
    """The moderation port; every channel that runs the circles provides it."""
    return need(ctx.services.moderation, "moderation", "moderation flows")


def circles_desk(ctx: Context) -> CircleDesk:
    """The circles port (notices, messages)."""
    return need(ctx.services.circles, "circles", "moderation flows")


def _guarded(step: Step, moderators: bool) -> Step:
    """A step that first checks, in this very turn, the person's right to it."""

    async def checked(ctx: Context, event: Incoming) -> Turn:
        grants = await ctx.services.admin.grants() if ctx.services.admin is not None else []
        ready = ctx.services.circles is not None and ctx.services.moderation is not None
        if not ready or not in_circles(grants):
            text = ctx._("Les cercles sont réservés aux enseignants.")
            return _out(ctx, text, "menu")
        if moderators and not may_moderate(grants):
            text = ctx._("La modération des cercles est réservée aux modérateurs.")
            return _out(ctx, text, "circles_home")
        return await step(ctx, event)

    checked.__doc__ = step.__doc__
    return checked


def _out(ctx: Context, text: str, goto: str) -> Turn:
    """Refused: the moderation state is dropped."""
    work = _work(ctx)
    work.report = work.moderated = None
    return Turn([Say(text)], goto=goto)


async def screened(
    ctx: Context,
    circle: CircleInfo,
    post: tuple[str, Attachment | None, int | None],
) -> Turn | None:
    """The filter's answer to a message about to be posted; None when it may go."""
    if ctx.services.moderation is None:
        return None
    text, attachment, reply_to = post
    verdict: Screened = await desk(ctx).screen(circle.id, text)
    if verdict.verdict == "ok":
        return None
    if verdict.verdict == "muted" and verdict.until is not None:
        said = ctx._(
            "La modération vous empêche d'écrire dans ce cercle jusqu'au %(date)s.",
            date=ctx.t.date(verdict.until),
        )
    elif verdict.verdict == "limited":
        said = ctx._(
            "Vous avez envoyé beaucoup de messages à ce cercle : "
            "attendez quelques minutes avant d'écrire à nouveau."
        )
    else:
        await desk(ctx).hold(circle.id, text, attachment, reply_to)
        said = ctx._("Votre message attend l'accord d'un modérateur avant d'être envoyé au cercle.")
    return Turn([Say(said)], goto="circle_page")


async def _member_circle(ctx: Context) -> CircleInfo | None:
    """The circle whose message is reported, if the person is one of its members."""
    wanted = _work(ctx).circle
    found = next((c for c in await circles_desk(ctx).circles() if c.id == wanted), None)
    return found if found is not None and found.digest is not None else None


async def circle_report(ctx: Context, event: Incoming) -> Turn:
    """Choose the message to report among the last ones."""
    circle = await _member_circle(ctx)
    if circle is None:
        return Turn(goto="circles_home")
    return await pick_post(
        ctx,
        event,
        circles_desk(ctx),
        circle.id,
        label=lambda p: ctx._(
            "🚩 n°%(id)s · %(name)s", id=p.id, name=p.author.name or ctx._("Enseignant·e")
        ),
        prompts=(ctx._("Quel message signaler ?"), ctx._("Aucun message à signaler.")),
        keep=lambda post: setattr(_work(ctx), "report", post),
        then="circle_report_reason",
    )


async def circle_report_reason(ctx: Context, event: Incoming) -> Turn:
    """The report's reason, typed, or none; then the moderators are told."""
    circle = await _member_circle(ctx)
    if circle is None or _work(ctx).report is None:
        return Turn(goto="circles_home")
    options = (
        Option("none", ctx._("Sans motif")),
        Option("back", ctx._("⬅️ Le cercle")),
    )
    if isinstance(event, Entered):
        text = ctx._("Pourquoi signalez-vous ce message ? Écrivez le motif, ou choisissez :")
        return Turn([Ask(text, options, ctx.state.prompt)])
    if isinstance(event, TextReceived) and not event.text.startswith("/") and event.text.strip():
        return await _report(ctx, circle, event.text.strip())
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "back":
        _work(ctx).report = None
        return Turn(goto="circle_page")
    return await _report(ctx, circle, "")


async def _report(ctx: Context, circle: CircleInfo, reason: str) -> Turn:
    """Keep the report and tell the moderators."""
    work = _work(ctx)
    message_id, work.report = int(work.report or 0), None
    moderators = await desk(ctx).report(message_id, reason)
    told = says.in_every_language(
        ctx,
        lambda c: c._(
            "🚩 Le message n°%(id)s du cercle « %(circle)s » a été signalé. "
            "Pour le traiter : /moderation",
            id=message_id,
            circle=circle.name,
        ),
    )
    await circles_desk(ctx).notice(moderators, told)
    done = ctx._("Merci : les modérateurs vont examiner ce message.")
    return Turn([Say(done)], goto="circle_page")


async def moderation_command(ctx: Context, event: Incoming) -> Turn:
    """/moderation: reported and held messages (moderators and admins)."""
    return Turn(goto="mod_home")


def _pending_line(ctx: Context, item: Pending) -> str:
    """A waiting message: where, who, why, and its start."""
    why = {
        "word": ctx._("retenu : mot de la liste"),
        "link": ctx._("retenu : lien d'un nouveau membre"),
        "flood": ctx._("retenu : trop de messages d'affilée"),
    }.get(item.held, "")
    if item.reasons:
        reasons = "; ".join(r or ctx._("sans motif") for r in item.reasons)
        why = ctx.ngettext(
            "%(n)s signalement : %(reasons)s",
            "%(n)s signalements : %(reasons)s",
            len(item.reasons),
            reasons=reasons,
        )
    head = ctx._(
        "n°%(id)s · « %(circle)s » · %(who)s",
        id=item.post.id,
        circle=item.circle_name,
        who=says.who(ctx, item.post.author),
    )
    return f"{head}\n{why}\n{item.post.text[:PREVIEW]}"


async def mod_home(ctx: Context, event: Incoming) -> Turn:
    """The messages waiting for a moderator: held by the filter, or reported."""
    waiting = await desk(ctx).pending()
    options = tuple(
        Option(
            f"p{w.post.id}", ctx._("🛡️ n°%(id)s · %(circle)s", id=w.post.id, circle=w.circle_name)
        )
        for w in waiting
    ) + (Option("back", ctx._("⬅️ Cercles")), menu_option(ctx))
    if isinstance(event, Entered):
        lines = [_pending_line(ctx, w) for w in waiting] or [
            ctx._("Aucun message n'attend la modération.")
        ]
        ask = Ask(ctx._("Quel message traiter ?"), options, ctx.state.prompt)
        return Turn([Say("\n\n".join(lines)), ask])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "back":
        return Turn(goto="circles_home")
    _work(ctx).moderated = int(chosen[1:])
    return Turn(goto="mod_item")


async def mod_item(ctx: Context, event: Incoming) -> Turn:
    """One waiting message: release or remove it, dismiss its reports, act on its author."""
    wanted = _work(ctx).moderated
    item = next((w for w in await desk(ctx).pending() if w.post.id == wanted), None)
    if item is None:
        return Turn(goto="mod_home")
    first = (
        (Option("release", ctx._("✅ Envoyer au cercle")),)
        if item.held
        else (Option("dismiss", ctx._("👌 Laisser le message")),)
    )
    options = (
        *first,
        Option("remove", ctx._("🗑️ Retirer le message")),
        Option("warn", ctx._("⚠️ Avertir l'auteur")),
        Option("mute1", ctx._("🔇 Suspendre l'auteur 1 jour")),
        Option("mute7", ctx._("🔇 Suspendre l'auteur 7 jours")),
        Option("exclude", ctx._("🚪 Retirer l'auteur du cercle")),
        Option("back", ctx._("⬅️ Modération")),
    )
    if isinstance(event, Entered):
        return Turn(
            [Say(_pending_line(ctx, item)), Ask(ctx._("Que faire ?"), options, ctx.state.prompt)]
        )
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "back":
        return Turn(goto="mod_home")
    said = await _act(ctx, item, chosen)
    _work(ctx).moderated = None
    return Turn([Say(said)], goto="mod_home")


def _reason(ctx: Context, item: Pending) -> str:
    """The reason kept in the log: the reports' reasons, or why the filter held it."""
    if item.reasons:
        return "; ".join(r for r in item.reasons if r)
    return item.held


async def _act(ctx: Context, item: Pending, chosen: str) -> str:
    """Do what the moderator chose; what to tell them."""
    reason = _reason(ctx, item)
    message_id = item.post.id
    if chosen == "release":
        await _release(ctx, item)
        return ctx._("Le message n°%(id)s est envoyé au cercle.", id=message_id)
    if chosen == "remove":
        copies = await desk(ctx).remove(message_id, reason)
        return (
            ctx.ngettext(
                "Le message n°%(id)s est retiré ; %(n)s copie déjà reçue sera supprimée.",
                "Le message n°%(id)s est retiré ; %(n)s copies déjà reçues seront supprimées.",
                copies,
                id=message_id,
            )
            if copies
            else ctx._(
                "Le message n°%(id)s est retiré : il apparaît comme retiré dans le cercle.",
                id=message_id,
            )
        )
    if chosen == "dismiss":
        await desk(ctx).dismiss(message_id, reason)
        return ctx._("Les signalements du message n°%(id)s sont classés.", id=message_id)
    return await _sanction(ctx, item, chosen, reason)


async def _release(ctx: Context, item: Pending) -> None:
    """Relay a held message as its author wrote it; add it to tonight's digest."""
    post = item.post
    relay = says.in_every_language(
        ctx, lambda c: says.relayed(c, post.author, post.text, post.quoted)
    )
    posted: Posted | None = await desk(ctx).release(post.id, relay)
    if posted is not None and posted.digest:
        posts = await circles_desk(ctx).digest_posts(item.circle_id)
        texts = says.in_every_language(ctx, lambda c: says.digest(c, item.circle_name, posts))
        await circles_desk(ctx).schedule_digest(item.circle_id, posted.digest, texts)


async def _sanction(ctx: Context, item: Pending, chosen: str, reason: str) -> str:
    """Warn, mute or take out the author; they get a personal notice."""
    author = (item.post.author.user_id,)
    circle, message_id = item.circle_name, item.post.id
    if chosen == "warn":
        await desk(ctx).warn(message_id, reason)
        notice = says.in_every_language(ctx, lambda c: _warning(c, circle, message_id, reason))
        said = ctx._("L'auteur du message n°%(id)s est averti.", id=message_id)
    elif chosen in MUTES:
        until = ctx.now + timedelta(days=MUTES[chosen])
        await desk(ctx).mute(message_id, until, reason)
        notice = says.in_every_language(
            ctx,
            lambda c: c._(
                "🔇 La modération vous empêche d'écrire dans « %(circle)s » jusqu'au %(date)s.",
                circle=circle,
                date=c.t.date(until),
            ),
        )
        said = ctx._("L'auteur est suspendu jusqu'au %(date)s.", date=ctx.t.date(until))
    else:
        await desk(ctx).exclude(message_id, reason)
        notice = says.in_every_language(
            ctx,
            lambda c: c._(
                "🚪 La modération vous a retiré·e du cercle « %(circle)s ».", circle=circle
            ),
        )
        said = ctx._("L'auteur est retiré du cercle.")
    await circles_desk(ctx).notice(author, notice)
    return said


def _warning(ctx: Context, circle: str, message_id: int, reason: str) -> str:
    """The personal warning an author receives."""
    text = ctx._(
        "⚠️ Un modérateur vous avertit au sujet de votre message n°%(id)s dans « %(circle)s ». "
        "Merci de respecter les règles du cercle.",
        id=message_id,
        circle=circle,
    )
    return text + "\n" + ctx._("Motif : %(reason)s", reason=reason) if reason else text


def _log_line(ctx: Context, entry: LogEntry) -> str:
    """One audit log line: when, who, what, on what, why."""
    actions = {
        "remove": ctx._("message retiré"),
        "release": ctx._("message envoyé"),
        "dismiss": ctx._("signalements classés"),
        "warn": ctx._("avertissement"),
        "mute": ctx._("suspension"),
        "exclude": ctx._("retrait du cercle"),
    }
    line = ctx._(
        "%(date)s · %(moderator)s · %(action)s · « %(circle)s » n°%(id)s · %(member)s",
        date=ctx.t.date(entry.at),
        moderator=entry.moderator,
        action=actions.get(entry.action, entry.action),
        circle=entry.circle,
        id=entry.message_id if entry.message_id is not None else "–",
        member=entry.member,
    )
    return line + "\n" + ctx._("Motif : %(reason)s", reason=entry.reason) if entry.reason else line


async def mod_journal(ctx: Context, event: Incoming) -> Turn:
    """The audit log of moderation: the last entries, for admins."""
    options = (Option("admin", ctx._("⬅️ Administration")), menu_option(ctx))
    if isinstance(event, Entered):
        entries = await desk(ctx).journal(JOURNAL)
        lines = [_log_line(ctx, e) for e in entries] or [
            ctx._("Le journal de modération est vide.")
        ]
        return Turn(
            [Say("\n\n".join(lines)), Ask(ctx._("Et maintenant ?"), options, ctx.state.prompt)]
        )
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    return Turn(goto="admin_menu")


def _admins_only(step: Step) -> Step:
    """A step for admins only, checked in this very turn."""

    async def checked(ctx: Context, event: Incoming) -> Turn:
        if (
            ctx.services.admin is None
            or ctx.services.moderation is None
            or not is_admin(await ctx.services.admin.grants())
        ):
            text = ctx._("Cette action est réservée aux administrateurs de votre pays.")
            return Turn([Say(text)], goto="menu")
        return await step(ctx, event)

    checked.__doc__ = step.__doc__
    return checked


STEPS: dict[str, Step] = {
    "circle_report": _guarded(circle_report, moderators=False),
    "circle_report_reason": _guarded(circle_report_reason, moderators=False),
    "mod_home": _guarded(mod_home, moderators=True),
    "mod_item": _guarded(mod_item, moderators=True),
    "mod_journal": _admins_only(mod_journal),
}
COMMANDS: dict[str, Step] = {"moderation": _guarded(moderation_command, moderators=True)}
FLOW = Flow(
    "moderation", STEPS, COMMANDS, services=("admin", "circles", "moderation"), state=Moderating
)
