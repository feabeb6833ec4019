"""The flows of the student's journey; `build_dialogs()` assembles them into an engine."""

from __future__ import annotations

from dialogs.engine import Dialogs
from dialogs.flows import (
    admin,
    admin_teachers,
    announce,
    ask_teacher,
    assignments,
    authoring,
    authoring_edit,
    authoring_files,
    certificates,
    circle_events,
    circles,
    class_essays,
    class_questions,
    class_reports,
    classes,
    commands,
    course_threads,
    creathon,
    creathon_entries,
    learning,
    menu,
    moderation,
    onboarding,
    publishing,
    quiz,
    review,
    shared_library,
    stats,
    teachers,
)
from dialogs.flows.paper import paper_answers


def build_dialogs() -> Dialogs:
    """The engine with every step and command of the student's journey."""
    steps = {
        **onboarding.STEPS,
        **menu.STEPS,
        **learning.STEPS,
        **quiz.STEPS,
        **review.STEPS,
        **admin.STEPS,
        **announce.STEPS,
        **stats.STEPS,
        **teachers.STEPS,
        **classes.STEPS,
        **admin_teachers.STEPS,
        **class_reports.STEPS,
        **class_essays.STEPS,
        **class_questions.STEPS,
        **ask_teacher.STEPS,
        **assignments.STEPS,
        **authoring.STEPS,
        **authoring_files.STEPS,
        **authoring_edit.STEPS,
        **publishing.STEPS,
        **shared_library.STEPS,
        **creathon.STEPS,
        **creathon_entries.STEPS,
        **circles.STEPS,
        **moderation.STEPS,
        **circle_events.STEPS,
        **course_threads.STEPS,
        **certificates.STEPS,
    }
    return Dialogs(
        steps,
        {
            **commands.COMMANDS,
            **admin.COMMANDS,
            **classes.COMMANDS,
            **class_questions.COMMANDS,
            **assignments.COMMANDS,
            **circles.COMMANDS,
            **moderation.COMMANDS,
            **certificates.COMMANDS,
            "stats": stats.stats_command,
            "creathon": creathon.creathon_command,
        },
        (paper_answers,),
    )
