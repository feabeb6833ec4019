"""The flows of the student's journey; `build_dialogs()` assembles them into an engine."""

from __future__ import annotations

from dialogs.context import Step
from dialogs.engine import Dialogs
from dialogs.flow import Flow
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
from dialogs.registry import RegistryError, check, check_services, merge, owners

# Steps renamed since a release: a learner standing on the old name goes on at the new one
# (rolling upgrades: a worker of the new release reads the state the old one wrote).
RENAMED: dict[str, str] = {}


def flows() -> tuple[Flow, ...]:
    """Every flow of the journey (a module declaring its `FLOW` gives it whole)."""
    return (
        Flow("onboarding", onboarding.STEPS),
        Flow("menu", menu.STEPS),
        Flow("learning", learning.STEPS),
        Flow("quiz", quiz.STEPS),
        Flow("placement", placement.STEPS),
        Flow("review", review.STEPS),
        Flow("admin", admin.STEPS),
        Flow("announce", announce.STEPS),
        Flow("stats", stats.STEPS),
        Flow("teachers", teachers.STEPS),
        Flow("classes", classes.STEPS),
        admin_teachers.FLOW,
        Flow("class_reports", class_reports.STEPS),
        Flow("class_groups", class_groups.STEPS),
        class_essays.FLOW,
        Flow("class_questions", class_questions.STEPS),
        Flow("ask_teacher", ask_teacher.STEPS),
        Flow("assignments", assignments.STEPS),
        Flow("authoring", authoring.STEPS),
        Flow("authoring_files", authoring_files.STEPS),
        Flow("authoring_edit", authoring_edit.STEPS),
        Flow("publishing", publishing.STEPS),
        Flow("versions", versions.STEPS),
        Flow("shared_library", shared_library.STEPS),
        Flow("creathon", creathon.STEPS),
        Flow("creathon_entries", creathon_entries.STEPS),
        Flow("circles", circles.STEPS),
        Flow("moderation", moderation.STEPS),
        Flow("circle_events", circle_events.STEPS),
        Flow("course_threads", course_threads.STEPS),
        Flow("certificates", certificates.STEPS),
        Flow("reminders", reminders.STEPS),
        Flow("light_data", light_data.STEPS),
        Flow("phone_fallback", phone_fallback.STEPS),
        Flow("profiles", profiles.STEPS),
        Flow("families", families.STEPS),
        linking.FLOW,
        Flow("translate", translate.STEPS),
        Flow("course_translate", course_translate.STEPS),
    )


def build_dialogs() -> Dialogs:
    """The engine with every step and command of the student's journey; a step or command
    declared twice, a literal target no step answers to, or a service a flow needs and
    dialogs/services.py does not offer, stops it (RegistryError)."""
    every = flows()
    steps: dict[str, Step] = merge("step", [(flow.name, flow.steps) for flow in every])
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
            ("linking", linking.FLOW.commands),
            ("translate", translate.COMMANDS),
            ("course_translate", course_translate.COMMANDS),
            ("stats", {"stats": stats.stats_command}),
            ("creathon", {"creathon": creathon.creathon_command}),
        ],
    )
    problems = [str(target) for target in check(steps, RENAMED)] + check_services(every)
    if problems:
        raise RegistryError("; ".join(problems))
    return Dialogs(
        steps,
        entries,
        (paper_answers, linking.typed_link),
        gates=profiles.GATES,
        renamed=RENAMED,
        free_text=translate.FREE_TEXT | course_translate.FREE_TEXT,
        owners=owners(every),
    )
