"""The Creathon's rubric and ranking, pure: criteria typed as "Clarté 30", weighted scores
out of 100, and the results order (jury score, ties broken by the peers' score)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from dialogs.creathon_ports import Standing

MAX_CRITERIA = 8
MAX_CRITERION = 40  # characters of a criterion's name
TOP = 10  # the best mark for one criterion
_LINE = re.compile(r"^(?P<name>.+?)\s*[:=-]?\s*(?P<weight>\d{1,3})\s*%?$")


def parse_rubric(text: str) -> tuple[tuple[str, int], ...] | str:
    """The criteria of typed lines ("Clarté 30"), or what is wrong: "lines", "sum", "count"."""
    criteria = []
    for line in (raw.strip() for raw in text.splitlines()):
        if not line:
            continue
        match = _LINE.match(line)
        if match is None or not match["name"].strip():
            return "lines"
        criteria.append((" ".join(match["name"].split())[:MAX_CRITERION], int(match["weight"])))
    if not 1 <= len(criteria) <= MAX_CRITERIA:
        return "count"
    if sum(weight for _, weight in criteria) != 100 or any(w <= 0 for _, w in criteria):
        return "sum"
    return tuple(criteria)


def weighted(criteria: Sequence[tuple[str, int]], scores: Sequence[int]) -> float:
    """Scores out of 10 per criterion, weighted, as a mark out of 100."""
    return round(sum(w * s for (_, w), s in zip(criteria, scores, strict=True)) / TOP, 2)


def shortlist(standings: Sequence[Standing], size: int) -> list[Standing]:
    """The best `size` submissions by their peers' score (unscored ones last)."""
    ranked = sorted(standings, key=lambda s: (-(s.peer or 0.0), s.submission.id))
    return ranked[:size]


def ranking(standings: Sequence[Standing]) -> list[Standing]:
    """The results: by jury score (unscored after), ties broken by the peers' score."""
    return sorted(
        standings,
        key=lambda s: (s.jury is None, -(s.jury or 0.0), -(s.peer or 0.0), s.submission.id),
    )
