"""One learner across channels: /lier (or "LIER <code>") makes this address follow the
progress of a learner known on another channel, by the code /mon_code gives there; /delier
undoes it.

The person confirms first; nothing of the other address is ever shown (neither its channel
nor its number): the code is the proof, and the reply only says that the link was made. On
the address that gave the code, /delier cuts off every address linked to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dialogs.context import Context, Step, Turn
from dialogs.events import Entered, Incoming, TextReceived
from dialogs.flow import Flow, FlowState, state_of
from dialogs.flows.circle_texts import in_every_language
from dialogs.flows.common import menu_option, route
from dialogs.link_ports import LinkDesk
from dialogs.messages import Ask, Option, Say
from dialogs.options import choose

# "LIER AB12CD", "lier ab12-cd", "link AB12CD": the word and one word that may be a code.
TYPED = re.compile(r"\s*(?:lier|link)\s+([A-Za-z0-9][A-Za-z0-9-]{3,15})\s*", re.IGNORECASE)


@dataclass
class Linking(FlowState, flow="linking"):
    """The learner whose code was typed, until the person confirms."""

    learner: int | None = None
    legacy = {"learner": "link_to"}  # noqa: RUF012  (a ClassVar of FlowState)


def _desk(ctx: Context) -> LinkDesk:
    assert ctx.services.address_links is not None
    return ctx.services.address_links


async def link_command(ctx: Context, event: Incoming) -> Turn:
    """/lier [code]: ask for the code, or check the one given."""
    if ctx.services.address_links is None:
        return Turn(reprompt=True)
    parts = event.text.split(maxsplit=1) if isinstance(event, TextReceived) else []
    if len(parts) > 1:
        return await _found(ctx, parts[1])
    return Turn(goto="link_code")


async def typed_link(ctx: Context, event: Incoming) -> Turn | None:
    """ "LIER <code>" typed anywhere (a phone without "/"): as /lier <code>, but only for a
    code that exists: "lier les mots" in an essay or an answer is the step's."""
    if ctx.services.address_links is None or not isinstance(event, TextReceived):
        return None
    match = TYPED.fullmatch(event.text)
    if match is None or await _desk(ctx).find(match[1]) is None:
        return None
    return await _found(ctx, match[1])


async def link_code(ctx: Context, event: Incoming) -> Turn:
    """Ask for the code the learner got with /mon_code on their other channel."""
    options = (menu_option(ctx),)
    if isinstance(event, Entered):
        text = ctx._(
            "Pour suivre ici les progrès de votre autre compte, envoyez le code que /mon_code "
            "vous donne là-bas."
        )
        return Turn([Ask(text, options, ctx.state.prompt)])
    if choose(ctx, event, options) == "menu":
        return Turn(goto="menu")
    if isinstance(event, TextReceived) and not event.text.startswith("/"):
        return await _found(ctx, event.text)
    chosen = route(ctx, event, options)
    return chosen if isinstance(chosen, Turn) else Turn(goto="menu")


async def _found(ctx: Context, code: str) -> Turn:
    """Check a code; a good one is confirmed before anything changes."""
    learner = await _desk(ctx).find(code)
    if learner is None:
        text = ctx._("Je ne trouve pas ce code. Vérifiez-le avec /mon_code sur l'autre compte.")
        if ctx.state.step == "link_code":
            return Turn([Say(text)], reprompt=True)
        return Turn([Say(text)], goto="link_code")
    if await _desk(ctx).is_current(learner):
        text = ctx._("Ce code est celui de ce compte-ci : rien à lier.")
        return Turn([Say(text)], reprompt=True)
    state_of(ctx, Linking).learner = learner
    return Turn(goto="link_confirm")


async def link_confirm(ctx: Context, event: Incoming) -> Turn:
    """Yes: this address follows that learner from now on; no: nothing changes."""
    options = (
        Option("yes", ctx._("Oui, lier")),
        Option("no", ctx._("Non")),
    )
    if isinstance(event, Entered):
        text = ctx._(
            "Ce numéro suivra les leçons et les progrès du compte qui a donné ce code, à la "
            "place des siens. Vous pourrez annuler avec /delier. Lier ?"
        )
        return Turn([Ask(text, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    learner = state_of(ctx, Linking).learner
    if chosen != "yes" or not isinstance(learner, int):
        return Turn([Say(ctx._("D'accord, rien n'est lié."))], goto="menu")
    await _desk(ctx).link(learner, in_every_language(ctx, _notice))
    # This address's own conversation waits where it will start again after /delier; the
    # reply goes on with where the learner followed stands (the turn's follow-up).
    ctx.state.step = "menu" if ctx.profile.complete else "welcome"
    text = ctx._("C'est lié : vous reprenez ici où vous en êtes. Pour annuler : /delier")
    return Turn([Say(text)])


def _notice(ctx: Context) -> str:
    """What the learner followed reads on their own channel: a way to undo it."""
    return ctx._(
        "Un autre numéro suit maintenant vos leçons et vos progrès, avec votre code /mon_code. "
        "Si ce n'est pas vous, écrivez /delier."
    )


async def unlink_command(ctx: Context, event: Incoming) -> Turn:
    """/delier: this address gets its own progress back, or (on the address that gave the
    code) the addresses linked to it are cut off."""
    if ctx.services.address_links is None:
        return Turn(reprompt=True)
    undone = await _desk(ctx).unlink()
    if undone.own:
        text = ctx._("Ce numéro n'est plus lié : il retrouve ses propres progrès.")
    elif undone.others:
        text = ctx.ngettext(
            "%(n)s autre numéro ne suit plus vos progrès.",
            "%(n)s autres numéros ne suivent plus vos progrès.",
            undone.others,
        )
    else:
        text = ctx._("Aucun lien à annuler.")
    return Turn([Say(text)], reprompt=not undone.own)


STEPS: dict[str, Step] = {"link_code": link_code, "link_confirm": link_confirm}
COMMANDS: dict[str, Step] = {
    "lier": link_command,
    "link": link_command,
    "delier": unlink_command,
    "unlink": unlink_command,
}
FLOW = Flow("linking", STEPS, COMMANDS, services=("address_links",), state=Linking)
