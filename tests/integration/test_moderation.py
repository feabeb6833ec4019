"""Moderation of teachers' circles on the real store: a report reaches the moderators, who
remove the message (its Telegram copies queued for withdrawal), warn, mute or take out its
author, each action in the audit log an admin reads; the filter holds a listed word, a new
member's link and a flood (nothing relayed until a moderator releases it), the rate limit
refuses; students and plain teachers reach no moderation step."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.admin_cli import grant as cli_grant
from bot.conversations import Conversations
from bot.storage.sql import as_json
from dialogs.flows import moderation
from dialogs.state import DialogState
from tests.integration.test_circles import join, relays, teacher, window
from tests.integration.test_teachers_classes import invite_code, national_admin
from tests.sender_support import run
from tests.store_driver import Person, open_conversations

CIRCLE = "Mathématiques - primaire"


@pytest.fixture
async def talk(database_url: str) -> AsyncIterator[Conversations]:
    async with open_conversations(database_url) as conversations:
        yield conversations


async def circle(talk: Conversations, database_url: str) -> dict[str, Person]:
    """An admin's circle with an author, a reader, and a moderator of another country."""
    admin = await national_admin(talk, database_url)
    mali = await national_admin(talk, database_url, "Mali")
    await admin.send("/admin")
    await admin.tap("Cercles")
    await admin.tap("Nouveau cercle")
    await admin.tap("Mathématiques")
    await admin.tap("primaire")
    sn, ml = await invite_code(admin), await invite_code(mali)
    people = {
        "author": await teacher(talk, sn, "telegram", "author", "Sénégal"),
        "reader": await teacher(talk, sn, "telegram", "reader", "Sénégal"),
        "moderator": await teacher(talk, ml, "whatsapp", "22370000005", "Mali"),
        "admin": admin,
    }
    await cli_grant(database_url, "whatsapp", "22370000005", "moderator", "ML")
    await window(talk, "22370000005", 1)
    for key in ("author", "reader", "moderator"):
        await join(people[key], CIRCLE)
    await trust(talk, "author")
    return people


async def trust(talk: Conversations, external_id: str) -> None:
    """Make a member an old one: joined long ago (links are held for new members only)."""
    await run(
        talk.store,
        "UPDATE circle_members SET joined_at = '2020-01-01 00:00:00.000000'"
        " WHERE user_id = (SELECT id FROM users WHERE external_id = :ext)",
        ext=external_id,
    )


async def post(person: Person, text: str) -> str:
    """Write a message to the circle; what the bot answered."""
    await person.send("/cercles")
    await person.tap(CIRCLE)
    await person.tap("Écrire")
    return person.texts(await person.send(text))


async def report(person: Person, reason: str = "") -> None:
    """Report the last message offered."""
    await person.send("/cercles")
    await person.tap(CIRCLE)
    await person.tap("Signaler")
    await person.tap(person.options()[-2])  # the newest message (the last is "back")
    if reason:
        await person.send(reason)
    else:
        await person.tap("Sans motif")


async def moderate(person: Person, action: str) -> str:
    """Open the first waiting message and act on it; what the bot answered."""
    await person.send("/moderation")
    await person.tap(person.options()[0])
    return person.texts(await person.tap(action))


async def count(talk: Conversations, sql: str) -> int:
    return int((await run(talk.store, sql))[0][0])


async def test_a_report_reaches_moderators_who_remove_the_message(
    talk: Conversations, database_url: str
) -> None:
    people = await circle(talk, database_url)
    await post(people["author"], "Achetez mes cahiers, prix cassés !")
    await report(people["reader"], "Publicité")
    assert "les modérateurs vont examiner ce message" in people["reader"].texts()
    told = [text for ext, _, text in await relays(talk) if "a été signalé" in text]
    assert {ext for ext, _, _ in await relays(talk) if "a été signalé" in _} >= {"22370000005"}
    assert all("/moderation" in text for text in told)
    # Telegram showed the relayed copy to the reader: its platform id is in the outbox
    await run(
        talk.store,
        "UPDATE outbox SET status = 'sent', platform_id = 'tg:reader:77' WHERE user_id ="
        " (SELECT id FROM users WHERE external_id = 'reader') AND broadcast_id IN"
        " (SELECT broadcast_id FROM circle_relays)",
    )
    moderator = people["moderator"]
    await moderator.send("/moderation")
    assert "1 signalement : Publicité" in moderator.texts()
    answer = await moderate(moderator, "Retirer le message")
    assert "1 copie déjà reçue sera supprimée" in answer
    assert await run(talk.store, "SELECT platform_id, status FROM withdrawals") == [
        ("tg:reader:77", "queued")
    ]
    queued = "SELECT COUNT(*) FROM outbox o JOIN circle_relays r ON r.broadcast_id ="
    assert await count(talk, f"{queued} o.broadcast_id WHERE o.status = 'queued'") == 0
    reader = people["reader"]
    await reader.send("/cercles")
    await reader.tap(CIRCLE)
    assert "Message retiré par la modération" in reader.texts()
    assert "prix cassés" not in reader.texts().split("Message retiré")[-1]
    await moderator.send("/moderation")
    assert "Aucun message n'attend la modération." in moderator.texts()


async def test_warn_mute_and_exclude_are_in_the_audit_log(
    talk: Conversations, database_url: str
) -> None:
    people = await circle(talk, database_url)
    author, reader, moderator = people["author"], people["reader"], people["moderator"]
    await post(author, "Premier message déplacé.")
    await report(reader, "Ton agressif")
    assert "est averti" in await moderate(moderator, "Avertir l'auteur")
    warned = [text for ext, _, text in await relays(talk) if ext == "author"]
    assert warned and "Un modérateur vous avertit" in warned[-1] and "Ton agressif" in warned[-1]
    await post(author, "Deuxième message déplacé.")
    await report(reader)
    assert "suspendu jusqu'au" in await moderate(moderator, "Suspendre l'auteur 1 jour")
    refused = await post(author, "Je peux encore écrire ?")
    assert "La modération vous empêche d'écrire dans ce cercle" in refused
    assert "encore écrire" not in str(await relays(talk))
    await report(reader, "Récidive")
    assert "retiré du cercle" in await moderate(moderator, "Retirer l'auteur du cercle")
    author_id = "SELECT id FROM users WHERE external_id = 'author'"
    assert (
        await count(talk, f"SELECT COUNT(*) FROM circle_members WHERE user_id = ({author_id})") == 0
    )
    admin = people["admin"]
    await admin.send("/admin")
    await admin.tap("Journal de modération")
    log = admin.texts().split("Journal")[-1]
    for action in ("avertissement", "suspension", "retrait du cercle"):
        assert action in log
    assert "Motif : Ton agressif" in log and "Motif : Récidive" in log
    assert await count(talk, "SELECT COUNT(*) FROM moderation_log") == 3


async def test_a_listed_word_is_held_until_released(talk: Conversations, database_url: str) -> None:
    people = await circle(talk, database_url)
    answer = await post(people["author"], "Ce manuel est une arnaque !")
    assert "attend l'accord d'un modérateur" in answer
    assert [row for row in await relays(talk) if "arnaque" in row[2]] == []
    assert await count(talk, "SELECT COUNT(*) FROM pending_messages") == 0
    reader = people["reader"]
    await reader.send("/cercles")
    await reader.tap(CIRCLE)
    assert "arnaque" not in reader.texts()
    moderator = people["moderator"]
    await moderator.send("/moderation")
    assert "retenu : mot de la liste" in moderator.texts()
    assert "est envoyé au cercle" in await moderate(moderator, "Envoyer au cercle")
    received = {ext for ext, _, text in await relays(talk) if "arnaque" in text}
    assert received == {"reader", "22370000005", "admin-Sénégal"}
    assert "release" in str(await run(talk.store, "SELECT action FROM moderation_log"))


async def test_a_new_members_link_is_held(talk: Conversations, database_url: str) -> None:
    people = await circle(talk, database_url)
    answer = await post(people["reader"], "Voyez https://exemple.example/cours gratuit")
    assert "attend l'accord d'un modérateur" in answer
    assert [row for row in await relays(talk) if "exemple" in row[2]] == []
    for i in range(3):  # an old member with three relayed messages may share links
        await post(people["author"], f"Bonjour n°{i}")
    trusted = await post(people["author"], "Pour les anciens : www.education.sn")
    assert "Message envoyé au cercle" in trusted
    moderator = people["moderator"]
    await moderator.send("/moderation")
    assert "retenu : lien d'un nouveau membre" in moderator.texts()
    assert "est retiré" in await moderate(moderator, "Retirer le message")
    assert [row for row in await relays(talk) if "exemple" in row[2]] == []


async def test_a_flood_is_held_then_cut_by_the_rate_limit(
    talk: Conversations, database_url: str
) -> None:
    people = await circle(talk, database_url)
    answers = [await post(people["author"], f"Message numéro {i}") for i in range(1, 12)]
    assert all("Message envoyé au cercle" in a for a in answers[:5])
    assert all("attend l'accord d'un modérateur" in a for a in answers[5:10])
    assert "attendez quelques minutes" in answers[10]
    relayed = {text.split("\n")[-1] for _, _, text in await relays(talk)}
    assert relayed == {f"Message numéro {i}" for i in range(1, 6)}
    assert await count(talk, "SELECT COUNT(*) FROM circle_messages WHERE status = 'held'") == 5
    assert await count(talk, "SELECT COUNT(*) FROM circle_messages") == 10


async def test_a_report_is_called_from_the_circle_page_which_stays_open_meanwhile(
    talk: Conversations, database_url: str
) -> None:
    people = await circle(talk, database_url)
    await post(people["author"], "Un message hors sujet.")
    reader = people["reader"]
    await reader.send("/cercles")
    await reader.tap(CIRCLE)
    await reader.tap("Signaler")
    data = await stored_state(talk, reader)
    open_circle = data["flows"]["circles"]["circle"]
    assert data["flows"]["moderation"] == {"circle": open_circle, "report": None, "moderated": None}
    assert [frame["callee"] for frame in data["calls"]] == ["moderation"]
    await reader.tap(reader.options()[-2])
    said = reader.texts(await reader.tap("⬅️ Le cercle"))
    assert said.endswith(CIRCLE) or CIRCLE in said
    assert await stored_state(talk, reader) == {"flows": {"circles": data["flows"]["circles"]}}
    await reader.tap("Signaler")
    await reader.tap(reader.options()[-2])
    said = reader.texts(await reader.tap("Sans motif"))
    assert "Merci : les modérateurs vont examiner ce message." in said
    assert set((await stored_state(talk, reader))["flows"]) == {"circles"}


async def stored_state(talk: Conversations, person: Person) -> dict[str, object]:
    """The working data a person's last turn stored."""
    rows = await run(
        talk.store,
        "SELECT state_data FROM users WHERE external_id = :ext",
        ext=person.user.external_id,
    )
    found = as_json(rows[0][0])
    assert isinstance(found, dict)
    return found


async def forced(talk: Conversations, person: Person, step: str) -> str:
    """What the person gets when their state is forged to a moderation step."""
    async with talk.store.turn(person.user) as tx:
        assert tx is not None
        data = {"circle": 1, "report": 1, "moderated": 1}
        tx.save(tx.profile, DialogState(step=step, data=data, prompt=tx.state.prompt))
    return person.texts(await person.send("1"))


async def test_a_student_reaches_no_moderation_step(talk: Conversations) -> None:
    student = Person.on(talk, "telegram", "student")
    await student.onboard()
    assert "réservés aux enseignants" in student.texts(await student.send("/moderation"))
    for step in moderation.STEPS:
        said = await forced(talk, student, step)
        assert "réservés aux enseignants" in said or "réservée aux administrateurs" in said, step


async def test_a_plain_teacher_cannot_moderate(talk: Conversations, database_url: str) -> None:
    people = await circle(talk, database_url)
    await post(people["author"], "Un message à signaler.")
    reader = people["reader"]
    await report(reader, "Hors sujet")
    await reader.send("/cercles")
    assert not any("Modération" in option for option in reader.options())
    assert "réservée aux modérateurs" in reader.texts(await reader.send("/moderation"))
    for step in ("mod_home", "mod_item"):
        assert "réservée aux modérateurs" in await forced(talk, reader, step), step
    assert "réservée aux administrateurs" in await forced(talk, reader, "mod_journal")
    assert await count(talk, "SELECT COUNT(*) FROM moderation_log") == 0
    assert await count(talk, "SELECT COUNT(*) FROM circle_reports WHERE status = 'pending'") == 1


async def test_removed_copies_are_deleted_on_telegram(database_url: str) -> None:
    from bot.withdrawals import withdraw
    from tests.fakes.telegram_api import FakeBotApi
    from tests.integration.test_sender import start_rig
    from tests.telegram_driver import telegram_settings

    async with FakeBotApi() as api:
        settings = replace(telegram_settings(database_url, api.url), sender_enabled=False)
        async with start_rig(settings) as rig:
            assert rig.app.telegram is not None
            bot = rig.app.telegram.app.bot
            relayed = await bot.send_message(5000001, "Un message relayé")
            for platform_id in (f"tg:5000001:{relayed.message_id}", "wamid.not-telegram"):
                await run(
                    rig.store,
                    "INSERT INTO withdrawals (platform_id, status, created_at)"
                    " VALUES (:pid, 'queued', :now)",
                    pid=platform_id,
                    now=datetime.now(UTC),
                )
            assert await withdraw(rig.store, bot) == 1
            deleted = [c.params for c in api.calls if c.ok and c.method == "deleteMessage"]
            wanted = [(5000001, relayed.message_id)]
            assert [(int(p["chat_id"]), int(p["message_id"])) for p in deleted] == wanted
            statuses = await run(rig.store, "SELECT status FROM withdrawals ORDER BY id")
            assert [s for (s,) in statuses] == ["done", "failed"]
