"""Check-then-write under simultaneous people: what is limited stays limited.

Each test lets many people do the limited thing at the same moment (`asyncio.gather`, one
connection each on PostgreSQL, where turns of different people run in parallel; SQLite
serialises them, and the same assertions hold there too).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.conversations import Conversations
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
