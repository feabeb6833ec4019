"""Finding things, on the real store (SQLite and PostgreSQL): a role given in the chat is
announced to the person in their language, a full menu keeps to ten rows with a second page,
a certificate can be had again from the menu and /progres, and a teacher granted without
onboarding as one is asked for their school, which circles then show."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bot.admin_cli import grant as cli_grant
from bot.certificates.service import SignedCertificates
from bot.conversations import Conversations
from bot.storage.sql import as_json
from tests.integration.test_certificate_chat import SITE, documents, finish_course
from tests.integration.test_class_reports import sql
from tests.store_driver import Person, open_conversations

CHANNELS = ("telegram", "whatsapp", "web")


@pytest.fixture
async def talk(database_url: str) -> AsyncIterator[Conversations]:
    async with open_conversations(database_url) as conversations:
        conversations.certifier = SignedCertificates(Ed25519PrivateKey.generate(), SITE)
        yield conversations


async def granted_by_chat(talk: Conversations, database_url: str, grantee: Person) -> None:
    """A regional admin gives `grantee` the teacher role with /mon_code, in the chat."""
    admin = Person.on(talk, "telegram", "regional")
    await admin.onboard(role="Enseignant")
    await cli_grant(database_url, "telegram", "regional", "regional_admin", "")
    said = grantee.texts(await grantee.send("/mon_code"))
    code = re.findall(r"\b[A-Z2-9]{6}\b", said)[0]
    await admin.send("/admin")
    await admin.tap("Donner un rôle")
    await admin.send(code)
    await admin.tap("Enseignant")
    assert "rôle « Enseignant » donné" in admin.texts()


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_role_given_in_the_chat_is_announced(
    talk: Conversations, database_url: str, channel: str
) -> None:
    awa = Person.on(talk, channel, "awa")
    await awa.onboard()
    await awa.send("/langue")
    await awa.tap("English")
    await granted_by_chat(talk, database_url, awa)
    queued = await sql(talk, "SELECT texts FROM broadcasts")  # every channel: the outbox
    texts = as_json(queued[0][0])
    assert "Vous avez reçu un nouveau rôle : Enseignant." in texts["fr"]
    assert "You have been given a new role: Teacher." in texts["en"]
    assert "écrivez /classes puis « 🏫 Mon école »" in texts["fr"]
    assert "/classes" in texts["ar"]


async def test_a_full_menu_keeps_to_ten_rows_with_a_second_page(
    talk: Conversations, database_url: str
) -> None:
    awa = Person.on(talk, "whatsapp", "22170000001")
    await awa.onboard(role="Enseignant")
    for role in ("regional_admin", "teacher"):
        await cli_grant(database_url, "whatsapp", "22170000001", role, "SN")
    await finish_course(talk, awa, 0.9)  # a certificate: one more entry
    await awa.send("Awa Diop")
    prof = Person.on(talk, "telegram", "prof")
    await prof.onboard(role="Enseignant")
    await cli_grant(database_url, "telegram", "prof", "teacher", "SN")
    await prof.send("/classes")
    await prof.tap("Nouvelle classe")
    await prof.send("CM2 B")
    await prof.tap("CM2")
    await prof.tap("Mathématiques")
    join = prof.texts().split("/rejoindre ")[-1].split()[0]
    await awa.send(f"/rejoindre {join}")  # a member of a class: "my homework" joins the menu
    await awa.send("Awa")
    await awa.send("/menu")
    await awa.tap("📚 Les cours")
    for _ in range(3):  # a lesson open: "continue" joins the menu
        await awa.tap(awa.options()[0])
    await awa.send("/menu")
    menu = awa.options()
    assert len(menu) <= 10
    assert {"🛠️ Administration", "🧑‍🏫 Espace enseignant", "🎓 Mes certificats"} <= set(menu)
    assert "➕ Plus de choix" in menu and "🔒 Mes données" not in menu
    await awa.tap("➕ Plus de choix")
    assert {"❓ Aide", "⚙️ Langue et profil", "🔒 Mes données", "🏠 Menu"} <= set(awa.options())
    await awa.tap("🔒 Mes données")
    assert "Vos données vous appartiennent" in awa.texts()


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_certificate_is_offered_again(talk: Conversations, channel: str) -> None:
    moussa = Person.on(talk, channel, "moussa")
    await moussa.onboard()
    await moussa.send("/menu")
    assert "🎓 Mes certificats" not in moussa.options()
    await finish_course(talk, moussa, 0.9)
    await moussa.send("Moussa Diallo")
    await moussa.send("/progres")
    assert "🎓 Certificat obtenu : /certificats pour le recevoir à nouveau" in moussa.texts()
    await moussa.send("/menu")
    again = await moussa.tap("🎓 Mes certificats")
    assert len(documents(again)) == 1


async def test_a_granted_teacher_is_asked_for_their_school(
    talk: Conversations, database_url: str
) -> None:
    fatou = Person.on(talk, "telegram", "fatou")
    await fatou.onboard()  # onboarded as a student: no teacher profile, no school
    await granted_by_chat(talk, database_url, fatou)
    await fatou.send("/menu")
    await fatou.tap("🧑‍🏫 Espace enseignant")
    assert "votre nom, votre pays et votre école" in fatou.texts()
    await fatou.send("/cercles")
    assert "votre nom, votre pays et votre école" in fatou.texts()
    await fatou.tap("🏫 Mon école")
    await fatou.send("École Liberté 6, Dakar")
    assert "C'est noté : École Liberté 6, Dakar." in fatou.texts()
    assert "🏫 Mon école" not in fatou.options()
    assert "votre école" not in fatou.texts(fatou.sent[-1:])
    ((school,),) = await sql(talk, "SELECT school FROM teacher_profiles")
    assert school == "École Liberté 6, Dakar"


@pytest.mark.parametrize("approve", [True, False])
async def test_the_answer_to_a_teacher_request_is_told(
    talk: Conversations, database_url: str, approve: bool
) -> None:
    asking = Person.on(talk, "web", "asking")
    await asking.onboard(role="Enseignant")
    await asking.tap("Espace enseignant")
    await asking.tap("Demander l'accès enseignant")
    await asking.send("CEG de Thiès")
    await asking.tap("Plus tard")
    await asking.tap("Français")
    await asking.tap("Valider")
    await asking.tap("6e")
    await asking.tap("Valider")
    admin = Person.on(talk, "telegram", "admin-sn")
    await admin.onboard(role="Enseignant")
    await cli_grant(database_url, "telegram", "admin-sn", "national_admin", "SN")
    await admin.send("/admin")
    await admin.tap("Demandes d'enseignants")
    await admin.tap("Accepter n°1" if approve else "Refuser n°1")
    ((texts,),) = await sql(talk, "SELECT texts FROM broadcasts")
    told = str(as_json(texts)["fr"])
    if approve:
        assert "Vous avez reçu un nouveau rôle : Enseignant." in told and "/classes" in told
    else:
        assert "n'a pas été acceptée" in told


async def test_a_teacher_with_an_invitation_reads_what_the_role_opens(
    talk: Conversations, database_url: str
) -> None:
    admin = Person.on(talk, "telegram", "admin-sn")
    await admin.onboard(role="Enseignant")
    await cli_grant(database_url, "telegram", "admin-sn", "national_admin", "SN")
    await admin.send("/admin")
    await admin.tap("Inviter des enseignants")
    await admin.tap(admin.options()[0])
    await admin.tap(admin.options()[0])
    code = re.findall(r"\b[A-Z2-9]{6,}\b", admin.texts(admin.sent[-3:]))[0]
    awa = Person.on(talk, "whatsapp", "22170000009")
    await awa.onboard(role="Enseignant")
    await awa.tap("Espace enseignant")
    await awa.tap("J'ai un code d'invitation")
    await awa.send(code)
    await awa.send("École Liberté 6")
    await awa.tap("Plus tard")
    await awa.tap("Mathématiques")
    await awa.tap("Valider")
    await awa.tap("CM2")
    await awa.tap("Valider")
    said = awa.texts(awa.sent[-3:])
    assert "Votre profil d'enseignant est prêt." in said and "/classes :" in said
