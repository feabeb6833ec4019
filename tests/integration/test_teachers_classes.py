"""Teachers on the real store: invitation codes and requests, classes with a join code,
links and a QR code, students joining and being taken out; every teacher command refused to
a student."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
import zxingcpp
from PIL import Image

from bot.admin_cli import grant as cli_grant
from bot.conversations import Conversations
from bot.links import ClassLinks
from dialogs.flows import classes
from dialogs.messages import Document
from dialogs.state import DialogState
from tests.store_driver import Person, open_conversations


@pytest.fixture
async def talk(database_url: str) -> AsyncIterator[Conversations]:
    async with open_conversations(database_url) as conversations:
        conversations.links = ClassLinks(
            "https://ecole.example.org",
            telegram_username="ImaginecoleBot",
            whatsapp_number="221770000000",
        )
        yield conversations


async def national_admin(
    talk: Conversations, database_url: str, country: str = "Sénégal"
) -> Person:
    admin = Person.on(talk, "telegram", f"admin-{country}")
    await admin.onboard(country=country, role="Enseignant")
    code = {"Sénégal": "SN", "Mali": "ML"}[country]
    await cli_grant(database_url, "telegram", admin.user.external_id, "national_admin", code)
    return admin


async def invite_code(admin: Person) -> str:
    await admin.send("/admin")
    await admin.tap("Inviter des enseignants")
    await admin.tap("Jusqu'à 10 personnes")
    await admin.tap("Une semaine")
    return admin.texts().split("Code d'invitation : ")[-1].split()[0]


async def become_teacher(person: Person, code: str, name: str | None = None) -> None:
    await person.tap("Espace enseignant")
    await person.tap("J'ai un code d'invitation")
    await person.send(code)
    await person.send("École Liberté 6, Dakar")
    assert "tel que vos collègues le verront" in person.texts(person.sent[-1:])
    await (person.send(name) if name else person.tap("Plus tard"))
    await person.tap("Mathématiques")
    await person.tap("Valider")
    await person.tap("CM2")
    await person.tap("Valider")


async def test_a_code_for_one_teacher_says_so_in_the_singular(
    talk: Conversations, database_url: str
) -> None:
    admin = await national_admin(talk, database_url)
    await admin.send("/admin")
    await admin.tap("Inviter des enseignants")
    await admin.tap("Une seule personne")
    await admin.tap("Une semaine")
    assert "Valable pour 1 enseignant (Sénégal)" in admin.texts()
    assert "(s)" not in admin.texts()


async def test_an_invitation_code_makes_a_teacher_who_creates_a_class(
    talk: Conversations, database_url: str
) -> None:
    admin = await national_admin(talk, database_url)
    code = await invite_code(admin)
    assert "Valable pour 10 enseignants (Sénégal)" in admin.texts()
    teacher = Person.on(talk, "whatsapp", "221771234567")
    await teacher.onboard(role="Enseignant")
    await become_teacher(teacher, code)
    assert "Code accepté : vous êtes enseignant." in teacher.texts()
    assert "Votre profil d'enseignant est prêt." in teacher.texts()
    await teacher.tap("Nouvelle classe")
    await teacher.send("CM2 B")
    await teacher.tap("CM2")
    replies = await teacher.tap("Mathématiques")
    text = teacher.texts(replies)
    assert "La classe « CM2 B » est créée." in text
    join = text.split("/rejoindre ")[1].split()[0]
    assert f"https://t.me/ImaginecoleBot?start=c_{join}" in text
    assert f"https://wa.me/221770000000?text=%2Fstart%20c_{join}" in text
    assert f"https://ecole.example.org/c/{join}" in text
    qr = next(m for m in replies if isinstance(m, Document))
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.content)))
    assert [d.text for d in decoded] == [f"https://ecole.example.org/c/{join}"]


async def test_a_code_from_another_country_or_used_up_is_refused(
    talk: Conversations, database_url: str
) -> None:
    mali_admin = await national_admin(talk, database_url, "Mali")
    code = await invite_code(mali_admin)
    teacher = Person.on(talk, "telegram", "t-sn")
    await teacher.onboard(role="Enseignant")
    await teacher.tap("Espace enseignant")
    await teacher.tap("J'ai un code d'invitation")
    await teacher.send(code)
    assert "valable pour un autre pays" in teacher.texts()
    await teacher.send("NOPE1234")
    assert "Je ne connais pas ce code" in teacher.texts()
    await teacher.send("/classes")
    assert "réservée aux enseignants" in teacher.texts()


async def test_a_request_waits_for_an_admin_of_the_country(
    talk: Conversations, database_url: str
) -> None:
    teacher = Person.on(talk, "telegram", "asking")
    await teacher.onboard(role="Enseignant")
    await teacher.tap("Espace enseignant")
    await teacher.tap("Demander l'accès enseignant")
    await teacher.send("CEG de Thiès")
    await teacher.tap("Plus tard")
    await teacher.tap("Français")
    await teacher.tap("Valider")
    await teacher.tap("6e")
    await teacher.tap("Valider")
    assert "Votre demande est envoyée à l'administration (Sénégal)" in teacher.texts()
    await teacher.send("/classes")
    assert "réservée aux enseignants" in teacher.texts()  # still a student until approved
    mali = await national_admin(talk, database_url, "Mali")
    await mali.send("/admin")
    await mali.tap("Demandes d'enseignants")
    assert "Aucune demande en attente" in mali.texts()  # not Mali's
    senegal = await national_admin(talk, database_url)
    await senegal.send("/admin")
    await senegal.tap("Demandes d'enseignants")
    assert "CEG de Thiès · Sénégal" in senegal.texts()
    await senegal.tap("Accepter n°1")
    assert "Demande acceptée." in senegal.texts()
    await teacher.send("/classes")
    assert "Vous n'avez pas encore de classe." in teacher.texts()


async def teacher_with_class(talk: Conversations, database_url: str) -> tuple[Person, str]:
    admin = await national_admin(talk, database_url)
    code = await invite_code(admin)
    teacher = Person.on(talk, "telegram", "teacher")
    await teacher.onboard(role="Enseignant")
    await become_teacher(teacher, code)
    await teacher.tap("Nouvelle classe")
    await teacher.send("CM2 A")
    await teacher.tap("CM2")
    replies = await teacher.tap("Sciences")
    return teacher, teacher.texts(replies).split("/rejoindre ")[1].split()[0]


async def test_students_join_with_the_code_or_a_link_and_the_teacher_sees_them(
    talk: Conversations, database_url: str
) -> None:
    teacher, join = await teacher_with_class(talk, database_url)
    awa = Person.on(talk, "whatsapp", "221775550001")
    await awa.onboard()
    await awa.send(f"/rejoindre {join.lower()}")
    assert "Quel prénom votre enseignant verra-t-il ?" in awa.texts()
    await awa.send("Awa D.")
    assert "Bienvenue dans la classe « CM2 A » !" in awa.texts()
    moussa = Person.on(talk, "telegram", "moussa")  # a newcomer opening the QR code's link
    await moussa.send(f"/start c_{join}")
    assert "juste après quelques questions" in moussa.texts()
    await moussa.tap("Français")
    await moussa.tap("J'accepte")
    await moussa.tap("Sénégal")
    await moussa.tap("Élève")
    await moussa.tap("CM2")
    await moussa.send("Moussa")
    assert "Bienvenue dans la classe « CM2 A » !" in moussa.texts()
    await awa.send(f"/rejoindre {join}")
    await awa.send("Awa")
    assert "déjà dans la classe" in awa.texts()
    await teacher.send("/classes")
    assert "👥 CM2 A · CM2 (2)" in teacher.options()
    await teacher.tap("CM2 A")
    await teacher.tap("Plus…")
    await teacher.tap("Les élèves")
    assert "1. Awa D." in teacher.texts() and "2. Moussa" in teacher.texts()
    await teacher.tap("Retirer Moussa")
    assert "ne fait plus partie de la classe" in teacher.texts()
    assert "Moussa" not in teacher.texts(teacher.sent[-2:])


async def test_an_unknown_class_code_is_explained(talk: Conversations) -> None:
    student = Person.on(talk, "telegram", "lost")
    await student.onboard()
    await student.tap("Rejoindre une classe")
    await student.send("ZZZZZZ")
    assert "Je ne trouve pas de classe avec ce code" in student.texts()


async def test_every_teacher_step_and_command_is_refused_to_a_student(
    talk: Conversations,
) -> None:
    student = Person.on(talk, "telegram", "student")
    await student.onboard()
    await student.send("/classes")
    assert "réservée aux enseignants" in student.texts()
    teacher_steps = [name for name in classes.STEPS if not name.startswith("join_")]
    for step in teacher_steps:
        async with talk.store.turn(student.user) as tx:
            assert tx is not None
            tx.save(tx.profile, DialogState(step=step, data={"class": 1}, prompt=tx.state.prompt))
        replies = await student.send("1")
        assert "réservée aux enseignants" in student.texts(replies), step
