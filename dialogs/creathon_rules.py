"""The Creathon's rules of who reviews what, pure (no storage): the storage adapters
(bot/storage/creathon.py, the in-memory fake of the tests) read the rows and call these.

- Peer reviewers are drawn when submissions close: granted teachers of a country other than
  the author's, never the author, the least loaded first, then those taking part, then a
  fixed shuffle (the same rows give the same draw).
- A review is scored in its phase only: a peer's while the contest is in review, a juror's
  while it is with the jury.
- The jury scores the shortlist, each juror every scenario but their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from dialogs.creathon_ports import JUROR, JURY, PEER, REVIEW, Submission

_AUTHORS = re.compile(r"^authors[ \t]*:[ \t]*(.+)$", re.MULTILINE | re.IGNORECASE)
WINNERS = 3  # the ranks that earn a laurel in the shared library


def draw_reviewers(
    entries: Sequence[Submission], teachers: Mapping[int, set[str]], per_entry: int
) -> list[tuple[int, int]]:
    """(submission, reviewer) pairs: teachers (id -> the countries they belong to) of other
    countries, never the author, the least loaded first, then those taking part, then a
    fixed shuffle; at most `per_entry` reviewers per submission."""
    load = dict.fromkeys(teachers, 0)
    taking_part = {e.author_id for e in entries}
    pairs = []
    for entry in entries:
        eligible = [
            t
            for t, countries in teachers.items()
            if t != entry.author_id and entry.country and entry.country not in countries
        ]
        eligible.sort(key=lambda t: (load[t], t not in taking_part, (t * 7919 + entry.id) % 1009))
        for reviewer in eligible[:per_entry]:
            load[reviewer] += 1
            pairs.append((entry.id, reviewer))
    return pairs


def may_score(kind: str, status: str) -> bool:
    """Whether a review of this kind (peer, jury) may be scored while the contest is in
    this phase."""
    return (kind, status) in ((PEER, REVIEW), (JUROR, JURY))


def jury_hands(
    shortlisted: Iterable[int], jury: Iterable[int], authors: Mapping[int, int]
) -> list[tuple[int, int]]:
    """(submission, juror) pairs: every shortlisted scenario to every juror but its author."""
    jurors = tuple(jury)
    return [(sid, juror) for sid in shortlisted for juror in jurors if authors.get(sid) != juror]


def author_of(source: str) -> str:
    """The authors line of a course text's header ("" when it has none)."""
    found = _AUTHORS.search(source.split("\n#", 1)[0])
    return found[1].strip() if found else ""


def is_laureate(rank: int | None) -> bool:
    """Whether a final rank earns a laurel."""
    return rank is not None and rank <= WINNERS
