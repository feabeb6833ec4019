"""Every admin action, tried by every lower role and across the country boundary, is refused.

The rule book has its own unit tests (tests/unit/test_roles.py); these drive the real dialogs
on the real store: the commands, and every admin step entered directly (a demoted admin in the
middle of a flow, or a forged state), for a moderator, a teacher and a student; then a
national admin reaching for another country.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.admin_cli import grant as cli_grant
from bot.conversations import Conversations
from dialogs.admin_ports import Audience, BroadcastDraft
from dialogs.flows import admin, announce, stats
from dialogs.state import DialogState
from tests.store_driver import Person, open_conversations

ADMIN_STEPS = sorted({*admin.STEPS, *announce.STEPS, *stats.STEPS})
LOWER_ROLES = ("moderator", "teacher", "student")
REFUSED = "réservée aux administrateurs"


@pytest.fixture
async def talk(database_url: str) -> AsyncIterator[Conversations]:
    async with open_conversations(database_url) as conversations:
        yield conversations


async def person_with(talk: Conversations, database_url: str, role: str) -> Person:
    """An onboarded Senegalese person holding `role` (a student holds none)."""
    person = Person.on(talk, "telegram", f"{role}-sn")
    await person.onboard(role="Enseignant" if role != "student" else "Élève")
    if role != "student":
        await cli_grant(database_url, "telegram", person.user.external_id, role, "SN")
    return person


async def put_in_step(talk: Conversations, person: Person, step: str) -> None:
    """Place the person's conversation in an admin step, as a forged or stale state would."""
    async with talk.store.turn(person.user) as tx:
        assert tx is not None
        data = {"ann": {"texts": {"fr": "x"}, "countries": ["SN"]}, "grantee": {"id": 1}}
        tx.save(tx.profile, DialogState(step=step, data=data, prompt=tx.state.prompt))


@pytest.mark.parametrize("role", LOWER_ROLES)
@pytest.mark.parametrize("command", ["/admin", "/stats"])
async def test_lower_roles_are_refused_the_admin_commands(
    talk: Conversations, database_url: str, role: str, command: str
) -> None:
    person = await person_with(talk, database_url, role)
    replies = await person.send(command)
    assert REFUSED in person.texts(replies)


@pytest.mark.parametrize("role", LOWER_ROLES)
async def test_lower_roles_are_refused_every_admin_step(
    talk: Conversations, database_url: str, role: str
) -> None:
    person = await person_with(talk, database_url, role)
    for step in ADMIN_STEPS:
        await put_in_step(talk, person, step)
        replies = await person.send("1")
        assert REFUSED in person.texts(replies), step
        assert person.last_prompt().text == "Que voulez-vous faire ?", step
    async with talk.store.turn(person.user) as tx:
        assert tx is not None
        rows = await tx.runner.run("SELECT COUNT(*) FROM broadcasts")
        grants = await tx.runner.run(
            "SELECT COUNT(*) FROM role_grants WHERE granted_by IS NOT NULL"
        )
    assert rows[0][0] == 0 and grants[0][0] == 0  # nothing was created or granted


async def test_a_national_admin_cannot_broadcast_to_another_country(
    talk: Conversations, database_url: str
) -> None:
    senegal = await person_with(talk, database_url, "national_admin")
    async with talk.store.turn(senegal.user) as tx:
        assert tx is not None
        data = {"ann": {"texts": {"fr": "Annonce"}, "countries": ["ML"]}}
        tx.save(tx.profile, DialogState(step="ann_preview", data=data, prompt=tx.state.prompt))
    replies = await senegal.send("1")
    assert REFUSED in senegal.texts(replies)
    assert "touchera" not in senegal.texts(replies)  # not even the audience's size


async def test_a_national_admin_cannot_cancel_another_countrys_broadcast(
    talk: Conversations, database_url: str
) -> None:
    mali_admin = Person.on(talk, "telegram", "admin-ml")
    await mali_admin.onboard(country="Mali", role="Enseignant")
    await cli_grant(database_url, "telegram", "admin-ml", "national_admin", "ML")
    async with talk.store.turn(mali_admin.user) as tx:
        assert tx is not None
        draft = BroadcastDraft({"fr": "Annonce du Mali"}, Audience(countries=("ML",)))
        broadcast_id, _ = await tx.admin.create_broadcast(draft)
    senegal = await person_with(talk, database_url, "national_admin")
    await senegal.send("/admin")
    await senegal.tap("Annonces envoyées")
    forged = await senegal.tap_forged(f"c{broadcast_id}")
    assert "Annuler" not in " ".join(senegal.options())
    assert "annulée" not in senegal.texts(forged)
    async with talk.store.turn(mali_admin.user) as tx:
        assert tx is not None
        status = await tx.runner.run(
            "SELECT status FROM broadcasts WHERE id = :id", id=broadcast_id
        )
    assert status[0][0] == "queued"
