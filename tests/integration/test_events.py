"""Events, course threads and teachers' names on the real store: an event announced in
Dakar time read in N'Djamena time, "I will come" kept, the reminder an hour before reaching
exactly those who will come; a shared course's discussion thread from the library, relayed
to its circle with the course's title; and the name colleagues see."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.conversations import Conversations
from bot.storage.outbox import Outbox
from bot.storage.sql import utc
from dialogs.flows import circle_events, course_threads
from dialogs.state import DialogState
from dialogs.when import parse_when, zone_of
from tests.integration.test_authoring import write_course
from tests.integration.test_circles import relays
from tests.integration.test_shared_library import publish
from tests.integration.test_shared_library import teacher as granted_teacher
from tests.integration.test_teachers_classes import become_teacher, invite_code, national_admin
from tests.sender_support import run
from tests.store_driver import Person, open_conversations

CIRCLE = "Mathématiques - primaire"
LINK = "https://meet.example.org/fractions"


@pytest.fixture
async def talk(database_url: str) -> AsyncIterator[Conversations]:
    async with open_conversations(database_url) as conversations:
        yield conversations


async def open_circle(person: Person, circle: str = CIRCLE, join: bool = False) -> None:
    await person.send("/cercles")
    await person.tap(circle)
    if join:
        await person.tap("Rejoindre le cercle")


async def circle_with_members(
    talk: Conversations, database_url: str
) -> tuple[Person, dict[str, Person]]:
    admin = await national_admin(talk, database_url)
    await admin.send("/admin")
    await admin.tap("Cercles")
    await admin.tap("Nouveau cercle")
    await admin.tap("Mathématiques")
    await admin.tap("primaire")
    members = {
        "td": await granted_teacher(talk, database_url, "td", "Tchad"),
        "early": await granted_teacher(talk, database_url, "early"),
        "late": await granted_teacher(talk, database_url, "late"),
        "changed": await granted_teacher(talk, database_url, "changed"),
        "never": await granted_teacher(talk, database_url, "never"),
    }
    for person in members.values():
        await open_circle(person, join=True)
    return admin, members


async def announce(admin: Person) -> datetime:
    """The Senegalese admin announces a webinar on 15/12 at 16:00, Dakar time."""
    await open_circle(admin)
    await admin.tap("Événements")
    await admin.tap("Annoncer un événement")
    await admin.send("Webinaire : les fractions")
    await admin.send("15/12 16:00")
    await admin.send(LINK)
    assert "L'événement est annoncé aux 5 membres du cercle." in admin.texts()
    at = parse_when("15/12 16:00", datetime.now(UTC), zone_of("SN"))
    assert at is not None
    return at


async def will_come(person: Person) -> str:
    await open_circle(person)
    await person.tap("Événements")
    await person.tap("Webinaire : les fractions")
    page = person.texts(person.sent[-1:])
    await person.tap("Je viendrai")
    assert "vous recevrez un rappel une heure avant" in person.texts()
    return page


async def test_an_event_reads_in_each_members_time_and_reminds_those_who_come(
    talk: Conversations, database_url: str
) -> None:
    admin, members = await circle_with_members(talk, database_url)
    at = await announce(admin)
    told = {ext: text for ext, _, text in await relays(talk) if "Nouvel événement" in text}
    assert sorted(told) == ["changed", "early", "late", "never", "td"]
    assert "à 17:00, heure du pays (Tchad)" in told["td"]  # N'Djamena: UTC+1
    assert "à 16:00, heure du pays (Sénégal)" in told["early"]  # Dakar: UTC+0
    assert LINK in told["td"]

    page = await will_come(members["td"])
    assert "à 17:00, heure du pays (Tchad)" in page and LINK in page
    await will_come(members["early"])
    await will_come(members["changed"])
    await members["changed"].tap("Je ne viendrai pas")
    rows = await run(talk.store, "SELECT COUNT(*) FROM event_attendees")
    assert int(rows[0][0]) == 2

    reminder = await run(
        talk.store,
        "SELECT b.id, b.status, b.scheduled_at FROM circle_events e"
        " JOIN broadcasts b ON b.id = e.reminder_id",
    )
    broadcast_id, status, scheduled_at = reminder[0]
    assert status == "scheduled"
    due = at - timedelta(hours=1)
    assert utc(scheduled_at) == due
    await will_come(members["late"])  # after the reminder was scheduled
    outbox = Outbox(talk.store, "t")
    assert await outbox.queue_due(due - timedelta(seconds=1)) == []
    assert await outbox.queue_due(due) == [int(broadcast_id)]
    reminded = sorted(ext for ext, _, text in await relays(talk) if text.startswith("⏰"))
    assert reminded == ["early", "late", "td"]
    reminded_text = next(text for _, _, text in await relays(talk) if text.startswith("⏰"))
    assert "« Webinaire : les fractions »" in reminded_text and LINK in reminded_text
    assert await outbox.queue_due(due + timedelta(hours=2)) == []


async def test_only_admins_and_moderators_announce_events(
    talk: Conversations, database_url: str
) -> None:
    admin, members = await circle_with_members(talk, database_url)
    await open_circle(members["td"])
    await members["td"].tap("Événements")
    assert "Aucun événement n'est annoncé" in members["td"].texts()
    assert not any("Annoncer" in label for label in members["td"].options())
    await members["td"].tap_forged("new")
    assert not any("Le titre de l'événement" in t for t in members["td"].texts().splitlines())
    await announce(admin)
    await open_circle(admin)
    await admin.tap("Événements")
    await admin.tap("Annoncer un événement")
    await admin.send("Trop tôt")
    soon = datetime.now(UTC) + timedelta(minutes=30)  # Dakar is on UTC
    await admin.send(soon.strftime("%d/%m/%Y %H:%M"))
    assert "plus d'une heure" in admin.texts(admin.sent[-2:])


async def test_a_shared_course_has_a_discussion_thread_relayed_to_its_circle(
    talk: Conversations, database_url: str
) -> None:
    author = await granted_teacher(talk, database_url, "author")
    await write_course(author)
    await publish(author, "Les élèves de tous les pays")
    chad = await granted_teacher(talk, database_url, "td", "Tchad")
    await chad.send("/classes")
    await chad.tap("Mon nom")
    assert "vos collègues voient « Enseignant·e »" in chad.texts()
    await chad.send("Mahamat Idriss")
    assert "vos collègues vous verront sous le nom « Mahamat Idriss »" in chad.texts()

    await chad.tap("Bibliothèque partagée")
    await chad.tap("Le compost")
    await chad.tap("Discussion")
    assert "Pas encore de message sur ce cours" in chad.texts()
    await chad.tap("Écrire")  # granted without onboarding: the school others will see, first
    assert "Dans quelle école enseignez-vous ?" in chad.texts(chad.sent[-2:])
    await chad.send("École Liberté, N'Djamena")
    assert "Écrivez votre message sur « Le compost au jardin de l'école »" in chad.texts()
    await chad.send("Le compost marche-t-il en saison sèche ?")
    assert "(0 membre du cercle le reçoit maintenant)" in chad.texts()
    circles = await run(talk.store, "SELECT name, subject, level_group FROM circles")
    assert [(str(s), str(g)) for _, s, g in circles] == [("sciences", "primary")]

    await open_circle(author, str(circles[0][0]), join=True)
    assert "saison sèche" in author.texts()  # in the circle's own messages too
    await chad.tap("Écrire")
    await chad.send("Et avec des feuilles de neem ?")
    to_author = [text for ext, _, text in await relays(talk) if ext == "author"]
    assert to_author == [
        "👤 Mahamat Idriss (Tchad, École Liberté, N'Djamena) · 💬"
        " « Le compost au jardin de l'école » :\n"
        "Et avec des feuilles de neem ?"
    ]
    await author.send("/classes")
    await author.tap("Bibliothèque partagée")
    await author.tap("Le compost")
    replies = await author.tap("Discussion")
    shown = author.texts(replies)
    assert "saison sèche" in shown and "feuilles de neem" in shown
    assert "👤 Mahamat Idriss (Tchad, École Liberté, N'Djamena) :" in shown


async def test_the_name_given_in_the_teacher_profile_signs_circle_messages(
    talk: Conversations, database_url: str
) -> None:
    admin = await national_admin(talk, database_url)
    await admin.send("/admin")
    await admin.tap("Cercles")
    await admin.tap("Nouveau cercle")
    await admin.tap("Mathématiques")
    await admin.tap("primaire")
    named = Person.on(talk, "telegram", "named")
    await named.onboard(role="Enseignant")
    await become_teacher(named, await invite_code(admin), "Awa Diop")
    await open_circle(named, join=True)
    await open_circle(admin)  # its creator is in it
    await named.tap("Écrire")
    await named.send("Bonjour à toutes et à tous !")
    to_admin = [text for ext, _, text in await relays(talk) if ext == "admin-Sénégal"]
    assert to_admin[-1].startswith("👤 Awa Diop (Sénégal, École Liberté 6, Dakar) :")
    await named.send("/classes")
    await named.tap("Mon nom")
    assert "Vos collègues vous voient sous le nom « Awa Diop »." in named.texts()
    await named.send("Awa Diop Ndiaye")
    await open_circle(named)
    await named.tap("Écrire")
    await named.send("Je signe autrement.")
    to_admin = [text for ext, _, text in await relays(talk) if ext == "admin-Sénégal"]
    assert to_admin[-1].startswith("👤 Awa Diop Ndiaye (Sénégal, École Liberté 6, Dakar) :")


async def test_every_event_and_thread_step_is_refused_to_a_student(talk: Conversations) -> None:
    student = Person.on(talk, "telegram", "student")
    await student.onboard()
    steps = {**circle_events.STEPS, **course_threads.STEPS}
    for step in steps:
        async with talk.store.turn(student.user) as tx:
            assert tx is not None
            data = {"circle": 1, "event": 1, "shelf_course": "compost"}
            tx.save(tx.profile, DialogState(step=step, data=data, prompt=tx.state.prompt))
        replies = await student.send("1")
        assert "réservé" in student.texts(replies), step
