"""1,000 simulated learners of known ability through a course, with and without placement
and remediation, on the bot's own mastery estimate (content/mastery.py).

    python -m bench.mastery_simulation [--learners 1000] [--seed 7]

Each learner has a true state per skill (known or not, drawn from their ability band) and a
true learning rate; they answer like the BKT model says (a known skill slips, an unknown one
is guessed) while the bot only sees the answers and keeps its own estimate. The course is a
real one, written in the course format and read by the bot's parser (`course_text`): one
lesson per skill with a four-question quiz and a `remédiation:`, and a `# Test de placement`
of PLACEMENT questions per skill. A learner repeats a lesson until the estimate says its
skills are mastered (at most MAX_PASSES times), then goes on. Two ways on the same learners
(same seed):

* without: every lesson from the first, nothing else (the same-run baseline);
* with: the placement quiz first, the lessons the bot's `mastered_lessons` offers to skip
  skipped; and remediation as the bot gives it (`remediation_for` after FAILURES wrong
  answers on a skill): the rest of that pass and the next one are the easier step or worked
  example, modelled as a doubled learning rate.

Printed per band: lessons taken, questions answered (placement included), the ratio with /
without, the skills skipped while not truly known (weak learners must not skip), and the
share of skills truly known at the end. Pure computation: no IO, deterministic for a seed.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass, field
from pathlib import Path

from content.format import parse_course
from content.mastery import DEFAULT_PARAMS, MASTERED, Level, level, update
from content.model import Course, Lesson
from content.placement import FAILURES, lesson_skills, mastered_lessons, remediation_for

SKILLS = 8  # lessons of the course, one skill each
QUESTIONS = 4  # questions of a lesson's quiz
PLACEMENT = 3  # placement questions per skill
MAX_PASSES = 6  # a learner moves on after this many passes of a lesson
# Ability bands: (share of learners, chance each skill is already known, learning rate).
BANDS = {"strong": (0.25, 0.85, 0.35), "average": (0.5, 0.4, 0.2), "weak": (0.25, 0.05, 0.1)}
SLIP, GUESS = DEFAULT_PARAMS.p_slip, DEFAULT_PARAMS.p_guess


@dataclass
class Learner:
    """A simulated learner: what they truly know, and how fast they learn."""

    band: str
    known: list[bool]
    learn: float


@dataclass
class Tally:
    """What one band of learners took through one course."""

    learners: int = 0
    lessons: int = 0
    questions: int = 0
    skipped: int = 0
    skipped_unknown: int = 0  # skipped while not truly known: placement let them through
    known_at_end: int = 0
    unknown_at_start: int = 0
    extra: dict[str, int] = field(default_factory=dict)


def course_text() -> str:
    """The simulated course in the course format: SKILLS lessons (one skill each, a quiz of
    QUESTIONS questions, a remediation) and a placement quiz of PLACEMENT questions per skill."""
    out = ["id: simulation", "title: Simulation", "subject: mathematiques", "levels: CM2"]
    out += ["language: fr", ""]
    out += ["# Test de placement", ""]
    for skill in range(SKILLS):
        for n in range(PLACEMENT):
            out += [f"? Placement {skill}.{n} ?", f"skill: S{skill}", f"= {n}", ""]
    for skill in range(SKILLS):
        out += [f"# Leçon {skill} {{#lecon-{skill}}}", f"skill: S{skill}"]
        out += [f"remédiation: Un exemple pas à pas de S{skill}.", "", "Le cours.", "", "## Quiz"]
        out += ["retry: non", ""]
        for n in range(QUESTIONS):
            out += [f"? Question {skill}.{n} ?", f"= {n}", ""]
    return "\n".join(out)


def simulated_course() -> Course:
    """The course, read by the bot's own parser."""
    course = parse_course(course_text(), Path("simulation/course.md"))
    assert course.placement is not None and len(course.lessons) == SKILLS
    return course


def population(count: int, rng: random.Random) -> list[Learner]:
    """Learners drawn from the bands in their shares."""
    learners = []
    for band, (share, p_known, learn) in BANDS.items():
        for _ in range(round(count * share)):
            learners.append(Learner(band, [rng.random() < p_known for _ in range(SKILLS)], learn))
    return learners


def answer(learner: Learner, skill: int, rng: random.Random) -> bool:
    """One answer: a known skill slips, an unknown one is guessed."""
    return rng.random() >= SLIP if learner.known[skill] else rng.random() < GUESS


def practise(learner: Learner, skill: int, rate: float, rng: random.Random) -> None:
    """A chance to learn: an unknown skill becomes known at the learner's rate."""
    if not learner.known[skill] and rng.random() < rate:
        learner.known[skill] = True


def index_of(code: str) -> int:
    """The simulated learner's skill of a skill code ("S3" -> 3)."""
    return int(code[1:])


def run(
    course: Course, learner: Learner, placement: bool, rng: random.Random, tally: Tally
) -> None:
    """One learner through the course; the tally of their band gets the counts. The bot's
    functions decide what is skipped and when a remediation comes."""
    tally.learners += 1
    tally.unknown_at_start += learner.known.count(False)
    estimate: dict[str, float] = {}
    skipped: frozenset[str] = frozenset()
    if placement and course.placement is not None:
        for question in course.placement.questions:
            for code in question.skills:
                right = answer(learner, index_of(code), rng)
                estimate[code] = update(estimate.get(code, DEFAULT_PARAMS.p_init), right)
                tally.questions += 1
        skipping = mastered_lessons(course, estimate)
        skipped = frozenset(lesson.id for lesson in skipping)
        for lesson in skipping:
            tally.skipped += 1
            tally.skipped_unknown += sum(
                not learner.known[index_of(code)] for code in lesson_skills(lesson)
            )
    wrong: dict[str, int] = {}
    for lesson in course.lessons:
        if lesson.id not in skipped:
            take(lesson, course, learner, placement, rng, tally, estimate, wrong)
    tally.known_at_end += learner.known.count(True)


def take(
    lesson: Lesson,
    course: Course,
    learner: Learner,
    remedy: bool,
    rng: random.Random,
    tally: Tally,
    estimate: dict[str, float],
    wrong: dict[str, int],
) -> None:
    """A lesson taken until the estimate says its skills are mastered (at most MAX_PASSES
    times); a remediation (when `remedy`) doubles the learning rate until the pass after."""
    helped = 0  # passes left with the remediation's help
    for _ in range(MAX_PASSES):
        tally.lessons += 1
        for question in lesson.quiz.questions if lesson.quiz else ():
            for code in lesson.skills_of(question):
                skill = index_of(code)
                right = answer(learner, skill, rng)
                estimate[code] = update(estimate.get(code, DEFAULT_PARAMS.p_init), right)
                tally.questions += 1
                practise(learner, skill, learner.learn * (2 if helped else 1), rng)
                wrong[code] = wrong.get(code, 0) + (not right)  # in the course, as the bot
                if remedy and wrong[code] >= FAILURES:
                    wrong[code] = 0
                    if remediation_for(course, lesson, question, code):
                        helped = 2
        helped = max(0, helped - 1)
        if all(estimate.get(code, 0.0) >= MASTERED for code in lesson_skills(lesson)):
            break


def simulate(count: int, seed: int, placement: bool) -> dict[str, Tally]:
    """Every learner through the course; a tally per band."""
    course = simulated_course()
    rng = random.Random(seed)
    learners = population(count, random.Random(seed))
    tallies = {band: Tally() for band in BANDS}
    for learner in learners:
        run(course, learner, placement, rng, tallies[learner.band])
    return tallies


def grouping(count: int, seed: int) -> dict[str, dict[str, list[bool]]]:
    """The teacher's groups after one lesson (its four questions) of the first skill, by the
    bot's estimate and, on the same answers, by the raw score (4/4 mastered, 3/4 on the way,
    else to help): per way and group, whether each learner in it truly knows the skill."""
    rng = random.Random(seed + 1)
    groups: dict[str, dict[str, list[bool]]] = {"estimate": {}, "raw score": {}}
    for learner in population(count, random.Random(seed)):
        p, right = DEFAULT_PARAMS.p_init, 0
        for _ in range(QUESTIONS):
            correct = answer(learner, 0, rng)
            p, right = update(p, correct), right + correct
            practise(learner, 0, learner.learn, rng)
        raw = Level.MASTERED if right == 4 else Level.ON_TRACK if right == 3 else Level.TO_REVIEW
        for way, found in (("estimate", level(p)), ("raw score", raw)):
            groups[way].setdefault(found.value, []).append(learner.known[0])
    return groups


def print_grouping(count: int, seed: int) -> None:
    """Group sizes and how many in each truly know the skill: the "to help" group should
    hold those who do not, the "mastered" one those who do."""
    print("\nGroups after one lesson of one skill (the teacher's groups page):")
    print(f"{'grouped by':10} {'group':10} {'learners':>8} {'truly know it':>14}")
    for way, groups in grouping(count, seed).items():
        for key in (Level.TO_REVIEW.value, Level.ON_TRACK.value, Level.MASTERED.value):
            inside = groups.get(key, [])
            share = sum(inside) / len(inside) if inside else 0.0
            print(f"{way:10} {key:10} {len(inside):8d} {share:14.1%}")


def main() -> None:
    """Print the table: per band, without (baseline) and with placement and remediation."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    without = simulate(args.learners, args.seed, placement=False)
    with_ = simulate(args.learners, args.seed, placement=True)
    print(
        f"{args.learners} learners, {SKILLS} skills x {QUESTIONS} questions, placement "
        f"{PLACEMENT} questions per skill, seed {args.seed}"
    )
    header = (
        f"{'band':8} {'course':8} {'lessons/learner':>16} {'questions/learner':>18}"
        f" {'skipped':>8} {'skipped unknown':>16} {'known at end':>13}"
    )
    print(header)
    for band in BANDS:
        for name, tally in (("without", without[band]), ("with", with_[band])):
            n = tally.learners or 1
            skills = n * SKILLS
            unknown = tally.unknown_at_start or 1
            print(
                f"{band:8} {name:8} {tally.lessons / n:16.2f} {tally.questions / n:18.2f}"
                f" {tally.skipped / skills:8.1%} {tally.skipped_unknown / unknown:16.1%}"
                f" {tally.known_at_end / skills:13.1%}"
            )
        base, new = without[band], with_[band]
        print(
            f"{band:8} ratio    lessons {new.lessons / max(1, base.lessons):.2f}x, "
            f"questions {new.questions / max(1, base.questions):.2f}x (with / without)"
        )
    print_grouping(args.learners, args.seed)


if __name__ == "__main__":
    main()
