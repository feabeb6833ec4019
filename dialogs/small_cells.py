"""Small-cell suppression for figures broken down by sex: no group under SMALL people is
described, and no hidden group can be worked out by subtracting the shown ones from a total.

Pure. The grid is (country, sex) -> people; the totals of each country (shown elsewhere) and
of each sex over the countries (shown as the "" country) are published, so a line (a country,
or a sex) with exactly one hidden cell would give it away: the next smallest cell of that
line is hidden too, until no line has exactly one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from dialogs.admin_ports import SexFigures

SMALL = 5  # the smallest group a figure describes
SEXES = ("girl", "boy", "unknown")  # "unknown": not asked, or "prefer not to say"
Cell = tuple[str, str]  # (country, sex)


def suppress(grid: dict[Cell, int]) -> set[Cell]:
    """The cells to hide: from 1 to SMALL - 1 people, and what subtraction would reveal."""
    hidden = {key for key, people in grid.items() if 0 < people < SMALL}
    changed = True
    while changed:
        changed = False
        for axis in (0, 1):
            lines: dict[str, list[Cell]] = defaultdict(list)
            for key in grid:
                lines[key[axis]].append(key)
            for keys in lines.values():
                if sum(key in hidden for key in keys) != 1:
                    continue
                others = sorted((grid[k], k) for k in keys if k not in hidden and grid[k] > 0)
                if others:
                    hidden.add(others[0][1])
                    changed = True
    return hidden


def by_sex(rows: list[SexFigures]) -> list[tuple[SexFigures, bool]]:
    """Each country's groups and every country's ("" country, first), with whether each is
    hidden; an average score is weighted by quizzes."""
    totals: dict[str, SexFigures] = {sex: SexFigures("", sex) for sex in SEXES}
    for row in rows:
        found = totals[row.sex]
        quizzes = found.quizzes + row.quizzes
        scored = (found.average_score or 0.0) * found.quizzes
        scored += (row.average_score or 0.0) * row.quizzes
        totals[row.sex] = replace(
            found,
            learners=found.learners + row.learners,
            active_7=found.active_7 + row.active_7,
            lessons_done=found.lessons_done + row.lessons_done,
            quizzes=quizzes,
            average_score=scored / quizzes if quizzes else None,
        )
    ordered = [totals[sex] for sex in SEXES]
    ordered += sorted(rows, key=lambda r: (r.country, SEXES.index(r.sex)))
    hidden = suppress({(r.country, r.sex): r.learners for r in ordered})
    return [(row, (row.country, row.sex) in hidden) for row in ordered]
