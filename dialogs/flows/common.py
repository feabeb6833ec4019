"""Pieces shared by the flows: navigation buttons and answers to unexpected input."""

from __future__ import annotations

from dialogs.context import Context, Turn
from dialogs.events import Incoming, MediaReceived
from dialogs.messages import Option, Say
from dialogs.options import choose


def menu_option(ctx: Context) -> Option:
    """The "back to menu" button shown at every step."""
    return Option("menu", ctx._("🏠 Menu"))


def unexpected(ctx: Context, event: Incoming) -> Turn:
    """A helpful answer to input the step did not expect, then the question again."""
    if isinstance(event, MediaReceived):
        text = ctx._(
            "Je ne peux pas utiliser ce type de message ici. "
            "Répondez avec les boutons, ou en écrivant votre réponse."
        )
    elif ctx.caps.buttons:
        text = ctx._(
            "Je n'ai pas compris. Touchez un des boutons ci-dessous, ou écrivez votre choix."
        )
    else:  # SMS, USSD: the choices were numbered lines
        text = ctx._("Je n'ai pas compris. Répondez avec le numéro d'un des choix, ou écrivez-le.")
    return Turn([Say(f"{text} {menu_hint(ctx)}")], reprompt=True)


def menu_hint(ctx: Context) -> str:
    """How to get back to the menu from anywhere: the word typed alone (dialogs/engine.py)."""
    return ctx._("Pour revenir au menu, écrivez « menu ».")


def route(ctx: Context, event: Incoming, options: tuple[Option, ...]) -> str | Turn:
    """The chosen option's id; or the turn for "menu" and for input that picks nothing."""
    chosen = choose(ctx, event, options)
    if chosen == "menu":
        return Turn(goto="menu")
    return unexpected(ctx, event) if chosen is None else chosen
