"""Learning records as xAPI statements (docs/xapi.md), journalled in the learner's turn.

Each learning event the bot records (a lesson completed, a question answered, a quiz finished,
a question reviewed, a skill mastered, a certificate earned) also writes one statement into
`xapi_statements`, in the same transaction: an event is journalled exactly when it is kept.
A statement's id is a UUIDv5 of the event's identity (the learner's row id, the event, its
course, lesson, question, attempt...), and its JSON is fixed when written, so sending it again
sends the very same statement: the LRS keeps one (bot/xapi_sender.py).

The learner is a pseudonymous account: the instance's address as homePage, the keyed
pseudonym of bot/storage/pseudonym.py as name. No phone number, platform id or name.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.storage.models import quiz_attempts, users, xapi_statements
from bot.storage.pseudonym import pseudonym
from bot.storage.sql import ByDialect, Runner
from dialogs.events import UserRef
from dialogs.ports import RecordAnswer

if TYPE_CHECKING:
    from bot.storage.store import SqlStore

VERSION = "1.0.3"
# The namespace of the statements' UUIDv5 ids (a fixed, random UUID: never change it).
NAMESPACE = uuid.UUID("3f1c7f0e-2b8e-4c55-9a55-5d1d0f2f9e21")
DEFAULT_HOME_PAGE = "https://imaginecole.invalid"

ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {
    "attempted": ADL + "attempted",
    "completed": ADL + "completed",
    "answered": ADL + "answered",
    "passed": ADL + "passed",
    "failed": ADL + "failed",
    "mastered": ADL + "mastered",
    "voided": ADL + "voided",
    "earned": "http://id.tincanapi.com/verb/earned",
    "reviewed": "http://id.tincanapi.com/verb/reviewed",
}
ACTIVITY_TYPES = {
    "lesson": "http://adlnet.gov/expapi/activities/lesson",
    "question": "http://adlnet.gov/expapi/activities/cmi.interaction",
    "assessment": "http://adlnet.gov/expapi/activities/assessment",
    "course": "http://adlnet.gov/expapi/activities/course",
    "objective": "http://adlnet.gov/expapi/activities/objective",
    "badge": "http://activitystrea.ms/schema/1.0/badge",
}
PASS_MARK = 0.5  # a quiz at or above half its maximum is passed (the certificates' rule)


@dataclass(frozen=True)
class Vocabulary:
    """Where the statements' identifiers live: the instance's address (the accounts'
    homePage), the activities' IRI base under it, and the pseudonyms' key."""

    home_page: str = DEFAULT_HOME_PAGE
    activity_base: str = ""  # empty: `<home_page>/xapi`
    secret: bytes = field(default=b"", repr=False)

    @property
    def base(self) -> str:
        """The activities' IRI base, without a trailing slash."""
        return (self.activity_base or f"{self.home_page}/xapi").rstrip("/")

    def course(self, course_id: str) -> str:
        """A course's activity id."""
        return f"{self.base}/courses/{_part(course_id)}"

    def lesson(self, course_id: str, lesson_id: str) -> str:
        """A lesson's activity id."""
        return f"{self.course(course_id)}/lessons/{_part(lesson_id)}"

    def quiz(self, course_id: str, lesson_id: str) -> str:
        """A lesson's quiz, as an activity."""
        return f"{self.lesson(course_id, lesson_id)}/quiz"

    def question(self, course_id: str, lesson_id: str, question_id: str) -> str:
        """A question's activity id."""
        return f"{self.lesson(course_id, lesson_id)}/questions/{_part(question_id)}"

    def skill(self, code: str) -> str:
        """A skill's activity id."""
        return f"{self.base}/skills/{_part(code)}"

    def certificate(self, course_id: str) -> str:
        """A course's certificate, as an activity."""
        return f"{self.course(course_id)}/certificate"


def _part(value: str) -> str:
    """An id as one IRI path segment."""
    return quote(value, safe="-._~")


def statement_id(*identity: object) -> str:
    """The stable id of the event `identity` names."""
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(str(part) for part in identity)))


def _activity(iri: str, kind: str, name: str = "") -> dict[str, Any]:
    definition: dict[str, Any] = {"type": ACTIVITY_TYPES[kind]}
    if name:
        definition["name"] = {"und": name}
    return {"objectType": "Activity", "id": iri, "definition": definition}


def _verb(name: str) -> dict[str, Any]:
    return {"id": VERBS[name], "display": {"en-US": name}}


def _time(at: datetime) -> str:
    utc = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return utc.isoformat(timespec="milliseconds")


_X = xapi_statements
_ATTEMPT = select(func.count() + 1).where(
    quiz_attempts.c.user_id == bindparam("uid"),
    quiz_attempts.c.course_id == bindparam("c"),
    quiz_attempts.c.lesson_id == bindparam("l"),
)
_ADDRESS = select(users.c.channel, users.c.external_id).where(users.c.id == bindparam("uid"))


def _keep(insert: Any) -> Any:
    """A statement into the journal; the same event journalled twice is one row."""
    return (
        insert(_X)
        .values(
            statement_id=bindparam("sid"),
            user_id=bindparam("uid"),
            statement=bindparam("body"),
            created_at=bindparam("at"),
        )
        .on_conflict_do_nothing(index_elements=["statement_id"])
    )


_KEEP = ByDialect(sqlite=_keep(sqlite_insert), postgresql=_keep(pg_insert))
_SENT_OF = (
    select(_X.c.statement_id, _X.c.statement)
    .where(
        _X.c.user_id == bindparam("uid"),
        or_(_X.c.sent_at.is_not(None), _X.c.synced_at.is_not(None)),
    )
    .order_by(_X.c.id)
)
_FORGET_LEARNER = delete(_X).where(_X.c.user_id == bindparam("uid"))


class Journal:
    """One learner's statements, written on their turn's runner."""

    def __init__(
        self,
        runner: Runner,
        user_id: int,
        vocabulary: Vocabulary,
        *,
        address: tuple[str, str] | None = None,
    ) -> None:
        self.runner = runner
        self.user_id = user_id
        self.words = vocabulary
        self._actor: dict[str, Any] | None = None
        self._address = address  # the learner's own row's channel and id, when known

    async def attempt(self, course_id: str, lesson_id: str) -> int:
        """The number of the learner's current attempt at a quiz: 1 + those finished (the
        same count bot/storage/answers.py numbers question_answers with)."""
        rows = await self.runner.run(_ATTEMPT, uid=self.user_id, c=course_id, l=lesson_id)
        return int(rows[0][0])

    async def actor(self) -> dict[str, Any]:
        """The learner as a pseudonymous account (their own row's address, keyed)."""
        if self._actor is None:
            if self._address is None:
                rows = await self.runner.run(_ADDRESS, uid=self.user_id)
                self._address = (str(rows[0][0]), str(rows[0][1])) if rows else ("", "")
            channel, external = self._address
            name = pseudonym(UserRef(channel, external), self.words.secret)
            account = {"homePage": self.words.home_page, "name": name}
            self._actor = {"objectType": "Agent", "account": account}
        return self._actor

    async def write(
        self,
        identity: tuple[object, ...],
        verb: str,
        activity: dict[str, Any],
        at: datetime,
        result: dict[str, Any] | None = None,
        parent: str = "",
    ) -> None:
        """Journal one statement (nothing when the same event was journalled already)."""
        sid = statement_id(self.user_id, *identity)
        statement: dict[str, Any] = {
            "id": sid,
            "actor": await self.actor(),
            "verb": _verb(verb),
            "object": activity,
            "timestamp": _time(at),
        }
        if result is not None:
            statement["result"] = result
        if parent:
            course = _activity(parent, "course")
            statement["context"] = {"contextActivities": {"parent": [course]}}
        await self.runner.run(
            _KEEP,
            sid=sid,
            uid=self.user_id,
            body=json.dumps(statement, sort_keys=True, separators=(",", ":")),
            at=at,
        )

    async def lesson_started(self, course_id: str, lesson_id: str, at: datetime) -> None:
        """A lesson's first page shown, coming from elsewhere (at most once per learner,
        lesson and day: its id names the day)."""
        words = self.words
        await self.write(
            ("lesson-started", course_id, lesson_id, at.astimezone(UTC).date().isoformat()),
            "attempted",
            _activity(words.lesson(course_id, lesson_id), "lesson", lesson_id),
            at,
            parent=words.course(course_id),
        )

    async def lesson_completed(self, course_id: str, lesson_id: str, at: datetime) -> None:
        """A lesson read to its end (once per learner and lesson, like lesson_progress)."""
        words = self.words
        await self.write(
            ("lesson-completed", course_id, lesson_id),
            "completed",
            _activity(words.lesson(course_id, lesson_id), "lesson", lesson_id),
            at,
            {"completion": True},
            parent=words.course(course_id),
        )

    async def question_answered(
        self,
        course_id: str,
        lesson_id: str,
        question_id: str,
        attempt: int,
        try_number: int,
        correct: bool,
        score: float,
        at: datetime,
    ) -> None:
        """A graded answer (the answer's text stays home: it may say anything)."""
        words = self.words
        scaled = min(1.0, max(0.0, float(score)))
        await self.write(
            ("answered", course_id, lesson_id, question_id, attempt, try_number),
            "answered",
            _activity(words.question(course_id, lesson_id, question_id), "question"),
            at,
            {
                "success": bool(correct),
                "score": {"scaled": scaled, "raw": scaled, "min": 0, "max": 1},
                "extensions": {
                    f"{words.base}/extensions/attempt": attempt,
                    f"{words.base}/extensions/try": try_number,
                },
            },
            parent=words.course(course_id),
        )

    async def quiz_finished(
        self, course_id: str, lesson_id: str, score: float, max_score: float, at: datetime
    ) -> None:
        """A finished quiz: passed or failed (half the points or more), with its score."""
        attempt = await self.attempt(course_id, lesson_id)  # before the attempt's own row
        scaled = score / max_score if max_score > 0 else 0.0
        success = scaled >= PASS_MARK
        words = self.words
        await self.write(
            ("quiz", course_id, lesson_id, attempt),
            "passed" if success else "failed",
            _activity(words.quiz(course_id, lesson_id), "assessment", lesson_id),
            at,
            {
                "success": success,
                "completion": True,
                "score": {
                    "scaled": round(min(1.0, max(0.0, scaled)), 4),
                    "raw": score,
                    "min": 0,
                    "max": max_score,
                },
            },
            parent=words.course(course_id),
        )

    async def reviewed(
        self, course_id: str, lesson_id: str, question_id: str, recall: str, at: datetime
    ) -> None:
        """A question seen again in spaced review, and how well it was recalled."""
        words = self.words
        await self.write(
            ("reviewed", course_id, lesson_id, question_id, _time(at)),
            "reviewed",
            _activity(words.question(course_id, lesson_id, question_id), "question"),
            at,
            {"extensions": {f"{words.base}/extensions/recall": recall}},
            parent=words.course(course_id),
        )

    async def mastered(self, skill: str, p_known: float, at: datetime) -> None:
        """A skill whose estimate first reached mastery (once per learner and skill)."""
        await self.write(
            ("mastered", skill),
            "mastered",
            _activity(self.words.skill(skill), "objective", skill),
            at,
            {"success": True, "score": {"scaled": round(p_known, 4)}},
        )

    async def certificate_earned(
        self, certificate_id: int, course_id: str, score: int, at: datetime
    ) -> None:
        """A certificate issued for a course (its score in percent)."""
        words = self.words
        await self.write(
            ("certificate", certificate_id),
            "earned",
            _activity(words.certificate(course_id), "badge"),
            at,
            {"success": True, "score": {"scaled": round(score / 100, 4), "raw": score}},
            parent=words.course(course_id),
        )


async def journal_answers(
    journal: Journal,
    answers: Sequence[RecordAnswer],
    now: datetime,
    attempts: dict[tuple[str, str], int] | None = None,
) -> None:
    """A turn's graded answers, numbered by attempt like question_answers (before the
    turn's finished quizzes are recorded); `attempts`: those read already, by quiz."""
    attempts = {} if attempts is None else dict(attempts)
    for answer in answers:
        key = (answer.course_id, answer.lesson_id)
        if key not in attempts:
            attempts[key] = await journal.attempt(answer.course_id, answer.lesson_id)
        await journal.question_answered(
            answer.course_id,
            answer.lesson_id,
            answer.question_id,
            attempts[key],
            answer.try_number,
            answer.correct,
            answer.score,
            now,
        )


async def void_sent(runner: Runner, uid: int, now: datetime) -> int:
    """Before a learner's rows go: a voiding statement for each of their statements the LRS
    or the national instance has (a school server's push, bot/sync.py), and their unsent ones
    deleted. How many are voided."""
    rows = await runner.run(_SENT_OF, uid=uid)
    for target, body in rows:
        sent = json.loads(body) if isinstance(body, str) else body
        home = str(sent["actor"]["account"]["homePage"])
        sid = statement_id("voided", target)
        voiding = {
            "id": sid,
            # The instance voids, not the learner: their pseudonym goes with them.
            "actor": {"objectType": "Agent", "account": {"homePage": home, "name": "imaginecole"}},
            "verb": _verb("voided"),
            "object": {"objectType": "StatementRef", "id": str(target)},
            "timestamp": _time(now),
        }
        await runner.run(
            _KEEP,
            sid=sid,
            uid=None,
            body=json.dumps(voiding, sort_keys=True, separators=(",", ":")),
            at=now,
        )
    await runner.run(_FORGET_LEARNER, uid=uid)
    return len(rows)


# --- pruning: what the LRS or the national instance acknowledged ----------------------------

PRUNED = '{"pruned":true,'  # how a pruned row's statement starts (`_stub`)
_PRUNE_BATCH = 500


def _prunable(lrs: bool, national: bool) -> Any:
    """The acknowledged rows older than `before`, not pruned yet, a batch at a time."""
    table = xapi_statements
    acknowledged = []
    if lrs:
        acknowledged.append(table.c.sent_at.is_not(None))
    if national:
        acknowledged.append(table.c.synced_at.is_not(None))
    return (
        select(table.c.id, table.c.statement)
        .where(
            table.c.created_at < bindparam("before"),
            ~table.c.statement.startswith(PRUNED, autoescape=True),
            *acknowledged,
        )
        .order_by(table.c.id)
        .limit(bindparam("n"))
    )


_PRUNABLE = {
    (lrs, national): _prunable(lrs, national) for lrs in (False, True) for national in (False, True)
}
_STUB = (
    update(xapi_statements)
    .where(xapi_statements.c.id == bindparam("rid"))
    .values(statement=bindparam("body"))
)
_FORGET = delete(xapi_statements).where(xapi_statements.c.id.in_(bindparam("ids", expanding=True)))


def _stub(body: str) -> str | None:
    """What a pruned row keeps of its statement: its id and the account's homePage, which a
    later erasure's voiding needs (`void_sent`); None for a voiding statement, which nothing
    refers to and which simply goes."""
    statement = json.loads(body)
    if statement.get("verb", {}).get("id") == VERBS["voided"]:
        return None
    home = str(statement.get("actor", {}).get("account", {}).get("homePage", ""))
    kept = {"id": statement.get("id"), "actor": {"account": {"homePage": home}}}
    return PRUNED + json.dumps(kept, sort_keys=True, separators=(",", ":"))[1:]


async def prune(
    store: SqlStore, before: datetime, *, lrs: bool, national: bool, batch: int = _PRUNE_BATCH
) -> int:
    """Prune the journal rows written before `before` that every configured destination
    acknowledged (the LRS: `sent_at`; the national instance, over the network or by stick:
    `synced_at`). A row keeps its statement id and its account's homePage (an erasure may
    still have to void it there, and a school's voiding must still find it at the national
    instance); voiding statements go. With no destination, nothing is acknowledged: the
    journal is the only copy and stays whole. How many rows were pruned."""
    if not lrs and not national:
        return 0
    chosen = _PRUNABLE[(lrs, national)]
    done = 0
    while True:
        async with store.transaction() as runner:
            rows = await runner.run(chosen, before=before, n=batch)
            gone = []
            for row_id, body in rows:
                stub = _stub(str(body))
                if stub is None:
                    gone.append(int(row_id))
                else:
                    await runner.run(_STUB, rid=int(row_id), body=stub)
            if gone:
                await runner.run(_FORGET, ids=gone)
        done += len(rows)
        if len(rows) < batch:
            return done
