"""What the Creathon (a contest of pedagogical scenarios between teachers) needs from
storage: contests, submissions, anonymous peer reviews and the jury's scores.

Anonymity lives here: what a reviewer is handed (`ToReview`) carries no author, and what an
author reads of their reviews (`Feedback`) carries no reviewer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

# The phases of a contest, in order.
OPEN = "open"  # teachers submit (until the submission deadline)
REVIEW = "review"  # peers review (until the review deadline)
JURY = "jury"  # the jury scores the shortlist
DONE = "done"  # results published
PEER = "peer"  # creathon_reviews.kind
JUROR = "jury"


@dataclass(frozen=True)
class ContestDraft:
    """Everything an admin chose for a new contest."""

    theme: str
    rules: str
    levels: tuple[str, ...]
    subjects: tuple[str, ...]
    submit_by: datetime
    review_by: datetime
    criteria: tuple[tuple[str, int], ...]  # (name, weight), weights summing to 100
    jury: tuple[int, ...]  # people ids
    reviewers: int = 3  # peer reviewers per submission
    shortlist: int = 5  # submissions the jury scores


@dataclass(frozen=True)
class Contest(ContestDraft):
    """A stored contest and where it stands."""

    id: int = 0
    status: str = OPEN


@dataclass(frozen=True)
class Submission:
    """A teacher's scenario as its author (or an admin) sees it."""

    id: int
    contest_id: int
    course_id: str
    description: str
    country: str
    author_id: int
    rank: int | None = None


@dataclass(frozen=True)
class ToReview:
    """A scenario handed to a reviewer or a juror: the course text and how it is used,
    never who wrote it."""

    review_id: int
    submission_id: int
    kind: str  # peer, jury
    source: str  # the course's text (frozen when submissions closed)
    course_id: str
    description: str
    done: bool


@dataclass(frozen=True)
class Feedback:
    """A review as its author reads it: scores and comment, never the reviewer."""

    kind: str
    scores: tuple[int, ...]
    total: float
    comment: str


@dataclass(frozen=True)
class Standing:
    """A submission in the ranking: its peer and jury averages (None when unscored)."""

    submission: Submission
    peer: float | None
    jury: float | None
    author_name: str = ""


class CreathonDesk(Protocol):
    """Storage of the Creathon, inside the current person's turn."""

    async def open_contest(self, draft: ContestDraft) -> int:
        """A new contest, open for submissions; its id."""
        ...

    async def contests(self) -> list[Contest]:
        """Every contest, newest first."""
        ...

    async def judging(self) -> frozenset[int]:
        """The contests the current person sits on the jury of."""
        ...

    async def mine(self, contest_id: int) -> Submission | None:
        """The current teacher's submission to a contest."""
        ...

    async def submit(self, contest_id: int, course_id: str, description: str) -> bool:
        """Submit (or change) the current teacher's scenario: one of their own courses;
        False when the course is not theirs or the contest no longer takes submissions."""
        ...

    async def submissions(self, contest_id: int) -> list[Submission]:
        """Every submission of a contest, oldest first."""
        ...

    async def close_submissions(self, contest_id: int) -> tuple[int, ...]:
        """Freeze the submissions and give each to peer reviewers from other countries;
        the reviewers' ids (empty if the contest was not open)."""
        ...

    async def to_review(self, contest_id: int, kind: str) -> list[ToReview]:
        """The scenarios the current person reviews (peer) or scores (jury) in a contest."""
        ...

    async def score(
        self, review_id: int, scores: tuple[int, ...], total: float, comment: str
    ) -> bool:
        """Keep the current person's scores of a scenario handed to them; False otherwise."""
        ...

    async def feedback(self, contest_id: int) -> list[Feedback]:
        """The scored reviews of the current teacher's submission, anonymous."""
        ...

    async def standings(self, contest_id: int) -> list[Standing]:
        """Every submission with its peer and jury averages, and its author's name."""
        ...

    async def start_jury(self, contest_id: int, shortlisted: tuple[int, ...]) -> tuple[int, ...]:
        """Hand the shortlisted submissions to the jury; the jurors' ids."""
        ...

    async def crown(self, contest_id: int, ranks: dict[int, int], sources: dict[int, str]) -> None:
        """Keep the final ranks; publish the winners' courses (new texts) to every country."""
        ...

    async def winner_source(self, submission_id: int) -> str | None:
        """The current text of a submission's course (to publish it)."""
        ...

    async def laurels(self) -> dict[str, tuple[str, ...]]:
        """Per course id, the themes of the contests it won."""
        ...
