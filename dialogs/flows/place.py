"""The learner's place in a course: the course, its module, the lesson and the step in it.

Chosen in the learning flow and read by the flows a lesson leads to: the quiz closing it (its
questions, its shuffle, the next lesson), the certificate after the last quiz, a question to
the teacher about the lesson, and a remediation or placement quiz of the course. One typed
state kept while the learner is in any of them (`shared_by`, dialogs/flow.py), so that
going lesson -> quiz -> next lesson, or quiz -> remediation -> quiz, keeps it; it is dropped
at the menu, where /reprendre reads the stored bookmark instead.

No flow imports here: learning, the quiz, certificates and ask_teacher all read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.context import Context
from dialogs.flow import FlowState, state_of


@dataclass
class Place(FlowState, flow="learning"):
    """Where the learner is: `step` is the index of the lesson's page shown."""

    shared_by = frozenset({"quiz", "certificates", "ask_teacher", "placement"})
    legacy = {  # noqa: RUF012
        "subject": "subject",
        "module": "module",
        "course": "course",
        "lesson": "lesson",
        "step": "i",
    }

    subject: str | None = None
    course: str | None = None
    module: str | None = None
    lesson: str | None = None
    step: int = 0


def place(ctx: Context) -> Place:
    """The learner's place, read once per turn (changed in place, saved after it)."""
    return state_of(ctx, Place)


def go_to_lesson(ctx: Context, course: str | None, lesson: str | None) -> None:
    """Point the place at the first page of a lesson."""
    here = place(ctx)
    here.course, here.lesson, here.step = course, lesson, 0
