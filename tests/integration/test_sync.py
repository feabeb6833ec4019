"""A school server and the national instance: two real bots (the school on SQLite, the
national one on each database of `database_url`), real HTTP between them, learners on the
school's web chat. The school pushes its learning records and pulls the national courses;
a link cut in the middle (tests/fakes/cutting_proxy.py) is resumed with nothing twice; an
erasure at the school reaches the national instance; a course of the same id on both sides
stays the school's own."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import re
import shutil
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import text

from bot.app import BotApp
from bot.config import Settings
from bot.storage import sync as db
from bot.storage.creathon import SqlCreathonDesk
from bot.sync import SchoolSync, pack, unpack
from bot.xapi_sender import XapiSender
from dialogs.creathon_ports import ContestDraft
from tests.chat_drivers import WebChat
from tests.conftest import _sqlite_template
from tests.fakes.cutting_proxy import Cut, cutting_proxy
from tests.integration.test_ordering_chat import COMPARE
from tests.integration.test_same_journey import answer, onboard, open_lesson, read_to_the_quiz
from tests.ralph import PASSWORD, USERNAME, ralph_python, running_ralph

ROOT = str(Path(__file__).resolve().parents[2])  # the checkout under test
SCHOOL = "ecole-du-jardin"
TOKEN = "jardin-0f3a9c2e7b"
SCHOOL_SITE = "https://ecole-du-jardin.example"
PORTAL = "portal-5e1b7c"  # the national portal's token (bot/portal_api.py)
COMPOST = """id: compost
title: Le compost au jardin
subject: sciences
levels: CM2
language: fr
summary: Faire un compost avec les épluchures de la cantine.
licence: CC BY-SA 4.0
authors: Awa Ndiaye
country: all
version: 1

# Faire un compost {#faire}

{text}

## Quiz

? Que met-on dans le compost ?
- Du plastique
* Des épluchures
"""
FIRST = "Le compost transforme les épluchures en engrais pour le jardin de l'école."
SECOND = "Le compost transforme les épluchures et les feuilles en engrais : arrosez-le."


async def start(settings: Settings) -> AsyncIterator[BotApp]:
    app = BotApp(settings)
    await app.start()
    try:
        yield app
    finally:
        await app.stop()


@pytest.fixture
async def national(database_url: str, tmp_path: Path) -> AsyncIterator[BotApp]:
    """The national instance, taking the school's token."""
    settings = Settings(
        database_url=database_url,
        web_host="127.0.0.1",
        web_port=0,
        public_url="https://national.example",
        pseudonym_secret=b"national",
        authored_dir=str(tmp_path / "national-authored"),
        sync_schools=f"{SCHOOL}:{TOKEN},ecole-du-fleuve:fleuve-77c1d0e4",
        portal_api_token=PORTAL,
    )
    async for app in start(settings):
        yield app


@pytest.fixture
async def school(tmp_path: Path) -> AsyncIterator[BotApp]:
    """The school server: SQLite on its own machine."""
    path = tmp_path / "school" / "imaginecole.db"
    path.parent.mkdir(parents=True)
    shutil.copyfile(await _sqlite_template(), path)
    settings = Settings(
        database_url=f"sqlite:///{path}",
        web_host="127.0.0.1",
        web_port=0,
        public_url=SCHOOL_SITE,
        pseudonym_secret=b"school",
        authored_dir=str(tmp_path / "school-authored"),
    )
    async for app in start(settings):
        yield app


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def syncer(school: BotApp, url: str, **how: Any) -> SchoolSync:
    assert school.store is not None and school.conversations is not None
    how.setdefault("first_pause", 0.01)
    return SchoolSync(
        school.store, url, TOKEN, on_courses=school.conversations.reload_library, **how
    )


def address(app: BotApp) -> str:
    return f"http://127.0.0.1:{app.port}"


async def learner_does_a_quiz(school: BotApp, http: aiohttp.ClientSession) -> WebChat:
    """A learner on the school's Wi-Fi: onboarding, the first fractions lesson, its quiz."""
    chat = WebChat(school, http)
    await chat.open()
    await onboard(chat)
    await open_lesson(chat)
    await read_to_the_quiz(chat)
    for _ in range(4):
        await answer(chat, right=True)
    assert "Quiz terminé" in chat.last_text()
    return chat


async def rows(app: BotApp, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    assert app.engine is not None
    async with app.engine.connect() as conn:
        return [tuple(row) for row in await conn.execute(text(sql), params)]


async def journal(app: BotApp) -> list[dict[str, Any]]:
    found = await rows(app, "SELECT statement FROM xapi_statements ORDER BY id")
    return [json.loads(body) for (body,) in found]


async def publish_nationally(national: BotApp, body: str, at: datetime) -> None:
    """A national teacher's course as publishing leaves it (shared with every country)."""
    await publish_at(national, "compost", body, at)
    assert national.store is not None
    await national.store.statement(
        "INSERT INTO authored_media (course_id, name, mime, data, created_at) VALUES"
        " ('compost', 'images/bac.png', 'image/png', :data, :at)"
        " ON CONFLICT (course_id, name) DO UPDATE SET data = excluded.data",
        data=b"\x89PNG\r\n\x1a\n" + body.encode(),
        at=at,
    )


async def publish_at(app: BotApp, course_id: str, body: str, at: datetime) -> None:
    """A teacher's course of that instance, published for every country (written as the
    store writes, times included)."""
    source = COMPOST.replace("{text}", body).replace("id: compost", f"id: {course_id}")
    assert app.store is not None
    await app.store.statement(
        "INSERT INTO authored_courses (course_id, author_id, status, visibility, country,"
        " source, published_source, created_at, updated_at, published_at) VALUES"
        " (:cid, NULL, 'published', 'all', 'SN', :src, :src, :at, :at, :at)"
        " ON CONFLICT (course_id) DO UPDATE SET published_source = excluded.published_source,"
        " source = excluded.source, published_at = excluded.published_at,"
        " updated_at = excluded.updated_at",
        cid=course_id,
        src=source,
        at=at,
    )


async def same_records(school: BotApp, national: BotApp) -> None:
    """Every school record is at the national instance once, under its national id."""
    here = await journal(school)
    there = await journal(national)
    assert sorted(db.national_id(SCHOOL, s["id"]) for s in here) == sorted(s["id"] for s in there)
    unsynced = await rows(school, "SELECT COUNT(*) FROM xapi_statements WHERE synced_at IS NULL")
    assert unsynced == [(0,)]


async def test_a_sync_pushes_the_records_and_pulls_the_courses(
    school: BotApp, national: BotApp, http: aiohttp.ClientSession
) -> None:
    first = await learner_does_a_quiz(school, http)
    await learner_does_a_quiz(school, http)
    await publish_nationally(national, FIRST, datetime.now(UTC))
    assert school.conversations is not None and school.conversations.library.get("compost") is None

    report = await syncer(school, address(national), batch=4).run()

    assert report.complete, report.lines()
    records = await journal(school)
    # each learner: a lesson started and read, 4 answers, a skill mastered, a quiz passed
    assert len(records) == 16
    assert (report.pushed, report.added, report.updated) == (16, 1, 0)
    await same_records(school, national)
    there = await journal(national)
    assert {s["actor"]["account"]["homePage"] for s in there} == {SCHOOL_SITE}
    assert first.uid not in json.dumps(there), "pseudonymous: no web uid leaves the school"
    verbs = sorted(s["verb"]["id"].rsplit("/", 1)[1] for s in there)
    assert verbs == (
        ["answered"] * 8 + ["attempted"] * 2 + ["completed"] * 2 + ["mastered"] * 2 + ["passed"] * 2
    )
    started = next(s for s in there if s["verb"]["id"].endswith("/attempted"))
    lesson = started["object"]["id"]
    assert lesson.startswith(f"{SCHOOL_SITE}/xapi/courses/") and "/lessons/" in lesson
    assert started["object"]["definition"]["type"].endswith("/activities/lesson")
    assert "result" not in started and started["context"]["contextActivities"]["parent"]
    # The course is the school's now, with its file, in the library its learners read.
    course = school.conversations.library.get("compost")
    assert course is not None and course.title == "Le compost au jardin"
    assert FIRST in course.lessons[0].steps[0].text
    media = await rows(school, "SELECT name, data FROM authored_media WHERE course_id = 'compost'")
    assert media == [("images/bac.png", b"\x89PNG\r\n\x1a\n" + FIRST.encode())]
    # The national instance knows the school: last sync, learners, nothing pending.
    assert national.store is not None
    [seen] = await db.schools(national.store)
    assert (seen.name, seen.learners, seen.pending, seen.received) == (SCHOOL, 2, 0, 16)

    # So does the national portal: /api/v1/schools (learners fewer than 5: null).
    portal = {"Authorization": f"Bearer {PORTAL}"}
    async with http.get(f"{address(national)}/api/v1/schools", headers=portal) as reply:
        listed = (await reply.json())["schools"]
    assert [{k: v for k, v in s.items() if k != "last_sync_at"} for s in listed] == [
        {"name": SCHOOL, "learners": None, "pending": 0, "received": 16}
    ]
    assert datetime.fromisoformat(listed[0]["last_sync_at"]) == seen.last_sync_at

    again = await syncer(school, address(national)).run()
    assert (again.pushed, again.added, again.updated, again.complete) == (0, 0, 0, True)
    assert len(await journal(national)) == 16


async def test_a_link_cut_in_the_middle_resumes_and_nothing_is_twice(
    school: BotApp, national: BotApp, http: aiohttp.ClientSession
) -> None:
    await learner_does_a_quiz(school, http)
    await learner_does_a_quiz(school, http)
    await publish_nationally(national, FIRST, datetime.now(UTC))
    cuts = (
        Cut("response", 60),  # the first batch kept nationally, its answer lost on the way
        Cut("request", 400),  # a batch cut before the national side has it whole
        Cut("refuse"),  # the hotspot gone for a moment
        Cut("response", 900),  # a page of courses cut in the middle
    )
    async with cutting_proxy(national.port, *cuts) as proxy:
        report = await syncer(school, proxy.url, batch=3).run()
    assert report.complete, report.lines()
    assert proxy.cut == 4 and proxy.connections >= 5
    await same_records(school, national)
    known = await rows(national, "SELECT COUNT(*) FROM xapi_statements")
    assert known == [(16,)]
    assert school.conversations is not None
    assert school.conversations.library.get("compost") is not None


async def test_a_link_that_stays_down_stops_the_sync_and_the_next_goes_on(
    school: BotApp, national: BotApp, http: aiohttp.ClientSession
) -> None:
    await learner_does_a_quiz(school, http)
    async with cutting_proxy(national.port) as proxy:
        proxy.down = True
        stopped = await syncer(school, proxy.url, attempts=3).run()
        assert stopped.stopped == "unreachable" and stopped.pushed == 0
        assert await journal(national) == []
        # The data budget: one batch of 4 records, then the sync stops between batches.
        proxy.down = False
        budget = await syncer(school, proxy.url, batch=4, max_bytes=100).run()
        assert (budget.stopped, budget.pushed) == ("budget", 4)
        assert len(await journal(national)) == 4
        rest = await syncer(school, proxy.url, batch=4).run()
    assert rest.complete and rest.pushed == 4
    await same_records(school, national)
    assert "stopped (unreachable): run it again" in stopped.lines()


@pytest.mark.parametrize("sent_by_national", [False, True], ids=["unsent", "sent-to-lrs"])
async def test_an_erasure_at_school_reaches_the_national_instance(
    school: BotApp, national: BotApp, http: aiohttp.ClientSession, sent_by_national: bool
) -> None:
    leaving = await learner_does_a_quiz(school, http)
    await learner_does_a_quiz(school, http)
    assert (await syncer(school, address(national)).run()).complete
    theirs = await rows(
        school,
        "SELECT x.statement_id FROM xapi_statements x JOIN users u ON u.id = x.user_id"
        " WHERE u.external_id = :uid",
        uid=leaving.uid,
    )
    assert len(theirs) == 8
    national_ids = {db.national_id(SCHOOL, str(sid)) for (sid,) in theirs}
    if sent_by_national:  # the national LRS has them: they are voided there, not deleted
        assert national.engine is not None
        async with national.engine.begin() as conn:
            await conn.execute(text("UPDATE xapi_statements SET sent_at = :now"), {"now": _now()})

    await leaving.send("/supprimer_mes_donnees")
    await leaving.tap("Oui")
    report = await syncer(school, address(national)).run()

    assert report.complete and report.pushed == 8  # one voiding per record pushed
    there = await journal(national)
    voidings = [s for s in there if s["verb"]["id"].endswith("/voided")]
    if sent_by_national:
        assert {s["object"]["id"] for s in voidings} == national_ids
        assert {s["actor"]["account"]["name"] for s in voidings} == {"imaginecole"}
        assert len(there) == 24
    else:
        assert voidings == [], "what the LRS never had simply goes"
        assert national_ids.isdisjoint(s["id"] for s in there)
        assert len(there) == 8, "the other learner's records stay"


def _now() -> datetime:
    return datetime.now(UTC)


async def test_a_course_of_the_same_id_on_both_sides_and_a_newer_national_version(
    school: BotApp, national: BotApp
) -> None:
    published = datetime.now(UTC)
    await publish_nationally(national, FIRST, published)
    assert (await syncer(school, address(national)).run()).added == 1
    # Published again nationally (the school's clock plays no part: the cursor is national).
    await publish_nationally(national, SECOND, published + timedelta(minutes=5))
    report = await syncer(school, address(national)).run()
    assert (report.added, report.updated, report.kept_local) == (0, 1, [])
    assert school.conversations is not None
    course = school.conversations.library.get("compost")
    assert course is not None and SECOND in course.lessons[0].steps[0].text
    # A school whose own teacher wrote a course of that id keeps it.
    assert school.engine is not None
    async with school.engine.begin() as conn:
        await conn.execute(text("DELETE FROM sync_courses"))
        await conn.execute(text("DELETE FROM sync_state"))
    kept = await syncer(school, address(national)).run()
    assert (kept.added, kept.updated, kept.kept_local) == (0, 0, ["compost"])
    assert "kept the school's own course of the same id: compost" in kept.lines()


async def test_a_wrong_token_and_bad_bodies_are_refused_whole(
    school: BotApp, national: BotApp, http: aiohttp.ClientSession
) -> None:
    await learner_does_a_quiz(school, http)
    assert school.store is not None
    wrong = SchoolSync(school.store, address(national), "not-a-school", first_pause=0.01)
    report = await wrong.run()
    assert report.stopped.startswith("refused: HTTP 401")
    push = f"{address(national)}/sync/v1/push"
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/gzip"}
    bomb = gzip.compress(b"[" + b" " * (40 * 1024 * 1024) + b"]")
    for body, why in [
        (b"not gzip", "not gzip"),
        (bomb, "larger than"),
        (pack({"statements": [{"no": "id"}]}), "each statement is an object with an id"),
        (pack({"statements": [{"id": "x"}] * 501}), "at most 500"),
        (pack([1, 2]), "a push is an object"),
        (gzip.compress(b"[" * 100_000), "nested"),
    ]:
        async with http.post(push, data=body, headers=auth) as reply:
            assert reply.status == 400, why
            assert why in (await reply.json())["error"]
    assert await journal(national) == []
    assert await rows(national, "SELECT COUNT(*) FROM sync_schools") == [(0,)]
    async with http.get(f"{address(national)}/sync/v1/courses") as reply:
        assert reply.status == 401
    assert unpack(pack({"a": 1})) == {"a": 1}


async def test_sync_from_the_command_line_and_the_national_list_of_schools(
    school: BotApp, national: BotApp, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    """`python -m bot sync` on the school's machine, `sync schools` on the national one."""
    await learner_does_a_quiz(school, http)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SYNC_", "DATABASE_URL"))
    }
    env["PYTHONPATH"] = ROOT
    school_env = {
        **env,
        "DATABASE_URL": school.settings.database_url,
        "SYNC_URL": address(national),
        "SYNC_TOKEN": TOKEN,
    }
    printed = await _run(tmp_path, school_env, "sync")
    assert "records pushed: 8" in printed and "complete" in printed
    listing = await _run(
        tmp_path, {**env, "DATABASE_URL": national.settings.database_url}, "sync", "schools"
    )
    line = next(line for line in listing.splitlines() if line.startswith(SCHOOL))
    assert line.split()[-3:] == ["1", "0", "8"]  # learners, pending, received
    missing = await _run(
        tmp_path, env | {"DATABASE_URL": school.settings.database_url}, "sync", code=2
    )
    assert "set SYNC_URL and SYNC_TOKEN" in missing


async def _run(cwd: Path, env: dict[str, str], *args: str, code: int = 0) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    printed = out.decode()
    assert process.returncode == code, printed
    return printed


@pytest.mark.skipif(ralph_python() is None, reason="no Ralph LRS (tests/ralph.py)")
async def test_the_national_lrs_receives_a_schools_records_and_their_voiding(
    school: BotApp, national: BotApp, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    """School -> national instance -> its LRS (a real Ralph): the statements, then an
    erasure at the school voiding them there."""
    leaving = await learner_does_a_quiz(school, http)
    assert (await syncer(school, address(national)).run()).complete
    assert national.engine is not None
    with running_ralph(tmp_path / "lrs") as ralph:
        forward = XapiSender(national.engine, ralph.url, USERNAME, PASSWORD)
        assert await forward.send_pending() == 8
        stored = ralph.statements()
        sent = {s["id"] for s in stored}
        assert sent == {s["id"] for s in await journal(national)}
        assert {s["actor"]["account"]["homePage"] for s in stored} == {SCHOOL_SITE}

        await leaving.send("/supprimer_mes_donnees")
        await leaving.tap("Oui")
        assert (await syncer(school, address(national)).run()).pushed == 8
        assert await forward.send_pending() == 8
        voiding = [s for s in ralph.statements() if s["verb"]["id"].endswith("/voided")]
    assert {s["object"]["id"] for s in voiding} == sent
    assert {s["actor"]["account"]["name"] for s in voiding} == {"imaginecole"}


async def test_a_schools_own_course_reaches_the_other_schools_and_not_back(
    school: BotApp, national: BotApp, tmp_path: Path
) -> None:
    """A school teacher's course shared goes to the national library, then to another
    school; a course of an id the national library has already is not taken."""
    now = datetime.now(UTC)
    await publish_at(school, "potager", FIRST, now)
    await publish_at(school, "compost", FIRST, now)
    await publish_nationally(national, SECOND, now - timedelta(days=1))  # its own "compost"
    report = await syncer(school, address(national)).run()
    assert report.complete, report.lines()
    assert (report.shared, report.refused_courses, report.added) == (1, ["compost"], 0)
    assert report.kept_local == ["compost"], "nor does the national one replace the school's"
    national_courses = await rows(
        national, "SELECT course_id, origin FROM sync_courses ORDER BY course_id"
    )
    assert national_courses == [("potager", SCHOOL)]
    assert (await syncer(school, address(national)).run()).shared == 0, "shared once"

    path = tmp_path / "fleuve" / "imaginecole.db"
    path.parent.mkdir()
    shutil.copyfile(await _sqlite_template(), path)
    settings = replace(school.settings, database_url=f"sqlite:///{path}")
    async for other in start(settings):
        assert other.store is not None and other.conversations is not None
        fleuve = SchoolSync(
            other.store, address(national), "fleuve-77c1d0e4",
            on_courses=other.conversations.reload_library,
        )  # fmt: skip
        pulled = await fleuve.run()
        assert (pulled.added, pulled.complete) == (2, True)
        course = other.conversations.library.get("potager")
        assert course is not None and FIRST in course.lessons[0].steps[0].text
        assert await rows(other, "SELECT course_id, origin FROM sync_courses ORDER BY 1") == [
            ("compost", "national"),
            ("potager", "national"),
        ]


async def test_the_loop_syncs_while_the_school_serves(
    national: BotApp, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    """SYNC_EVERY: the running school pushes and pulls by itself, and its learners see the
    pulled course without a restart."""
    await publish_nationally(national, FIRST, datetime.now(UTC))
    path = tmp_path / "loop" / "imaginecole.db"
    path.parent.mkdir()
    shutil.copyfile(await _sqlite_template(), path)
    settings = Settings(
        database_url=f"sqlite:///{path}",
        web_host="127.0.0.1",
        web_port=0,
        public_url=SCHOOL_SITE,
        pseudonym_secret=b"school",
        authored_dir=str(tmp_path / "loop-authored"),
        sync_url=address(national),
        sync_token=TOKEN,
        sync_every=0.2,
    )
    async for school in start(settings):
        await learner_does_a_quiz(school, http)
        for _ in range(300):  # until the loop has run after the quiz (the test's deadline)
            if len(await journal(national)) == 8:
                break
            await asyncio.sleep(0.1)
        await same_records(school, national)
        assert school.conversations is not None
        assert school.conversations.library.get("compost") is not None
        assert school.supervisor.status()["loops"]["sync"]["restarts"] == 0  # type: ignore[index]


STOP = "\n\n— Pour ne plus recevoir d'annonces : /stop_annonces"


async def announce(app: BotApp, texts: dict[str, str], **audience: Any) -> int:
    """A national admin's announcement, as creating it leaves it (queued at once)."""
    assert app.store is not None
    at = datetime.now(UTC)
    found = await app.store.statement(
        "INSERT INTO broadcasts (author_id, texts, attachment, audience, status, total,"
        " scheduled_at, created_at, queued_at) VALUES (NULL, :texts, NULL, :audience,"
        " 'queued', 0, NULL, :at, :at) RETURNING id",
        texts=texts,
        audience={"countries": [], "fallback": "fr", **audience},
        at=at,
    )
    return int(found[0][0])


async def test_national_announcements_reach_the_schools_learners_once(
    school: BotApp, national: BotApp, http: aiohttp.ClientSession
) -> None:
    """Announcements for the school's country or every country reach its learners at the
    next sync; those for another country, a national class or one person do not; a page
    read twice queues nothing twice."""
    learner = await learner_does_a_quiz(school, http)
    await announce(national, {"fr": "Examens le 12 juin dans tout le Sénégal."}, countries=["SN"])
    await announce(national, {"fr": "Résultats du Mali."}, countries=["ML"])
    await announce(national, {"fr": "Votre classe reprend lundi."}, class_ids=[1])
    await announce(national, {"fr": "Votre note est arrivée."}, user_ids=[1], personal=True)
    await announce(national, {"fr": "Bonne année scolaire à tous !", "ar": "سنة دراسية سعيدة"})

    report = await syncer(school, address(national), country="SN").run()

    assert report.complete and report.announcements == 2, report.lines()
    assert "announcements pulled: 2" in report.lines()
    told = [str((await learner.pushed())["text"]) for _ in range(2)]
    assert told == [
        f"Examens le 12 juin dans tout le Sénégal.{STOP}",
        f"Bonne année scolaire à tous !{STOP}",
    ]
    again = await syncer(school, address(national), country="SN").run()
    assert (again.announcements, again.complete) == (0, True)
    # Pulled twice from the start (the cursor lost): each is still queued once.
    async with school.engine.begin() as conn:  # type: ignore[union-attr]
        await conn.execute(text("DELETE FROM sync_state WHERE key = 'announcements_cursor'"))
    assert (await syncer(school, address(national), country="SN").run()).announcements == 0
    queued = await rows(school, "SELECT COUNT(*) FROM outbox")
    assert queued == [(2,)]


async def open_contest(app: BotApp, theme: str, days: int = 7) -> int:
    """A national Creathon open for submissions (as the admin's desk opens it)."""
    assert app.store is not None
    now = datetime.now(UTC)
    draft = ContestDraft(
        theme,
        "Un scénario de séance avec un de vos cours.",
        ("CM2",),
        (),
        now + timedelta(days=days),
        now + timedelta(days=days + 7),
        (("Clarté", 60), ("Originalité", 40)),
        (),
    )
    async with app.store.transaction() as runner:
        admin = await runner.run(
            "INSERT INTO users (channel, external_id, locale, state_step, state_data,"
            " state_prompt, created_at, last_seen_at) VALUES ('telegram', 'admin', 'fr',"
            " 'menu', :data, 0, :now, :now) RETURNING id",
            data={},
            now=now,
        )
        return await SqlCreathonDesk(runner, int(admin[0][0]), now).open_contest(draft)


async def school_teacher_submits(school: BotApp, teacher: str, course_id: str, why: str) -> None:
    """A school teacher with a course of their own submits it to the school's contest row
    of the national contest (their desk, as /creathon does)."""
    assert school.store is not None
    now = datetime.now(UTC)
    async with school.store.transaction() as runner:
        found = await runner.run(
            "SELECT id FROM users WHERE channel = 'web' AND external_id = :ext", ext=teacher
        )
        if not found:
            found = await runner.run(
                "INSERT INTO users (channel, external_id, locale, country, role, state_step,"
                " state_data, state_prompt, created_at, last_seen_at) VALUES ('web', :ext,"
                " 'fr', 'SN', 'teacher', 'menu', :data, 0, :now, :now) RETURNING id",
                ext=teacher,
                data={},
                now=now,
            )
        uid = int(found[0][0])
        source = COMPOST.replace("{text}", FIRST).replace("id: compost", f"id: {course_id}")
        await runner.run(
            "INSERT INTO authored_courses (course_id, author_id, status, visibility, country,"
            " source, created_at, updated_at) VALUES (:cid, :uid, 'draft', 'class', 'SN',"
            " :src, :now, :now) ON CONFLICT (course_id) DO NOTHING",
            cid=course_id,
            uid=uid,
            src=source,
            now=now,
        )
        [(contest,)] = await runner.run("SELECT id FROM creathon_contests")
        assert await SqlCreathonDesk(runner, uid, now).submit(int(contest), course_id, why)


async def test_a_schools_creathon_entries_reach_the_national_contest_once(
    school: BotApp, national: BotApp
) -> None:
    """A national contest reaches the school; its teachers' entries go up once (a push
    again, a lost cursor: still one entry each), a changed one replaces theirs."""
    contest = await open_contest(national, "Le jardin à l'école")
    first = await syncer(school, address(national)).run()
    assert (first.contests, first.entries, first.complete) == (1, 0, True)
    school_contests = await rows(school, "SELECT theme, status, jury FROM creathon_contests")
    assert school_contests == [("Le jardin à l'école", "open", "[]")]

    await school_teacher_submits(school, "awa", "potager", "Séance au potager, par groupes.")
    await school_teacher_submits(school, "moussa", "compost", "Le compost de la cantine.")
    report = await syncer(school, address(national)).run()
    assert (report.entries, report.contests, report.complete) == (2, 0, True)
    assert "Creathon entries pushed: 2" in report.lines()
    entries = "SELECT contest_id, course_id, description, country FROM creathon_submissions"
    there = await rows(national, f"{entries} ORDER BY course_id")
    assert there == [
        (contest, f"{SCHOOL}:compost", "Le compost de la cantine.", "SN"),
        (contest, f"{SCHOOL}:potager", "Séance au potager, par groupes.", "SN"),
    ]
    assert (await syncer(school, address(national)).run()).entries == 0, "pushed once"
    async with school.engine.begin() as conn:  # type: ignore[union-attr]
        await conn.execute(text("DELETE FROM sync_state WHERE key = 'entries_cursor'"))
    assert (await syncer(school, address(national)).run()).entries == 2
    assert len(await rows(national, entries)) == 2, "pushed again, kept once"

    await school_teacher_submits(school, "awa", "potager", "Séance au potager, en plein air.")
    assert (await syncer(school, address(national)).run()).entries == 1
    assert await rows(national, f"{entries} ORDER BY course_id") == [
        there[0],
        (contest, f"{SCHOOL}:potager", "Séance au potager, en plein air.", "SN"),
    ]
    people = "SELECT external_id, consented_at FROM users WHERE channel = 'school'"
    assert sorted(await rows(national, people)) == [(f"{SCHOOL}/1", None), (f"{SCHOOL}/2", None)]


async def test_a_school_learners_code_links_their_home_account_after_a_sync(
    school: BotApp, national: BotApp, http: aiohttp.ClientSession
) -> None:
    """/mon_code at school, the next sync, "LIER <code>" at home on the national instance:
    the home account goes on from the lessons finished at school; the school's next lessons
    reach it at the following sync."""
    pupil = await learner_does_a_quiz(school, http)
    await pupil.send("/mon_code")
    code = re.search(r"Votre code : (\w+)", pupil.last_text())
    assert code is not None
    report = await syncer(school, address(national)).run()
    assert (report.codes, report.complete) == (1, True)
    assert "learners' codes pushed: 1" in report.lines()
    assert (await syncer(school, address(national)).run()).codes == 0, "pushed once"

    home = WebChat(national, http)
    await home.open()
    await onboard(home)
    await home.send("/progres")
    assert "1 leçon terminée" not in home.last_text()
    await home.send(f"/lier {code[1]}")
    assert "suivra les leçons et les progrès du compte qui a donné ce code" in home.last_text()
    await home.tap("Oui, lier")
    assert "C'est lié" in home.last_text()
    await home.send("/progres")
    assert "1 leçon terminée sur" in home.last_text(), "the lesson finished at school"
    stand_in = await rows(national, "SELECT external_id FROM users WHERE channel = 'school'")
    assert stand_in == [(f"{SCHOOL}/1",)], "the school's row number, no name, no address"
    # A lesson finished at school afterwards reaches the home account at the next sync.
    await school.store.statement(  # type: ignore[union-attr]
        "INSERT INTO lesson_progress (user_id, course_id, lesson_id, completed_at)"
        " VALUES (1, 'fractions', 'comparer', :now)",
        now=_now(),
    )
    assert (await syncer(school, address(national)).run()).codes == 1
    await home.send("/progres")
    assert "2 leçons terminées sur" in home.last_text()
    # Erased at school: at the next sync the national side forgets them, code and lessons;
    # the home account has its own (empty) progress back.
    await pupil.send("/supprimer_mes_donnees")
    await pupil.tap("Oui")
    assert (await syncer(school, address(national)).run()).complete
    assert await rows(national, "SELECT COUNT(*) FROM users WHERE channel = 'school'") == [(0,)]
    assert await rows(national, "SELECT COUNT(*) FROM person_codes") == [(0,)]
    await home.send("/progres")
    assert "leçon terminée sur" not in home.last_text()
    assert await rows(school, "SELECT COUNT(*) FROM sync_state WHERE key LIKE 'code:%'") == [(0,)]


async def test_lessons_finished_at_home_reach_the_school_at_its_next_sync(
    school: BotApp, national: BotApp, http: aiohttp.ClientSession
) -> None:
    """/mon_code both ways: lesson 1 finished at school, linked at home, lesson 2 finished at
    home; at the school's next sync its learner has both, and /progres there says so. Only
    ever added, once: a second sync changes nothing and pushes nothing back."""
    pupil = await learner_does_a_quiz(school, http)
    await pupil.send("/mon_code")
    code = re.search(r"Votre code : (\w+)", pupil.last_text())
    assert code is not None
    first = await syncer(school, address(national)).run()
    assert (first.codes, first.lessons_back, first.complete) == (1, 0, True)

    home = WebChat(national, http)
    await home.open()
    await onboard(home)
    await home.send(f"/lier {code[1]}")
    await home.tap("Oui, lier")
    assert "C'est lié" in home.last_text()
    await home.send("/menu")
    await open_lesson(home, COMPARE)  # the second lesson, at home
    await read_to_the_quiz(home)
    for typed in ("2/4 ; 3/6 ; 5/10", "1/3", "vrai", "2/6"):
        await home.send(typed)
    await home.tap("1/6")
    await home.tap("1/3")
    assert "Votre score : 5 sur 5" in home.last_text()
    await home.send("/progres")
    assert "2 leçons terminées sur" in home.last_text(), "on the stand-in the home address follows"

    back = await syncer(school, address(national)).run()
    assert (back.lessons_back, back.codes, back.complete) == (1, 0, True)
    assert "lessons finished at home pulled: 1" in back.lines()
    done = "SELECT course_id, lesson_id FROM lesson_progress WHERE user_id = 1 ORDER BY lesson_id"
    assert await rows(school, done) == [
        ("fractions", "comparer"),
        ("fractions", "parts-egales"),
    ]
    await pupil.send("/progres")
    assert "2 leçons terminées sur" in pupil.last_text()
    assert await rows(school, "SELECT value FROM sync_state WHERE key = 'code:1'") == [
        (f"{code[1]}|2",)
    ], "the national side has both: nothing to push back"

    again = await syncer(school, address(national)).run()
    assert (again.lessons_back, again.codes, again.complete) == (0, 0, True)
    assert await rows(school, done) == [
        ("fractions", "comparer"),
        ("fractions", "parts-egales"),
    ]
    stand_in = "SELECT COUNT(*) FROM lesson_progress JOIN users ON users.id = user_id"
    assert await rows(national, stand_in + " WHERE channel = 'school'") == [(2,)]
    # Another school asking for its learner 1 (with no lesson) is told nothing of this one's.
    async with http.post(
        f"{address(national)}/sync/v1/learners/lessons",
        data=pack({"learners": [[1, 0]]}),
        headers={"Authorization": "Bearer fleuve-77c1d0e4"},
    ) as reply:
        assert (reply.status, unpack(await reply.read())) == (200, {"lessons": []})
    # A learner erased at school (or never there) gets nothing added.
    assert school.store is not None
    assert await db.add_lessons_back(school.store, [(7, "fractions", "comparer")]) == 0
    assert await rows(school, "SELECT COUNT(*) FROM lesson_progress WHERE user_id = 7") == [(0,)]


async def test_a_national_instance_of_the_previous_version_still_syncs(
    school: BotApp, http: aiohttp.ClientSession
) -> None:
    """During an upgrade the school may be newer than the national instance: the parts it
    does not offer yet (404: announcements, contests, entries, codes) are skipped, the
    records and courses go on."""
    from aiohttp import web

    pushed: list[int] = []

    async def push(request: web.Request) -> web.Response:
        found = unpack(await request.read())
        pushed.append(len(found["statements"]))
        return web.Response(body=pack({"taken": len(found["statements"])}))

    async def courses(_: web.Request) -> web.Response:
        return web.Response(body=pack({"courses": [], "next": "", "more": False}))

    older = web.Application()
    older.router.add_post("/sync/v1/push", push)
    older.router.add_get("/sync/v1/courses", courses)
    runner = web.AppRunner(older)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        pupil = await learner_does_a_quiz(school, http)
        await pupil.send("/mon_code")
        report = await syncer(school, f"http://127.0.0.1:{port}").run()
    finally:
        await runner.cleanup()
    assert (report.complete, report.pushed, report.codes, pushed) == (True, 8, 0, [8])


async def test_a_lesson_is_started_once_turning_back_or_resuming_is_not_a_start(
    school: BotApp, http: aiohttp.ClientSession
) -> None:
    """xAPI "attempted": the first page of a lesson the learner was not in; back to the
    first page, the menu and "continue" from the bookmark are not starts."""
    chat = WebChat(school, http)
    await chat.open()
    await onboard(chat)
    await open_lesson(chat)
    await chat.tap("Suivant")
    await chat.tap("Précédent")
    await chat.send("/menu")
    await chat.tap("Continuer")
    started = [s for s in await journal(school) if s["verb"]["id"].endswith("/attempted")]
    assert len(started) == 1
    assert started[0]["object"]["id"].endswith("/courses/fractions/lessons/parts-egales")
