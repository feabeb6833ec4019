"""Check-then-write under simultaneous people: what is limited stays limited.

Each test lets many people do the limited thing at the same moment (`asyncio.gather`, one
connection each on PostgreSQL, where turns of different people run in parallel; SQLite
serialises them, and the same assertions hold there too).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.conversations import Conversations
from bot.storage.creathon import SqlCreathonDesk
from bot.storage.moderation import Rules, SqlModerationDesk
from bot.storage.teaching import SqlTeachingDesk
from dialogs.creathon_ports import REVIEW
from dialogs.events import UserRef
from tests.integration.test_teachers_classes import national_admin
from tests.store_driver import Person, open_conversations

PEOPLE = 12


@pytest.fixture
async def talk(database_url: str) -> AsyncIterator[Conversations]:
    async with open_conversations(database_url) as conversations:
        yield conversations


async def count(talk: Conversations, sql: str, **params: object) -> int:
    """One number read in a bystander's turn."""
    async with talk.store.turn(UserRef("web", "bystander")) as tx:
        assert tx is not None
        return int((await tx.runner.run(sql, **params))[0][0])


async def single_use_code(admin: Person) -> str:
    await admin.send("/admin")
    await admin.tap("Inviter des enseignants")
    await admin.tap("Une seule personne")
    await admin.tap("Une semaine")
    return admin.texts().split("Code d'invitation : ")[-1].split()[0]


async def test_a_single_use_invitation_makes_one_teacher_of_twelve(
    talk: Conversations, database_url: str
) -> None:
    code = await single_use_code(await national_admin(talk, database_url))
    people = [Person.on(talk, "telegram", f"7000{i:02}") for i in range(PEOPLE)]
    for person in people:
        await person.onboard(role="Enseignant")
        await person.tap("Espace enseignant")
        await person.tap("J'ai un code d'invitation")
    replies = await asyncio.gather(*(person.send(code) for person in people))
    accepted = [r for r, p in zip(replies, people, strict=True) if "Code accepté" in p.texts(r)]
    assert len(accepted) == 1
    assert await count(talk, "SELECT COUNT(*) FROM role_grants WHERE role = 'teacher'") == 1
    assert await count(talk, "SELECT uses FROM teacher_invites WHERE code = :c", c=code) == 1


async def at_once(
    talk: Conversations, who: list[str], act: Callable[[Any], Awaitable[Any]]
) -> list[Any]:
    """Each person's turn does `act(tx)` at the same time; what each got."""

    async def one(name: str) -> Any:
        async with talk.store.turn(UserRef("web", name)) as tx:
            assert tx is not None
            return await act(tx)

    return list(await asyncio.gather(*(one(name) for name in who)))


async def test_a_teacher_request_is_decided_once(talk: Conversations) -> None:
    """Admins approving and refusing the same request at once: one decision, kept whole."""
    asker = Person.on(talk, "telegram", "asker")
    await asker.onboard(role="Enseignant")
    uid = await count(talk, "SELECT id FROM users WHERE external_id = 'asker'")
    await count(
        talk,
        "INSERT INTO teacher_profiles (user_id, school, subjects, levels, status, requested_at)"
        " VALUES (:uid, 'École', :none, :none, 'pending', :now) RETURNING user_id",
        uid=uid,
        none=[],
        now=datetime.now(UTC),
    )
    admins = [f"admin{i}" for i in range(PEOPLE)]

    async def decide(tx: Any) -> str | None:
        approve = tx.user.external_id.endswith(("0", "2", "4", "6", "8"))
        return await SqlTeachingDesk(tx.runner, tx.user_id).decide(uid, approve)

    decided = [d for d in await at_once(talk, admins, decide) if d is not None]
    assert len(decided) == 1
    status = await count(
        talk,
        "SELECT CASE WHEN status = 'approved' THEN 1 ELSE 0 END FROM teacher_profiles"
        " WHERE user_id = :uid",
        uid=uid,
    )
    grants = await count(talk, "SELECT COUNT(*) FROM role_grants WHERE user_id = :uid", uid=uid)
    assert grants == status  # approved and a teacher, or refused and not


async def test_a_held_circle_message_is_released_once(talk: Conversations) -> None:
    author = Person.on(talk, "telegram", "author")
    await author.onboard(role="Enseignant")
    uid = await count(talk, "SELECT id FROM users WHERE external_id = 'author'")
    now = datetime.now(UTC)
    circle = await count(
        talk,
        "INSERT INTO circles (name, subject, level_group, created_by, created_at)"
        " VALUES ('Maths', 'maths', 'primaire', :uid, :now) RETURNING id",
        uid=uid,
        now=now,
    )
    message = await count(
        talk,
        "INSERT INTO circle_messages (circle_id, author_id, text, created_at, status)"
        " VALUES (:cid, :uid, 'Bonjour', :now, 'held') RETURNING id",
        cid=circle,
        uid=uid,
        now=now,
    )

    async def release(tx: Any) -> object:
        desk = SqlModerationDesk(tx.runner, tx.user_id, Rules())
        return await desk.release(message, {"fr": "Bonjour"})

    released = [r for r in await at_once(talk, [f"mod{i}" for i in range(PEOPLE)], release) if r]
    assert len(released) == 1
    assert await count(talk, "SELECT COUNT(*) FROM moderation_log WHERE action = 'release'") == 1


async def contest_in(talk: Conversations, status: str, jury: list[int]) -> int:
    """A Creathon contest at `status`, its deadlines passed."""
    past = datetime.now(UTC) - timedelta(days=1)
    return await count(
        talk,
        "INSERT INTO creathon_contests (theme, rules, levels, subjects, submit_by, review_by,"
        " criteria, jury, reviewers, shortlist, status, created_at) VALUES ('Eau', '',"
        " :none, :none, :past, :past, :criteria, :jury, 2, 3, :status, :past) RETURNING id",
        none=[],
        past=past,
        criteria=[["Clarté", 100]],
        jury=jury,
        status=status,
    )


async def test_the_jury_is_started_once(talk: Conversations) -> None:
    """Every teacher who opens the contest past its review date moves it: one does."""
    contest = await contest_in(talk, REVIEW, [1])

    async def start(tx: Any) -> tuple[int, ...]:
        return await SqlCreathonDesk(tx.runner, tx.user_id).start_jury(contest, ())

    started = [s for s in await at_once(talk, [f"t{i}" for i in range(PEOPLE)], start) if s]
    assert started == [(1,)]


async def test_a_circle_message_is_removed_once(talk: Conversations) -> None:
    author = Person.on(talk, "telegram", "author")
    await author.onboard(role="Enseignant")
    uid = await count(talk, "SELECT id FROM users WHERE external_id = 'author'")
    now = datetime.now(UTC)
    circle = await count(
        talk,
        "INSERT INTO circles (name, subject, level_group, created_by, created_at)"
        " VALUES ('Maths', 'maths', 'primaire', :uid, :now) RETURNING id",
        uid=uid,
        now=now,
    )
    message = await count(
        talk,
        "INSERT INTO circle_messages (circle_id, author_id, text, created_at, status)"
        " VALUES (:cid, :uid, 'Bonjour', :now, 'relayed') RETURNING id",
        cid=circle,
        uid=uid,
        now=now,
    )

    reader = Person.on(talk, "web", "reader")
    await reader.onboard(role="Enseignant")
    reader_id = await count(talk, "SELECT id FROM users WHERE external_id = 'reader'")
    relay = await count(
        talk,
        "INSERT INTO broadcasts (author_id, texts, audience, status, total, created_at)"
        " VALUES (:uid, :texts, :audience, 'sent', 1, :now) RETURNING id",
        uid=uid,
        texts={"fr": "Bonjour"},
        audience={"personal": True},
        now=now,
    )
    await count(
        talk,
        "INSERT INTO circle_relays (message_id, broadcast_id) VALUES (:mid, :bid) RETURNING 1",
        mid=message,
        bid=relay,
    )
    await count(  # its copy waiting in a web member's inbox, not delivered once it is removed
        talk,
        "INSERT INTO web_inbox (user_id, broadcast_id, payload, created_at)"
        " VALUES (:uid, :bid, :payload, :now) RETURNING id",
        uid=reader_id,
        bid=relay,
        payload={"type": "say", "text": "Bonjour"},
        now=now,
    )

    async def remove(tx: Any) -> int:
        return await SqlModerationDesk(tx.runner, tx.user_id, Rules()).remove(message, "spam")

    await at_once(talk, [f"mod{i}" for i in range(PEOPLE)], remove)
    assert await count(talk, "SELECT COUNT(*) FROM moderation_log WHERE action = 'remove'") == 1
    assert await count(talk, "SELECT COUNT(*) FROM web_inbox") == 0
