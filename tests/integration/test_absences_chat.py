"""A teacher on Telegram, WhatsApp or the web chat sees who has been away from their class and
tells the families; each guardian, on their own channel, hears of their own child only."""

from __future__ import annotations

import json

from tests.chat_drivers import ChatLearner
from tests.chat_drivers import chat_fixture as chat_fixture  # the `chat` fixture
from tests.class_chat import teacher_with_class
from tests.integration.test_class_groups import away
from tests.integration.test_class_reports import sql
from tests.store_driver import Person, open_conversations


async def guardian(learner: Person, parent: Person, name: str) -> None:
    """`parent` accepts `learner`'s invitation to follow them (their weekly summary)."""
    await learner.send("/famille")
    await learner.tap("Inviter un parent")
    code = learner.texts(await learner.send(name)).split("/parent ")[1].split()[0]
    await parent.onboard()
    await parent.send(f"/parent {code}")
    await parent.tap("J'accepte")


async def test_a_teacher_tells_the_families_of_absent_students_on_every_channel(
    chat: ChatLearner, database_url: str
) -> None:
    async with open_conversations(database_url) as talk:
        join = await teacher_with_class(chat, talk, database_url)
        for channel, name, days, parent_channel in (
            ("whatsapp", "Fatou", 10.5, "web"),
            ("web", "Binta", 8.2, "whatsapp"),
            ("telegram", "Awa", 1, "telegram"),
        ):
            student = Person.on(talk, channel, f"{channel}-{name}")
            await student.onboard()
            await student.send(f"/rejoindre {join}")
            await student.send(name)
            parent = Person.on(talk, parent_channel, f"{parent_channel}-parent-of-{name}")
            await guardian(student, parent, f"{name} D.")
            await away(talk, f"{channel}-{name}", days)
    await chat.send("/classes")
    await chat.tap("CM2 B")
    await chat.tap("Absences")
    assert chat.last_text() == (
        "😴 « CM2 B » : 2 élèves ne sont pas venus depuis 7 jours ou plus :\n"
        "• Fatou : 10 jours\n"
        "• Binta : 8 jours\n"
        "2 familles reçoivent le résumé de la semaine et peuvent être prévenues."
    )
    await chat.tap("Prévenir leurs familles")
    assert "2 familles sont prévenues, chacune seulement pour son enfant." in chat.last_text()
    async with open_conversations(database_url) as talk:
        rows = await sql(
            talk,
            "SELECT u.channel, u.external_id, b.texts FROM outbox o"
            " JOIN users u ON u.id = o.user_id JOIN broadcasts b ON b.id = o.broadcast_id"
            " WHERE u.external_id LIKE '%-parent-of-%'",
        )
    told = {
        (str(channel), str(who)): json.loads(texts)["fr"] if isinstance(texts, str) else texts["fr"]
        for channel, who, texts in rows
    }
    assert set(told) == {("web", "web-parent-of-Fatou"), ("whatsapp", "whatsapp-parent-of-Binta")}
    assert "Fatou D." in told["web", "web-parent-of-Fatou"]
    assert "Binta" not in told["web", "web-parent-of-Fatou"], "each family hears of its own child"
    assert "Binta D." in told["whatsapp", "whatsapp-parent-of-Binta"]
