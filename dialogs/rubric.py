"""The Creathon's rubric and ranking, pure: criteria typed as "Clarté 30", weighted scores
out of 100, and the results order (jury score, ties broken by the peers' score)."""

from __future__ import annotations

from collections.abc import Sequence

from dialogs.creathon_ports import Standing

MAX_CRITERIA = 8
MAX_CRITERION = 40  # characters of a criterion's name
TOP = 10  # the best mark for one criterion
_SEPARATORS = ":=-"  # between a criterion and its weight: "Clarté : 30", "Clarté = 30"


def parse_rubric(text: str) -> tuple[tuple[str, int], ...] | str:
    """The criteria of typed lines ("Clarté 30"), or what is wrong: "lines", "sum", "count"."""
    criteria = []
    for line in (raw.strip() for raw in text.splitlines()):
        if not line:
            continue
        criterion = _criterion(line)
        if criterion is None or not criterion[0].strip():
            return "lines"
        name, weight = criterion
        criteria.append((" ".join(name.split())[:MAX_CRITERION], weight))
    if not 1 <= len(criteria) <= MAX_CRITERIA:
        return "count"
    if sum(weight for _, weight in criteria) != 100 or any(w <= 0 for _, w in criteria):
        return "sum"
    return tuple(criteria)


def _criterion(line: str) -> tuple[str, int] | None:
    """A stripped line's name and weight ("Clarté : 30 %"), read backwards from its end.

    Scanned, not matched: the regular expression it replaces (a lazy name, then spaces, a
    separator and spaces) backtracked cubically on a name followed by a long run of spaces.
    The weight is the last 1 to 3 digits, the name what comes before them and the spaces and
    one separator around them, at least one character.
    """
    body = line[:-1].rstrip() if line.endswith("%") else line
    end = len(body)
    start = end
    while start > 1 and end - start < 3 and body[start - 1].isdecimal():
        start -= 1
    if start == end:
        return None
    name_end = len(body[:start].rstrip())
    if name_end and body[name_end - 1] in _SEPARATORS:
        name_end = len(body[: name_end - 1].rstrip())
    return body[: max(name_end, 1)], int(body[start:end])


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
