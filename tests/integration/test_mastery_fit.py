"""`python -m bot mastery fit` on a synthetic answer history: the generating parameters come
back, roughly, and are stored; a skill with too few answers is left as it was."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.storage.store import SqlStore
from content.mastery import SkillParams
from dialogs.events import UserRef
from dialogs.ports import RecordAnswer

TRUE = SkillParams(p_init=0.2, p_learn=0.15, p_guess=0.2, p_slip=0.08)
LEARNERS, ANSWERS = 250, 12

COURSE = """\
id: essai
title: Un cours d'essai
subject: mathematiques
levels: CM1
language: fr

# Partager {#partager}
skill: CM1-NUM-3

Une part sur quatre s'écrit 1/4.

## Quiz

? Combien de parts ?
= 4

? Une moitié ?
= 1/2

? Écrire un quart.
skill: CM1-NUM-9
= 1/4
"""


def simulate(rng: random.Random) -> list[bool]:
    """One learner's first tries, drawn from the generating parameters."""
    known = rng.random() < TRUE.p_init
    answers = []
    for _ in range(ANSWERS):
        answers.append(rng.random() >= TRUE.p_slip if known else rng.random() < TRUE.p_guess)
        known = known or rng.random() < TRUE.p_learn
    return answers


async def test_fit_recovers_the_generating_parameters(
    store: SqlStore,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    library = tmp_path / "library" / "essai"
    library.mkdir(parents=True)
    (library / "course.md").write_text(COURSE, encoding="utf-8")
    rng = random.Random(19)
    for n in range(LEARNERS):
        answers = [
            RecordAnswer("essai", "partager", f"q{1 + i % 2}", "x", float(ok), ok, 1)
            for i, ok in enumerate(simulate(rng))
        ]
        if n < 3:  # a skill of its own, answered by three learners only
            answers.append(RecordAnswer("essai", "partager", "q3", "1/4", 1.0, True, 1))
        # retries and answers to questions no longer in the course are not read
        answers.append(RecordAnswer("essai", "partager", "q1", "4", 1.0, True, 2))
        answers.append(RecordAnswer("essai", "disparue", "q1", "4", 0.0, False, 1))
        async with store.turn(UserRef("web", f"learner-{n}")) as tx:
            assert tx is not None
            tx.save(tx.profile, tx.state, answers)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("LIBRARY_PATH", str(tmp_path / "library"))
    assert await asyncio.to_thread(main, ["mastery", "fit"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[1].split() == [
        "skill", "learners", "answers", "p_init", "p_learn", "p_guess", "p_slip"
    ]  # fmt: skip
    assert (
        printed[2].startswith("CM1-NUM-3  ")
        and f"{LEARNERS}     {LEARNERS * ANSWERS}" in printed[2]
    )
    assert printed[3].split() == [
        "CM1-NUM-9",
        "3",
        "3",
        "too",
        "few",
        "answers:",
        "left",
        "as",
        "it",
        "was",
    ]
    assert printed[4] == "1 of 2 skills fitted and stored"
    rows = await store.statement(
        "SELECT skill, p_init, p_learn, p_guess, p_slip, answers, learners FROM skill_parameters"
    )
    assert len(rows) == 1
    skill, p_init, p_learn, p_guess, p_slip, answers, learners = rows[0]
    assert (skill, answers, learners) == ("CM1-NUM-3", LEARNERS * ANSWERS, LEARNERS)
    assert p_init == pytest.approx(TRUE.p_init, abs=0.07)
    assert p_learn == pytest.approx(TRUE.p_learn, abs=0.07)
    assert p_guess == pytest.approx(TRUE.p_guess, abs=0.07)
    assert p_slip == pytest.approx(TRUE.p_slip, abs=0.07)
    fitted = [f"{value:.2f}" for value in (p_init, p_learn, p_guess, p_slip)]
    assert printed[2].split()[3:] == fitted


async def test_fit_with_no_answers_says_so(
    store: SqlStore,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert await asyncio.to_thread(main, ["mastery", "fit"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == [
        "no answers to questions with skills yet: the defaults stay"
    ]
