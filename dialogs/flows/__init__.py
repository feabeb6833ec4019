"""The flows of the student's journey; `build_dialogs()` assembles them into an engine."""

from __future__ import annotations

from dialogs.engine import Dialogs
from dialogs.flows import commands, learning, menu, onboarding, quiz
from dialogs.flows.paper import paper_answers


def build_dialogs() -> Dialogs:
    """The engine with every step and command of the student's journey."""
    steps = {**onboarding.STEPS, **menu.STEPS, **learning.STEPS, **quiz.STEPS}
    return Dialogs(steps, commands.COMMANDS, (paper_answers,))
