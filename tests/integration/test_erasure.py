"""Erasure leaves nothing of the person: after someone used every feature and asked for
their data to be erased, no table (read from the database itself, so a new table is covered
without touching this file) and no file of the data folder holds their address, their
names or any text they typed, and no column that points at a person points at them.

Two people, because one cannot be both: a student on WhatsApp (onboarding, a class, lessons,
answers and quizzes, review, a question to their teacher and its answer, a certificate,
reminders, light data, a second profile on the phone, then the erasure command on the
webhook), and a teacher on the web chat (a name and a school, circles: a post relayed to a
Telegram member and held for a web member, a report, then the erasure on the web chat).
Every text they type carries a marker no other text has.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import inspect, text

from bot.conversations import Conversations, Outcome
from bot.reminders import ReminderLoop
from bot.storage.circles import SqlCircleDesk
from bot.storage.reminders import QuietHours
from bot.storage.store import SqlStore
from dialogs.creathon_ports import ContestDraft
from dialogs.events import Incoming, OptionChosen, TextReceived, UserRef
from dialogs.messages import Out
from dialogs.ports import RecordAnswer, RecordQuiz
from tests.driver import find_option
from tests.full_bot import FullBot, full_bot
from tests.integration.test_certificate_chat import finish_course
from tests.integration.test_circles import join
from tests.integration.test_class_reports import to_a_lesson
from tests.integration.test_teachers_classes import become_teacher, invite_code, national_admin
from tests.store_driver import Person
from tests.whatsapp_driver import APP_SECRET, WhatsAppLearner, encode, sign, text_body

PHONE = "221779990123"
WA_NAME = "Wazoombakiki"  # the name WhatsApp shows for the number
WEB_UID = "webteach-8c1f5e0a7d"
_keys = itertools.count(1)


@pytest.fixture
async def bot(database_url: str, tmp_path: Path) -> AsyncIterator[FullBot]:
    (tmp_path / "data" / "authored").mkdir(parents=True)
    async with full_bot(database_url, authored_dir=str(tmp_path / "data" / "authored")) as b:
        yield b


@dataclass
class WebPerson(Person):
    """A web chat member: each message is claimed under the web chat's key (web:<uid>:<id>)."""

    async def _deliver(self, event: Incoming) -> list[Out]:
        got: list[Out] = []

        async def capture(outcome: Outcome) -> None:
            got.extend(outcome.messages)

        key = f"web:{self.user.external_id}:{event.message_id}"
        await self.conversations.handle(event, key, capture)
        self.sent.extend(got)
        return got

    async def send(self, said: str) -> list[Out]:
        return await self._deliver(TextReceived(self.user, f"w{next(_keys)}", said))

    async def tap(self, label_or_id: str) -> list[Out]:
        asked = self.last_prompt()
        option = find_option(asked, label_or_id)
        return await self._deliver(
            OptionChosen(self.user, f"w{next(_keys)}", asked.prompt, option.id)
        )


async def user_ids(talk: Conversations, channel: str, address: str) -> set[int]:
    """The rows of an address: its own and its profiles'."""
    async with talk.store.engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT id FROM users WHERE (channel = :ch AND external_id = :ext)"
                " OR external_id LIKE :profiles"
            ),
            {"ch": channel, "ext": address, "profiles": f"{address}#p%"},
        )
        found = {int(row[0]) for row in rows}
        await conn.rollback()  # no snapshot left open on the pooled connection
        return found


def _text_of(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


async def leftovers(bot: FullBot, needles: list[str], ids: set[int], data: Path) -> list[str]:
    """Every place that still holds one of `needles`, or a person column pointing at `ids`."""
    found: list[str] = []
    assert bot.app.engine is not None
    async with bot.app.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
        person_columns = await conn.run_sync(
            lambda c: [
                (table, column)
                for table in tables
                for fk in inspect(c).get_foreign_keys(table)
                if fk["referred_table"] == "users"
                for column in fk["constrained_columns"]
            ]
        )
        for table in tables:
            rows = (await conn.execute(text(f'SELECT * FROM "{table}"'))).mappings().all()
            for row in rows:
                for column, value in row.items():
                    if value is None:
                        continue
                    seen = _text_of(value).casefold()
                    json_seen = seen.encode("ascii", "backslashreplace").decode()
                    for needle in needles:
                        if needle.casefold() in seen or needle.casefold() in json_seen:
                            found.append(f"{table}.{column} holds {needle!r}")
        assert ("users", "id") not in person_columns
        for table, column in person_columns:
            marks = ", ".join(str(i) for i in sorted(ids))
            count = await conn.execute(
                text(f'SELECT COUNT(*) FROM "{table}" WHERE "{column}" IN ({marks})')
            )
            if count.scalar_one():
                found.append(f"{table}.{column} points at the erased person")
        await conn.rollback()
    return found + files_holding(data, needles)


async def sqlite_file_holding(bot: FullBot, database_url: str, needles: list[str]) -> list[str]:
    """On SQLite, the database file itself, once the WAL is written back: a deleted row
    must not stay readable in a free page."""
    if not database_url.startswith("sqlite"):
        return []
    assert bot.app.engine is not None
    async with bot.app.engine.connect() as conn:
        await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    path = Path(database_url.split("///", 1)[1])
    found = []
    for name in (path, path.with_name(path.name + "-wal")):
        if name.exists():
            content = name.read_bytes()
            found += [f"{name} holds {n!r}" for n in needles if n.encode() in content]
    return found


def files_holding(data: Path, needles: list[str]) -> list[str]:
    """Files of the data folder (authored courses, caches) that hold or are named after a
    needle; the SQLite file itself is read table by table above."""
    assert data.is_dir()
    found = []
    for path in data.rglob("*"):
        if path.is_file() and not path.name.startswith("imaginecole.db"):
            content = path.read_bytes().decode("utf-8", "replace").casefold()
            found += [f"{path} holds {n!r}" for n in needles if n.casefold() in content]
            found += [f"{path} is named after {n!r}" for n in needles if n in str(path)]
    return found


async def teacher_with_a_class(bot: FullBot, database_url: str) -> tuple[Person, str]:
    talk = bot.app.conversations
    assert talk is not None
    code = await invite_code(await national_admin(talk, database_url))
    teacher = Person.on(talk, "telegram", "70000001")
    await teacher.onboard(role="Enseignant")
    await become_teacher(teacher, code)
    await teacher.tap("Nouvelle classe")
    await teacher.send("CM2 A")
    await teacher.tap("CM2")
    replies = await teacher.tap("Mathématiques")
    return teacher, teacher.texts(replies).split("/rejoindre ")[1].split()[0]


async def in_inbox(bot: FullBot, needle: str) -> int:
    """How many web inbox rows hold `needle`, once the running bot's sender wrote them."""
    for _ in range(100):
        assert bot.app.engine is not None
        async with bot.app.engine.connect() as conn:
            rows = (await conn.execute(text("SELECT payload FROM web_inbox"))).all()
        found = sum(needle in json.dumps(row[0], ensure_ascii=False) for row in rows)
        if found:
            return found
        await asyncio.sleep(0.1)
    return 0


async def count(bot: FullBot, table: str) -> int:
    assert bot.app.engine is not None
    async with bot.app.engine.connect() as conn:
        found = int((await conn.execute(text(f"SELECT COUNT(*) FROM {table}"))).scalar_one())
        await conn.rollback()
        return found


def data_folder(bot: FullBot) -> Path:
    return Path(bot.app.settings.authored_dir).parent


async def test_a_student_on_whatsapp_leaves_nothing(bot: FullBot, database_url: str) -> None:
    talk = bot.app.conversations
    assert talk is not None
    teacher, join_code = await teacher_with_a_class(bot, database_url)
    student = Person.on(talk, "whatsapp", PHONE)
    await student.onboard()
    await student.send(f"/rejoindre {join_code}")
    await student.send("Zorblaxia")  # the name the teacher sees
    # a lesson read, a question to the teacher, answers and quizzes, review cards, skills
    await to_a_lesson(talk, student)
    await student.tap("Demander à mon enseignant")
    await student.send("Pourquoi le quokkarium est-il plus grand ?")
    await teacher.send("/questions")
    await teacher.send("Parce que le quokkarium est coupé en plus de parts.")
    async with talk.store.turn(student.user) as tx:
        assert tx is not None
        answer = RecordAnswer(
            "fractions", "partager", "q1", "vermiculitude", 0.0, False, skills=("MATH-X",)
        )
        tx.save(tx.profile, tx.state, [answer, RecordQuiz("fractions", "partager", 1, 4)])
    await student.send("/reviser")
    # a certificate under a name typed for it
    await finish_course(talk, student, 0.9)
    await student.send("Brundleflyne Diop")
    await student.send("/certificats")
    # reminders (one queued by the loop), light data
    await student.send("/rappels")
    await student.tap("18:00")
    loop = ReminderLoop(
        talk.store,
        talk.i18n,
        lambda: talk.library,
        QuietHours(),
        clock=lambda: datetime.now(UTC) + timedelta(days=1, hours=1),
    )
    await loop.run_once()
    await student.send("/donnees_legeres")
    await student.tap("Activer")
    # a guardian invited (the teacher accepts on their side), and the question girl or boy
    await student.send("/famille")
    await student.tap("Inviter un parent")
    invited = student.texts(await student.send("Plumbertine"))
    await teacher.send("/parent " + invited.split("/parent ")[1].split()[0])
    await teacher.tap("J'accepte")
    await student.send("/menu")
    if "settings" not in [o.id for o in student.last_prompt().options]:
        await student.tap("more")
    await student.tap("settings")
    await student.tap("Fille ou garçon")
    await student.tap("Fille")
    # a second learner on the phone
    await student.send("/menu")
    await student.tap("Changer d'élève")
    await student.tap("Ajouter un élève")
    await student.send("Oxyrinette")
    await student.send("Quillonette")
    for label in ("Français", "J'accepte", "Élève", "CE1"):
        await student.tap(label)
    await student.send("/eleve")
    await student.tap("Oxyrinette")
    ids = await user_ids(talk, "whatsapp", PHONE)
    assert len(ids) == 2, ids
    assert await count(bot, "skill_mastery") == 1
    assert await count(bot, "guardians") == 1 and await count(bot, "learner_sex") == 1
    # the last messages come through the webhook: their bodies are stored, as is the
    # erasure command itself
    async with aiohttp.ClientSession() as http:
        phone = WhatsAppLearner(bot.graph, bot.app, http, PHONE)

        async def says(said: str) -> None:
            """A message handled as in production: its body forgotten only in a batch."""
            body = text_body(PHONE, said)
            body["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"]["name"] = WA_NAME
            raw = encode(body)
            headers = {"X-Hub-Signature-256": sign(APP_SECRET, raw)}
            async with http.post(phone.webhook, data=raw, headers=headers) as response:
                assert response.status == 200
            assert bot.app.whatsapp is not None
            while bot.app.whatsapp._tasks:
                await asyncio.gather(*set(bot.app.whatsapp._tasks))

        await says("Un secret xylophagique")
        await says("/supprimer_mes_donnees")
        await says("Oui, tout effacer")  # typed: a "1" is no position where buttons were
        await says("/supprimer_mes_donnees")  # the second profile goes too
        await says("Oui, tout effacer")
    assert await count(bot, "whatsapp_inbox") == 0
    assert await count(bot, "skill_mastery") == 0
    assert await count(bot, "guardians") == 0 and await count(bot, "learner_sex") == 0

    assert await user_ids(talk, "whatsapp", PHONE) == set()
    needles = [
        PHONE,
        WA_NAME,
        "Zorblaxia",
        "quokkarium",
        "vermiculitude",
        "Brundleflyne",
        "Quillonette",
        "Oxyrinette",
        "xylophagique",
        "Plumbertine",
    ]
    assert await leftovers(bot, needles, ids, data_folder(bot)) == []
    assert await sqlite_file_holding(bot, database_url, needles) == []


async def test_a_teacher_on_the_web_chat_leaves_nothing(bot: FullBot, database_url: str) -> None:
    talk = bot.app.conversations
    assert talk is not None
    admin = await national_admin(talk, database_url)
    await admin.send("/admin")
    await admin.tap("Cercles")
    await admin.tap("Nouveau cercle")
    await admin.tap("Mathématiques")
    await admin.tap("primaire")
    code = await invite_code(admin)
    on_telegram = Person.on(talk, "telegram", "70000002")
    on_the_web = WebPerson.on(talk, "web", "webmember-5b7e2c91aa")
    daily = Person.on(talk, "telegram", "70000003")
    for colleague, how in ((on_telegram, ""), (on_the_web, ""), (daily, "Un résumé par jour")):
        await colleague.onboard(role="Enseignant")
        await become_teacher(colleague, code)
        await join(colleague, "Mathématiques - primaire", how)
    me = WebPerson.on(talk, "web", WEB_UID)
    await me.onboard(role="Enseignant")
    await me.tap("Espace enseignant")
    await me.tap("J'ai un code d'invitation")
    await me.send(code)
    await me.send("Ecole Vortigernia, Dakar")
    await me.send("Grimbletonne Sarr")  # the name colleagues see
    for label in ("Mathématiques", "Valider", "CM2", "Valider"):
        await me.tap(label)
    await join(me, "Mathématiques - primaire")
    await on_telegram.tap("Écrire")  # a colleague's post first: tonight's digest is theirs
    await on_telegram.send("Bonjour à tous !")
    await me.tap("Écrire")
    await me.send("Comment enseigner le plumbagorix en CM2 ?")
    assert "Message envoyé au cercle" in me.texts()
    # the web colleague's copy (with the author's name) waits in their inbox (bot/web/push.py)
    assert await in_inbox(bot, "plumbagorix") == 1
    assert await count(bot, "circle_digests") == 1  # tonight's digest for the daily one
    ids = await user_ids(talk, "web", WEB_UID)
    (colleague,) = await user_ids(talk, "web", "webmember-5b7e2c91aa")
    async with talk.store.turn(me.user) as tx:  # a notice of theirs held for a web colleague
        assert tx is not None
        told = {"fr": "Grimbletonne Sarr vous propose un échange."}
        await SqlCircleDesk(tx.runner, tx.user_id).notice((colleague,), told)
    assert await in_inbox(bot, "Grimbletonne Sarr vous propose") == 1
    await me.send("/supprimer_mes_donnees")
    await me.tap("Oui")
    assert await user_ids(talk, "web", WEB_UID) == set()
    needles = [WEB_UID, "Grimbletonne", "Vortigernia", "plumbagorix"]
    assert await leftovers(bot, needles, ids, data_folder(bot)) == []
    assert await sqlite_file_holding(bot, database_url, needles) == []


async def test_erasing_an_address_takes_the_exchange_named_after_them(bot: FullBot) -> None:
    """The operators' erasure by address (SqlStore.erase) goes through the same cleaning:
    a one-to-one exchange between two teachers is named after both, and goes."""
    talk = bot.app.conversations
    assert talk is not None
    one, other = Person.on(talk, "telegram", "70000011"), Person.on(talk, "telegram", "70000012")
    for person in (one, other):
        await person.onboard(role="Enseignant")
    ids = await user_ids(talk, "telegram", "70000011")
    (mine,) = ids
    (theirs,) = await user_ids(talk, "telegram", "70000012")
    async with talk.store.turn(UserRef("web", "bystander")) as tx:
        assert tx is not None
        now = datetime.now(UTC)
        rows = await tx.runner.run(
            "INSERT INTO circles (name, subject, level_group, created_by, created_at)"
            " VALUES ('Échange Taffelbrune – Awa', 'maths', 'pair', :uid, :now) RETURNING id",
            uid=theirs,
            now=now,
        )
        for uid in (mine, theirs):
            await tx.runner.run(
                "INSERT INTO circle_members (circle_id, user_id, digest, joined_at)"
                " VALUES (:cid, :uid, 'every', :now)",
                cid=rows[0][0],
                uid=uid,
                now=now,
            )
    assert await talk.store.erase(UserRef("telegram", "70000011"))
    assert await leftovers(bot, ["70000011", "Taffelbrune"], ids, data_folder(bot)) == []
    assert await user_ids(talk, "telegram", "70000012") == {theirs}


async def test_an_erased_juror_leaves_the_jury_and_the_contest_keeps_its_reviewers(
    store: SqlStore,
) -> None:
    """A contest's jury lists people; its `reviewers` is how many review each scenario."""
    juror, admin = UserRef("telegram", "70000021"), UserRef("telegram", "70000022")
    async with store.turn(juror) as tx:
        assert tx is not None
        juror_id = tx.user_id
    async with store.turn(admin) as tx:
        assert tx is not None
        now = datetime.now(UTC)
        draft = ContestDraft(
            "L'eau",
            "Une leçon courte.",
            (),
            (),
            now + timedelta(days=7),
            now + timedelta(days=14),
            (("Clarté", 100),),
            jury=(juror_id, tx.user_id),
            reviewers=2,
        )
        await tx.creathon.open_contest(draft)
    assert await store.erase(juror)
    async with store.turn(admin) as tx:
        assert tx is not None
        (contest,) = await tx.creathon.contests()
        assert (contest.jury, contest.reviewers) == ((tx.user_id,), 2)
