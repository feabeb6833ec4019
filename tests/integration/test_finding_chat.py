"""Finding things, on Telegram, WhatsApp and the web chat: /aide says what this person's roles
open, /mon_id gives the id `python -m bot admin grant` takes, a role given is announced in
the chat, and the main menu holds each role's entry."""

from __future__ import annotations

import pytest

from bot.admin_cli import UnknownPerson
from bot.admin_cli import grant as cli_grant
from tests.chat_drivers import ChatLearner, WebChat
from tests.chat_drivers import chat_fixture as chat_fixture  # the `chat` fixture
from tests.integration.test_class_reports import sql
from tests.store_driver import open_conversations

WHATSAPP_LIST_ROWS = 10


async def onboard(chat: ChatLearner, role: str = "Élève") -> None:
    await chat.send("/start")
    for label in ("Français", "J'accepte", "Sénégal", role, "CM2"):
        await chat.tap(label)


async def my_id(chat: ChatLearner) -> str:
    """The id /mon_id shows."""
    await chat.send("/mon_id")
    said = chat.last_text()
    assert f"Votre canal : {chat.channel}" in said
    return said.split("Votre identifiant : ")[1].split()[0]


async def test_help_says_what_the_roles_held_open(chat: ChatLearner, database_url: str) -> None:
    await onboard(chat)
    await chat.send("/aide")
    said = chat.last_text()
    assert "écrivez votre choix : ses mots" in said and "la lettre ou le numéro" in said
    assert "écrivez le numéro d'un choix" not in said
    assert "/mon_id" in said and "/progres" in said
    assert "/admin :" not in said and "/classes :" not in said and "Rôle « " not in said

    await cli_grant(database_url, chat.channel, await my_id(chat), "teacher", "SN", create=False)
    await chat.send("/aide")
    said = chat.last_text()
    assert "Rôle « Enseignant » :" in said and "/classes :" in said and "/cercles :" in said
    assert "/admin :" not in said and "/moderation :" not in said

    await cli_grant(database_url, chat.channel, await my_id(chat), "national_admin", "SN")
    await chat.send("/aide")
    said = chat.last_text()
    assert "Rôle « Administrateur national » :" in said and "/admin :" in said
    assert "Rôle « Enseignant » :" in said and said.count("/cercles :") == 1  # said once


async def test_my_id_is_what_the_command_line_takes(chat: ChatLearner, database_url: str) -> None:
    await onboard(chat)
    external_id = await my_id(chat)
    said = chat.last_text()
    assert f"--channel {chat.channel} --id {external_id}" in said
    assert ("ouvre aussi votre conversation" in said) == (chat.channel == "web")
    with pytest.raises(UnknownPerson, match="--create"):
        await cli_grant(
            database_url, chat.channel, external_id + "0", "teacher", "SN", create=False
        )
    async with open_conversations(database_url) as talk:
        nobody = await sql(talk, "SELECT 1 FROM users WHERE external_id = :e", e=external_id + "0")
        assert nobody == []
    held = await cli_grant(database_url, chat.channel, external_id, "teacher", "SN", create=False)
    assert held == "teacher SN"


async def test_a_role_given_is_announced_and_has_its_menu_entry(
    chat: ChatLearner, database_url: str
) -> None:
    await onboard(chat)
    await chat.send("/menu")
    assert "🛠️ Administration" not in chat.options()
    external_id = await my_id(chat)
    await cli_grant(database_url, chat.channel, external_id, "national_admin", "SN", notify=True)
    async with open_conversations(database_url) as talk:
        queued = await sql(talk, "SELECT texts FROM broadcasts")
        outbox = await sql(talk, "SELECT channel, status FROM outbox")
    assert len(queued) == 1
    ((channel, status),) = outbox  # the running bot's sender takes it like any notice
    assert channel == chat.channel and status in ("queued", "sending", "sent")
    said = str(queued[0][0])
    if isinstance(chat, WebChat):  # pushed to the open tab, through the learner's inbox
        said = str((await chat.pushed())["text"])
    assert "Vous avez reçu un nouveau rôle : Administrateur national." in said
    assert "/admin :" in said
    await cli_grant(database_url, chat.channel, external_id, "national_admin", "SN", notify=True)
    async with open_conversations(database_url) as talk:  # a role held already: no new notice
        again = await sql(talk, "SELECT COUNT(*) FROM broadcasts")
    assert again[0][0] <= 1

    await chat.send("/menu")
    assert "🛠️ Administration" in chat.options()
    assert len(chat.options()) <= WHATSAPP_LIST_ROWS
    await chat.tap("🛠️ Administration")
    assert "Administration : que voulez-vous faire ?" in chat.last_text()


async def test_a_granted_teacher_gives_their_school_before_posting_in_a_circle(
    chat: ChatLearner, database_url: str
) -> None:
    """Circle messages are signed with name, country and school: a student made a teacher on
    the command line is asked for the school at "✍️ Écrire", then writes as they wanted."""
    await onboard(chat)  # a student: no teacher profile, no school
    me = await my_id(chat)
    await cli_grant(database_url, chat.channel, me, "teacher", "SN", create=False)
    await cli_grant(database_url, chat.channel, me, "national_admin", "SN")  # opens a circle
    await chat.send("/cercles")
    await chat.tap("➕ Nouveau cercle")
    await chat.tap("Mathématiques")
    await chat.tap("primaire")
    await chat.tap("✍️ Écrire")
    assert "Dans quelle école enseignez-vous ?" in chat.last_text()
    assert "Écrivez votre message" not in chat.last_text()
    await chat.tap("⏭️ Plus tard")  # not now: back to the circle, nothing sent
    assert "Pas encore de message dans ce cercle." in chat.last_text()
    await chat.tap("✍️ Écrire")
    await chat.send("École Liberté 6, Dakar")
    said = chat.last_text()
    assert "C'est noté : École Liberté 6, Dakar." in said
    assert "Écrivez votre message au cercle « Mathématiques - primaire » :" in said
    await chat.send("Bonjour à toutes et à tous !")
    said = chat.last_text()
    assert "Message envoyé au cercle" in said
    assert "👤 Enseignant·e (Sénégal, École Liberté 6, Dakar) :" in said
    await chat.tap("✍️ Écrire")  # asked once
    assert "Écrivez votre message au cercle" in chat.last_text()


async def test_a_granted_teacher_gives_their_school_before_meeting_a_colleague(
    chat: ChatLearner, database_url: str
) -> None:
    await onboard(chat)
    await cli_grant(database_url, chat.channel, await my_id(chat), "teacher", "SN", create=False)
    await chat.send("/cercles")
    await chat.tap("🤝 Trouver un·e collègue")
    assert "Dans quelle école enseignez-vous ?" in chat.last_text()
    await chat.send("Collège Moderne, Thiès")
    assert "quelle matière ?" in chat.last_text()
