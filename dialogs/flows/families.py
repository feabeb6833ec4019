"""Families: a learner's guardians, their consent, the weekly summary; and the optional
question "girl or boy" (figures by sex).

A learner invites a guardian with a code they pass on by hand (said aloud, written down):
the guardian sends `/parent CODE` to the bot from their own phone, on any channel, and is
asked there whether they accept: nobody is signed up by someone else. The learner removes a
guardian at /famille; the guardian stops with /stop_parent. The summary (days learned,
lessons done, work due or late, skills in words) never shows an answer.

The sex question is asked only where it is chosen (the settings), says why, and keeps
nothing for "prefer not to say".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from content.mastery import Level

from dialogs.context import Context, Step, Translator, Turn
from dialogs.events import Entered, Incoming, TextReceived
from dialogs.family_ports import FamilyDesk, GuardianLink
from dialogs.flow import Flow, FlowState, returned, state_of
from dialogs.flows.circle_texts import in_every_language
from dialogs.flows.common import menu_option, route
from dialogs.flows.onboarding import onboard_then
from dialogs.flows.reminders import Voice
from dialogs.messages import Ask, Option, Say
from dialogs.reminding import next_weekly
from dialogs.services import need
from dialogs.when import zone_of

NAME_LENGTH = 40  # the first name shown to a guardian


@dataclass
class Families(FlowState, flow="families"):
    """The invitation code a guardian opened (/parent CODE), until they accept or decline."""

    code: str = ""
    legacy = {"code": "guardian_code"}  # noqa: RUF012


def _desk(ctx: Context) -> FamilyDesk:
    return need(ctx.services.families, "families", "families flows")


def _label(ctx: Context, link: GuardianLink) -> str:
    """ "Parent (depuis le 7 déc. 2026)" or "Invitation en attente : K7MP2QXA"."""
    if link.accepted_at is None:
        return ctx._("Invitation en attente : %(code)s", code=link.code)
    return ctx._("Parent (depuis le %(date)s)", date=ctx.t.date(link.accepted_at))


async def family(ctx: Context, event: Incoming) -> Turn:
    """The learner's guardians: invite one, remove one; and, for a guardian, stop."""
    if ctx.services.families is None:
        return Turn(goto="menu")
    desk = _desk(ctx)
    links = await desk.guardians()
    children = await desk.children()
    options = [Option("invite", ctx._("➕ Inviter un parent"))]
    options += [Option(f"r{link.id}", "❌ " + _label(ctx, link)) for link in links]
    if children:
        options.append(Option("stop", ctx._("🔕 Ne plus recevoir de résumé")))
    options.append(menu_option(ctx))
    shown = tuple(options)
    if isinstance(event, Entered):
        return Turn([Ask(_family_text(ctx, links, children), shown, ctx.state.prompt)])
    chosen = route(ctx, event, shown)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "invite":
        return Turn(goto="family_name")
    if chosen == "stop":
        return Turn([_stopped(ctx, await desk.stop())], goto="menu")
    link_id = int(chosen[1:])
    gone = in_every_language(
        ctx,
        lambda c: c._(
            "👪 %(name)s a arrêté l'envoi de son résumé chaque semaine : vous ne le recevrez plus.",
            name=next((link.learner_name for link in links if link.id == link_id), "?"),
        ),
    )
    await desk.tell_other(link_id, gone, ctx.now)
    removed = await desk.remove(link_id)
    text = (
        ctx._("C'est fait : ce parent ne recevra plus de résumé.")
        if removed
        else ctx._("Déjà fait.")
    )
    return Turn([Say(text)], reprompt=False, goto="family")


def _family_text(ctx: Context, links: list[GuardianLink], children: list[GuardianLink]) -> str:
    """What a guardian receives, who receives it, and whose summaries this person gets."""
    lines = [
        ctx._(
            "👪 Un parent ou un tuteur peut recevoir chaque semaine un court résumé de votre "
            "travail : jours d'étude, leçons terminées, devoirs. Jamais vos réponses."
        )
    ]
    if links:
        lines.append(
            ctx.ngettext(
                "Vous avez %(n)s parent ou invitation. Touchez-le pour le retirer.",
                "Vous avez %(n)s parents ou invitations. Touchez-en un pour le retirer.",
                len(links),
            )
        )
    if children:
        names = ", ".join(child.learner_name for child in children)
        lines.append(ctx._("Vous recevez les résumés de : %(names)s.", names=names))
    return "\n\n".join(lines)


async def family_name(ctx: Context, event: Incoming) -> Turn:
    """The first name the guardian will see; then the invitation's code."""
    options = (menu_option(ctx),)
    if isinstance(event, Entered):
        text = ctx._("Quel prénom votre parent verra-t-il dans les résumés ?")
        return Turn([Ask(text, options, ctx.state.prompt)])
    typed = event.text.strip() if isinstance(event, TextReceived) else ""
    if typed and not typed.startswith("/"):
        name = " ".join(typed.split())[:NAME_LENGTH]
        code = await _desk(ctx).invite(name, ctx.now)
        text = ctx._(
            "✅ Voici le code d'invitation : %(code)s\n\n"
            "Donnez-le à votre parent. Depuis son téléphone, il écrit au bot :\n"
            "/parent %(code)s\n"
            "Il choisira lui-même d'accepter. Le code marche pendant 7 jours, une seule fois.",
            code=code,
        )
        return Turn([Say(text)], goto="family")
    chosen = route(ctx, event, options)
    return chosen if isinstance(chosen, Turn) else Turn(goto="menu")


async def family_command(ctx: Context, event: Incoming) -> Turn:
    """/famille: the learner's guardians (after onboarding)."""
    if not ctx.profile.complete or ctx.services.families is None:
        return Turn(reprompt=True)
    return Turn(goto="family")


async def guardian_command(ctx: Context, event: Incoming) -> Turn:
    """/parent CODE: a guardian opens an invitation (newcomers onboard first)."""
    if ctx.services.families is None:
        return Turn(reprompt=True)
    parts = event.text.split(maxsplit=1) if isinstance(event, TextReceived) else []
    code = parts[1].strip() if len(parts) > 1 else ""
    if not ctx.profile.complete:  # onboarding, then the invitation
        note = ctx._("Je vous montrerai l'invitation juste après quelques questions.")
        return onboard_then(ctx, {"guardian": code}, note)
    state_of(ctx, Families).code = code
    return Turn(goto="guardian_consent")


async def guardian_consent(ctx: Context, event: Incoming) -> Turn:
    """Show whose invitation it is and what it means; the guardian accepts or declines."""
    desk = _desk(ctx)
    work = state_of(ctx, Families)
    link = returned(ctx)  # /parent CODE sent before onboarding, returned by onboarding
    if isinstance(link, dict) and "guardian" in link:
        work.code = str(link["guardian"])
    code = work.code
    invitation = await desk.invitation(code, ctx.now) if code else None
    if invitation is None:
        work.code = ""
        text = ctx._(
            "Ce code d'invitation n'est pas valable (il a peut-être déjà servi, ou plus de "
            "7 jours ont passé). Demandez un nouveau code à l'élève."
        )
        return Turn([Say(text)], goto="menu")
    options = (
        Option("accept", ctx._("✅ J'accepte")),
        Option("decline", ctx._("Non merci")),
    )
    if isinstance(event, Entered):
        text = ctx._(
            "👪 %(name)s vous invite à recevoir chaque semaine, le dimanche soir, un court "
            "résumé de son travail : jours d'étude, leçons terminées, devoirs à rendre ou en "
            "retard, compétences. Jamais ses réponses.\n\n"
            "Vous pourrez arrêter à tout moment avec /stop_parent. Acceptez-vous ?",
            name=invitation.learner_name,
        )
        return Turn([Ask(text, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    work.code = ""
    if chosen == "decline":
        text = ctx._("D'accord, vous ne recevrez rien. L'invitation reste valable 7 jours.")
        return Turn([Say(text)], goto="menu")
    quiet = ctx.services.reminders.quiet if ctx.services.reminders is not None else None
    first = next_weekly(zone_of(ctx.profile.country), ctx.now, quiet)
    if not await desk.accept(invitation.id, ctx.now, first):
        return Turn([Say(ctx._("Cette invitation n'est plus valable."))], goto="menu")
    accepted = in_every_language(
        ctx,
        lambda c: c._(
            "👪 Votre parent a accepté : il recevra votre résumé chaque semaine (jamais vos "
            "réponses). Pour voir ou retirer : /famille"
        ),
    )
    await desk.tell_other(invitation.id, accepted, ctx.now)
    text = ctx._(
        "✅ C'est noté. Vous recevrez le résumé de %(name)s chaque dimanche vers 18 h, "
        "premier résumé le %(date)s. Pour arrêter : /stop_parent",
        name=invitation.learner_name,
        date=ctx.t.date(first),
    )
    return Turn([Say(text)], goto="menu")


def _stopped(ctx: Context, ended: int) -> Say:
    """What /stop_parent says."""
    if ended:
        return Say(ctx._("🔕 D'accord, vous ne recevrez plus de résumé."))
    return Say(ctx._("Vous ne recevez aucun résumé."))


async def stop_command(ctx: Context, event: Incoming) -> Turn:
    """/stop_parent: a guardian stops every summary, from anywhere."""
    if ctx.services.families is None:
        return Turn(reprompt=True)
    return Turn([_stopped(ctx, await _desk(ctx).stop())], reprompt=True)


# --- the optional question "girl or boy" -------------------------------------------------


async def sex(ctx: Context, event: Incoming) -> Turn:
    """Girl, boy or prefer not to say: why it is asked, and nothing kept when declined."""
    if ctx.services.families is None:
        return Turn(goto="menu")
    options = (
        Option("girl", ctx._("Fille")),
        Option("boy", ctx._("Garçon")),
        Option("none", ctx._("Je préfère ne pas le dire")),
        menu_option(ctx),
    )
    if isinstance(event, Entered):
        current = await _desk(ctx).sex()
        text = ctx._(
            "Êtes-vous une fille ou un garçon ? Vous pouvez ne pas répondre.\n\n"
            "Pourquoi cette question : pour savoir si les filles et les garçons apprennent "
            "autant avec Imaginecole. Votre réponse n'est montrée à personne, elle ne compte "
            "que dans des totaux d'au moins 5 élèves. Vous pouvez la changer ou l'effacer ici."
        )
        if current is not None:
            answer = ctx._("Fille") if current == "girl" else ctx._("Garçon")
            text += "\n\n" + ctx._("Votre réponse : %(answer)s.", answer=answer)
        return Turn([Ask(text, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    await _desk(ctx).set_sex(chosen if chosen in ("girl", "boy") else None, ctx.now)
    if chosen == "none":
        text = ctx._("D'accord, je ne garde aucune réponse.")
    else:
        text = ctx._("Merci, c'est noté.")
    return Turn([Say(text)], goto="menu")


# --- the weekly summary (bot/families.py composes it outside a turn) ----------------------


@dataclass(frozen=True)
class WeekFacts:
    """What a guardian's weekly summary says about one learner."""

    learner: str
    days: int  # local days with some learning in the 7 days
    lessons: tuple[str, ...] = ()  # titles of the lessons finished
    due: tuple[tuple[str, datetime], ...] = ()  # (work, deadline) still to do
    late: tuple[str, ...] = ()  # work whose deadline passed, unfinished
    skills: tuple[tuple[str, Level], ...] = ()  # skills answered this week, in words
    away: int = 0  # days since the learner last came, when that makes them absent (else 0)


def summary_text(t: Translator, facts: WeekFacts) -> str:
    """The weekly summary in the guardian's language; never an answer."""
    say = Voice(t)
    lines = [say._("👪 La semaine de %(name)s", name=facts.learner)]
    lines.append(
        say.ngettext(
            "📅 %(n)s jour d'étude sur 7.",
            "📅 %(n)s jours d'étude sur 7.",
            facts.days,
        )
    )
    if facts.lessons:
        titles = ", ".join(f"« {title} »" for title in facts.lessons)
        lines.append(
            say.ngettext(
                "📚 %(n)s leçon terminée : %(titles)s.",
                "📚 %(n)s leçons terminées : %(titles)s.",
                len(facts.lessons),
                titles=titles,
            )
        )
    else:
        lines.append(say._("📚 Aucune leçon terminée cette semaine."))
    for work, when in facts.due:
        lines.append(
            say._("📝 À rendre avant le %(date)s : %(work)s", date=t.date(when), work=work)
        )
    for work in facts.late:
        lines.append(say._("⚠️ En retard : %(work)s", work=work))
    words = {
        Level.MASTERED: "✅ %(skill)s : maîtrisé",
        Level.ON_TRACK: "📈 %(skill)s : en bonne voie",
        Level.TO_REVIEW: "🔁 %(skill)s : à revoir",
    }
    if facts.skills:
        lines.append(say._("🎯 Compétences travaillées :"))
        lines += [say._(words[found], skill=name) for name, found in facts.skills]
    if facts.away:
        lines.append(
            say.ngettext(
                "💬 %(name)s n'est pas venu(e) apprendre depuis %(n)s jour. Un mot "
                "d'encouragement peut l'aider à reprendre cette semaine.",
                "💬 %(name)s n'est pas venu(e) apprendre depuis %(n)s jours. Un mot "
                "d'encouragement peut l'aider à reprendre cette semaine.",
                facts.away,
                name=facts.learner,
            )
        )
    elif facts.days == 0:
        lines.append(say._("💬 Un mot d'encouragement peut l'aider à reprendre cette semaine."))
    lines.append(say._("Pour ne plus recevoir ces résumés : /stop_parent"))
    return "\n".join(lines)


STEPS: dict[str, Step] = {
    "family": family,
    "family_name": family_name,
    "guardian_consent": guardian_consent,
    "sex": sex,
}
COMMANDS: dict[str, Step] = {
    "famille": family_command,
    "family": family_command,
    "parent": guardian_command,
    "guardian": guardian_command,
    "stop_parent": stop_command,
    "stopguardian": stop_command,
}
FLOW = Flow("families", STEPS, COMMANDS, services=("families", "reminders"), state=Families)
