"""The dialog engine: routes an event to the learner's current step and follows the turn."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from dialogs.context import NOTHING, Context, Step, Turn
from dialogs.events import (
    Entered,
    Incoming,
    OptionChosen,
    OptionsChosen,
    Resumed,
    TextReceived,
)
from dialogs.flow import pop_call, push_call, settle
from dialogs.messages import Out, Say
from dialogs.options import keep_marks, strip_markers
from dialogs.ports import Effect

Interceptor = Callable[[Context, Incoming], Awaitable[Turn | None]]
MAX_TEXT = 2000  # longer input is cut before any step sees it (a 10,000-char paste)
MAX_HOPS = 8  # guards against a cycle of steps that only redirect


@dataclass
class Reply:
    """The outcome of one event: messages to send and state changes to store."""

    messages: list[Out] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)


class Dialogs:
    """Runs the steps; commands (/start, /menu...) are steps reachable from anywhere."""

    def __init__(
        self,
        steps: Mapping[str, Step],
        commands: Mapping[str, Step],
        interceptors: tuple[Interceptor, ...] = (),
        gates: frozenset[str] = frozenset(),
        renamed: Mapping[str, str] | None = None,
        free_text: frozenset[str] = frozenset(),
        owners: Mapping[str, str] | None = None,
    ) -> None:
        self.steps = dict(steps)
        self.commands = dict(commands)
        # Recognise input meant for no step in particular (paper answers), from anywhere.
        self.interceptors = interceptors
        # Steps that see every event, commands and old buttons too (a PIN asked first).
        self.gates = gates
        # Old step names a learner may still stand on, and the step that replaced each.
        self.renamed = dict(renamed or {})
        # Steps whose text may start with a command ("/aide : ..." translated): a command
        # followed by more words goes to the step (a bare command, or "menu", still works).
        self.free_text = free_text
        # The flow each step belongs to: a flow's typed state is dropped once it is left,
        # and a call is forgotten once its called flow is left (dialogs/flow.py).
        self.owners = dict(owners or {})

    async def handle(self, ctx: Context, event: Incoming) -> Reply:
        """Handle one event in context; the context's profile and state are updated in place."""
        event = _clip(event)
        turn = await self._first_turn(ctx, event)
        reply = await self._follow(ctx, event, turn)
        keep_marks(ctx, reply.messages)  # whether a typed mark answers the prompt shown
        settle(ctx.state, self.owners)
        return reply

    async def _first_turn(self, ctx: Context, event: Incoming) -> Turn:
        """Decide which step sees the event first."""
        if ctx.state.step not in self.steps:
            if ctx.state.step in self.renamed:  # renamed since: go on there
                ctx.state.step = self.renamed[ctx.state.step]
            else:  # gone: a known learner goes back to the menu, a newcomer to the welcome
                return Turn(
                    goto="menu" if ctx.profile.complete and "menu" in self.steps else "welcome"
                )
        if isinstance(event, Resumed):
            return Turn(reprompt=True)
        if ctx.state.step in self.gates:
            return await self.steps[ctx.state.step](ctx, event)
        free = ctx.state.step in self.free_text
        command = _command(event)
        if command is not None and command in self.commands and not (free and _sentence(event)):
            return await self.commands[command](ctx, event)
        if _typed_menu(ctx, event) and "menu" in self.commands:  # the word works everywhere
            return await self.commands["menu"](ctx, event)
        for intercept in self.interceptors:
            if (turn := await intercept(ctx, event)) is not None:
                return turn
        if isinstance(event, OptionChosen | OptionsChosen) and event.prompt != ctx.state.prompt:
            return await self._stale(ctx, event)
        if isinstance(event, TextReceived) and not event.text.strip():
            return Turn([Say(ctx._("Votre message est vide."))], reprompt=True)
        return await self.steps[ctx.state.step](ctx, event)

    async def _stale(self, ctx: Context, event: OptionChosen | OptionsChosen) -> Turn:
        """A tap on an old message: honour "menu", otherwise show the current question."""
        if isinstance(event, OptionChosen) and event.option_id == "menu":
            return await self.commands["menu"](ctx, event)
        text = ctx._("Ce bouton vient d'un ancien message. Voici où vous en êtes :")
        return Turn([Say(text)], reprompt=True)

    async def _follow(self, ctx: Context, event: Incoming, turn: Turn) -> Reply:
        """Enter the steps the turn points to, collecting their messages and effects."""
        reply = Reply(list(turn.messages), list(turn.effects))
        for _ in range(MAX_HOPS):
            turn = self._jump(ctx, turn)
            if turn.goto is not None:
                ctx.state.step = turn.goto
                ctx.state.prompt += 1
            elif not turn.reprompt:
                return reply
            entered = Entered(user=event.user, message_id=event.message_id)
            turn = await self.steps[ctx.state.step](ctx, entered)
            reply.messages.extend(turn.messages)
            reply.effects.extend(turn.effects)
        raise RuntimeError(f"steps redirect in a loop around {ctx.state.step!r}")

    def _jump(self, ctx: Context, turn: Turn) -> Turn:
        """A call or a return, turned into the plain `goto` it amounts to."""
        if turn.call is not None:
            caller = self.owners.get(ctx.state.step, "")
            then = turn.then or ctx.state.step
            callee = self.owners.get(turn.call, "")
            push_call(ctx.state, turn.call, then, turn.back, caller, callee)
            return Turn(goto=turn.call)
        if turn.ret is not NOTHING:
            return Turn(goto=pop_call(ctx.state, turn.ret, turn.goto))
        return turn


def _sentence(event: Incoming) -> bool:
    """A text of several words ("/aide : tout revoir"), not a bare command."""
    return isinstance(event, TextReceived) and len(event.text.split()) > 1


def _command(event: Incoming) -> str | None:
    """ "/progres@MyBot extra" -> "progres"; None for anything that is not a command."""
    if not isinstance(event, TextReceived) or not event.text.startswith("/"):
        return None
    word = event.text[1:].split(maxsplit=1)[0] if len(event.text) > 1 else ""
    return word.split("@", 1)[0].casefold()


def _typed_menu(ctx: Context, event: Incoming) -> bool:
    """Whether the learner typed the word "menu" alone (or the menu button's label).

    Like /menu, from any step but a gate: the way back a learner can always type, named in
    every "Je n'ai pas compris" (dialogs/flows/common.py).
    """
    if not isinstance(event, TextReceived) or len(event.text) > 40:
        return False
    typed = strip_markers(event.text).casefold()
    return typed in {"menu", strip_markers(ctx._("🏠 Menu")).casefold()}


def _clip(event: Incoming) -> Incoming:
    """Cut overlong text so no step works on a 10,000-character paste."""
    if isinstance(event, TextReceived) and len(event.text) > MAX_TEXT:
        return TextReceived(event.user, event.message_id, event.text[:MAX_TEXT], len(event.text))
    return event
