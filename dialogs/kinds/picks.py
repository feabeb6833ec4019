"""The work of a question asked in several turns (a matching question's pairs, an ordering
question's items): what the learner picked so far, for the question being asked.

A typed state of its own, kept while the learner is in a flow that asks questions (the
quiz, a review, a placement quiz: `shared_by`, dialogs/flow.py) and dropped when they leave;
the question's id tells a new question from the one in progress.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from content.model import Question

from dialogs.context import Context
from dialogs.flow import FlowState, state_of


@dataclass
class Picks(FlowState, flow="picks"):
    """The items picked so far at the question `question` (its id)."""

    shared_by = frozenset({"quiz", "review", "placement"})
    legacy = {"question": "mq", "picks": "m"}  # noqa: RUF012

    question: str | None = None
    picks: list[str] = field(default_factory=list)


def picks_of(ctx: Context, question: Question) -> Picks:
    """The learner's picks at this question (none yet when it is another one's)."""
    work = state_of(ctx, Picks)
    if work.question != question.id:
        work.question, work.picks = question.id, []
    return work
