"""Placement and remediation, simulated: do they save strong learners time without letting
weak learners skip what they do not know?

    python -m bench.placement_sim [--learners 1000] [--seed 19]

Simulated learners of known ability go through the bundled fractions course
(content/library/fractions/) in four ways: every lesson (the baseline), with its placement
quiz, with remediation, with both. A learner knows each skill at the start with a chance set
by their ability (weak 0.05, middle 0.4, strong 0.9); a learner who knows a skill answers
right but for a slip (0.1), one who does not guesses right (0.2: the BKT defaults, which the
bot's estimates use too). Reading a lesson teaches its skill with a chance of 0.5, each
answered question with 0.15 (BKT's p_learn); an author's remediation with 0.4. A lesson is
taken again (read, then its quiz) until the bot's estimate says mastered, at most 4 times.
Printed per ability, as means per learner: lessons read, questions answered (placement
included), the share of skills truly known at the end, lessons skipped, and skills not known
in the lessons skipped (placement must not let weak learners skip what they do not know);
then each way's ratio to the baseline, on the same simulated learners (same seed).
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass, field

from content.library import DEFAULT_LIBRARY, load_library
from content.mastery import DEFAULT_PARAMS, MASTERED, update
from content.model import Course
from content.placement import FAILURES, lesson_skills, mastered_lessons, remediation_for

ABILITIES = {"weak": 0.05, "middle": 0.4, "strong": 0.9}
SLIP, GUESS = DEFAULT_PARAMS.p_slip, DEFAULT_PARAMS.p_guess
READ_LEARN, PRACTICE_LEARN, REMEDY_LEARN = 0.5, DEFAULT_PARAMS.p_learn, 0.4
MAX_TAKES = 4


@dataclass
class Learner:
    """What a simulated learner truly knows, and what the bot estimates."""

    knows: dict[str, bool]
    estimate: dict[str, float] = field(default_factory=dict)
    wrong: dict[str, int] = field(default_factory=dict)
    lessons: int = 0
    questions: int = 0
    bad_skips: int = 0
    skipped: int = 0


def answer(
    rng: random.Random, learner: Learner, skills: tuple[str, ...], teaches: bool = True
) -> bool:
    """One graded first try: right but for a slip, or a guess; then practice may teach
    (not in the placement quiz: it shows no right answer)."""
    known = all(learner.knows[s] for s in skills)
    right = rng.random() < (1 - SLIP if known else GUESS)
    learner.questions += 1
    for skill in skills:
        learner.estimate[skill] = update(learner.estimate.get(skill, DEFAULT_PARAMS.p_init), right)
        if teaches and not learner.knows[skill] and rng.random() < PRACTICE_LEARN:
            learner.knows[skill] = True
    return right


def run(
    course: Course, rng: random.Random, ability: float, placement: bool, remedy: bool
) -> Learner:
    """One learner through the course."""
    skills = {s for lesson in course.lessons for s in lesson_skills(lesson)}
    learner = Learner({s: rng.random() < ability for s in sorted(skills)})
    skipped: set[str] = set()
    if placement and course.placement is not None:
        for question in course.placement.questions:
            answer(rng, learner, question.skills, teaches=False)
        for lesson in mastered_lessons(course, learner.estimate):
            skipped.add(lesson.id)
            learner.skipped += 1
            learner.bad_skips += sum(1 for s in lesson_skills(lesson) if not learner.knows[s])
    for lesson in course.lessons:
        if lesson.id in skipped:
            continue
        for _ in range(MAX_TAKES):
            learner.lessons += 1
            for skill in lesson_skills(lesson):
                if not learner.knows[skill] and rng.random() < READ_LEARN:
                    learner.knows[skill] = True
            for question in lesson.quiz.questions if lesson.quiz else ():
                tested = lesson.skills_of(question)
                if not question.scored or not tested:
                    continue
                if answer(rng, learner, tested):
                    continue
                for skill in tested:
                    learner.wrong[skill] = learner.wrong.get(skill, 0) + 1
                    has_remedy = remediation_for(course, lesson, question, skill)
                    if remedy and learner.wrong[skill] >= FAILURES and has_remedy:
                        learner.wrong[skill] = 0
                        if not learner.knows[skill] and rng.random() < REMEDY_LEARN:
                            learner.knows[skill] = True
            estimates = [learner.estimate.get(s, 0.0) for s in lesson_skills(lesson)]
            if all(p >= MASTERED for p in estimates):
                break
    return learner


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args()
    course = load_library(DEFAULT_LIBRARY).get("fractions")
    assert course is not None and course.placement is not None
    ways = {
        "baseline": (False, False),
        "placement": (True, False),
        "remediation": (False, True),
        "both": (True, True),
    }
    print(f"{args.learners} learners per ability and way, seed {args.seed}, course {course.id}")
    header = f"{'ability':8} {'way':12} {'lessons':>8} {'questions':>10} {'known':>6}"
    header += f" {'skipped':>8} {'bad skips':>10}"
    for name, ability in ABILITIES.items():
        print(header)
        base: tuple[float, float] | None = None
        for way, (placement, remedy) in ways.items():
            rng = random.Random(f"{args.seed}:{name}")  # the same learners for every way
            crowd = [run(course, rng, ability, placement, remedy) for _ in range(args.learners)]
            lessons = sum(c.lessons for c in crowd) / len(crowd)
            questions = sum(c.questions for c in crowd) / len(crowd)
            known = sum(sum(c.knows.values()) / len(c.knows) for c in crowd) / len(crowd)
            bad = sum(c.bad_skips for c in crowd) / len(crowd)
            skips = sum(c.skipped for c in crowd) / len(crowd)
            base = base or (lessons, questions)
            ratio = f"  (x{lessons / base[0]:.2f} lessons, x{questions / base[1]:.2f} questions)"
            print(
                f"{name:8} {way:12} {lessons:8.2f} {questions:10.2f} {known:6.1%} {skips:8.2f}"
                f" {bad:10.3f}" + ("" if way == "baseline" else ratio)
            )


if __name__ == "__main__":
    main()
