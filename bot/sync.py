"""School servers and the national instance (docs/sync.md).

A school server (a small computer on the school's Wi-Fi, often offline) runs the same bot.
When a connection exists, `python -m bot sync` (or the loop of SYNC_EVERY) exchanges with the
national instance over HTTP, with the school's bearer token:

- push: the school's learning records (the xAPI journal, pseudonymous) in small gzipped
  batches, oldest first; a row is marked pushed only once the national side answered for it,
  and the national side keeps a statement once whatever the times it is sent;
- pull: the national library's published courses (with their files), a few per page, after
  the cursor the national side gave with the previous page; a page and the cursor after it
  are written in one transaction. Then the national announcements for the school's country
  (SYNC_COUNTRY) or every country, queued to the school's people once each.

A cut connection, a timeout or a server error is retried with back-off (1 s, doubling);
after `attempts` tries the sync stops where it is, and the next one goes on from there.
`max_bytes` bounds what one sync moves (the data budget): it stops between two batches.

The national side is a route of the same bot, on when SYNC_SCHOOLS names schools and their
tokens: `POST /sync/v1/push`, `GET /sync/v1/courses`, `GET /sync/v1/announcements`...
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import gzip
import json
import logging
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import aiohttp
from aiohttp import web

from bot import safe_json
from bot.limits import MIB, accepts_body, read_bounded
from bot.server import Handler
from bot.storage import sync as db
from bot.storage.store import SqlStore
from bot.tokens import same_secret
from dialogs.sharing_ports import COUNTRY, EVERYWHERE

log = logging.getLogger("imaginecole.sync")

API = "/sync/v1"
PUSH_BATCH = 100  # statements per push: about 15 KB gzipped
PULL_PAGE = 5  # courses per page (with their files)
ANNOUNCEMENT_PAGE = 20  # announcements per page
ENTRY_BATCH = 5  # Creathon entries per push (each with its course's text)
LEARNER_BATCH = 50  # learners' codes per push
MAX_PUSH = 500  # statements a push may carry
PUSH_BODY = 2 * MIB  # a push as sent (gzipped)
UNPACKED = 16 * MIB  # a push or a page once unzipped
MAX_PAGE = 20
COURSE_BODY = 32 * MIB  # a school's course with its files, as sent (gzipped)
CONTENT_TYPE = "application/gzip"


class Unreachable(Exception):
    """The national instance did not answer well enough, `attempts` times: try again later."""


class Refused(Exception):
    """The national instance refused the school (a wrong token) or a request: no retry."""


class NotOffered(Exception):
    """The national instance does not offer this part of the exchange (404: an older
    version during an upgrade): the sync goes on without it."""


def pack(value: Any) -> bytes:
    """JSON, gzipped: what travels both ways."""
    return gzip.compress(json.dumps(value, separators=(",", ":")).encode(), mtime=0)


def unpack(data: bytes, limit: int = UNPACKED) -> Any:
    """`pack` undone, refusing (ValueError) what would unzip larger than `limit`."""
    inflate = zlib.decompressobj(wbits=31)
    try:
        raw = inflate.decompress(data, limit)
    except zlib.error as error:
        raise ValueError(f"not gzip: {error}") from None
    if inflate.unconsumed_tail:
        raise ValueError(f"larger than {limit} bytes unzipped")
    return safe_json.loads(raw)  # nested too deep: a ValueError, not a RecursionError


def school_tokens(setting: str) -> dict[str, str]:
    """SYNC_SCHOOLS, `name:token,name:token`, as {token: name}."""
    found: dict[str, str] = {}
    for item in setting.split(","):
        name, _, token = item.strip().partition(":")
        if name.strip() and token.strip():
            found[token.strip()] = name.strip()[:64]
    return found


# --- the school's side -------------------------------------------------------------------


@dataclass
class SyncReport:
    """What one sync did."""

    pushed: int = 0  # records the national side took (new or already known)
    added: int = 0  # courses new at the school
    updated: int = 0  # courses replaced by a newer national version
    kept_local: list[str] = field(default_factory=list)  # same id as a school teacher's course
    shared: int = 0  # the school's own courses the national library took or updated
    refused_courses: list[str] = field(default_factory=list)  # the national side has that id
    announcements: int = 0  # national announcements new at the school (queued to its people)
    contests: int = 0  # national Creathon contests new at the school
    entries: int = 0  # the school's Creathon entries the national side took (new or changed)
    entries_closed: int = 0  # entries for a national contest that no longer takes them
    codes: int = 0  # learners' /mon_code codes (with their lessons) the national side took
    codes_taken: list[str] = field(default_factory=list)  # held by someone else there
    lessons_back: int = 0  # lessons the school's learners finished at home, new at school
    bytes_sent: int = 0
    bytes_received: int = 0
    stopped: str = ""  # empty: complete; else "unreachable", "budget", "refused: ..."

    @property
    def complete(self) -> bool:
        """Whether everything was pushed and pulled."""
        return not self.stopped

    def lines(self) -> list[str]:
        """The report as the command prints it."""
        done = [
            f"records pushed: {self.pushed}",
            f"courses pulled: {self.added} new, {self.updated} updated",
            f"bytes: {self.bytes_sent} sent, {self.bytes_received} received",
        ]
        if self.announcements:
            done.append(f"announcements pulled: {self.announcements}")
        if self.codes:
            done.append(f"learners' codes pushed: {self.codes}")
        if self.codes_taken:
            taken = ", ".join(self.codes_taken)
            done.append(f"codes another person holds nationally (ask /mon_code again): {taken}")
        if self.lessons_back:
            done.append(f"lessons finished at home pulled: {self.lessons_back}")
        if self.contests:
            done.append(f"Creathon contests pulled: {self.contests}")
        if self.entries or self.entries_closed:
            late = f" ({self.entries_closed} too late)" if self.entries_closed else ""
            done.append(f"Creathon entries pushed: {self.entries}{late}")
        if self.shared:
            done.append(f"courses shared with the national library: {self.shared}")
        if self.kept_local:
            kept = ", ".join(self.kept_local)
            done.append(f"kept the school's own course of the same id: {kept}")
        if self.refused_courses:
            other = ", ".join(self.refused_courses)
            done.append(f"not shared, the national library has another course of that id: {other}")
        done.append("complete" if self.complete else f"stopped ({self.stopped}): run it again")
        return done


@dataclass
class SchoolSync:
    """The school server's exchange with the national instance at `url`."""

    store: SqlStore
    url: str
    token: str
    batch: int = PUSH_BATCH
    page: int = PULL_PAGE
    max_bytes: int = 0  # what one sync may move (sent + received); 0: no limit
    attempts: int = 6  # tries of one request before the sync stops
    first_pause: float = 1.0  # after a failed try, doubled up to `longest`
    longest: float = 60.0
    timeout: float = 60.0  # one request, whole
    country: str = ""  # the school's country (SYNC_COUNTRY): its national announcements
    on_courses: Callable[[], Awaitable[None]] | None = None  # after courses changed

    async def run(self) -> SyncReport:
        """Push, then pull; stop early when the link or the budget gives out."""
        report = SyncReport()
        timeout = aiohttp.ClientTimeout(total=self.timeout, sock_connect=min(10, self.timeout))
        headers = {"Authorization": f"Bearer {self.token}"}
        async with aiohttp.ClientSession(timeout=timeout, headers=headers) as session:
            try:
                await self._push(session, report)
                if not report.stopped:
                    await self._share(session, report)
                if not report.stopped:
                    await self._entries(session, report)
                if not report.stopped:
                    await self._learners(session, report)
                if not report.stopped:
                    await self._lessons_back(session, report)
                if not report.stopped:
                    await self._pull(session, report)
                if not report.stopped:
                    await self._contests(session, report)
                if not report.stopped:
                    await self._announcements(session, report)
            except Unreachable as error:
                log.warning("national instance unreachable: %s", error)
                report.stopped = "unreachable"
            except Refused as error:
                log.warning("national instance refused the sync: %s", error)
                report.stopped = f"refused: {error}"
        if (report.added or report.updated) and self.on_courses is not None:
            await self.on_courses()
        return report

    async def forever(self, every: float) -> None:
        """Sync every `every` seconds (a school's loop while it serves)."""
        while True:
            report = await self.run()
            log.info("sync: %s", "; ".join(report.lines()))
            await asyncio.sleep(every)

    def _spent(self, report: SyncReport) -> bool:
        spent = report.bytes_sent + report.bytes_received
        if self.max_bytes and spent >= self.max_bytes:
            report.stopped = "budget"
            return True
        return False

    async def _push(self, session: aiohttp.ClientSession, report: SyncReport) -> None:
        while not self._spent(report):
            rows = await db.waiting(self.store, self.batch)
            if not rows:
                return
            figures = await db.school_figures(self.store)
            body = pack(
                {
                    "learners": figures.learners,
                    "pending": figures.pending,
                    "statements": [json.loads(statement) for _, statement in rows],
                }
            )
            report.bytes_sent += len(body)
            answer = await self._call(session, "POST", f"{API}/push", report, body)
            taken = unpack(answer)
            if int(taken.get("taken", -1)) != len(rows):
                raise Refused(f"the national side took {taken.get('taken')} of {len(rows)}")
            await db.mark_synced(self.store, [row_id for row_id, _ in rows], datetime.now(UTC))
            report.pushed += len(rows)

    async def _share(self, session: aiohttp.ClientSession, report: SyncReport) -> None:
        """The school's own teachers' courses published for their country or every
        country, one a request (with its files), for the national library."""
        while not self._spent(report):
            cursor = await db.push_cursor(self.store)
            found = await db.courses_after(self.store, cursor, 1, not_from=db.NATIONAL)
            if not found:
                return
            body = pack({"courses": [course_json(found[0])]})
            report.bytes_sent += len(body)
            answer = unpack(await self._call(session, "POST", f"{API}/courses", report, body))
            report.shared += int(answer.get("added", 0)) + int(answer.get("updated", 0))
            report.refused_courses += [str(c) for c in answer.get("kept", [])]
            after = db.cursor_of(found[0])
            if after == cursor:  # a cursor that does not move would send it forever
                raise Refused(f"the course cursor stays at {cursor!r}")
            await db.set_push_cursor(self.store, after)

    async def _pull(self, session: aiohttp.ClientSession, report: SyncReport) -> None:
        while not self._spent(report):
            cursor = await db.pull_cursor(self.store)
            query = f"?after={_quote(cursor)}&limit={self.page}"
            found = unpack(await self._call(session, "GET", f"{API}/courses{query}", report))
            courses = [course_from_json(item) for item in found["courses"]]
            if courses:
                applied = await db.apply_courses(
                    self.store, courses, str(found["next"]), datetime.now(UTC)
                )
                report.added += applied.added
                report.updated += applied.updated
                report.kept_local += applied.kept_local
            if not found.get("more"):
                return
            if str(found["next"]) == cursor:  # a page that does not move the cursor
                raise Refused(f"the national cursor stays at {cursor!r}")

    async def _entries(self, session: aiohttp.ClientSession, report: SyncReport) -> None:
        """The school's Creathon entries to national contests, new or changed since the
        last push, a few a request; the cursor moves once the national side answered."""
        while not self._spent(report):
            entries, after = await db.entries_to_push(self.store, ENTRY_BATCH)
            if not entries:
                return
            body = pack({"entries": [db.entry_json(entry) for entry in entries]})
            report.bytes_sent += len(body)
            answer = unpack(await self._offered(session, "POST", f"{API}/entries", report, body))
            if answer is None:
                return
            report.entries += int(answer.get("taken", 0))
            report.entries_closed += int(answer.get("closed", 0))
            await db.set_entries_cursor(self.store, after)

    async def _learners(self, session: aiohttp.ClientSession, report: SyncReport) -> None:
        """The learners who asked /mon_code, with their finished lessons, when either
        changed since the national side last took them: a learner linked at home (LIER
        <code> on WhatsApp) goes on from their school progress."""
        while not self._spent(report):
            learners, gone = await db.learners_to_push(self.store, LEARNER_BATCH)
            if not learners and not gone:
                return
            body = pack(
                {"learners": [db.learner_json(learner) for learner in learners], "forget": gone}
            )
            report.bytes_sent += len(body)
            answer = unpack(await self._offered(session, "POST", f"{API}/learners", report, body))
            if answer is None:
                return
            report.codes += int(answer.get("taken", 0))
            report.codes_taken += [str(code) for code in answer.get("codes_taken", [])]
            await db.mark_learners(self.store, learners, gone)

    async def _lessons_back(self, session: aiohttp.ClientSession, report: SyncReport) -> None:
        """The way back of /mon_code: the lessons the school's learners finished at home (on
        the national stand-in their home address follows), added to their progress here.
        The school names its learners by row number with how many lessons it has of each;
        the national side answers the lessons of those it has more (or other) of. Each page
        is added in its own transaction, only ever added: a cut page is asked again."""
        after = 0
        while not self._spent(report):
            asked = await db.learners_to_ask(self.store, after, LEARNER_BATCH)
            if not asked:
                return
            body = pack({"learners": [list(pair) for pair in asked]})
            report.bytes_sent += len(body)
            path = f"{API}/learners/lessons"
            answer = unpack(await self._offered(session, "POST", path, report, body))
            if answer is None:
                return
            ours = {uid for uid, _ in asked}
            lessons = [
                (int(uid), str(course)[:128], str(lesson)[:128])
                for uid, course, lesson in answer.get("lessons", [])
                if int(uid) in ours
            ]
            report.lessons_back += await db.add_lessons_back(self.store, lessons)
            after = asked[-1][0]

    async def _contests(self, session: aiohttp.ClientSession, report: SyncReport) -> None:
        """The national Creathon contests open for submissions, as the school's own."""
        if self._spent(report):
            return
        found = unpack(await self._offered(session, "GET", f"{API}/contests", report))
        if found is None:
            return
        contests = [db.contest_from_json(item) for item in found["contests"][:MAX_PAGE]]
        report.contests += await db.apply_contests(self.store, contests, datetime.now(UTC))

    async def _announcements(self, session: aiohttp.ClientSession, report: SyncReport) -> None:
        """The national announcements for the school's country or every country, after the
        school's cursor; each page queued to the school's people with the cursor after it."""
        while not self._spent(report):
            cursor = await db.announcement_cursor(self.store)
            query = f"?after={_quote(cursor)}&country={_quote(self.country)}"
            path = f"{API}/announcements{query}&limit={ANNOUNCEMENT_PAGE}"
            found = unpack(await self._offered(session, "GET", path, report))
            if found is None:
                return
            items = [db.announcement_from_json(item) for item in found["announcements"]]
            after = str(found["next"])
            if items or after != cursor:
                applied = await db.apply_announcements(self.store, items, after, datetime.now(UTC))
                report.announcements += applied.added
            if not found.get("more"):
                return
            if after == cursor:
                raise Refused(f"the announcements cursor stays at {cursor!r}")

    async def _offered(
        self,
        session: aiohttp.ClientSession,
        method: str,
        path: str,
        report: SyncReport,
        body: bytes | None = None,
    ) -> bytes:
        """A request of a part the national side may not offer yet: b"null" when it does
        not (404), so that a school upgraded first still pushes and pulls the rest."""
        try:
            return await self._call(session, method, path, report, body, optional=True)
        except NotOffered:
            log.info("sync: the national instance does not offer %s yet", path.split("?")[0])
            return pack(None)

    async def _call(
        self,
        session: aiohttp.ClientSession,
        method: str,
        path: str,
        report: SyncReport,
        body: bytes | None = None,
        optional: bool = False,
    ) -> bytes:
        """One request, tried again after a cut, a timeout or a server error."""
        pause = self.first_pause
        headers = {"Content-Type": CONTENT_TYPE} if body is not None else {}
        last = ""
        for attempt in range(1, self.attempts + 1):
            try:
                async with session.request(
                    method, self.url + path, data=body, headers=headers
                ) as reply:
                    data = await reply.read()
                    report.bytes_received += len(data)
                    if reply.status == 200:
                        return data
                    last = f"HTTP {reply.status}"
                    if optional and reply.status == 404:
                        raise NotOffered(path)
                    if reply.status < 500 and reply.status != 429:
                        raise Refused(f"{last} {data[:120]!r}")
            except (aiohttp.ClientError, TimeoutError) as error:
                last = type(error).__name__
            if attempt < self.attempts:
                log.info("sync %s %s: %s, again in %.0f s", method, path[:40], last, pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, self.longest)
                if body is not None:
                    report.bytes_sent += len(body)
        raise Unreachable(f"{method} {path[:40]}: {last} after {self.attempts} tries")


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def course_from_json(item: dict[str, Any]) -> db.PulledCourse:
    """A course of a page, read back."""
    published = datetime.fromisoformat(str(item["published_at"]))
    return db.PulledCourse(
        str(item["id"]),
        str(item["visibility"]),
        str(item.get("country", "")),
        str(item["source"]),
        published if published.tzinfo else published.replace(tzinfo=UTC),
        tuple(
            (str(m["name"]), str(m["mime"]), base64.b64decode(str(m["data"])))
            for m in item.get("media", [])
        ),
    )


# --- the national side -------------------------------------------------------------------


class SyncService:
    """The national instance's routes for the school servers it knows (SYNC_SCHOOLS)."""

    def __init__(self, store: SqlStore, tokens: dict[str, str]) -> None:
        self.store = store
        self.tokens = tokens  # token -> school name

    def routes(self) -> list[tuple[str, str, Handler]]:
        """Push and pull."""
        return [
            ("POST", f"{API}/push", self.push),
            ("GET", f"{API}/courses", self.courses),
            ("POST", f"{API}/courses", self.shared),
            ("GET", f"{API}/announcements", self.announcements),
            ("GET", f"{API}/contests", self.contests),
            ("POST", f"{API}/entries", self.entries),
            ("POST", f"{API}/learners", self.learners),
            ("POST", f"{API}/learners/lessons", self.learners_lessons),
        ]

    def _school(self, request: web.Request) -> str:
        """The school of the request's bearer token, else 401 (every token compared)."""
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        found = ""
        for token, name in self.tokens.items():
            if same_secret(given, token):
                found = name
        if not found:
            raise web.HTTPUnauthorized(
                text='{"error": "a school\'s bearer token is required"}',
                content_type="application/json",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return found

    @accepts_body(PUSH_BODY)
    async def push(self, request: web.Request) -> web.Response:
        """Keep a school's batch of statements; answer how many were taken."""
        school = self._school(request)
        statements, figures = await _parsed(request, PUSH_BODY, _batch)
        taken = await db.take_statements(self.store, school, statements, figures, datetime.now(UTC))
        log.info(
            "sync push from %s: %d new, %d known, %d erased",
            school,
            taken.kept,
            taken.known,
            taken.erased,
        )
        answer = {"taken": len(statements), "new": taken.kept, "known": taken.known}
        return web.Response(body=pack(answer), content_type=CONTENT_TYPE)

    async def courses(self, request: web.Request) -> web.Response:
        """A page of courses after the cursor the school holds (not its own)."""
        school = self._school(request)
        cursor = request.query.get("after", "")[:200]
        try:
            limit = min(MAX_PAGE, max(1, int(request.query.get("limit", PULL_PAGE))))
        except ValueError:
            limit = PULL_PAGE
        courses = await db.courses_after(self.store, cursor, limit + 1, not_from=school)
        page, more = courses[:limit], len(courses) > limit
        answer = {
            "courses": [course_json(course) for course in page],
            "next": db.cursor_of(page[-1]) if page else cursor,
            "more": more,
        }
        return web.Response(body=pack(answer), content_type=CONTENT_TYPE)

    async def announcements(self, request: web.Request) -> web.Response:
        """A page of the announcements for the school's country or every country."""
        self._school(request)
        cursor = request.query.get("after", "")[:200]
        country = request.query.get("country", "")[:8]
        try:
            limit = min(100, max(1, int(request.query.get("limit", ANNOUNCEMENT_PAGE))))
        except ValueError:
            limit = ANNOUNCEMENT_PAGE
        found, after, more = await db.announcements_after(
            self.store, cursor, limit, datetime.now(UTC)
        )
        answer = {
            "announcements": [db.announcement_json(a) for a in found if a.reaches(country)],
            "next": after,
            "more": more,
        }
        return web.Response(body=pack(answer), content_type=CONTENT_TYPE)

    async def contests(self, request: web.Request) -> web.Response:
        """The Creathon contests open for submissions (schools' teachers take part)."""
        self._school(request)
        found = await db.open_contests(self.store, datetime.now(UTC))
        answer = {"contests": [db.contest_json(contest) for contest in found[:MAX_PAGE]]}
        return web.Response(body=pack(answer), content_type=CONTENT_TYPE)

    @accepts_body(PUSH_BODY)
    async def learners(self, request: web.Request) -> web.Response:
        """A school's learners who asked /mon_code: their code becomes linkable here."""
        school = self._school(request)
        learners, gone = await _parsed(request, PUSH_BODY, _learners_body)
        taken = await db.take_learners(self.store, school, learners, datetime.now(UTC), gone)
        log.info("sync learners from %s: %d taken", school, taken.taken)
        answer = {"taken": taken.taken, "codes_taken": list(taken.taken_codes)}
        return web.Response(body=pack(answer), content_type=CONTENT_TYPE)

    @accepts_body(PUSH_BODY)
    async def learners_lessons(self, request: web.Request) -> web.Response:
        """The lessons this school's learners finished here (at home, linked to their code),
        for the school: asked by the school's row numbers with the count it has of each;
        only lessons, and only of this school's stand-ins."""
        school = self._school(request)
        asked = await _parsed(
            request,
            PUSH_BODY,
            lambda found: [(int(n), int(count)) for n, count in found["learners"][:MAX_PUSH]],
        )
        lessons = await db.stand_ins_lessons(self.store, school, asked)
        log.info("sync lessons back to %s: %d", school, len(lessons))
        answer = {"lessons": [list(lesson) for lesson in lessons]}
        return web.Response(body=pack(answer), content_type=CONTENT_TYPE)

    @accepts_body(COURSE_BODY)
    async def entries(self, request: web.Request) -> web.Response:
        """A school's Creathon entries, kept once per teacher and contest."""
        school = self._school(request)
        entries = await _parsed(
            request,
            COURSE_BODY,
            lambda found: [db.entry_from_json(item) for item in found["entries"][:MAX_PAGE]],
        )
        taken = await db.take_entries(self.store, school, entries, datetime.now(UTC))
        log.info("sync entries from %s: %d taken, %d too late", school, taken.taken, taken.closed)
        answer = {"taken": taken.taken, "closed": taken.closed}
        return web.Response(body=pack(answer), content_type=CONTENT_TYPE)

    @accepts_body(COURSE_BODY)
    async def shared(self, request: web.Request) -> web.Response:
        """A school's own course, shared for the national library (and so other schools)."""
        school = self._school(request)
        courses = await _parsed(
            request,
            COURSE_BODY,
            lambda found: [course_from_json(item) for item in found["courses"][:MAX_PAGE]],
        )
        refused = [c.course_id for c in courses if not _shareable(c)]
        courses = [c for c in courses if _shareable(c)]
        applied = await db.apply_courses(
            self.store, courses, None, datetime.now(UTC), origin=school
        )
        log.info("sync courses from %s: %d new, %d updated", school, applied.added, applied.updated)
        answer = {
            "added": applied.added,
            "updated": applied.updated,
            "kept": [*applied.kept_local, *refused],
        }
        return web.Response(body=pack(answer), content_type=CONTENT_TYPE)


T = TypeVar("T")


def _learners_body(found: Any) -> tuple[list[db.SchoolLearner], tuple[int, ...]]:
    """The learners a school pushes, and the row numbers of those it erased."""
    learners = [db.learner_from_json(item) for item in found["learners"][:MAX_PUSH]]
    return learners, tuple(int(number) for number in found.get("forget", [])[:MAX_PUSH])


async def _parsed(request: web.Request, limit: int, read: Callable[[Any], T]) -> T:
    """A school's body, read within `limit` and unpacked by `read`; 400 with the reason
    when it is not what the route takes."""
    body = await read_bounded(request, limit)
    try:
        return read(unpack(body))
    except (ValueError, TypeError, KeyError, AttributeError, binascii.Error) as error:
        raise web.HTTPBadRequest(
            text=json.dumps({"error": str(error)[:200]}), content_type="application/json"
        ) from None


def _shareable(course: db.PulledCourse) -> bool:
    """A course a school may share: for its country or every country, with a usable id."""
    return (
        course.visibility in (COUNTRY, EVERYWHERE)
        and 0 < len(course.course_id) <= 64
        and course.course_id.replace("-", "").replace("_", "").isalnum()
    )


def _batch(found: Any) -> tuple[list[dict[str, Any]], db.SchoolFigures]:
    """A push's statements and figures, checked (ValueError says what is wrong)."""
    if not isinstance(found, dict) or not isinstance(found.get("statements"), list):
        raise ValueError("a push is an object with a list of statements")
    statements = found["statements"]
    if len(statements) > MAX_PUSH:
        raise ValueError(f"at most {MAX_PUSH} statements per push")
    for statement in statements:
        if not isinstance(statement, dict) or not isinstance(statement.get("id"), str):
            raise ValueError("each statement is an object with an id")
        if not 0 < len(statement["id"]) <= 64:
            raise ValueError("a statement id is 1 to 64 characters")
    learners, pending = found.get("learners", 0), found.get("pending", 0)
    if not isinstance(learners, int) or not isinstance(pending, int):
        raise ValueError("learners and pending are numbers")
    return statements, db.SchoolFigures(max(0, learners), max(0, pending))


def course_json(course: db.PulledCourse) -> dict[str, Any]:
    return {
        "id": course.course_id,
        "visibility": course.visibility,
        "country": course.country,
        "source": course.source,
        "published_at": course.published_at.isoformat(),
        "media": [
            {"name": name, "mime": mime, "data": base64.b64encode(data).decode()}
            for name, mime, data in course.media
        ],
    }
