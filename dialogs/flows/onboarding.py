"""First contact: language, consent, country, role and class level; the same steps change
one part of a complete profile from the settings ("editing").

A deep link a newcomer opens (a lesson, a class, a guardian's invitation) calls onboarding
(`Turn(call="welcome", then=...)`) after putting the link in onboarding's state, the flow
that stays alive until the profile is ready: onboarding returns it (`returned(ctx)` at the
step after the call), so nothing of the link waits in another flow's state, which would be
dropped meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from content.model import LEVELS

from dialogs.context import Context, Step, Turn
from dialogs.events import Entered, Incoming
from dialogs.flow import Flow, FlowState, calls, push_call, state_of
from dialogs.flows.common import route, unexpected
from dialogs.flows.place import go_to_lesson
from dialogs.messages import Ask, Option, Out, Say
from dialogs.options import choose
from dialogs.ports import EraseLearner

# The programme's eleven countries (ISO 3166 alpha-2), in the order of their French names.
COUNTRIES = ("BJ", "BF", "CM", "CI", "GN", "ML", "MR", "NE", "SN", "TD", "TG")

# Where a newcomer's deep link leads once the profile is ready (the key names its kind).
LINKED = {"join": "join_code", "guardian": "guardian_consent", "course": "lesson"}


@dataclass
class Onboarding(FlowState, flow="onboarding"):
    """Onboarding's own state, dropped once the learner leaves its steps.

    `editing`: one part of a complete profile is being changed from the settings (set by the
    settings and /langue before they enter the step). `country_known`: a profile added on a
    shared phone has the phone's country already (bot/storage/profiles.py seeds the new
    profile's state with the untyped key, read here through `legacy`). `link`: the deep link
    a newcomer opened, returned when the profile is ready: {"join": code}, {"guardian":
    code} or {"course": id, "lesson": id} (the shape an older release kept in
    `after_onboarding`, without calling)."""

    editing: bool = False
    country_known: bool = False
    link: dict[str, Any] | None = None
    legacy = {  # noqa: RUF012
        "editing": "editing",
        "country_known": "country_known",
        "link": "after_onboarding",
    }


def _kind(link: object) -> str | None:
    """What a deep link kept by onboarding opens (a key of LINKED), if it is one."""
    return next((key for key in LINKED if key in link), None) if isinstance(link, dict) else None


def onboard_then(ctx: Context, link: dict[str, Any], note: str) -> Turn:
    """A newcomer's deep link: onboarding first, then where the link leads, which gets the
    link back as the value onboarding returns."""
    kind = _kind(link)
    assert kind is not None, link
    state_of(ctx, Onboarding).link = link
    return Turn([Say(note)], call="welcome", then=LINKED[kind])


def _after(ctx: Context, next_step: str) -> Turn:
    """Go on with onboarding, or back to the settings when the learner was only editing."""
    # Editing a complete profile from the settings; a profile still onboarding goes on.
    work = state_of(ctx, Onboarding)
    editing, work.editing = work.editing, False
    if editing and ctx.profile.complete:
        return Turn([Say(ctx._("C'est enregistré."))], goto="settings")
    return Turn(goto=next_step)


def _editing(ctx: Context) -> bool:
    """Whether a complete profile is being changed from the settings (a newcomer's state is
    not even read: a greeting that changed nothing stores nothing, bot/storage/store.py)."""
    return ctx.profile.complete and state_of(ctx, Onboarding).editing


def _edit_back(ctx: Context) -> tuple[Option, ...]:
    """While editing one part of the profile from the settings: a way back, one tap."""
    if _editing(ctx):
        return (Option("back_settings", ctx._("↩️ Retour")),)
    return ()


def _edit_left(ctx: Context) -> Turn:
    """Leave the edit unchanged, back to the settings (onboarding's state goes with it)."""
    return Turn(goto="settings")


async def welcome(ctx: Context, event: Incoming) -> Turn:
    """Greet and ask for the interface language (names in their own script)."""
    options = tuple(Option(lang.code, lang.name) for lang in ctx.languages) + _edit_back(ctx)
    if isinstance(event, Entered) and _editing(ctx):
        return Turn([Ask(ctx._("Choisissez votre langue :"), options, ctx.state.prompt)])
    if isinstance(event, Entered):
        greeting = ctx._(
            "Bonjour et bienvenue sur Imaginecole ! Je vous accompagne dans vos leçons "
            "et vos quiz, ici même, dans la discussion."
        )
        ask = Ask(ctx._("Dans quelle langue voulez-vous apprendre ?"), options, ctx.state.prompt)
        return Turn([Say(greeting), ask])
    chosen = choose(ctx, event, options)
    if chosen is None:
        return Turn(reprompt=True)  # "Bonjour", /start...: the greeting is the answer
    if chosen == "back_settings":
        return _edit_left(ctx)
    ctx.set_language(chosen)
    return _after(ctx, "consent")


async def consent(ctx: Context, event: Incoming) -> Turn:
    """Say what is stored and how to delete it; go on only with the learner's agreement."""
    options = (Option("yes", ctx._("✅ J'accepte")), Option("no", ctx._("Non merci")))
    if isinstance(event, Entered):
        notice = ctx._(
            "Avant de commencer : je garde seulement votre langue, votre pays, votre rôle, "
            "votre classe et vos progrès, pour reprendre là où vous vous êtes arrêté. "
            "Je ne garde ni votre nom ni votre numéro de téléphone. "
            "À tout moment, /mes_donnees vous envoie tout ce que je garde, "
            "et /supprimer_mes_donnees efface tout."
        )
        if ctx.address_is_phone:  # the channel reaches people by their phone number
            notice = ctx._(
                "Avant de commencer : je garde seulement votre langue, votre pays, votre rôle, "
                "votre classe et vos progrès, pour reprendre là où vous vous êtes arrêté. "
                "Votre numéro de téléphone me sert seulement à vous répondre ; je ne garde pas "
                "votre nom. À tout moment, /mes_donnees vous envoie tout ce que je garde, "
                "et /supprimer_mes_donnees efface tout."
            )
        return Turn([Say(notice), Ask(ctx._("Êtes-vous d'accord ?"), options, ctx.state.prompt)])
    chosen = choose(ctx, event, options)
    if chosen == "yes":
        ctx.profile.consented_at = ctx.now
        # A learner added on a shared phone has the phone's country already.
        work = state_of(ctx, Onboarding)
        known = work.country_known and ctx.profile.country
        work.country_known = False
        return Turn(goto="role" if known else "country")
    if chosen == "no":
        bye = ctx._("D'accord, je n'ai rien gardé. Si vous changez d'avis, écrivez /start.")
        return Turn([Say(bye)], effects=[EraseLearner()])
    return unexpected(ctx, event)


async def country(ctx: Context, event: Incoming) -> Turn:
    """Ask the learner's country (the eleven countries and "other")."""
    options = tuple(Option(code, ctx.t.country_name(code)) for code in COUNTRIES)
    options += (Option("other", ctx._("Autre pays")), *_edit_back(ctx))
    if isinstance(event, Entered):
        return Turn([Ask(ctx._("Dans quel pays êtes-vous ?"), options, ctx.state.prompt, 2)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "back_settings":
        return _edit_left(ctx)
    ctx.profile.country = chosen
    return _after(ctx, "role")


async def role(ctx: Context, event: Incoming) -> Turn:
    """Ask whether the learner is a student or a teacher."""
    options = (
        Option("student", ctx._("🎒 Élève")),
        Option("teacher", ctx._("🧑‍🏫 Enseignant ou enseignante")),
        *_edit_back(ctx),
    )
    if isinstance(event, Entered):
        return Turn([Ask(ctx._("Vous êtes :"), options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "back_settings":
        return _edit_left(ctx)
    ctx.profile.role = chosen
    return _after(ctx, "level")


async def level(ctx: Context, event: Incoming) -> Turn:
    """Ask the class level, from CP to Terminale."""
    options = tuple(Option(code, level_name(ctx, code)) for code in LEVELS) + _edit_back(ctx)
    if isinstance(event, Entered):
        question = (
            ctx._("Quelle classe enseignez-vous surtout ?")
            if ctx.profile.role == "teacher"
            else ctx._("En quelle classe êtes-vous ?")
        )
        return Turn([Ask(question, options, ctx.state.prompt, 3)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "back_settings":
        return _edit_left(ctx)
    ctx.profile.level = chosen
    work = state_of(ctx, Onboarding)
    if work.editing:
        return _after(ctx, "menu")
    ready: list[Out] = [Say(ctx._("Merci ! Votre profil est prêt."))]
    # A deep link opened by a newcomer called onboarding: back to the step after the call,
    # with the link as the value returned.
    link, kind = work.link, _kind(work.link)
    if link is None or kind is None:
        return Turn(ready, ret=None, goto="menu")
    if not calls(ctx.state):  # an older release kept the link (`after_onboarding`), no call
        push_call(ctx.state, "welcome", LINKED[kind], None, "onboarding", "onboarding")
    if kind == "course":  # the lesson's place, where the learning flows read it
        go_to_lesson(ctx, link.get("course"), link.get("lesson"))
    return Turn(ready, ret=link, goto="menu")


def level_name(ctx: Context, code: str) -> str:
    """The display name of a class level."""
    names = {
        "CP": ctx._("CP"),
        "CE1": ctx._("CE1"),
        "CE2": ctx._("CE2"),
        "CM1": ctx._("CM1"),
        "CM2": ctx._("CM2"),
        "6e": ctx._("6e"),
        "5e": ctx._("5e"),
        "4e": ctx._("4e"),
        "3e": ctx._("3e"),
        "2nde": ctx._("2nde"),
        "1re": ctx._("1re"),
        "Tle": ctx._("Terminale"),
    }
    return names.get(code, code)


STEPS: dict[str, Step] = {
    "welcome": welcome,
    "consent": consent,
    "country": country,
    "role": role,
    "level": level,
}
FLOW = Flow("onboarding", STEPS, state=Onboarding)
