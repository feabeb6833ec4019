"""The Creathon (dialogs/creathon_ports.py) in Core statements (bot/storage/sql.py), run
inside the person's turn. Who reviews what (peers of other countries drawn when submissions
close, the jury's shortlist, which phase takes which scores) is decided by the pure rules of
dialogs/creathon_rules.py, which the in-memory fake of the tests calls too."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.selectable import ScalarSelect

from bot.storage.models import (
    authored_courses,
    creathon_contests,
    creathon_reviews,
    creathon_submissions,
    role_grants,
    users,
)
from bot.storage.sql import ByDialect, Row, Runner, as_json, utc
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

# sqlite.insert or postgresql.insert: the same upsert API, written once for both engines
Insert = Callable[[Table], sqlite.Insert | postgresql.Insert]

_C = creathon_contests.c
_S = creathon_submissions.c
_R = creathon_reviews.c
_A = authored_courses.c


def _hand(insert_: Insert) -> ClauseElement:
    """A scenario handed to a reviewer or juror, once (sqlite.insert or postgresql.insert)."""
    return (
        insert_(creathon_reviews)
        .values(
            submission_id=bindparam("sid"),
            reviewer_id=bindparam("uid"),
            kind=bindparam("kind"),
            comment="",
            assigned_at=bindparam("now"),
        )
        .inline()  # no implicit RETURNING of the new id on PostgreSQL
        .on_conflict_do_nothing()
    )


def _submit(insert_: Insert) -> ClauseElement:
    """A teacher's scenario, or its new version (one per teacher and contest)."""
    new = insert_(creathon_submissions).values(
        contest_id=bindparam("cid"),
        author_id=bindparam("uid"),
        course_id=bindparam("course"),
        description=bindparam("descr"),
        country=bindparam("country"),
        source=bindparam("source"),
        submitted_at=bindparam("now"),
        updated_at=bindparam("now"),
    )
    return new.inline().on_conflict_do_update(
        index_elements=[_S.contest_id, _S.author_id],
        set_={
            name: getattr(new.excluded, name)
            for name in ("course_id", "description", "country", "source", "updated_at")
        },
    )


_CONTEST = select(
    _C.id,
    _C.theme,
    _C.rules,
    _C.levels,
    _C.subjects,
    _C.submit_by,
    _C.review_by,
    _C.criteria,
    _C.jury,
    _C.reviewers,
    _C.shortlist,
    _C.status,
)
_CONTESTS = _CONTEST.order_by(_C.id.desc())
_ONE_CONTEST = _CONTEST.where(_C.id == bindparam("cid"))
_SUBMISSION = select(
    _S.id, _S.contest_id, _S.course_id, _S.description, _S.country, _S.author_id, _S.rank
)
_MINE = _SUBMISSION.where(_S.contest_id == bindparam("cid"), _S.author_id == bindparam("uid"))
_SUBMISSIONS = _SUBMISSION.where(_S.contest_id == bindparam("cid")).order_by(_S.id)
OPEN_CONTEST = (
    insert(creathon_contests)
    .values(
        theme=bindparam("theme"),
        rules=bindparam("rules"),
        levels=bindparam("levels"),
        subjects=bindparam("subjects"),
        submit_by=bindparam("submit_by"),
        review_by=bindparam("review_by"),
        criteria=bindparam("criteria"),
        jury=bindparam("jury"),
        reviewers=bindparam("reviewers"),
        shortlist=bindparam("shortlist"),
        status=bindparam("status"),
        created_by=bindparam("uid"),
        created_at=bindparam("now"),
    )
    .returning(_C.id)
)
_STILL_OPEN = (  # a no-op update: it locks the contest's row
    update(creathon_contests)
    .where(
        _C.id == bindparam("cid"), _C.status == bindparam("open"), _C.submit_by > bindparam("now")
    )
    .values(status=_C.status)
    .returning(_C.id)
)
_OWN = (
    select(_A.source, users.c.country)
    .join(users, users.c.id == _A.author_id)
    .where(_A.course_id == bindparam("course"), _A.author_id == bindparam("uid"))
)
_SUBMIT = ByDialect(sqlite=_submit(sqlite.insert), postgresql=_submit(postgresql.insert))
_CLOSE = (
    update(creathon_contests)
    .where(_C.id == bindparam("cid"), _C.status == bindparam("open"))
    .values(status=bindparam("review"), closed_at=bindparam("now"))
    .returning(_C.reviewers)
)
_FREEZE = (  # the texts as they stand at the deadline
    update(creathon_submissions)
    .where(_S.contest_id == bindparam("cid"))
    .values(
        source=func.coalesce(
            select(_A.source)
            .where(_A.course_id == _S.course_id, _A.author_id == _S.author_id)
            .scalar_subquery(),
            _S.source,
        )
    )
)
_TEACHERS = (
    select(role_grants.c.user_id, role_grants.c.country, users.c.country)
    .join(users, users.c.id == role_grants.c.user_id)
    .where(role_grants.c.role == "teacher")
)
_HAND = ByDialect(sqlite=_hand(sqlite.insert), postgresql=_hand(postgresql.insert))
_TO_REVIEW = (
    select(_R.id, _S.id, _R.kind, _S.source, _S.course_id, _S.description, _R.scored_at)
    .join(creathon_submissions, _S.id == _R.submission_id)
    .where(
        _S.contest_id == bindparam("cid"),
        _R.reviewer_id == bindparam("uid"),
        _R.kind == bindparam("kind"),
        _S.author_id != bindparam("uid"),
    )
    .order_by(_R.id)
)
_MAY_SCORE = (
    select(_R.kind, _C.status)
    .join(creathon_submissions, _S.id == _R.submission_id)
    .join(creathon_contests, _C.id == _S.contest_id)
    .where(
        _R.id == bindparam("rid"),
        _R.reviewer_id == bindparam("uid"),
        _S.author_id != bindparam("uid"),
    )
)
_SCORE = (
    update(creathon_reviews)
    .where(_R.id == bindparam("rid"))
    .values(
        scores=bindparam("scores"),
        total=bindparam("total"),
        comment=bindparam("comment"),
        scored_at=bindparam("now"),
    )
)
_FEEDBACK = (
    select(_R.kind, _R.scores, _R.total, _R.comment)
    .join(creathon_submissions, _S.id == _R.submission_id)
    .where(
        _S.contest_id == bindparam("cid"),
        _S.author_id == bindparam("uid"),
        _R.scored_at.is_not(None),
    )
    .order_by(_R.kind.desc(), _R.id)
)


def _average(kind: str) -> ScalarSelect[Any]:
    """The average total of a submission's scored reviews of one kind (peer or jury)."""
    return (
        select(func.avg(_R.total))
        .where(_R.submission_id == _S.id, _R.kind == bindparam(kind), _R.scored_at.is_not(None))
        .scalar_subquery()
    )


_STANDINGS = (
    select(_S.id, _average("peer"), _average("jury"), _S.source)
    .where(_S.contest_id == bindparam("cid"))
    .order_by(_S.id)
)
_START_JURY = (  # the first viewer past the date moves it, only one
    update(creathon_contests)
    .where(_C.id == bindparam("cid"), _C.status == bindparam("review"))
    .values(status=bindparam("jury"))
    .returning(_C.id)
)
_CROWN = (
    update(creathon_contests)
    .where(_C.id == bindparam("cid"))
    .values(status=bindparam("done"), results_at=bindparam("now"))
)
_RANK = update(creathon_submissions).where(_S.id == bindparam("sid")).values(rank=bindparam("rank"))
_PUBLISH = (
    update(authored_courses)
    .where(_A.course_id == select(_S.course_id).where(_S.id == bindparam("sid")).scalar_subquery())
    .values(
        source=bindparam("text"),
        published_source=bindparam("text"),
        status="published",
        visibility=bindparam("all"),
        published_at=func.coalesce(_A.published_at, bindparam("now")),
        updated_at=bindparam("now"),
    )
)
_WINNER_SOURCE = (
    select(_A.source)
    .join(creathon_submissions, _S.course_id == _A.course_id)
    .where(_S.id == bindparam("sid"))
)
_LAURELS = (
    select(_S.course_id, _C.theme)
    .join(creathon_contests, _C.id == _S.contest_id)
    .where(_C.status == bindparam("done"), _S.rank.is_not(None), _S.rank <= bindparam("top"))
    .order_by(_C.id)
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
            OPEN_CONTEST,
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
        return [_contest(row) for row in await self.runner.run(_CONTESTS)]

    async def _contest(self, contest_id: int) -> Contest | None:
        """One contest."""
        rows = await self.runner.run(_ONE_CONTEST, cid=contest_id)
        return _contest(rows[0]) if rows else None

    async def judging(self) -> frozenset[int]:
        """The contests the current person sits on the jury of."""
        return frozenset(c.id for c in await self.contests() if self.user_id in c.jury)

    async def mine(self, contest_id: int) -> Submission | None:
        """The current teacher's submission to a contest."""
        rows = await self.runner.run(_MINE, cid=contest_id, uid=self.user_id)
        return _submission(rows[0]) if rows else None

    async def submit(self, contest_id: int, course_id: str, description: str) -> bool:
        """Submit or change the current teacher's scenario, while the contest takes them."""
        # Lock the contest while it is open (a no-op update): closing it waits for this turn,
        # or this turn sees it closed; no scenario slips in after the reviewers are drawn.
        still_open = await self.runner.run(_STILL_OPEN, cid=contest_id, open=OPEN, now=self.now)
        if not still_open:
            return False
        own = await self.runner.run(_OWN, course=course_id, uid=self.user_id)
        if not own:
            return False
        await self.runner.run(
            _SUBMIT,
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
        rows = await self.runner.run(_SUBMISSIONS, cid=contest_id)
        return [_submission(row) for row in rows]

    async def close_submissions(self, contest_id: int) -> tuple[int, ...]:
        """Freeze the texts, then give each submission to peers of other countries."""
        moved = await self.runner.run(
            _CLOSE, review=REVIEW, open=OPEN, now=self.now, cid=contest_id
        )
        if not moved:
            return ()
        await self.runner.run(_FREEZE, cid=contest_id)
        entries = await self.submissions(contest_id)
        drawn = draw_reviewers(entries, await self._teachers(), int(moved[0][0]))
        for submission_id, reviewer in drawn:
            await self._hand(submission_id, reviewer, PEER)
        return tuple(sorted({reviewer for _, reviewer in drawn}))

    async def _teachers(self) -> dict[int, set[str]]:
        """Every granted teacher with the countries they belong to."""
        rows = await self.runner.run(_TEACHERS)
        found: dict[int, set[str]] = {}
        for uid, granted, lives in rows:
            found.setdefault(int(uid), set()).update(c for c in (granted, lives) if c)
        return found

    async def _hand(self, submission_id: int, reviewer: int, kind: str) -> None:
        """A scenario to review or score."""
        await self.runner.run(_HAND, sid=submission_id, uid=reviewer, kind=kind, now=self.now)

    async def to_review(self, contest_id: int, kind: str) -> list[ToReview]:
        """The scenarios handed to the current person (never their own), in order."""
        rows = await self.runner.run(_TO_REVIEW, cid=contest_id, uid=self.user_id, kind=kind)
        return [
            ToReview(int(r), int(s), str(k), str(src), str(c), str(d), at is not None)
            for r, s, k, src, c, d, at in rows
        ]

    async def score(
        self, review_id: int, scores: tuple[int, ...], total: float, comment: str
    ) -> bool:
        """Keep the scores of a scenario handed to the current person, in its phase only."""
        rows = await self.runner.run(_MAY_SCORE, rid=review_id, uid=self.user_id)
        if not rows or not may_score(str(rows[0][0]), str(rows[0][1])):
            return False
        await self.runner.run(
            _SCORE,
            scores=list(scores),
            total=total,
            comment=comment[:500],
            now=self.now,
            rid=review_id,
        )
        return True

    async def feedback(self, contest_id: int) -> list[Feedback]:
        """The scored reviews of the current teacher's submission, with no reviewer."""
        rows = await self.runner.run(_FEEDBACK, cid=contest_id, uid=self.user_id)
        return [
            Feedback(str(k), tuple(int(x) for x in as_json(s) or ()), float(t or 0), str(c))
            for k, s, t, c in rows
        ]

    async def standings(self, contest_id: int) -> list[Standing]:
        """Every submission with its peer and jury averages and its author's name."""
        rows = await self.runner.run(_STANDINGS, peer=PEER, jury=JUROR, cid=contest_id)
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
        moved = await self.runner.run(_START_JURY, jury=JURY, review=REVIEW, cid=contest_id)
        if not moved:
            return ()
        authors = {s.id: s.author_id for s in await self.submissions(contest_id)}
        for submission_id, juror in jury_hands(shortlisted, contest.jury, authors):
            await self._hand(submission_id, juror, JUROR)
        return contest.jury

    async def crown(self, contest_id: int, ranks: dict[int, int], sources: dict[int, str]) -> None:
        """Keep the ranks; publish each winner's course (its new text) for every country."""
        await self.runner.run(_CROWN, done=DONE, now=self.now, cid=contest_id)
        for submission_id, rank in ranks.items():
            await self.runner.run(_RANK, rank=rank, sid=submission_id)
        for submission_id, source in sources.items():
            await self.runner.run(
                _PUBLISH, text=source, all=EVERYWHERE, now=self.now, sid=submission_id
            )

    async def winner_source(self, submission_id: int) -> str | None:
        """The current text of a submission's course (to publish it)."""
        rows = await self.runner.run(_WINNER_SOURCE, sid=submission_id)
        return str(rows[0][0]) if rows else None

    async def laurels(self) -> dict[str, tuple[str, ...]]:
        """Per course id, the themes of the contests it won (the first three)."""
        rows = await self.runner.run(_LAURELS, done=DONE, top=WINNERS)
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
