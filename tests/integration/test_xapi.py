"""Learning records as xAPI statements, sent to a real LRS (Ralph, tests/ralph.py) and read
back from it: a learner's journey gives the expected verbs and results under a pseudonymous
account, a replay after a crash sends nothing twice, an erasure voids what was sent."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text

from bot.app import BotApp
from bot.certificates.service import SignedCertificates
from bot.config import Settings
from bot.conversations import Conversations
from bot.storage.pseudonym import pseudonym
from bot.storage.xapi import Vocabulary
from bot.xapi_sender import XapiSender
from dialogs.events import Resumed, UserRef
from dialogs.ports import CompleteLesson, Effect, RecordAnswer, RecordQuiz
from dialogs.review_ports import Recall
from dialogs.state import DialogState
from tests.driver import text_of
from tests.ralph import PASSWORD, USERNAME, Ralph, ralph_python, running_ralph
from tests.store_driver import Person, open_conversations

SITE = "https://ecole.example.org"
SECRET = b"pseudonyms of this instance"
COURSE = "fractions"
SKILL = "MATH-CM-FRAC-SENS"
ADL = "http://adlnet.gov/expapi/verbs/"

pytestmark = pytest.mark.skipif(
    ralph_python() is None,
    reason="no Ralph LRS: pip install 'ralph-malph[lrs]' requests (or set RALPH_PYTHON)",
)


@pytest.fixture
def ralph(tmp_path: Path) -> Iterator[Ralph]:
    with running_ralph(tmp_path / "lrs") as lrs:
        yield lrs


@pytest.fixture
async def talk(database_url: str) -> AsyncIterator[Conversations]:
    async with open_conversations(database_url) as conversations:
        conversations.certifier = SignedCertificates(Ed25519PrivateKey.generate(), SITE)
        conversations.store.xapi = Vocabulary(SITE, "", SECRET)
        yield conversations


def sender(talk: Conversations, ralph: Ralph, batch: int = 50) -> XapiSender:
    return XapiSender(talk.store.engine, ralph.url, USERNAME, PASSWORD, batch=batch)


async def play(talk: Conversations, person: Person, *effects: Effect, **data: Any) -> None:
    """Effects of a turn, as the dialogs would ask them, standing after a quiz."""
    async with talk.store.turn(person.user) as tx:
        assert tx is not None
        tx.save(
            tx.profile, DialogState(step="quiz_done", data=data, prompt=tx.state.prompt), effects
        )


def right(lesson: str, question: str, try_number: int = 1) -> RecordAnswer:
    return RecordAnswer(COURSE, lesson, question, "5", 1.0, True, try_number, (SKILL,))


def wrong(lesson: str, question: str) -> RecordAnswer:
    return RecordAnswer(COURSE, lesson, question, "8", 0.0, False, 1, (SKILL,))


async def journey(talk: Conversations, person: Person) -> None:
    """A lesson, a quiz failed then passed (the skill mastered on the way), a question
    reviewed, then the whole course finished with a certificate."""
    course = talk.library.get(COURSE)
    assert course is not None
    first = course.lessons[0].id
    await play(talk, person, CompleteLesson(COURSE, first))
    await play(
        talk, person, wrong(first, "q1"), right(first, "q1", 2), RecordQuiz(COURSE, first, 1, 4)
    )
    answers = [right(first, f"q{n}") for n in range(1, 5)]
    await play(talk, person, *answers, RecordQuiz(COURSE, first, 4, 4))
    async with talk.store.turn(person.user) as tx:
        assert tx is not None
        await tx.review.review(COURSE, first, "q1", Recall.GOOD, datetime.now(UTC))
    lessons = course.lessons
    effects: list[Effect] = [CompleteLesson(COURSE, lesson.id) for lesson in lessons]
    effects += [RecordQuiz(COURSE, lesson.id, 9, 10) for lesson in lessons[:-1]]
    await play(talk, person, *effects, course=COURSE, lesson=lessons[-1].id, ratio=0.9)
    asked = await person._deliver(Resumed(person.user, "resume-1"))
    assert "Quel nom" in " ".join(text_of(m) for m in asked)
    got = await person.send("Awa Diop")
    assert "Félicitations" in " ".join(text_of(m) for m in got)


def verbs(statements: list[dict[str, Any]]) -> Counter[str]:
    return Counter(s["verb"]["id"].rsplit("/", 1)[-1] for s in statements)


async def journal(talk: Conversations) -> list[tuple[str, Any, bool]]:
    """The journal's rows: statement id, learner id, sent."""
    async with talk.store.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT statement_id, user_id, sent_at FROM xapi_statements ORDER BY id")
        )
        return [(str(sid), uid, sent is not None) for sid, uid, sent in rows]


async def test_a_learners_journey_reaches_the_lrs_as_statements(
    talk: Conversations, ralph: Ralph
) -> None:
    awa = Person.on(talk, "whatsapp", "221770001122")
    await awa.onboard()
    await journey(talk, awa)
    lessons = len(talk.library.get(COURSE).lessons)  # type: ignore[union-attr]
    sent = await sender(talk, ralph, batch=7).send_pending()
    stored = ralph.statements()
    assert sent == len(stored) == len(await journal(talk))
    assert all(was_sent for _, _, was_sent in await journal(talk))
    assert verbs(stored) == {
        "completed": lessons,  # each lesson once, though the first was finished twice
        "answered": 6,
        "failed": 1,
        "passed": 1 + lessons - 1,
        "mastered": 1,
        "reviewed": 1,
        "earned": 1,
    }
    name = pseudonym(awa.user, SECRET)
    assert {json.dumps(s["actor"], sort_keys=True) for s in stored} == {
        json.dumps(
            {"objectType": "Agent", "account": {"homePage": SITE, "name": name}}, sort_keys=True
        )
    }
    everything = json.dumps(stored)
    assert "221770001122" not in everything and "Awa" not in everything
    by_verb = {s["verb"]["id"]: s for s in stored}
    failed = by_verb[ADL + "failed"]
    lesson_iri = f"{SITE}/xapi/courses/{COURSE}/lessons/{talk.library.get(COURSE).lessons[0].id}"  # type: ignore[union-attr]
    assert failed["object"]["id"] == lesson_iri + "/quiz"
    assert failed["result"]["score"] == {"scaled": 0.25, "raw": 1, "min": 0, "max": 4}
    assert failed["result"]["success"] is False
    retry = [
        s
        for s in stored
        if s["verb"]["id"] == ADL + "answered"
        and s["result"]["extensions"][f"{SITE}/xapi/extensions/try"] == 2
    ]
    assert len(retry) == 1 and retry[0]["result"]["success"] is True
    assert retry[0]["object"]["id"] == lesson_iri + "/questions/q1"
    mastered = by_verb[ADL + "mastered"]
    assert mastered["object"]["id"] == f"{SITE}/xapi/skills/{SKILL}"
    earned = by_verb["http://id.tincanapi.com/verb/earned"]
    assert earned["object"]["id"] == f"{SITE}/xapi/courses/{COURSE}/certificate"
    assert earned["result"]["score"]["raw"] == 90
    assert {
        s["context"]["contextActivities"]["parent"][0]["id"] for s in stored if "context" in s
    } == {f"{SITE}/xapi/courses/{COURSE}"}


async def test_a_replay_after_a_crash_sends_nothing_twice(
    talk: Conversations, ralph: Ralph
) -> None:
    moussa = Person.on(talk, "telegram", "4242")
    await moussa.onboard()
    await journey(talk, moussa)
    journalled = await journal(talk)
    lrs = sender(talk, ralph, batch=4)
    # The LRS took everything, but the process died before marking half of it sent.
    await lrs.send_pending()
    async with talk.store.engine.begin() as conn:
        ids = (await conn.execute(text("SELECT id FROM xapi_statements ORDER BY id"))).scalars()
        for row_id in list(ids)[1::2]:
            unmark = text("UPDATE xapi_statements SET sent_at = NULL WHERE id = :id")
            await conn.execute(unmark, {"id": row_id})
    assert sum(not was_sent for _, _, was_sent in await journal(talk)) == len(journalled) // 2
    # The same events again (a replayed turn): the journal keeps one statement per event.
    first = talk.library.get(COURSE).lessons[0].id  # type: ignore[union-attr]
    await play(talk, moussa, CompleteLesson(COURSE, first))
    assert len(await journal(talk)) == len(journalled)
    await sender(talk, ralph, batch=3).send_pending()  # a new process resumes
    stored = ralph.statements()
    ids = [s["id"] for s in stored]
    assert len(ids) == len(set(ids)) == len(journalled)
    assert sorted(ids) == sorted(sid for sid, _, _ in journalled)
    assert all(was_sent for _, _, was_sent in await journal(talk))


async def test_an_lrs_away_leaves_the_journal_waiting(talk: Conversations, ralph: Ralph) -> None:
    fatou = Person.on(talk, "web", "fatou")
    await fatou.onboard()
    first = talk.library.get(COURSE).lessons[0].id  # type: ignore[union-attr]
    await play(talk, fatou, CompleteLesson(COURSE, first))
    away = XapiSender(talk.store.engine, "http://127.0.0.1:9/xAPI", USERNAME, PASSWORD)
    with pytest.raises(OSError):
        await away.send_pending()
    assert [was_sent for _, _, was_sent in await journal(talk)] == [False]
    refused = XapiSender(talk.store.engine, ralph.url, USERNAME, "not the password")
    with pytest.raises(Exception, match="401"):
        await refused.send_pending()
    assert [was_sent for _, _, was_sent in await journal(talk)] == [False]
    assert await sender(talk, ralph).send_pending() == 1
    assert verbs(ralph.statements()) == {"completed": 1}


async def test_erasing_a_learner_voids_what_the_lrs_has_and_drops_the_rest(
    talk: Conversations, ralph: Ralph
) -> None:
    awa = Person.on(talk, "web", "awa")
    await awa.onboard()
    await journey(talk, awa)
    await sender(talk, ralph).send_pending()
    sent = {s["id"] for s in ralph.statements()}
    first = talk.library.get(COURSE).lessons[0].id  # type: ignore[union-attr]
    await play(talk, awa, right(first, "q3"))  # journalled, not yet sent
    exported = await export_of(talk, awa)
    assert len(exported) == len(sent) + 1 and exported[-1]["sent_at"] is None
    await awa.send("/supprimer_mes_donnees")
    await awa.tap("Oui")
    rows = await journal(talk)
    assert len(rows) == len(sent) and {uid for _, uid, _ in rows} == {None}, "only voidings"
    await sender(talk, ralph).send_pending()
    stored = ralph.statements()
    voiding = [s for s in stored if s["verb"]["id"] == ADL + "voided"]
    assert {s["object"]["id"] for s in voiding} == sent
    assert {s["object"]["objectType"] for s in voiding} == {"StatementRef"}
    assert {s["actor"]["account"]["name"] for s in voiding} == {"imaginecole"}
    assert len(stored) == 2 * len(sent)  # the unsent answer never left


async def export_of(talk: Conversations, person: Person) -> list[dict[str, Any]]:
    async with talk.store.turn(person.user) as tx:
        assert tx is not None
        found = await tx.records.export()
    return list(found["learning_records"])


async def test_the_running_bot_forwards_its_journal_under_the_supervisor(
    tmp_path: Path, ralph: Ralph
) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'web.db'}",
        web_host="127.0.0.1",
        web_port=0,
        public_url=SITE,
        pseudonym_secret=SECRET,
        xapi_lrs_url=ralph.url,
        xapi_lrs_username=USERNAME,
        xapi_lrs_password=PASSWORD,
    )
    app = BotApp(settings)
    await app.start()
    try:
        assert app.store is not None and app.conversations is not None
        learner = UserRef("web", "binta")
        async with app.store.turn(learner) as tx:
            assert tx is not None
            tx.save(tx.profile, tx.state, [CompleteLesson(COURSE, "parts-egales")])
        for _ in range(300):  # the loop looks every few seconds; a minute at most
            if ralph.statements():
                break
            await asyncio.sleep(0.2)
        (stored,) = ralph.statements()
        assert stored["verb"]["id"] == ADL + "completed"
        assert stored["object"]["id"] == f"{SITE}/xapi/courses/{COURSE}/lessons/parts-egales"
        name = pseudonym(learner, SECRET)
        assert stored["actor"]["account"] == {"homePage": SITE, "name": name}
        assert app.supervisor.status()["loops"]["xapi_sender"] == {  # type: ignore[index]
            "state": "running",
            "restarts": 0,
        }
    finally:
        await app.stop()


async def test_a_conflict_counts_as_sent_and_a_refusal_blocks_nothing(
    talk: Conversations, ralph: Ralph
) -> None:
    kadi = Person.on(talk, "web", "kadi")
    await kadi.onboard()
    lessons = [lesson.id for lesson in talk.library.get(COURSE).lessons]  # type: ignore[union-attr]
    await play(talk, kadi, CompleteLesson(COURSE, lessons[0]))
    await sender(talk, ralph).send_pending()
    await play(talk, kadi, *(CompleteLesson(COURSE, lesson) for lesson in lessons[1:3]))
    async with talk.store.engine.begin() as conn:
        rows = await conn.execute(text("SELECT id, statement FROM xapi_statements ORDER BY id"))
        (first, sent), (second, _), (third, _) = list(rows)
        # The LRS holds the first one; here it comes again with another body (409), and the
        # third is one the LRS cannot take (Ralph: 422): the second still goes.
        other = {**json.loads(sent), "timestamp": "2020-01-01T00:00:00.000+00:00"}
        broken = {"id": json.loads(sent)["id"][:-1] + "0", "verb": {"id": "not an IRI"}}
        change = text("UPDATE xapi_statements SET statement = :s, sent_at = NULL WHERE id = :id")
        await conn.execute(change, {"s": json.dumps(other), "id": first})
        await conn.execute(change, {"s": json.dumps(broken), "id": third})
    await sender(talk, ralph).send_pending()
    async with talk.store.engine.connect() as conn:
        found = await conn.execute(
            text("SELECT id, sent_at IS NOT NULL, refused FROM xapi_statements ORDER BY id")
        )
        states = {row_id: (bool(was_sent), refused) for row_id, was_sent, refused in found}
    assert states[first] == (True, None) and states[second] == (True, None)
    assert states[third][0] is False and states[third][1].startswith("422")
    stored = ralph.statements()
    assert len(stored) == 2
    assert json.loads(sent)["timestamp"] in {s["timestamp"] for s in stored}, "kept the first"
    assert await sender(talk, ralph).send_pending() == 0, "a refused row is not sent again"
