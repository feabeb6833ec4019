"""Content benchmark: parse the library and a 5,000-question GIFT file, render booklets.

    python bench/content.py [--repeat 5]

Each figure is the median of --repeat runs, printed beside a baseline measured in the same
run (a bare pass over the same input), so a noisy machine shows in both. Targets (issue 3):
the 5,000-question GIFT file in under a second, a 40-page booklet in under two seconds.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.booklet import render_booklet
from content.gift import parse_gift
from content.gift_import import gift_to_questions
from content.library import DEFAULT_LIBRARY, load_library
from content.model import Course

GIFT_SAMPLES = (
    "::Q{n}:: Combien font {n} + 2 ?{{#{m}:0.5}}",
    "::Q{n}:: Le moustique anophèle pique surtout la nuit.{{T#Revoyez la leçon.#Bravo !}}",
    "::Q{n}:: Aminata partage {n} mangues.{{=en parts égales#Oui ~au hasard#Non ~%50%presque}}",
    "::Q{n}:: Capitale du Sénégal ?{{=Dakar =%50%dakar ####Dakar est la capitale.}}",
    "::Q{n}:: Associez.{{=Sénégal -> Dakar =Mali -> Bamako =Niger -> Niamey}}",
    "::Q{n}:: Les enfants sont {{~parti =partis ~partie}} à l'école.",
)


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    """The median wall time of `repeat` runs."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def gift_file(count: int) -> str:
    """A GIFT file of `count` questions of every common type, French text."""
    samples = (GIFT_SAMPLES[i % len(GIFT_SAMPLES)] for i in range(count))
    return "\n\n".join(s.format(n=i, m=i + 2) for i, s in enumerate(samples))


def big_course(courses: list[Course], keep: int | None = None) -> Course:
    """The library's lessons (the first `keep` of them) in one course without modules."""
    lessons = tuple(
        dataclasses.replace(lesson, id=f"{course.id[:10]}-{lesson.id}"[:24])
        for course in courses
        for lesson in course.lessons
    )[:keep]
    return dataclasses.replace(
        courses[0], id="tout", title="Toute la bibliothèque", lessons=lessons, modules=()
    )


def pages_of(course: Course) -> int:
    """How many pages a course's booklet has."""
    return len(PdfReader(io.BytesIO(render_booklet(course))).pages)


def forty_pages(courses: list[Course]) -> Course:
    """Left-to-right lessons of the library, as many as make about 40 pages."""
    latin = [c for c in courses if c.language != "ar"]
    whole = big_course(latin)
    count = len(whole.lessons)
    keep = max(1, round(count * 40 / pages_of(whole)))
    while keep < count and pages_of(big_course(latin, keep)) < 40:
        keep += 1
    return big_course(latin, keep)


def baseline_pdf(pages: int) -> bytes:
    """The same number of A5 pages with one line each: fpdf2's own floor."""
    from fpdf import FPDF

    pdf = FPDF(format=(148, 210))  # A5 in mm
    pdf.set_font("helvetica", size=11)
    for page in range(pages):
        pdf.add_page()
        pdf.cell(text=f"page {page}")
    return bytes(pdf.output())


def row(name: str, seconds: float, baseline: float, target: float | None) -> str:
    """One line of the table."""
    verdict = "" if target is None else ("met" if seconds < target else "NOT met")
    goal = f"target < {target:.1f} s: {verdict}" if target else ""
    ratio = seconds / baseline
    return f"{name:<36} {seconds:7.3f} s  baseline {baseline:7.3f} s  x{ratio:6.1f}  {goal}"


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat

    text = gift_file(5_000)
    tokens = re.compile(r"::|[{}=~#]")
    lib_files = sorted(DEFAULT_LIBRARY.glob("*/course.md"))
    library = load_library(DEFAULT_LIBRARY)
    largest = max(library.courses, key=lambda c: sum(len(le.steps) for le in c.lessons))
    forty = forty_pages(list(library.courses))
    pages = pages_of(forty)
    everything = big_course(list(library.courses))  # with the Arabic course: shaping on
    all_pages = pages_of(everything)
    print(
        f"5,000-question GIFT file: {len(text):,} characters; a {pages}-page booklet of "
        f"{len(forty.lessons)} lessons; the whole library (Arabic included): {all_pages} pages"
    )
    read = "".join(f.read_text(encoding="utf-8") for f in lib_files)
    print(
        row(
            "parse the library",
            median_seconds(lambda: load_library(DEFAULT_LIBRARY), repeat),
            median_seconds(lambda: tokens.findall(read), repeat),
            None,
        )
    )
    parse = median_seconds(lambda: parse_gift(text), repeat)
    floor = median_seconds(lambda: tokens.findall(text), repeat)
    print(row("parse 5,000 GIFT questions", parse, floor, 1.0))
    items = parse_gift(text)
    both = median_seconds(lambda: gift_to_questions(parse_gift(text)), repeat)
    print(row("parse + map into the course model", both, floor, 1.0))
    assert len(items) == 5_000
    one = median_seconds(lambda: render_booklet(largest), repeat)
    floor_one = median_seconds(lambda: baseline_pdf(pages // 2), repeat)
    print(row(f"booklet of {largest.id}", one, floor_one, None))
    print(
        row(
            f"booklet of {pages} pages",
            median_seconds(lambda: render_booklet(forty), repeat),
            median_seconds(lambda: baseline_pdf(pages), repeat),
            2.0,
        )
    )
    print(
        row(
            f"whole library, {all_pages} pages",
            median_seconds(lambda: render_booklet(everything), max(1, repeat // 2)),
            median_seconds(lambda: baseline_pdf(all_pages), repeat),
            None,
        )
    )


if __name__ == "__main__":
    main()
