"""Fitting a skill's BKT parameters to recorded answers: expectation-maximisation.

BKT is a hidden Markov model of two states (the skill unknown, known) with no forgetting;
Baum-Welch finds the parameters that make the learners' sequences of right and wrong answers
most likely. The guess and slip are kept below content/mastery.py's bounds (a "known" state
that answers worse than the unknown one would turn the model upside down), and the fit starts
from a few points, keeping the best. Pure: sequences in, parameters out (bot/mastery_fit.py
reads the answers and stores the result).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from content.mastery import DEFAULT_PARAMS, MAX_GUESS, MAX_SLIP, SkillParams

_EDGE = 1e-4  # parameters are kept off 0 and 1: a probability of 0 forbids what happened
_STARTS = (
    DEFAULT_PARAMS,
    SkillParams(p_init=0.1, p_learn=0.05, p_guess=0.25, p_slip=0.05),
    SkillParams(p_init=0.6, p_learn=0.3, p_guess=0.1, p_slip=0.15),
)


@dataclass(frozen=True)
class Fit:
    """The fitted parameters of one skill and what they were fitted on."""

    params: SkillParams
    log_likelihood: float
    answers: int
    learners: int


def fit(sequences: Sequence[Sequence[bool]], iterations: int = 200, tolerance: float = 1e-7) -> Fit:
    """Fit BKT to learners' answer sequences (each in the order given, first tries only)."""
    # Learners with the same answers weigh the same: each pattern is computed once.
    patterns = Counter(tuple(s) for s in sequences if s)
    answers = sum(len(p) * n for p, n in patterns.items())
    learners = sum(patterns.values())
    if not patterns:
        return Fit(DEFAULT_PARAMS, 0.0, 0, 0)
    best: tuple[float, SkillParams] | None = None
    for start in _STARTS:
        params, likelihood = _em(patterns, start, iterations, tolerance)
        if best is None or likelihood > best[0]:
            best = (likelihood, params)
    assert best is not None
    return Fit(best[1], best[0], answers, learners)


def log_likelihood(sequences: Sequence[Sequence[bool]], params: SkillParams) -> float:
    """How likely the sequences are under these parameters (natural log)."""
    patterns = Counter(tuple(s) for s in sequences if s)
    return sum(n * _forward_backward(p, params)[0] for p, n in patterns.items())


def _em(
    patterns: Counter[tuple[bool, ...]], start: SkillParams, iterations: int, tolerance: float
) -> tuple[SkillParams, float]:
    """Baum-Welch from one starting point; the parameters and their log-likelihood."""
    params = start
    previous = -math.inf
    likelihood = previous
    for _ in range(iterations):
        totals = _Totals()
        likelihood = 0.0
        for pattern, count in patterns.items():
            ll, gammas, learnt = _forward_backward(pattern, params)
            likelihood += count * ll
            totals.add(pattern, gammas, learnt, count)
        params = totals.params(params)
        if likelihood - previous < tolerance:
            break
        previous = likelihood
    return params, likelihood


@dataclass
class _Totals:
    """The expected counts of one EM iteration."""

    first_known: float = 0.0
    sequences: float = 0.0
    learnt: float = 0.0  # expected unknown -> known transitions
    unknown_before: float = 0.0  # expected time spent unknown, before a next answer
    unknown: float = 0.0
    unknown_right: float = 0.0
    known: float = 0.0
    known_wrong: float = 0.0

    def add(
        self,
        pattern: tuple[bool, ...],
        gammas: list[float],
        learnt: float,
        count: int,
    ) -> None:
        """Add one pattern's expectations (`gammas`: the chance known at each answer)."""
        self.first_known += count * gammas[0]
        self.sequences += count
        self.learnt += count * learnt
        self.unknown_before += count * sum(1 - g for g in gammas[:-1])
        for correct, g in zip(pattern, gammas, strict=True):
            self.unknown += count * (1 - g)
            self.known += count * g
            if correct:
                self.unknown_right += count * (1 - g)
            else:
                self.known_wrong += count * g

    def params(self, old: SkillParams) -> SkillParams:
        """The maximising parameters, kept within bounds (the old ones where undefined)."""

        def ratio(top: float, bottom: float, fallback: float, high: float = 1 - _EDGE) -> float:
            value = top / bottom if bottom > 1e-12 else fallback
            return min(high, max(_EDGE, value))

        return SkillParams(
            p_init=ratio(self.first_known, self.sequences, old.p_init),
            p_learn=ratio(self.learnt, self.unknown_before, old.p_learn),
            p_guess=ratio(self.unknown_right, self.unknown, old.p_guess, MAX_GUESS),
            p_slip=ratio(self.known_wrong, self.known, old.p_slip, MAX_SLIP),
        )


def _forward_backward(
    pattern: tuple[bool, ...], params: SkillParams
) -> tuple[float, list[float], float]:
    """Scaled forward-backward over one sequence.

    Returns its log-likelihood, the chance the skill is known at each answer, and the
    expected number of unknown -> known transitions.
    """
    learn, guess, slip = params.p_learn, params.p_guess, params.p_slip

    def emit(correct: bool) -> tuple[float, float]:
        """P(answer | unknown), P(answer | known)."""
        return (guess, 1 - slip) if correct else (1 - guess, slip)

    # Forward, scaled so each step's two values sum to 1.
    alphas: list[tuple[float, float]] = []
    scales: list[float] = []
    u, k = 1 - params.p_init, params.p_init
    for t, correct in enumerate(pattern):
        if t:
            u, k = u * (1 - learn), u * learn + k
        eu, ek = emit(correct)
        u, k = u * eu, k * ek
        scale = u + k or 1e-300
        u, k = u / scale, k / scale
        alphas.append((u, k))
        scales.append(scale)
    # Backward, with the same scales.
    n = len(pattern)
    betas: list[tuple[float, float]] = [(1.0, 1.0)] * n
    learnt = 0.0
    for t in range(n - 2, -1, -1):
        eu, ek = emit(pattern[t + 1])
        bu_next, bk_next = betas[t + 1]
        to_u, to_k = eu * bu_next, ek * bk_next
        scale = scales[t + 1]
        betas[t] = (((1 - learn) * to_u + learn * to_k) / scale, to_k / scale)
        au, _ = alphas[t]
        learnt += au * learn * to_k / scale
    gammas = []
    for (au, ak), (bu, bk) in zip(alphas, betas, strict=True):
        total = au * bu + ak * bk or 1e-300
        gammas.append(ak * bk / total)
    return sum(math.log(s) for s in scales), gammas, learnt
