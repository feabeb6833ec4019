"""The flows of the student's journey; `build_dialogs()` assembles them into an engine."""

from __future__ import annotations

from dialogs.context import Step
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
    class_groups,
    class_questions,
    class_reports,
    classes,
    commands,
    course_threads,
    course_translate,
    creathon,
    creathon_entries,
    families,
    learning,
    light_data,
    linking,
    menu,
    moderation,
    onboarding,
    phone_fallback,
    placement,
    profiles,
    publishing,
    quiz,
    reminders,
    review,
    shared_library,
    stats,
    teachers,
    translate,
    versions,
)
from dialogs.flows.paper import paper_answers
from dialogs.registry import RegistryError, check, merge

# Steps renamed since a release: a learner standing on the old name goes on at the new one
# (rolling upgrades: a worker of the new release reads the state the old one wrote).
RENAMED: dict[str, str] = {}


def build_dialogs() -> Dialogs:
    """The engine with every step and command of the student's journey; a step or command
    declared twice, or a literal target no step answers to, stops it (RegistryError)."""
    steps: dict[str, Step] = merge(
        "step",
        [
            ("onboarding", onboarding.STEPS),
            ("menu", menu.STEPS),
            ("learning", learning.STEPS),
            ("quiz", quiz.STEPS),
            ("placement", placement.STEPS),
            ("review", review.STEPS),
            ("admin", admin.STEPS),
            ("announce", announce.STEPS),
            ("stats", stats.STEPS),
            ("teachers", teachers.STEPS),
            ("classes", classes.STEPS),
            ("admin_teachers", admin_teachers.STEPS),
            ("class_reports", class_reports.STEPS),
            ("class_groups", class_groups.STEPS),
            ("class_essays", class_essays.STEPS),
            ("class_questions", class_questions.STEPS),
            ("ask_teacher", ask_teacher.STEPS),
            ("assignments", assignments.STEPS),
            ("authoring", authoring.STEPS),
            ("authoring_files", authoring_files.STEPS),
            ("authoring_edit", authoring_edit.STEPS),
            ("publishing", publishing.STEPS),
            ("versions", versions.STEPS),
            ("shared_library", shared_library.STEPS),
            ("creathon", creathon.STEPS),
            ("creathon_entries", creathon_entries.STEPS),
            ("circles", circles.STEPS),
            ("moderation", moderation.STEPS),
            ("circle_events", circle_events.STEPS),
            ("course_threads", course_threads.STEPS),
            ("certificates", certificates.STEPS),
            ("reminders", reminders.STEPS),
            ("light_data", light_data.STEPS),
            ("phone_fallback", phone_fallback.STEPS),
            ("profiles", profiles.STEPS),
            ("families", families.STEPS),
            ("linking", linking.STEPS),
            ("translate", translate.STEPS),
            ("course_translate", course_translate.STEPS),
        ],
    )
    entries: dict[str, Step] = merge(
        "command",
        [
            ("commands", commands.COMMANDS),
            ("admin", admin.COMMANDS),
            ("classes", classes.COMMANDS),
            ("class_questions", class_questions.COMMANDS),
            ("assignments", assignments.COMMANDS),
            ("circles", circles.COMMANDS),
            ("moderation", moderation.COMMANDS),
            ("certificates", certificates.COMMANDS),
            ("reminders", reminders.COMMANDS),
            ("light_data", light_data.COMMANDS),
            ("phone_fallback", phone_fallback.COMMANDS),
            ("profiles", profiles.COMMANDS),
            ("families", families.COMMANDS),
            ("linking", linking.COMMANDS),
            ("translate", translate.COMMANDS),
            ("course_translate", course_translate.COMMANDS),
            ("stats", {"stats": stats.stats_command}),
            ("creathon", {"creathon": creathon.creathon_command}),
        ],
    )
    problems = check(steps, RENAMED)
    if problems:
        raise RegistryError("; ".join(str(problem) for problem in problems))
    return Dialogs(
        steps,
        entries,
        (paper_answers, linking.typed_link),
        gates=profiles.GATES,
        renamed=RENAMED,
        free_text=translate.FREE_TEXT | course_translate.FREE_TEXT,
    )
