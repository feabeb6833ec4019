"""A published teacher's course is a version: the teacher's edits make a draft that
learners do not see until it is published again. What changed is told in one line before
the teacher publishes, and the draft can be dropped ("Annuler les modifications")."""

from __future__ import annotations

from pathlib import Path

from content.changes import CourseChanges, course_changes
from content.format import CourseFormatError, parse_course

from dialogs.authoring_ports import AuthoredCourse
from dialogs.context import Context, Step, Turn
from dialogs.events import Entered, Incoming
from dialogs.flow import Flow, state_of
from dialogs.flows.authoring_files import Authoring
from dialogs.flows.classes import teachers_only
from dialogs.flows.common import route
from dialogs.messages import Ask, Option, Say
from dialogs.ports import LibraryChanged


def changes_of(course: AuthoredCourse, path: Path) -> CourseChanges | None:
    """What the draft changes in the published version; None when it does not parse."""
    if course.published is None:
        return None
    try:
        old = parse_course(course.published, path)
        new = parse_course(course.source, path)
    except CourseFormatError:
        return None
    return course_changes(old, new)


def changes_line(ctx: Context, changes: CourseChanges | None) -> str:
    """The changes in one line: "2 leçons modifiées, 1 question ajoutée, titre changé"."""
    if changes is None:
        return ctx._("le texte du cours a changé")
    parts = [
        ctx.ngettext("%(n)s leçon ajoutée", "%(n)s leçons ajoutées", changes.lessons_added),
        ctx.ngettext("%(n)s leçon supprimée", "%(n)s leçons supprimées", changes.lessons_removed),
        ctx.ngettext("%(n)s leçon modifiée", "%(n)s leçons modifiées", changes.lessons_modified),
        ctx.ngettext("%(n)s question ajoutée", "%(n)s questions ajoutées", changes.questions_added),
        ctx.ngettext(
            "%(n)s question supprimée", "%(n)s questions supprimées", changes.questions_removed
        ),
        ctx.ngettext(
            "%(n)s question modifiée", "%(n)s questions modifiées", changes.questions_modified
        ),
    ]
    counts = (
        changes.lessons_added,
        changes.lessons_removed,
        changes.lessons_modified,
        changes.questions_added,
        changes.questions_removed,
        changes.questions_modified,
    )
    said = [part for part, count in zip(parts, counts, strict=True) if count]
    if changes.title:
        said.append(ctx._("titre changé"))
    if changes.details:
        said.append(ctx._("présentation changée"))
    return ", ".join(said) if said else ctx._("aucun changement pour les élèves")


async def draft_note(ctx: Context, course: AuthoredCourse) -> str | None:
    """What a teacher is told on their course's page while it has unpublished changes."""
    if not course.draft_pending or ctx.services.authoring is None:
        return None
    line = changes_line(ctx, changes_of(course, ctx.services.authoring.path_of(course.course_id)))
    return ctx._(
        "✏️ Modifications non publiées (%(changes)s) : les élèves voient encore la version publiée.",
        changes=line,
    )


async def author_discard(ctx: Context, event: Incoming) -> Turn:
    """Drop the draft of a published course: back to the version learners see."""
    course_id = state_of(ctx, Authoring).course
    found = (
        await ctx.services.authoring.get(course_id) if ctx.services.authoring is not None else None
    )
    if found is None or ctx.services.authoring is None:
        return Turn(goto="author_home")
    if not found.draft_pending:
        return Turn(goto="author_course")
    options = (
        Option("discard", ctx._("↩️ Oui, revenir à la version publiée")),
        Option("back", ctx._("⬅️ Garder les modifications")),
    )
    if isinstance(event, Entered):
        line = changes_line(ctx, changes_of(found, ctx.services.authoring.path_of(course_id)))
        text = ctx._(
            "Annuler les modifications (%(changes)s) et revenir à la version publiée ?",
            changes=line,
        )
        return Turn([Ask(text, options, ctx.state.prompt)])
    chosen = route(ctx, event, options)
    if isinstance(chosen, Turn):
        return chosen
    if chosen == "back":
        return Turn(goto="author_course")
    await ctx.services.authoring.discard(course_id)
    done = ctx._("Modifications annulées : le cours est revenu à sa version publiée.")
    return Turn([Say(done)], goto="author_course", effects=[LibraryChanged()])


STEPS: dict[str, Step] = {"author_discard": teachers_only(author_discard)}
# A part of the authoring family (dialogs/flows/authoring_files.py): its name and state.
FLOW = Flow("versions", STEPS, services=("admin", "authoring"), state=Authoring)
