"""Choosing one of a circle's last messages (to answer it, to report it)."""

from __future__ import annotations

from collections.abc import Callable

from dialogs.circle_ports import CircleDesk, CirclePost
from dialogs.context import Context, Turn
from dialogs.events import Entered, Incoming
from dialogs.flows.common import route
from dialogs.messages import Ask, Option

SHOWN = 5  # the last messages offered


async def pick_post(
    ctx: Context,
    event: Incoming,
    desk: CircleDesk,
    circle_id: int,
    *,
    label: Callable[[CirclePost], str],
    prompts: tuple[str, str],
    keep: Callable[[int], None],
    then: str,
) -> Turn:
    """Offer the circle's last messages; the chosen one's id goes to `keep`, then `then`.

    `prompts` is (the question, what to say when there is no message).
    """
    posts = [p for p in await desk.recent(circle_id, SHOWN) if not p.removed]
    options = tuple(Option(f"p{p.id}", label(p)) for p in posts)
    options += (Option("back", ctx._("⬅️ Le cercle")),)
    if isinstance(event, Entered):
        return Turn([Ask(prompts[0] if posts else prompts[1], options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "back":
        return Turn(goto="circle_page")
    keep(int(chosen[1:]))
    return Turn(goto=then)
