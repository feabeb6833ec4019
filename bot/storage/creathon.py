"""The Creathon (dialogs/creathon_ports.py) on SQL that SQLite and PostgreSQL both read,
inside the person's turn. Who reviews what (peers of other countries drawn when submissions
close, the jury's shortlist, which phase takes which scores) is decided by the pure rules of
dialogs/creathon_rules.py, which the in-memory fake of the tests calls too."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.storage.sql import Row, Runner, as_json, utc
from dialogs.creathon_ports import (
    DONE,
    JUROR,
    JURY,
    OPEN,
    PEER,
    REVIEW,
    Contest,
    ContestDraft,
    Feedback,
    Standing,
    Submission,
    ToReview,
)
from dialogs.creathon_rules import WINNERS, author_of, draw_reviewers, jury_hands, may_score
from dialogs.sharing_ports import EVERYWHERE

_CONTEST = (
    "SELECT id, theme, rules, levels, subjects, submit_by, review_by, criteria, jury,"
    " reviewers, shortlist, status FROM creathon_contests"
)
_SUBMISSION = (
    "SELECT id, contest_id, course_id, description, country, author_id, rank"
    " FROM creathon_submissions"
)


class SqlCreathonDesk:
    """CreathonDesk for the person `user_id`, on the turn's runner."""

    def __init__(self, runner: Runner, user_id: int, now: datetime | None = None) -> None:
        self.runner = runner
        self.user_id = user_id
        self.now = now or datetime.now(UTC)

    async def open_contest(self, draft: ContestDraft) -> int:
        """A new contest, open for submissions; its id."""
        rows = await self.runner.run(
            "INSERT INTO creathon_contests (theme, rules, levels, subjects, submit_by,"
            " review_by, criteria, jury, reviewers, shortlist, status, created_by, created_at)"
            " VALUES (:theme, :rules, :levels, :subjects, :submit_by, :review_by, :criteria,"
            " :jury, :reviewers, :shortlist, :status, :uid, :now) RETURNING id",
            theme=draft.theme[:120],
            rules=draft.rules,
            levels=list(draft.levels),
            subjects=list(draft.subjects),
            submit_by=draft.submit_by,
            review_by=draft.review_by,
            criteria=[list(c) for c in draft.criteria],
            jury=list(draft.jury),
            reviewers=draft.reviewers,
            shortlist=draft.shortlist,
            status=OPEN,
            uid=self.user_id,
            now=self.now,
        )
        return int(rows[0][0])

    async def contests(self) -> list[Contest]:
        """Every contest, newest first."""
        return [_contest(row) for row in await self.runner.run(f"{_CONTEST} ORDER BY id DESC")]

    async def _contest(self, contest_id: int) -> Contest | None:
        """One contest."""
        rows = await self.runner.run(f"{_CONTEST} WHERE id = :id", id=contest_id)
        return _contest(rows[0]) if rows else None

    async def judging(self) -> frozenset[int]:
        """The contests the current person sits on the jury of."""
        return frozenset(c.id for c in await self.contests() if self.user_id in c.jury)

    async def mine(self, contest_id: int) -> Submission | None:
        """The current teacher's submission to a contest."""
        rows = await self.runner.run(
            f"{_SUBMISSION} WHERE contest_id = :cid AND author_id = :uid",
            cid=contest_id,
            uid=self.user_id,
        )
        return _submission(rows[0]) if rows else None

    async def submit(self, contest_id: int, course_id: str, description: str) -> bool:
        """Submit or change the current teacher's scenario, while the contest takes them."""
        # Lock the contest while it is open (a no-op update): closing it waits for this turn,
        # or this turn sees it closed; no scenario slips in after the reviewers are drawn.
        still_open = await self.runner.run(
            "UPDATE creathon_contests SET status = status"
            " WHERE id = :id AND status = :open AND submit_by > :now RETURNING id",
            id=contest_id,
            open=OPEN,
            now=self.now,
        )
        if not still_open:
            return False
        own = await self.runner.run(
            "SELECT a.source, u.country FROM authored_courses a JOIN users u"
            " ON u.id = a.author_id WHERE a.course_id = :course AND a.author_id = :uid",
            course=course_id,
            uid=self.user_id,
        )
        if not own:
            return False
        await self.runner.run(
            "INSERT INTO creathon_submissions (contest_id, author_id, course_id, description,"
            " country, source, submitted_at, updated_at) VALUES (:cid, :uid, :course, :descr,"
            " :country, :source, :now, :now) ON CONFLICT (contest_id, author_id) DO UPDATE SET"
            " course_id = excluded.course_id, description = excluded.description,"
            " country = excluded.country, source = excluded.source,"
            " updated_at = excluded.updated_at",
            cid=contest_id,
            uid=self.user_id,
            course=course_id,
            descr=description[:500],
            country=str(own[0][1] or ""),
            source=str(own[0][0]),
            now=self.now,
        )
        return True

    async def submissions(self, contest_id: int) -> list[Submission]:
        """Every submission of a contest, oldest first."""
        rows = await self.runner.run(
            f"{_SUBMISSION} WHERE contest_id = :cid ORDER BY id", cid=contest_id
        )
        return [_submission(row) for row in rows]

    async def close_submissions(self, contest_id: int) -> tuple[int, ...]:
        """Freeze the texts, then give each submission to peers of other countries."""
        moved = await self.runner.run(
            "UPDATE creathon_contests SET status = :review, closed_at = :now"
            " WHERE id = :id AND status = :open RETURNING reviewers",
            review=REVIEW,
            open=OPEN,
            now=self.now,
            id=contest_id,
        )
        if not moved:
            return ()
        await self.runner.run(
            "UPDATE creathon_submissions SET source = COALESCE((SELECT a.source FROM"
            " authored_courses a WHERE a.course_id = creathon_submissions.course_id"
            " AND a.author_id = creathon_submissions.author_id), source)"
            " WHERE contest_id = :cid",
            cid=contest_id,
        )
        entries = await self.submissions(contest_id)
        drawn = draw_reviewers(entries, await self._teachers(), int(moved[0][0]))
        for submission_id, reviewer in drawn:
            await self._hand(submission_id, reviewer, PEER)
        return tuple(sorted({reviewer for _, reviewer in drawn}))

    async def _teachers(self) -> dict[int, set[str]]:
        """Every granted teacher with the countries they belong to."""
        rows = await self.runner.run(
            "SELECT g.user_id, g.country, u.country FROM role_grants g JOIN users u"
            " ON u.id = g.user_id WHERE g.role = 'teacher'"
        )
        found: dict[int, set[str]] = {}
        for uid, granted, lives in rows:
            found.setdefault(int(uid), set()).update(c for c in (granted, lives) if c)
        return found

    async def _hand(self, submission_id: int, reviewer: int, kind: str) -> None:
        """A scenario to review or score."""
        await self.runner.run(
            "INSERT INTO creathon_reviews (submission_id, reviewer_id, kind, comment,"
            " assigned_at) VALUES (:sid, :uid, :kind, '', :now) ON CONFLICT DO NOTHING",
            sid=submission_id,
            uid=reviewer,
            kind=kind,
            now=self.now,
        )

    async def to_review(self, contest_id: int, kind: str) -> list[ToReview]:
        """The scenarios handed to the current person (never their own), in order."""
        rows = await self.runner.run(
            "SELECT r.id, s.id, r.kind, s.source, s.course_id, s.description, r.scored_at"
            " FROM creathon_reviews r JOIN creathon_submissions s ON s.id = r.submission_id"
            " WHERE s.contest_id = :cid AND r.reviewer_id = :uid AND r.kind = :kind"
            " AND s.author_id <> :uid ORDER BY r.id",
            cid=contest_id,
            uid=self.user_id,
            kind=kind,
        )
        return [
            ToReview(int(r), int(s), str(k), str(src), str(c), str(d), at is not None)
            for r, s, k, src, c, d, at in rows
        ]

    async def score(
        self, review_id: int, scores: tuple[int, ...], total: float, comment: str
    ) -> bool:
        """Keep the scores of a scenario handed to the current person, in its phase only."""
        rows = await self.runner.run(
            "SELECT r.kind, c.status FROM creathon_reviews r JOIN creathon_submissions s"
            " ON s.id = r.submission_id JOIN creathon_contests c ON c.id = s.contest_id"
            " WHERE r.id = :id AND r.reviewer_id = :uid AND s.author_id <> :uid",
            id=review_id,
            uid=self.user_id,
        )
        if not rows or not may_score(str(rows[0][0]), str(rows[0][1])):
            return False
        await self.runner.run(
            "UPDATE creathon_reviews SET scores = :scores, total = :total,"
            " comment = :comment, scored_at = :now WHERE id = :id",
            scores=list(scores),
            total=total,
            comment=comment[:500],
            now=self.now,
            id=review_id,
        )
        return True

    async def feedback(self, contest_id: int) -> list[Feedback]:
        """The scored reviews of the current teacher's submission, with no reviewer."""
        rows = await self.runner.run(
            "SELECT r.kind, r.scores, r.total, r.comment FROM creathon_reviews r"
            " JOIN creathon_submissions s ON s.id = r.submission_id WHERE s.contest_id = :cid"
            " AND s.author_id = :uid AND r.scored_at IS NOT NULL ORDER BY r.kind DESC, r.id",
            cid=contest_id,
            uid=self.user_id,
        )
        return [
            Feedback(str(k), tuple(int(x) for x in as_json(s) or ()), float(t or 0), str(c))
            for k, s, t, c in rows
        ]

    async def standings(self, contest_id: int) -> list[Standing]:
        """Every submission with its peer and jury averages and its author's name."""
        rows = await self.runner.run(
            "SELECT s.id, (SELECT AVG(r.total) FROM creathon_reviews r WHERE r.submission_id"
            " = s.id AND r.kind = :peer AND r.scored_at IS NOT NULL), (SELECT AVG(r.total)"
            " FROM creathon_reviews r WHERE r.submission_id = s.id AND r.kind = :jury"
            " AND r.scored_at IS NOT NULL), s.source FROM creathon_submissions s"
            " WHERE s.contest_id = :cid ORDER BY s.id",
            peer=PEER,
            jury=JUROR,
            cid=contest_id,
        )
        by_id = {s.id: s for s in await self.submissions(contest_id)}
        return [
            Standing(by_id[int(sid)], _mark(peer), _mark(jury), author_of(str(source)))
            for sid, peer, jury, source in rows
        ]

    async def start_jury(self, contest_id: int, shortlisted: tuple[int, ...]) -> tuple[int, ...]:
        """Hand the shortlist to every juror (never their own scenario)."""
        contest = await self._contest(contest_id)
        if contest is None or contest.status != REVIEW:
            return ()
        moved = await self.runner.run(  # the first viewer past the date moves it, only one
            "UPDATE creathon_contests SET status = :jury WHERE id = :id AND status = :review"
            " RETURNING id",
            jury=JURY,
            review=REVIEW,
            id=contest_id,
        )
        if not moved:
            return ()
        authors = {s.id: s.author_id for s in await self.submissions(contest_id)}
        for submission_id, juror in jury_hands(shortlisted, contest.jury, authors):
            await self._hand(submission_id, juror, JUROR)
        return contest.jury

    async def crown(self, contest_id: int, ranks: dict[int, int], sources: dict[int, str]) -> None:
        """Keep the ranks; publish each winner's course (its new text) for every country."""
        await self.runner.run(
            "UPDATE creathon_contests SET status = :done, results_at = :now WHERE id = :id",
            done=DONE,
            now=self.now,
            id=contest_id,
        )
        for submission_id, rank in ranks.items():
            await self.runner.run(
                "UPDATE creathon_submissions SET rank = :rank WHERE id = :id",
                rank=rank,
                id=submission_id,
            )
        for submission_id, source in sources.items():
            await self.runner.run(
                "UPDATE authored_courses SET source = :source, published_source = :source,"
                " status = 'published',"
                " visibility = :all, published_at = COALESCE(published_at, :now),"
                " updated_at = :now WHERE course_id = (SELECT s.course_id FROM"
                " creathon_submissions s WHERE s.id = :sid)",
                source=source,
                all=EVERYWHERE,
                now=self.now,
                sid=submission_id,
            )

    async def winner_source(self, submission_id: int) -> str | None:
        """The current text of a submission's course (to publish it)."""
        rows = await self.runner.run(
            "SELECT a.source FROM authored_courses a JOIN creathon_submissions s"
            " ON s.course_id = a.course_id WHERE s.id = :sid",
            sid=submission_id,
        )
        return str(rows[0][0]) if rows else None

    async def laurels(self) -> dict[str, tuple[str, ...]]:
        """Per course id, the themes of the contests it won (the first three)."""
        rows = await self.runner.run(
            "SELECT s.course_id, c.theme FROM creathon_submissions s JOIN creathon_contests c"
            " ON c.id = s.contest_id WHERE c.status = :done AND s.rank IS NOT NULL"
            " AND s.rank <= :top ORDER BY c.id",
            done=DONE,
            top=WINNERS,
        )
        found: dict[str, tuple[str, ...]] = {}
        for course_id, theme in rows:
            found[str(course_id)] = (*found.get(str(course_id), ()), str(theme))
        return found


def _mark(value: Any) -> float | None:
    """An average read back (None when nothing was scored)."""
    return None if value is None else round(float(value), 2)


def _contest(row: Row) -> Contest:
    """A contest from its row."""
    cid, theme, rules, levels, subjects, submit_by, review_by, criteria, jury = row[:9]
    reviewers, shortlist, status = row[9:]
    return Contest(
        theme=str(theme),
        rules=str(rules),
        levels=tuple(as_json(levels) or ()),
        subjects=tuple(as_json(subjects) or ()),
        submit_by=utc(submit_by) or datetime.now(UTC),
        review_by=utc(review_by) or datetime.now(UTC),
        criteria=tuple((str(n), int(w)) for n, w in as_json(criteria) or ()),
        jury=tuple(int(j) for j in as_json(jury) or ()),
        reviewers=int(reviewers),
        shortlist=int(shortlist),
        id=int(cid),
        status=str(status),
    )


def _submission(row: Row) -> Submission:
    """A submission from its row."""
    sid, cid, course, description, country, author, rank = row
    return Submission(
        int(sid),
        int(cid),
        str(course),
        str(description),
        str(country or ""),
        int(author),
        None if rank is None else int(rank),
    )
