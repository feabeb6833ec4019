"""What courses translated in the chat cost: laying reviewed texts over the library (each
time a worker reads it again), and a lesson step localized for its learner.

    python bench/course_translations.py [--rounds 5]

In-process, on the bundled library, with every text of every course reviewed in Wolof (the
most a worker lays over). Each round times, alternately:

* baseline: reading the bundled library from its files (what every start and every
  LIBRARY_REFRESH already pays for the teachers' courses);
* overlay: laying every reviewed text over it (`with_reviewed`);
* step (lesson): a lesson localized as the step used to (`localized_lesson`);
* step (course): the whole course localized, as a lesson step does now (module titles);
  kept after its first time, so this is what every later turn pays.

Medians in milliseconds, and each one's ratio to the same round's baseline.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.storage.course_translations import Reviewed, with_reviewed
from content.library import load_library
from content.translation_units import units
from content.translations import localized_course, localized_lesson


def timed(action: object, repeat: int) -> float:
    """Median milliseconds of a call."""
    assert callable(action)
    found = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        found.append((time.perf_counter() - started) * 1000)
    return statistics.median(found)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    library = load_library()
    reviewed: Reviewed = {
        (course.id, "wo"): {u.key: (f"wo {u.source}", u.mark) for u in units(course)}
        for course in library.courses
    }
    count = sum(len(texts) for texts in reviewed.values())
    laid = with_reviewed(library, reviewed)
    fractions = laid.get("fractions")
    assert fractions is not None
    names = ("baseline", "overlay", "step (lesson)", "step (course)")
    ratios: dict[str, list[float]] = {name: [] for name in names}
    medians: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(args.rounds):
        found = {
            "baseline": timed(load_library, 5),
            "overlay": timed(lambda: with_reviewed(library, reviewed), 5),
            "step (lesson)": timed(
                lambda: localized_lesson(fractions, fractions.lessons[0], "wo"), 200
            ),
            "step (course)": timed(lambda: localized_course(fractions, "wo"), 200),
        }
        for name in names:
            medians[name].append(found[name])
            ratios[name].append(found[name] / found["baseline"])
    print(f"{len(library.courses)} courses, {count} texts reviewed in Wolof")
    for name in names:
        ms, ratio = statistics.median(medians[name]), statistics.median(ratios[name])
        print(f"{name:<15} {ms:9.3f} ms   x{ratio:.3f} of the baseline")


if __name__ == "__main__":
    main()
