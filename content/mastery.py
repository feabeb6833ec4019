"""Bayesian Knowledge Tracing: how likely a learner is to master a skill, answer by answer.

The classic model (Corbett and Anderson, 1995): a skill is known or not; a learner who knows
it still slips (`p_slip`), one who does not may guess right (`p_guess`); after each chance to
practise, an unknown skill becomes known with probability `p_learn`; `p_init` is the chance
it is known before the first answer. Pure: no IO; the parameters per skill are fitted offline
(`python -m bot mastery fit`, bot/mastery_fit.py) from the answers already recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# A guess or a slip this likely would make an answer say nothing (guess + slip < 1 keeps a
# right answer evidence of knowing): the fit and the defaults stay below these.
MAX_GUESS = 0.4
MAX_SLIP = 0.3
MASTERED = 0.95  # the usual BKT threshold of mastery
ON_TRACK = 0.6  # below: to work on again


@dataclass(frozen=True)
class SkillParams:
    """The four BKT parameters of one skill."""

    p_init: float = 0.3  # known before any answer
    p_learn: float = 0.15  # learnt at each chance to practise
    p_guess: float = 0.2  # right without knowing (a choice among about 4 options)
    p_slip: float = 0.1  # wrong while knowing

    def __post_init__(self) -> None:
        for name in ("p_init", "p_learn", "p_guess", "p_slip"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be within 0..1, not {value}")
        if self.p_guess + self.p_slip >= 1.0:
            raise ValueError("p_guess + p_slip must stay below 1: answers would say nothing")


DEFAULT_PARAMS = SkillParams()


def update(p_known: float, correct: bool, params: SkillParams = DEFAULT_PARAMS) -> float:
    """The chance the skill is known after one answer, from the chance before it.

    Bayes' rule on the answer, then the chance of learning from the practice.
    """
    p = min(1.0, max(0.0, p_known))
    if correct:
        evidence = p * (1 - params.p_slip) + (1 - p) * params.p_guess
        posterior = p * (1 - params.p_slip) / evidence if evidence else p
    else:
        evidence = p * params.p_slip + (1 - p) * (1 - params.p_guess)
        posterior = p * params.p_slip / evidence if evidence else p
    return min(1.0, max(0.0, posterior + (1 - posterior) * params.p_learn))


def trace(answers: list[bool], params: SkillParams = DEFAULT_PARAMS) -> float:
    """The chance the skill is known after a sequence of answers, from `p_init`."""
    p = params.p_init
    for correct in answers:
        p = update(p, correct, params)
    return p


def p_correct(p_known: float, params: SkillParams = DEFAULT_PARAMS) -> float:
    """The chance the next answer is right, given the chance the skill is known."""
    return p_known * (1 - params.p_slip) + (1 - p_known) * params.p_guess


class Level(StrEnum):
    """How a learner stands with a skill, as they are told (never as a probability)."""

    MASTERED = "mastered"
    ON_TRACK = "on_track"
    TO_REVIEW = "to_review"


def level(p_known: float) -> Level:
    """The words for a mastery estimate: mastered, on track, or to work on again."""
    if p_known >= MASTERED:
        return Level.MASTERED
    if p_known >= ON_TRACK:
        return Level.ON_TRACK
    return Level.TO_REVIEW
