"""A teacher on any channel of the chat drivers (tests/chat_drivers.py) with a new class."""

from __future__ import annotations

from bot.admin_cli import grant as cli_grant
from bot.conversations import Conversations
from tests.chat_drivers import ChatLearner
from tests.integration.test_class_reports import sql


async def teacher_with_class(
    chat: ChatLearner, talk: Conversations, database_url: str, name: str = "CM2 B"
) -> str:
    """`chat`'s person onboarded as a teacher in Senegal, granted the role, with a new CM2
    maths class called `name`: the class's join code."""
    await chat.send("/start")
    for label in ("Français", "J'accepte", "Sénégal", "Enseignant", "CM2"):
        await chat.tap(label)
    ((external_id,),) = await sql(
        talk,
        "SELECT external_id FROM users WHERE channel = :c AND consented_at IS NOT NULL",
        c=chat.channel,
    )
    await cli_grant(database_url, chat.channel, str(external_id), "teacher", "SN")
    await chat.send("/classes")
    await chat.tap("Nouvelle classe")
    await chat.send(name)
    await chat.tap("CM2")
    await chat.tap("Mathématiques")
    return chat.last_text().split("/rejoindre ")[1].split()[0]
