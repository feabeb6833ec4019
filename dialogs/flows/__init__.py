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
from dialogs.registry import RegistryError, check, check_names, check_services, merge, owners

# Steps renamed since a release: a learner standing on the old name goes on at the new one
# (rolling upgrades: a worker of the new release reads the state the old one wrote).
RENAMED: dict[str, str] = {}


def flows() -> tuple[Flow, ...]:
    """Every flow of the journey, each declared at the end of its module (its steps,
    commands, services and typed state), and the commands reachable from anywhere."""
    return (
        commands.FLOW,
        onboarding.FLOW,
        menu.FLOW,
        learning.FLOW,
        quiz.FLOW,
        placement.FLOW,
        review.FLOW,
        admin.FLOW,
        announce.FLOW,
        stats.FLOW,
        teachers.FLOW,
        classes.FLOW,
        admin_teachers.FLOW,
        class_reports.FLOW,
        class_groups.FLOW,
        class_essays.FLOW,
        class_questions.FLOW,
        ask_teacher.FLOW,
        assignments.FLOW,
        authoring.FLOW,
        authoring_files.FLOW,
        authoring_edit.FLOW,
        publishing.FLOW,
        versions.FLOW,
        shared_library.FLOW,
        creathon.FLOW,
        creathon_entries.FLOW,
        circles.FLOW,
        moderation.FLOW,
        circle_events.FLOW,
        course_threads.FLOW,
        certificates.FLOW,
        reminders.FLOW,
        light_data.FLOW,
        phone_fallback.FLOW,
        profiles.FLOW,
        families.FLOW,
        linking.FLOW,
        translate.FLOW,
        course_translate.FLOW,
    )


def build_dialogs() -> Dialogs:
    """The engine with every step and command of the student's journey; a step or command
    declared twice, a literal target no step answers to, or a service a flow needs and
    dialogs/services.py does not offer, stops it (RegistryError)."""
    every = flows()
    steps: dict[str, Step] = merge("step", [(flow.name, flow.steps) for flow in every])
    entries: dict[str, Step] = merge("command", [(flow.name, flow.commands) for flow in every])
    problems = [str(target) for target in check(steps, RENAMED)] + check_services(every)
    problems += check_names(every)
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
