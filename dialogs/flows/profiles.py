"""Several learners on one phone: the list of profiles, switching (with a PIN), adding one.

Each profile is a learner of its own (progress, classes, deck, certificates); the storage
behind `ctx.services.profiles` makes the turn run for the profile the phone is using.
Switching parks the current profile at its menu without showing it: the next profile's
prompt comes from a turn of its own (bot/conversations.py), so nothing of the previous
learner is on screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dialogs.context import Context, Step, Turn
from dialogs.events import Entered, Incoming, OptionChosen, OptionsChosen, TextReceived
from dialogs.flow import Flow, FlowState, state_of
from dialogs.flows.common import menu_option, route, unexpected
from dialogs.messages import Ask, ClearScreen, Option, Say
from dialogs.options import choose
from dialogs.ports import EraseLearner
from dialogs.profile_ports import (
    MAX_PROFILES,
    PIN_LOCK,
    UNLOCK_STEP,
    LearnerProfile,
    PinCheck,
    ProfileDesk,
    clean_name,
    read_pin,
)
from dialogs.services import need

_ZONES = {  # the programme's countries: where the lock's end time is told
    "BJ": "Africa/Porto-Novo",
    "BF": "Africa/Ouagadougou",
    "CM": "Africa/Douala",
    "CI": "Africa/Abidjan",
    "GN": "Africa/Conakry",
    "ML": "Africa/Bamako",
    "MR": "Africa/Nouakchott",
    "NE": "Africa/Niamey",
    "SN": "Africa/Dakar",
    "TD": "Africa/Ndjamena",
    "TG": "Africa/Lome",
}


@dataclass
class Sharing(FlowState, flow="profiles"):
    """The learner being switched to (their PIN asked), and whose first name is asked:
    the current learner's, once, or a new learner's."""

    target: int | None = None
    naming: str = "new"  # "current" or "new"
    # Where /quitter_cet_appareil was typed, as an older release kept it (no call waiting).
    leaving_from: str = ""
    legacy = {"target": "target", "naming": "naming", "leaving_from": "leaving_from"}  # noqa: RUF012


def _work(ctx: Context) -> Sharing:
    """This flow's state."""
    return state_of(ctx, Sharing)


# The steps of the gate (the PIN asked of the profile an erasure put in use) and their
# counterparts outside it. A gate step sees every event, commands and old buttons included, so
# nothing of the locked profile (its menu, its progress) is shown before its PIN; each of these
# steps, reached from the gate, goes back to the gate, never to the locked profile's menu.
_GATED = {
    "profiles": UNLOCK_STEP,
    "profile_pin": "profile_gate_pin",
    "profile_forgot": "profile_gate_forgot",
    "profile_erase": "profile_gate_erase",
    "profile_name": "profile_gate_name",
}


_REMEMBERED = ("profile_gate_forgot", "profile_gate_erase", "profile_gate_name")  # PIN: unlock


def _gated(ctx: Context) -> bool:
    """Whether the phone is at the gate: the profile in use has not given its PIN yet."""
    return ctx.state.step in GATES


def _to(ctx: Context, step: str) -> str:
    """`step`, or its counterpart at the gate when the phone is at the gate."""
    return _GATED[step] if _gated(ctx) else step


def _desk(ctx: Context) -> ProfileDesk:
    """The profiles port (every channel with storage has one)."""
    return need(ctx.services.profiles, "profiles", "profiles flows")


def name_of(ctx: Context, profile: LearnerProfile) -> str:
    """A profile's first name, or how the unnamed main profile is called."""
    return profile.first_name or ctx._("Profil principal")


def _find(found: list[LearnerProfile], profile_id: object) -> LearnerProfile | None:
    """The profile with that id among `found`."""
    return next((p for p in found if p.id == profile_id), None)


async def profiles(ctx: Context, event: Incoming) -> Turn:
    """List the phone's learners (the current one marked); switch, add, or set a PIN."""
    if ctx.services.profiles is None:
        return Turn(goto="menu")
    found = await ctx.services.profiles.profiles()
    current = next(p for p in found if p.current)
    options = _list_options(ctx, found, current)
    if isinstance(event, Entered):
        return Turn([Ask(_list_text(ctx, found), options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return _leaving(ctx, chosen)
    if chosen.startswith("p") and (target := _find(found, _int(chosen[1:]))) is not None:
        return await _pick(ctx, target)
    if chosen == "add":
        _work(ctx).naming = "new" if current.first_name else "current"
        return Turn(goto="profile_name")
    if chosen == "pin":
        return Turn(goto="profile_set_pin")
    if chosen == "nopin":
        await ctx.services.profiles.set_pin(None)
        return Turn([Say(ctx._("Le code PIN de ce profil est retiré."))], reprompt=True)
    return unexpected(ctx, event)


def _int(text: str) -> int | None:
    """A profile id typed back from an option id."""
    return int(text) if text.isdigit() else None


def _list_text(ctx: Context, found: list[LearnerProfile]) -> str:
    """The learners of this phone, one a line, the current one marked."""
    lines = [
        ctx._("✅ %(name)s (en ce moment)", name=name_of(ctx, p))
        if p.current
        else f"👤 {name_of(ctx, p)}"
        for p in found
    ]
    title = ctx._("Les élèves de ce téléphone :")
    return "\n".join([title, *lines, "", ctx._("Qui veut apprendre maintenant ?")])


def _list_options(
    ctx: Context, found: list[LearnerProfile], current: LearnerProfile
) -> tuple[Option, ...]:
    """Switch to another learner, add one, the current one's PIN, back to the menu."""
    options = [
        Option(f"p{p.id}", f"👤 {name_of(ctx, p)}" + (" 🔒" if p.has_pin else ""))
        for p in found
        if not p.current
    ]
    if len(found) < MAX_PROFILES:
        options.append(Option("add", ctx._("➕ Ajouter un élève")))
    if ctx.profile.complete and current.has_pin:
        options.append(Option("pin", ctx._("🔑 Changer le code PIN")))
        options.append(Option("nopin", ctx._("Retirer le code PIN")))
    elif ctx.profile.complete:
        options.append(Option("pin", ctx._("🔑 Mettre un code PIN")))
    return (*options, menu_option(ctx))


def _leaving(ctx: Context, turn: Turn) -> Turn:
    """Leave the flow: its working data goes; an unfinished profile returns to onboarding."""
    work = _work(ctx)
    work.target, work.naming = None, "new"
    if turn.goto == "menu" and not ctx.profile.complete:
        return Turn(goto="welcome")
    return turn


async def _pick(ctx: Context, target: LearnerProfile) -> Turn:
    """Switch to a learner at once, or ask their PIN first."""
    locked = _locked(ctx, target, target.locked_until)
    if locked is not None:
        return Turn([locked], reprompt=True)
    if not target.has_pin:
        return await _switch(ctx, target)
    _work(ctx).target = target.id
    return Turn(goto=_to(ctx, "profile_pin"))


async def _switch(ctx: Context, target: LearnerProfile) -> Turn:
    """Put `target` in use; this profile waits at its menu, unseen."""
    _leaving(ctx, Turn())
    back = _to(ctx, "profiles")
    ctx.state.step = "menu" if ctx.profile.complete else "welcome"
    if not await _desk(ctx).switch(target.id, ctx.state.prompt):
        return Turn([Say(ctx._("Ce profil n'existe plus."))], goto=back)
    # The previous learner's conversation leaves the screen (a device that keeps it).
    turn_of = ctx._("C'est au tour de %(name)s.", name=name_of(ctx, target))
    return Turn([ClearScreen(), Say(turn_of)])


def _locked(ctx: Context, target: LearnerProfile, until: datetime | None) -> Say | None:
    """Why the PIN of a locked profile cannot be tried now, with the time it can."""
    if until is None or until <= ctx.now:
        return None
    minutes = int(PIN_LOCK.total_seconds() // 60)
    zone = _zone(ctx.profile.country)
    text = ctx.ngettext(
        "Trop de codes faux : le profil de %(name)s est bloqué pendant %(n)s minute, "
        "jusqu'à %(time)s.",
        "Trop de codes faux : le profil de %(name)s est bloqué pendant %(n)s minutes, "
        "jusqu'à %(time)s.",
        minutes,
        name=name_of(ctx, target),
        time=until.astimezone(zone).strftime("%H:%M") if zone else until.strftime("%H:%M UTC"),
    )
    return Say(text)


def _zone(country: str | None) -> ZoneInfo | None:
    """The time zone of a country of the programme (None: tell the time in UTC)."""
    try:
        return ZoneInfo(_ZONES[country]) if country in _ZONES else None
    except ZoneInfoNotFoundError:  # pragma: no cover - a system without time zone data
        return None


async def _escape(ctx: Context, event: Incoming) -> Turn | None:
    """At the gate, a command, "menu" or an old button: the gate again, with the way out.

    The locked profile's menu is never shown before its PIN; the phone is offered its other
    learners, "Code oublié ?" and a new learner instead, so /start and /menu always answer.
    """
    if not _gated(ctx):
        return None
    pin = read_pin(event.text) if isinstance(event, TextReceived) else None
    if ctx.state.step in _REMEMBERED and pin is not None:  # remembered after all
        return await _unlock(ctx, pin)
    stale = isinstance(event, OptionChosen | OptionsChosen) and event.prompt != ctx.state.prompt
    typed = event.text.strip() if isinstance(event, TextReceived) else ""
    if not stale and not typed.startswith("/") and typed.casefold() != "menu":
        return None
    _leaving(ctx, Turn())
    text = ctx._(
        "Ce profil est protégé par un code PIN. Entrez son code, choisissez un autre élève, "
        "ou touchez « Code oublié ? »."
    )
    return Turn([Say(text)], goto=UNLOCK_STEP)


async def profile_pin(ctx: Context, event: Incoming) -> Turn:
    """Ask the PIN of the learner to switch to; three wrong ones lock their profile."""
    if (escaped := await _escape(ctx, event)) is not None:
        return escaped
    found = await _desk(ctx).profiles()
    target = _find(found, _work(ctx).target)
    if target is None:
        return _leaving(ctx, Turn(goto=_to(ctx, "profiles")))
    options = (
        Option("forgot", ctx._("Code oublié ?")),
        Option("back", ctx._("↩️ Retour")),
    )
    if isinstance(event, Entered):
        ask = ctx._("Code PIN de %(name)s (4 chiffres) :", name=name_of(ctx, target))
        return Turn([Ask(ask, options, ctx.state.prompt, secret=True)])
    if isinstance(event, TextReceived) and (pin := read_pin(event.text)) is not None:
        checked = await _desk(ctx).check_pin(target.id, pin, ctx.now)
        return await _checked(ctx, target, checked, Turn(goto=_to(ctx, "profiles")))
    chosen = choose(ctx, event, options)
    if chosen == "forgot":
        return Turn(goto=_to(ctx, "profile_forgot"))
    if chosen == "back":
        return _leaving(ctx, Turn(goto=_to(ctx, "profiles")))
    return _not_a_pin(ctx, event)


def _not_a_pin(ctx: Context, event: Incoming) -> Turn:
    """A PIN prompt answered with something else."""
    if isinstance(event, TextReceived):
        return Turn([Say(ctx._("Un code PIN a exactement 4 chiffres."))], reprompt=True)
    return unexpected(ctx, event)


async def _checked(
    ctx: Context, target: LearnerProfile, checked: PinCheck, when_locked: Turn
) -> Turn:
    """Switch on the right PIN; otherwise say how many tries are left, or the lock."""
    if checked.ok:
        return await _switch(ctx, target)
    locked = _locked(ctx, target, checked.locked_until)
    if locked is not None:
        return Turn([locked], goto=when_locked.goto, reprompt=when_locked.reprompt)
    wrong = ctx.ngettext(
        "Ce n'est pas le bon code. Encore %(n)s essai.",
        "Ce n'est pas le bon code. Encore %(n)s essais.",
        checked.tries_left,
    )
    return Turn([Say(wrong)], reprompt=True)


def _gate_options(
    ctx: Context, found: list[LearnerProfile], current: LearnerProfile
) -> tuple[Option, ...]:
    """At the gate: the other learners, "Code oublié ?", and a new learner."""
    options = [
        Option(f"p{p.id}", f"👤 {name_of(ctx, p)}" + (" 🔒" if p.has_pin else ""))
        for p in found
        if not p.current
    ]
    options.append(Option("forgot", ctx._("Code oublié ?")))
    if len(found) < MAX_PROFILES:
        options.append(Option("add", ctx._("➕ Ajouter un élève")))
    return tuple(options)


async def _unlock(ctx: Context, pin: str) -> Turn:
    """The PIN of the profile at the gate: its menu when right, the gate again otherwise."""
    current = next(p for p in await _desk(ctx).profiles() if p.current)
    checked = await _desk(ctx).check_pin(current.id, pin, ctx.now)
    if checked.ok:
        _leaving(ctx, Turn())
        return Turn(goto="menu" if ctx.profile.complete else "welcome")
    if ctx.state.step == UNLOCK_STEP:
        return await _checked(ctx, current, checked, Turn(reprompt=True))
    return await _checked(ctx, current, checked, Turn(goto=UNLOCK_STEP))


async def profile_unlock(ctx: Context, event: Incoming) -> Turn:
    """After an erasure the phone uses a profile with a PIN: its PIN first, or another way.

    Commands and old buttons reach this step too (the engine's gate): nothing of this
    learner is shown before their PIN. The way out is always offered: another learner of the
    phone (their own PIN asked when they have one), "Code oublié ?" and a new learner.
    """
    if (escaped := await _escape(ctx, event)) is not None:
        return escaped
    found = await _desk(ctx).profiles()
    current = next(p for p in found if p.current)
    options = _gate_options(ctx, found, current)
    if isinstance(event, Entered):
        ask = ctx._("Code PIN de %(name)s (4 chiffres) :", name=name_of(ctx, current))
        return Turn([Ask(ask, options, ctx.state.prompt, secret=True)])
    if isinstance(event, TextReceived) and (pin := read_pin(event.text)) is not None:
        return await _unlock(ctx, pin)
    chosen = choose(ctx, event, options)
    if chosen == "forgot":
        _work(ctx).target = current.id
        return Turn(goto="profile_gate_forgot")
    if chosen == "add":
        _work(ctx).naming = "new"
        return Turn(goto="profile_gate_name")
    target = _find(found, _int(chosen[1:])) if chosen else None
    if target is not None:
        return await _pick(ctx, target)
    return _not_a_pin(ctx, event)


async def profile_name(ctx: Context, event: Incoming) -> Turn:
    """Ask a first name: the current learner's (once), then the new learner's."""
    if (escaped := await _escape(ctx, event)) is not None:
        return escaped
    naming = _work(ctx).naming
    options = (Option("back", ctx._("↩️ Retour")),)
    if isinstance(event, Entered):
        return Turn([Ask(_name_question(ctx, naming), options, ctx.state.prompt)])
    if choose(ctx, event, options) == "back":
        return _leaving(ctx, Turn(goto=_to(ctx, "profiles")))
    name = clean_name(event.text) if isinstance(event, TextReceived) else None
    if name is None:
        again = ctx._("Écrivez seulement un prénom (20 lettres au plus).")
        return Turn([Say(again)], reprompt=True)
    if naming == "current":
        await _desk(ctx).name_current(name)
        _work(ctx).naming = "new"
        return Turn(goto="profile_name")
    return await _add(ctx, name)


def _name_question(ctx: Context, naming: str) -> str:
    """The question of `profile_name`."""
    if naming == "current":
        return ctx._(
            "D'abord, quel est le prénom de l'élève qui utilise ce profil ? "
            "Il servira à reconnaître les profils de ce téléphone."
        )
    return ctx._(
        "Quel est le prénom du nouvel élève ? Je garde seulement ce prénom, "
        "pour la liste des élèves de ce téléphone."
    )


async def _add(ctx: Context, name: str) -> Turn:
    """Create the new learner's profile and hand the phone over to its onboarding."""
    _leaving(ctx, Turn())
    parked = ctx.state.step
    back = _to(ctx, "profiles")
    ctx.state.step = "menu" if ctx.profile.complete else "welcome"
    if not await _desk(ctx).add(name, ctx.state.prompt):
        ctx.state.step = parked
        text = ctx.ngettext(
            "Ce téléphone a déjà %(n)s élève : c'est le maximum.",
            "Ce téléphone a déjà %(n)s élèves : c'est le maximum.",
            MAX_PROFILES,
        )
        return Turn([Say(text)], goto=back)
    hello = ctx._(
        "Nouveau profil : %(name)s. Ses réponses et ses progrès seront séparés de ceux des "
        "autres élèves.",
        name=name,
    )
    return Turn([ClearScreen(), Say(hello)])


async def profile_set_pin(ctx: Context, event: Incoming) -> Turn:
    """Ask the current learner's new 4-digit PIN (kept hashed, never as digits)."""
    options = (Option("back", ctx._("↩️ Retour")),)
    if isinstance(event, Entered):
        ask = ctx._(
            "Choisissez un code PIN de 4 chiffres. Il sera demandé pour revenir sur ce "
            "profil. Ensuite, effacez votre message si d'autres lisent cette discussion."
        )
        return Turn([Ask(ask, options, ctx.state.prompt, secret=True)])
    if isinstance(event, TextReceived) and (pin := read_pin(event.text)) is not None:
        await _desk(ctx).set_pin(pin)
        done = ctx._("C'est enregistré : ce profil a maintenant un code PIN.")
        return Turn([Say(done)], goto="menu")
    if choose(ctx, event, options) == "back":
        return Turn(goto="profiles")
    return _not_a_pin(ctx, event)


async def profile_forgot(ctx: Context, event: Incoming) -> Turn:
    """A forgotten PIN: the main profile removes it with its own PIN; or erase that profile.

    Nothing here shows the forgotten profile's progress: removing its PIN takes the main
    profile's own PIN (the parent's), typed again at that moment, so a sibling who finds the
    phone on the main profile cannot open it; erasing it shows nothing and keeps nothing.
    """
    if (escaped := await _escape(ctx, event)) is not None:
        return escaped
    found = await _desk(ctx).profiles()
    target = _find(found, _work(ctx).target)
    current = next(p for p in found if p.current)
    if target is None:
        return _leaving(ctx, Turn(goto=_to(ctx, "profiles")))
    options = _forgot_options(ctx, current, target)
    if isinstance(event, Entered):
        return Turn([Ask(_forgot_text(ctx, found, current, target), options, ctx.state.prompt)])
    chosen = choose(ctx, event, options)
    if chosen == "reset":
        return Turn(goto="profile_reset")
    if chosen == "erase":
        return Turn(goto=_to(ctx, "profile_erase"))
    if chosen == "back":
        return _leaving(ctx, Turn(goto=_to(ctx, "profiles")))
    return unexpected(ctx, event)


def _forgot_options(
    ctx: Context, current: LearnerProfile, target: LearnerProfile
) -> tuple[Option, ...]:
    """Remove the PIN (the main profile, itself protected), erase the profile, or go back."""
    options = [Option("erase", ctx._("🗑️ Effacer ce profil")), Option("back", ctx._("↩️ Retour"))]
    if current.main and current.has_pin and not target.current:
        options.insert(0, Option("reset", ctx._("🔓 Retirer son code")))
    return tuple(options)


def _forgot_text(
    ctx: Context, found: list[LearnerProfile], current: LearnerProfile, target: LearnerProfile
) -> str:
    """Who can remove a forgotten PIN, and what erasing the profile means."""
    name = name_of(ctx, target)
    erase = ctx._(
        "Sinon, vous pouvez effacer le profil de %(name)s : ses progrès seront perdus, et "
        "personne ne les verra. Les autres élèves du téléphone gardent les leurs.",
        name=name,
    )
    if target.main:
        why = ctx._(
            "Le code du profil principal ne peut être retiré par personne : il protège ses progrès."
        )
    elif current.main and current.has_pin and not target.current:
        why = ctx._(
            "Vous êtes sur le profil principal : vous pouvez retirer le code de %(name)s "
            "(ses progrès sont gardés) en entrant votre propre code.",
            name=name,
        )
    elif current.main and not target.current:
        why = ctx._(
            "Pour retirer le code de %(name)s en gardant ses progrès, le profil principal "
            "doit d'abord avoir son propre code : « Changer d'élève », puis « Mettre un code "
            "PIN ».",
            name=name,
        )
    else:
        main = next(p for p in found if p.main)
        why = ctx._(
            "Le profil principal (%(main)s) peut retirer le code de %(name)s en gardant ses "
            "progrès, depuis « Changer d'élève », avec son propre code.",
            main=name_of(ctx, main),
            name=name,
        )
    return f"{why}\n\n{erase}"


async def profile_reset(ctx: Context, event: Incoming) -> Turn:
    """The main profile's own PIN, typed again, before it removes another learner's PIN."""
    found = await _desk(ctx).profiles()
    target = _find(found, _work(ctx).target)
    current = next(p for p in found if p.current)
    if target is None or not current.main or not current.has_pin:
        return _leaving(ctx, Turn(goto="profiles"))
    options = (Option("forgot", ctx._("Code oublié ?")), Option("back", ctx._("↩️ Retour")))
    if isinstance(event, Entered):
        ask = ctx._(
            "Pour retirer le code de %(name)s, entrez le code PIN du profil principal :",
            name=name_of(ctx, target),
        )
        return Turn([Ask(ask, options, ctx.state.prompt, secret=True)])
    if isinstance(event, TextReceived) and (pin := read_pin(event.text)) is not None:
        checked = await _desk(ctx).check_pin(current.id, pin, ctx.now)
        if checked.ok and await _desk(ctx).reset_pin(target.id):
            done = ctx._("Le code de %(name)s est retiré.", name=name_of(ctx, target))
            return _leaving(ctx, Turn([Say(done)], goto="profiles"))
        if checked.ok:  # pragma: no cover - the main profile may always
            return _leaving(ctx, Turn(goto="profiles"))
        return await _checked(ctx, current, checked, Turn(goto="profiles"))
    chosen = choose(ctx, event, options)
    if chosen == "forgot":  # the parent's own PIN: nobody can remove it, nothing is opened
        why = ctx._(
            "Le code du profil principal ne peut être retiré par personne : il protège ses progrès."
        )
        return _leaving(ctx, Turn([Say(why)], goto="profiles"))
    if chosen == "back":
        return _leaving(ctx, Turn(goto="profiles"))
    return _not_a_pin(ctx, event)


async def profile_erase(ctx: Context, event: Incoming) -> Turn:
    """Confirm, then erase a learner's profile and everything about it.

    At the gate the profile to erase is the one in use (its PIN forgotten): it goes the way
    /supprimer_mes_donnees goes, and the phone moves on to another learner or starts afresh.
    """
    if (escaped := await _escape(ctx, event)) is not None:
        return escaped
    found = await _desk(ctx).profiles()
    target = _find(found, _work(ctx).target)
    if target is None or (target.current and not _gated(ctx)):
        return _leaving(ctx, Turn(goto=_to(ctx, "profiles")))
    name = name_of(ctx, target)
    options = (
        Option("erase", ctx._("Oui, effacer %(name)s", name=name)),
        Option("keep", ctx._("Non, garder")),
    )
    if isinstance(event, Entered):
        ask = ctx._(
            "Effacer le profil de %(name)s et tous ses progrès ? Cela ne peut pas être annulé.",
            name=name,
        )
        return Turn([Ask(ask, options, ctx.state.prompt)])
    chosen = choose(ctx, event, options)
    done = ctx._("Le profil de %(name)s est effacé.", name=name)
    if chosen == "erase" and target.current:
        return Turn([ClearScreen(), Say(done)], effects=[EraseLearner()])
    if chosen == "erase":
        await _desk(ctx).erase(target.id)
        return _leaving(ctx, Turn([Say(done)], goto="profiles"))
    if chosen == "keep":
        kept = Turn([Say(ctx._("Rien n'a été effacé."))], goto=_to(ctx, "profiles"))
        return _leaving(ctx, kept)
    return unexpected(ctx, event)


async def erase_note(ctx: Context) -> str | None:
    """On a shared phone, what erasing the current learner leaves to the others."""
    if ctx.services.profiles is None:
        return None
    found = await ctx.services.profiles.profiles()
    if len(found) < 2:
        return None
    current = next(p for p in found if p.current)
    return ctx._(
        "Seul le profil de %(name)s sera effacé : les autres élèves de ce téléphone "
        "gardent leurs progrès.",
        name=name_of(ctx, current),
    )


async def switch_command(ctx: Context, event: Incoming) -> Turn:
    """/eleve: the learners of this phone."""
    return Turn(goto="profiles")


# --- shared screens: "this is not me" and "leave this device" ------------------------------


async def not_me(ctx: Context, event: Incoming) -> Turn:
    """/pas_moi: someone else's conversation is on the screen: it goes, then the learners."""
    text = ctx._(
        "Cette discussion était celle d'un autre élève : elle n'est plus affichée. "
        "Choisissez votre profil, ou ajoutez-vous."
    )
    return Turn([ClearScreen(), Say(text)], goto="profiles")


async def leave_command(ctx: Context, event: Incoming) -> Turn:
    """/quitter_cet_appareil: forget the learner on this device, after how to come back."""
    if not ctx.address_is_key:  # the app keeps the conversation for its owner: nothing to do
        text = ctx._(
            "Ici, votre discussion reste dans votre application : il n'y a rien à oublier "
            "sur cet appareil."
        )
        return Turn([Say(text)], reprompt=True)
    here = "menu" if ctx.state.step == "leave_device" else ctx.state.step
    return Turn(call="leave_device", then=here)  # "stay" returns there (dialogs/flow.py)


async def leave_device(ctx: Context, event: Incoming) -> Turn:
    """Say how to come back (the resume link), then forget this device or stay."""
    options = (
        Option("forget", ctx._("🚪 Oublier cet appareil")),
        Option("stay", ctx._("↩️ Rester")),
    )
    if isinstance(event, Entered):
        return Turn([Ask(_leave_text(ctx), options, ctx.state.prompt)])
    chosen = choose(ctx, event, options)
    if chosen == "forget":
        ctx.state.step = "menu" if ctx.profile.complete else "welcome"  # where a return starts
        _work(ctx).leaving_from = ""
        return Turn([ClearScreen(forget=True)])
    if chosen == "stay":
        # No call waiting: a state an older release stored, with its `leaving_from` key.
        back = _work(ctx).leaving_from or "menu"
        back = "menu" if back == "leave_device" else back
        return Turn([Say(ctx._("D'accord, cet appareil vous garde."))], ret=None, goto=back)
    return unexpected(ctx, event)


def _leave_text(ctx: Context) -> str:
    """How to come back once this device has forgotten the learner."""
    lines = [
        ctx._(
            "Cet appareil va vous oublier : la discussion disparaît de l'écran et du "
            "navigateur. Vos progrès restent gardés."
        )
    ]
    if ctx.services.links is not None:
        lines.append(
            ctx._(
                "Pour revenir, ouvrez ce lien de reprise (notez-le ou prenez-le en photo, et "
                "ne le donnez à personne) : %(link)s",
                link=ctx.services.links.resume_link(ctx.user.external_id),
            )
        )
    lines.append(
        ctx._(
            "Sans ce lien, le lien de votre classe vous ouvre une nouvelle discussion "
            "(vos progrès d'ici n'y seront pas)."
        )
    )
    return "\n\n".join(lines)


STEPS: dict[str, Step] = {
    "profiles": profiles,
    "profile_pin": profile_pin,
    UNLOCK_STEP: profile_unlock,
    "profile_name": profile_name,
    "profile_set_pin": profile_set_pin,
    "profile_forgot": profile_forgot,
    "profile_erase": profile_erase,
    "profile_reset": profile_reset,
    "profile_gate_pin": profile_pin,
    "profile_gate_forgot": profile_forgot,
    "profile_gate_erase": profile_erase,
    "profile_gate_name": profile_name,
    "leave_device": leave_device,
}
COMMANDS: dict[str, Step] = {
    "eleve": switch_command,
    "eleves": switch_command,
    "pas_moi": not_me,
    "notme": not_me,
    "quitter_cet_appareil": leave_command,
    "leavedevice": leave_command,
}
GATES = frozenset(_GATED.values())  # steps that see every event, commands included
FLOW = Flow("profiles", STEPS, COMMANDS, services=("links", "profiles"), state=Sharing)
