"""Bayesian Knowledge Tracing (content/mastery.py): known values, and what must always hold."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from content.mastery import (
    DEFAULT_PARAMS,
    MAX_GUESS,
    MAX_SLIP,
    Level,
    SkillParams,
    level,
    p_correct,
    trace,
    update,
)
from content.mastery_fit import fit, log_likelihood


def test_one_answer_with_the_defaults() -> None:
    # p_init 0.3, p_learn 0.15, p_guess 0.2, p_slip 0.1, worked by hand:
    # right: 0.3 × 0.9 / (0.3 × 0.9 + 0.7 × 0.2) = 0.27 / 0.41, then + (1 - that) × 0.15
    assert update(0.3, True) == pytest.approx(0.27 / 0.41 + (1 - 0.27 / 0.41) * 0.15)
    assert update(0.3, True) == pytest.approx(0.709756, abs=1e-6)
    # wrong: 0.3 × 0.1 / (0.3 × 0.1 + 0.7 × 0.8) = 0.03 / 0.59, then learning
    assert update(0.3, False) == pytest.approx(0.03 / 0.59 + (1 - 0.03 / 0.59) * 0.15)
    assert update(0.3, False) == pytest.approx(0.193220, abs=1e-6)


def test_a_textbook_example_without_learning() -> None:
    # p_known 0.5, guess 0.25, slip 0.1, no learning: a right answer gives 0.45 / 0.575.
    params = SkillParams(p_init=0.5, p_learn=0.0, p_guess=0.25, p_slip=0.1)
    assert update(0.5, True, params) == pytest.approx(0.782609, abs=1e-6)
    assert update(0.5, False, params) == pytest.approx(0.05 / 0.425)
    assert p_correct(0.5, params) == pytest.approx(0.575)


def test_three_right_answers_in_a_row_make_a_skill_mastered() -> None:
    assert [level(trace([True] * n)) for n in range(4)] == [
        Level.TO_REVIEW,
        Level.ON_TRACK,
        Level.ON_TRACK,
        Level.MASTERED,
    ]
    # One slip after that is a slip; wrong again and again, it is to work on again.
    assert level(trace([True, True, True, False])) is Level.ON_TRACK
    assert level(trace([True, True, True, False, False, False])) is Level.TO_REVIEW
    assert trace([]) == DEFAULT_PARAMS.p_init


def test_parameters_that_would_make_answers_meaningless_are_refused() -> None:
    with pytest.raises(ValueError, match="p_guess"):
        SkillParams(p_guess=0.6, p_slip=0.5)
    with pytest.raises(ValueError, match="p_learn"):
        SkillParams(p_learn=1.5)


probability = st.floats(min_value=0.0, max_value=1.0)
params = st.builds(
    SkillParams,
    p_init=probability,
    p_learn=probability,
    p_guess=st.floats(min_value=0.0, max_value=MAX_GUESS),
    p_slip=st.floats(min_value=0.0, max_value=MAX_SLIP),
)


@given(params, st.lists(st.booleans(), max_size=50))
def test_the_estimate_stays_a_probability(skill: SkillParams, answers: list[bool]) -> None:
    p = skill.p_init
    for correct in answers:
        p = update(p, correct, skill)
        assert 0.0 <= p <= 1.0


@given(params, probability)
def test_a_right_answer_never_lowers_the_estimate(skill: SkillParams, p: float) -> None:
    assert update(p, True, skill) >= p - 1e-12
    assert update(p, True, skill) >= update(p, False, skill) - 1e-12


def test_the_fit_beats_the_defaults_and_keeps_within_bounds() -> None:
    sequences = [[False, False, True, True, True]] * 30 + [[True] * 5] * 20 + [[False] * 5] * 10
    result = fit(sequences)
    assert (result.answers, result.learners) == (300, 60)
    assert result.log_likelihood == pytest.approx(log_likelihood(sequences, result.params))
    assert result.log_likelihood > log_likelihood(sequences, DEFAULT_PARAMS)
    assert result.params.p_guess <= MAX_GUESS and result.params.p_slip <= MAX_SLIP
    assert fit([]).params == DEFAULT_PARAMS and fit([]).answers == 0
