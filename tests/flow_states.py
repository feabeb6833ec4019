"""What the learning flows keep of a learner, read as tests check it (dialogs/flow.py keeps
each flow's typed state under `state.data["flows"][<name>]`)."""

from __future__ import annotations

from typing import Any

from tests.driver import Learner


def place_of(learner: Learner) -> dict[str, Any]:
    """The learner's place (dialogs/flows/place.py): course, module, lesson, step."""
    return dict(learner.state.data.get("flows", {}).get("learning", {}))


def attempt_of(learner: Learner) -> dict[str, Any]:
    """The learner's quiz attempt (dialogs/flows/quiz.py Attempt): question, score..."""
    return dict(learner.state.data.get("flows", {}).get("quiz", {}))
