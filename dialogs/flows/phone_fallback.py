"""The phone fallback (settings, or /secours_sms): "write to me by SMS if this app stops
reaching my number". Offered only where it can happen (`ctx.services.phone_fallback`: a
channel whose address is a phone number, and a channel that takes over phones configured);
what happens then is the bot's (bot/fallbacks.py)."""

from __future__ import annotations

from dialogs.context import Context, Step, Turn
from dialogs.events import Entered, Incoming
from dialogs.flow import Flow
from dialogs.flows.common import menu_option, route
from dialogs.messages import Ask, Option, Say


def offered(ctx: Context) -> tuple[Option, ...]:
    """The settings' option, where the fallback exists."""
    fallback = ctx.services.phone_fallback
    if fallback is None:
        return ()
    return (
        Option("phone_fallback", ctx._("📱 Me joindre par %(channel)s", channel=fallback.label)),
    )


async def phone_fallback(ctx: Context, event: Incoming) -> Turn:
    """Say yes or no to the fallback."""
    fallback = ctx.services.phone_fallback
    if fallback is None:
        return Turn([Say(ctx._("Ce réglage n'est pas disponible ici."))], goto="menu")
    on = await fallback.opted()
    switch = Option("off", ctx._("Désactiver")) if on else Option("on", ctx._("Activer"))
    options = (switch, Option("settings", ctx._("⚙️ Langue et profil")), menu_option(ctx))
    if isinstance(event, Entered):
        status = ctx._("C'est activé.") if on else ctx._("C'est désactivé.")
        text = ctx._(
            "📱 Si ce numéro ne reçoit plus nos messages ici, nous pouvons vous écrire par "
            "%(channel)s au même numéro : rappels, annonces, réponses des enseignants (quelques "
            "messages par jour au plus). Répondre par %(channel)s continue vos leçons.",
            channel=fallback.label,
        )
        return Turn([Ask(f"{text}\n\n{status}", options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "settings":
        return Turn(goto="settings")
    await fallback.set_opted(chosen == "on")
    if chosen == "on":
        done = ctx._(
            "C'est noté : si ce numéro ne reçoit plus nos messages ici, nous vous écrirons "
            "par %(channel)s.",
            channel=fallback.label,
        )
    else:
        done = ctx._(
            "C'est noté : nous ne vous écrirons pas par %(channel)s.", channel=fallback.label
        )
    return Turn([Say(done)], goto="menu")


async def phone_fallback_command(ctx: Context, event: Incoming) -> Turn:
    """/secours_sms: the setting, from anywhere."""
    if not ctx.profile.complete:
        return Turn(goto="welcome")
    return Turn(goto="phone_fallback")


STEPS: dict[str, Step] = {"phone_fallback": phone_fallback}
COMMANDS: dict[str, Step] = {"secours_sms": phone_fallback_command}
FLOW = Flow("phone_fallback", STEPS, COMMANDS, services=("phone_fallback",))
