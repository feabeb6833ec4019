"""Editing a lesson in the chat: pick a lesson, see its steps numbered, then replace one
(by the next message: text, photo, voice note or document), move it up, or delete it.

The edits work on the course text (content/format_edit.py) and the result is parsed before
it is saved: a draft never becomes a text that does not parse.
"""

from __future__ import annotations

from collections.abc import Callable

from content.format_edit import (
    delete_step,
    is_recording,
    lesson_titles,
    move_up,
    replace_step,
    steps,
)
from content.format_write import text_body

from dialogs.context import Context, Step, Turn
from dialogs.events import Entered, Incoming, MediaReceived, TextReceived
from dialogs.flow import Flow, state_of
from dialogs.flows.authoring_files import Authoring, checked, current, desk, stored_media
from dialogs.flows.classes import teachers_only
from dialogs.flows.common import route
from dialogs.messages import Ask, Option, Say

PREVIEW_CHARS = 40
Edit = Callable[[str, int, int], str]  # (course text, lesson, step) -> edited text


def preview(step: str) -> str:
    """A step in a few words: its first line of text (🔊 when it has a recording), shortened."""
    lines = step.split("\n")
    text = [line for line in lines if line.strip() and not is_recording(line)] or lines
    first = " ".join(text[0].lstrip("\\").split())
    first = "🔊 " + first if len(text) < len(lines) else first
    return first if len(first) <= PREVIEW_CHARS else first[: PREVIEW_CHARS - 1] + "…"


async def author_edit(ctx: Context, event: Incoming) -> Turn:
    """Which lesson to edit."""
    found = await current(ctx)
    if found is None:
        return Turn(goto="author_home")
    titles = lesson_titles(found[1])
    options = tuple(Option(f"l{i}", f"{i + 1}. {t[:60]}") for i, t in enumerate(titles[:30]))
    options += (Option("back", ctx._("⬅️ Le cours")),)
    if isinstance(event, Entered):
        return Turn([Ask(ctx._("Quelle leçon modifier ?"), options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "back":
        return Turn(goto="author_course")
    state_of(ctx, Authoring).edit_lesson = int(chosen[1:])
    return Turn(goto="author_edit_steps")


async def author_edit_steps(ctx: Context, event: Incoming) -> Turn:
    """The lesson's steps, numbered with a short preview each: pick one."""
    found = await current(ctx)
    if found is None:
        return Turn(goto="author_home")
    try:
        written = steps(found[1], state_of(ctx, Authoring).edit_lesson)
    except IndexError:
        return Turn(goto="author_edit")
    options = tuple(Option(f"s{i}", f"{i + 1}. {preview(s)}") for i, s in enumerate(written))
    options += (Option("back", ctx._("⬅️ Les leçons")),)
    if isinstance(event, Entered):
        text = ctx._("Les étapes de la leçon. Laquelle modifier ?")
        return Turn([Ask(text, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "back":
        return Turn(goto="author_edit")
    state_of(ctx, Authoring).edit_step = int(chosen[1:])
    return Turn(goto="author_edit_step")


async def author_edit_step(ctx: Context, event: Incoming) -> Turn:
    """One step: replace it, move it up, delete it."""
    found = await current(ctx)
    if found is None:
        return Turn(goto="author_home")
    lesson, index = _where(ctx)
    options = (
        Option("replace", ctx._("✏️ Remplacer")),
        Option("up", ctx._("⬆️ Monter")),
        Option("delete", ctx._("🗑️ Supprimer")),
        Option("back", ctx._("⬅️ Les étapes")),
    )
    if isinstance(event, Entered):
        try:
            shown = steps(found[1], lesson)[index]
        except IndexError:
            return Turn(goto="author_edit_steps")
        text = ctx._("Étape %(n)s :\n\n%(text)s", n=index + 1, text=shown)
        return Turn([Ask(text, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen in ("back", "replace"):
        return Turn(goto="author_edit_steps" if chosen == "back" else "author_edit_replace")
    edit = move_up if chosen == "up" else delete_step
    done = ctx._("Étape montée.") if chosen == "up" else ctx._("Étape supprimée.")
    return await _save(ctx, *found, _edited(edit, found[1], lesson, index), done)


def _where(ctx: Context) -> tuple[int, int]:
    """The lesson and step being edited."""
    work = state_of(ctx, Authoring)
    return work.edit_lesson, work.edit_step


def _edited(edit: Edit, source: str, lesson: int, index: int) -> str | None:
    """The edited text, or None when the step is gone (edited in another chat meanwhile)."""
    try:
        return edit(source, lesson, index)
    except IndexError:
        return None


async def _save(ctx: Context, course_id: str, source: str, updated: str | None, done: str) -> Turn:
    """Keep an edited text if it still parses; else say why, and keep the old one."""
    if updated is None:
        return Turn(goto="author_edit_steps")
    parsed = checked(ctx, course_id, updated)
    if isinstance(parsed, str):
        kept = ctx._("La modification n'a pas été gardée.")
        return Turn([Say(parsed), Say(kept)], goto="author_edit_steps")
    await desk(ctx).save(course_id, updated)
    return Turn([Say(done)], goto="author_edit_steps")


async def author_edit_replace(ctx: Context, event: Incoming) -> Turn:
    """The next message (text, photo, voice note, document) replaces the step."""
    options = (Option("back", ctx._("⬅️ Annuler")),)
    if isinstance(event, Entered):
        text = ctx._(
            "Envoyez le nouveau contenu de l'étape : un texte, une photo, une note vocale "
            "ou un document."
        )
        return Turn([Ask(text, options, ctx.state.prompt)])
    found = await current(ctx)
    if found is None:
        return Turn(goto="author_home")
    course_id, source = found
    if isinstance(event, TextReceived) and not event.text.startswith("/") and event.text.strip():
        step = text_body(event.text)
    elif isinstance(event, MediaReceived):
        stored = await stored_media(ctx, course_id, event)
        if isinstance(stored, Turn):
            return stored
        step = stored
    else:
        chosen = route(ctx, event, options)
        return chosen if isinstance(chosen, Turn) else Turn(goto="author_edit_step")
    lesson, index = _where(ctx)
    updated = _edited(lambda text, at, i: replace_step(text, at, i, step), source, lesson, index)
    return await _save(ctx, course_id, source, updated, ctx._("Étape remplacée."))


STEPS: dict[str, Step] = {
    name: teachers_only(step)
    for name, step in {
        "author_edit": author_edit,
        "author_edit_steps": author_edit_steps,
        "author_edit_step": author_edit_step,
        "author_edit_replace": author_edit_replace,
    }.items()
}
# A part of the authoring family (dialogs/flows/authoring_files.py): its name and state.
FLOW = Flow("authoring_edit", STEPS, services=("admin", "authoring"), state=Authoring)
