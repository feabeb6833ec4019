"""The teacher, admin, circle and Creathon flows on the in-memory fakes (tests/fakes/ports.py):
no database, the same conversations as the integration tests, in milliseconds. The fakes
keep the contracts the SQL desks keep (tests/contract/)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache

from bot.i18n import I18n
from dialogs.creathon_ports import ContestDraft
from dialogs.engine import Dialogs
from dialogs.flows import build_dialogs
from dialogs.roles import Grant, Role
from tests.driver import Learner, bundled_library
from tests.fakes.ports import World

WATER = """id: eau
title: Le cycle de l'eau
subject: sciences
levels: CM2
language: fr

# Observer {#observer}

Aujourd'hui : le cycle de l'eau.
"""


@cache
def shared() -> tuple[Dialogs, I18n]:
    return build_dialogs(), I18n()


async def person(world: World, role: str = "student", country: str = "SN") -> tuple[Learner, int]:
    """A person of the world, onboarded in French, talking through the fakes."""
    uid = world.person(country=country, role=role, level="CM2")
    dialogs, i18n = shared()
    learner = Learner(dialogs, i18n, bundled_library())
    learner.services = world.desks(uid).services()
    await learner.send("/start")
    await learner.tap("Français")
    await learner.tap("yes")
    await learner.tap(country)
    await learner.tap(role)
    await learner.tap("CM2")
    return learner, uid


async def national_admin(world: World) -> Learner:
    admin, uid = await person(world, "teacher")
    world.people[uid].grants.append(Grant(Role.NATIONAL_ADMIN, "SN"))
    return admin


async def invited_teacher(world: World) -> tuple[Learner, int]:
    admin = await national_admin(world)
    await admin.send("/admin")
    await admin.tap("Inviter des enseignants")
    await admin.tap("Jusqu'à 10 personnes")
    await admin.tap("Une semaine")
    assert "Valable pour 10 enseignants (Sénégal)" in admin.texts()
    code = admin.texts().split("Code d'invitation : ")[-1].split()[0]
    teacher, uid = await person(world, "teacher")
    await teacher.tap("Espace enseignant")
    await teacher.tap("J'ai un code d'invitation")
    await teacher.send(code)
    await teacher.send("École Liberté 6, Dakar")
    await teacher.tap("Plus tard")
    await teacher.tap("Mathématiques")
    await teacher.tap("Valider")
    await teacher.tap("CM2")
    await teacher.tap("Valider")
    assert "Code accepté : vous êtes enseignant." in teacher.texts()
    return teacher, uid


async def test_a_teacher_types_their_subjects_as_people_say_them() -> None:
    world = World()
    admin = await national_admin(world)
    await admin.send("/admin")
    await admin.tap("Inviter des enseignants")
    await admin.tap("Une seule personne")
    code = admin.texts(await admin.tap("Une semaine")).split("Code d'invitation : ")[-1][:8]
    teacher, _ = await person(world, "teacher")
    await teacher.tap("Espace enseignant")
    await teacher.send(code)
    await teacher.send("École Liberté 6, Dakar")
    await teacher.tap("Plus tard")
    await teacher.send("maths")
    ticked = [o.label for o in teacher.last_prompt().options if o.label.startswith("✅")]
    assert ticked == ["✅ Mathématiques"]
    await teacher.send("francais et sience")  # no accent, a typo, two at once
    ticked = [o.label for o in teacher.last_prompt().options if o.label.startswith("✅")]
    assert ticked == ["✅ Mathématiques", "✅ Français", "✅ Sciences"]
    said = teacher.texts(await teacher.send("jardin"))
    assert "✅" not in said.splitlines()[0], "a word that names no subject ticks nothing"
    await teacher.tap("Valider")
    assert "À quelles classes ?" in teacher.last_text()


async def test_the_code_typed_in_the_teacher_space_is_taken_as_the_code() -> None:
    # The admin's message says: open "Espace enseignant" and write the code. A teacher who
    # does just that, as they copy it (small letters, a space), is a teacher.
    world = World()
    admin = await national_admin(world)
    await admin.send("/admin")
    await admin.tap("Inviter des enseignants")
    await admin.tap("Une seule personne")
    code = admin.texts(await admin.tap("Une semaine")).split("Code d'invitation : ")[-1][:8]
    teacher, _ = await person(world, "teacher")
    await teacher.tap("Espace enseignant")
    replies = await teacher.send(f"{code[:4].lower()} {code[4:].lower()}")
    assert teacher.texts(replies) == (
        "Code accepté : vous êtes enseignant.\nDans quelle école enseignez-vous ? (nom et ville)"
    )
    other, _ = await person(world, "teacher")
    await other.tap("Espace enseignant")
    assert other.texts(await other.send(code)) == (
        "Ce code a déjà servi autant de fois que prévu.\n"
        "Pour créer des classes et suivre vos élèves, il faut un compte enseignant : un code "
        "d'invitation de l'administration de votre pays, ou une demande qu'elle acceptera. En "
        "attendant, vous gardez l'accès aux cours."
    )
    assert other.texts(await other.send("bonjour")).startswith("Je n'ai pas compris.")


async def test_an_invited_teacher_creates_a_class_and_a_student_joins_it() -> None:
    world = World()
    teacher, _ = await invited_teacher(world)
    await teacher.tap("Nouvelle classe")
    await teacher.send("CM2 B")
    await teacher.tap("CM2")
    replies = await teacher.tap("Mathématiques")
    text = teacher.texts(replies)
    assert "La classe « CM2 B » est créée." in text
    join = text.split("/rejoindre ")[1].split()[0]
    assert f"https://ecole.example.org/c/{join}" in text

    awa, _ = await person(world)
    await awa.send(f"/rejoindre {join.lower()}")
    assert "Quel prénom votre enseignant verra-t-il ?" in awa.texts()
    await awa.send("Awa D.")
    assert "Bienvenue dans la classe « CM2 B » !" in awa.texts()
    await teacher.send("/classes")
    assert "👥 CM2 B · CM2 (1)" in [o.label for o in teacher.last_prompt().options]


async def test_a_class_gone_while_the_student_gives_their_name_is_said_not_a_crash() -> None:
    world = World()
    teacher, _ = await invited_teacher(world)
    await teacher.tap("Nouvelle classe")
    await teacher.send("CM2 C")
    await teacher.tap("CM2")
    join = teacher.texts(await teacher.tap("Mathématiques")).split("/rejoindre ")[1].split()[0]
    awa, _ = await person(world)
    await awa.send(f"/rejoindre {join}")
    world.classes.clear()  # the teacher erased their data meanwhile
    replies = await awa.send("Awa D.")
    assert awa.texts(replies) == (
        "Cette classe n'existe plus. Demandez le nouveau code à votre enseignant.\n"
        "Écrivez le code de la classe (6 lettres et chiffres) :"
    )


async def test_a_student_is_refused_the_teachers_commands() -> None:
    world = World()
    student, _ = await person(world)
    await student.send("/classes")
    assert "réservée aux enseignants" in student.texts()


async def test_a_request_waits_for_the_admin_of_the_country_who_accepts_it() -> None:
    world = World()
    teacher, uid = await person(world, "teacher")
    await teacher.tap("Espace enseignant")
    await teacher.tap("Demander l'accès enseignant")
    await teacher.send("CEG de Thiès")
    await teacher.tap("Plus tard")
    await teacher.tap("Français")
    await teacher.tap("Valider")
    await teacher.tap("6e")
    await teacher.tap("Valider")
    assert "Votre demande est envoyée à l'administration (Sénégal)" in teacher.texts()
    admin = await national_admin(world)
    await admin.send("/admin")
    await admin.tap("Demandes d'enseignants")
    assert "CEG de Thiès · Sénégal" in admin.texts()
    await admin.tap("Accepter n°1")
    assert "Demande acceptée." in admin.texts()
    assert world.people[uid].grants == [Grant(Role.TEACHER, "SN")]
    await teacher.send("/classes")
    assert "Vous n'avez pas encore de classe." in teacher.texts()


async def test_an_admin_announces_to_the_students_of_their_country_and_cancels() -> None:
    world = World()
    for country in ("SN", "SN", "SN", "ML"):
        world.person(country=country, role="student", level="CM2")
    world.people[world.person(country="SN", role="student")].opted_out = True
    for _ in range(4):  # messages sent to many before (notices, reminders) take ids too
        world.next_id("broadcasts")
    admin = await national_admin(world)
    await admin.send("/admin")
    await admin.tap("Nouvelle annonce")
    await admin.send("Les écoles rouvrent lundi.")
    await admin.tap("Continuer")
    for choice in ("Les élèves", "Toutes les classes", "Toutes les langues"):
        await admin.tap(choice)
    await admin.tap("Pas de classe précise")
    await admin.tap("Tout le monde")
    assert "Aperçu :\n\nLes écoles rouvrent lundi." in admin.texts()
    assert "Cette annonce touchera 3 personnes.\nOn envoie ?" in admin.texts()
    said = admin.texts(await admin.tap("Envoyer maintenant"))
    assert (
        "Annonce envoyée : 3 messages partent maintenant. Suivez-la dans « Annonces envoyées »."
    ) in said
    assert "n°" not in said, "the storage's id is not the admin's count"
    (sent,) = world.broadcasts.values()
    assert (sent.draft.audience.countries, len(sent.recipients)) == (("SN",), 3)

    listed = admin.texts(await admin.tap("Annonces envoyées"))
    assert listed.startswith("1. ") and "« Les écoles rouvrent lundi. »" in listed
    assert "public 3" in admin.texts() and "en attente 3" in admin.texts()
    assert "❌ Annuler l'annonce 1" in [o.label for o in admin.last_prompt().options]
    await admin.tap("Annuler l'annonce")
    assert (
        "Annonce « Les écoles rouvrent lundi. » annulée : 3 messages ne partiront pas."
    ) in admin.texts()
    assert sent.status == "cancelled"


async def test_a_teacher_posts_in_a_circle_and_a_colleague_reads_it() -> None:
    world = World()
    awa, awa_id = await invited_teacher(world)
    moussa, moussa_id = await person(world, "teacher", "ML")
    world.people[moussa_id].grants.append(Grant(Role.TEACHER, "ML"))
    circle = await world.desks(awa_id).circles.create_circle("Maths CM", "maths", "CM")
    await world.desks(moussa_id).circles.set_digest(circle, "every")

    await awa.send("/cercles")
    assert awa.last_prompt().options[0].label == "🌍 Maths CM (1)"
    await awa.tap("Maths CM")
    assert "Pas encore de message dans ce cercle." in awa.texts(awa.sent[-2:])
    await awa.tap("Rejoindre le cercle")
    assert "✍️ Écrire" in [o.label for o in awa.last_prompt().options]
    await awa.tap("Écrire")
    await awa.send("Qui a une activité sur les fractions ?")
    posts = world.desks(moussa_id).circles
    assert [p.text for p in await posts.recent(circle, 5)] == [
        "Qui a une activité sur les fractions ?"
    ]
    (relayed,) = [b for b in world.broadcasts.values() if moussa_id in b.recipients]
    assert "fractions" in " ".join(relayed.draft.texts.values())
    await moussa.send("/cercles")
    await moussa.tap("Maths CM")
    assert "Qui a une activité sur les fractions ?" in moussa.texts(moussa.sent[-2:])


async def test_a_teacher_submits_a_course_to_an_open_contest() -> None:
    world = World()
    teacher, uid = await invited_teacher(world)
    world.course(uid, "eau", WATER)
    admin_id = world.person(country="SN")
    world.people[admin_id].grants.append(Grant(Role.REGIONAL_ADMIN, None))
    now = datetime.now(UTC)
    await world.desks(admin_id).creathon.open_contest(
        ContestDraft(
            "L'eau dans notre village",
            "Un cours court.",
            ("CM2",),
            ("sciences",),
            now + timedelta(days=2),
            now + timedelta(days=9),
            (("Clarté", 100),),
            (admin_id,),
        )
    )
    await teacher.send("/creathon")
    await teacher.tap("L'eau dans notre village")
    await teacher.tap("scénario")
    await teacher.tap("Le cycle de l'eau")
    await teacher.send("Les élèves observent une flaque pendant une semaine.")
    if "Votre nom" in teacher.texts(teacher.sent[-1:]):
        await teacher.send("Awa Ndiaye")
    assert "Votre scénario est déposé." in teacher.texts(teacher.sent[-3:])
    (entry,) = [s for s, _ in world.submissions.values()]
    assert (entry.course_id, entry.author_id, entry.country) == ("eau", uid, "SN")


async def test_a_colleague_of_another_country_accepts_and_an_exchange_opens() -> None:
    world = World()
    asker, _ = await invited_teacher(world)
    peer, peer_id = await person(world, "teacher", "ML")
    world.teacher_of(peer_id, "ML")
    await world.desks(peer_id).teaching.save_profile(
        "École de Bamako", ("mathematiques",), ("CM2",), "approved"
    )
    await asker.send("/cercles")
    await asker.tap("Trouver un·e collègue")
    await asker.tap("Mathématiques")
    await asker.tap("CM2")
    assert "J'ai proposé votre demande" in asker.texts()
    (proposed,) = [b for b in world.broadcasts.values() if b.recipients == (peer_id,)]
    assert "cherche un·e collègue en Mathématiques, CM2" in proposed.draft.texts["fr"]

    await peer.send("/cercles")
    assert "Mathématiques, CM2 · Sénégal" in peer.texts()
    await peer.tap("Accepter n°1")
    assert "Vous êtes en relation avec Enseignant·e (Sénégal, École Liberté 6, Dakar)" in (
        peer.texts()
    )
    await asker.send("/cercles")
    labels = [o.label for o in asker.last_prompt().options]
    assert any(label.startswith("✅ Échange Enseignant·e – Enseignant·e") for label in labels)


async def test_a_student_asks_their_teacher_who_answers() -> None:
    world = World()
    teacher, teacher_id = await invited_teacher(world)
    room = await world.desks(teacher_id).teaching.create_class("CM2 A", "CM2", "maths")
    awa_id = world.person(country="SN", role="student", level="CM2")
    await world.desks(awa_id).teaching.join(room.id, "Awa")
    asked = await world.desks(awa_id).reports.ask(room.id, "fractions", "parts-egales", "1/2 ?")
    assert asked is not None

    await teacher.send("/classes")
    page = await teacher.tap("CM2 A")
    assert teacher.texts(page) == "👥 CM2 A · CM2 · maths\n1 élève · code C00001"
    assert "❓ Questions des élèves (1)" in [o.label for o in teacher.last_prompt().options]
    shown = teacher.texts(await teacher.tap("Questions des élèves"))
    assert shown == (
        "❓ Awa (CM2 A), sur « Partager en parts égales » :\n1/2 ?\n\nÉcrivez votre réponse :"
    )
    answered = teacher.texts(await teacher.send("Parce que 2/4 = 1/2."))
    assert "Aucune question en attente." in answered
    (told,) = [b for b in world.broadcasts.values() if b.recipients == (awa_id,)]
    assert "Parce que 2/4 = 1/2." in told.draft.texts["fr"]
    assert await world.desks(teacher_id).reports.questions(None) == []


async def test_a_regional_admin_opens_a_contest_with_a_rubric_and_a_jury() -> None:
    world = World()
    admin, admin_id = await person(world, "teacher")
    world.people[admin_id].grants.append(Grant(Role.REGIONAL_ADMIN, None))
    juror = world.person(country="ML", role="teacher")
    juror_code = await world.desks(juror).admin.person_code()
    await admin.send("/admin")
    await admin.tap("Creathon")
    await admin.tap("Nouveau concours")
    await admin.send("L'eau dans notre village")
    await admin.send("Un cours court et une façon de l'utiliser en classe.")
    await admin.tap("CM2")
    await admin.tap("Valider")
    await admin.tap("Sciences")
    await admin.tap("Valider")
    await admin.send("demain 18:00")
    later = datetime.now(UTC) + timedelta(days=10)
    await admin.send(later.strftime("%d/%m/%Y 18:00"))
    said = admin.texts(await admin.send("Clarté 30\nActivité des élèves 40"))
    assert "Les poids doivent faire 100 en tout." in said
    await admin.send("Clarté 30\nActivité des élèves 40\nAdaptation au contexte 30")
    assert "Je ne trouve personne avec le code ZZZZZZ." in admin.texts(await admin.send("ZZZZZZ"))
    await admin.send(juror_code)
    assert "Grille : Clarté 30 %, Activité des élèves 40 %" in admin.texts()
    await admin.tap("Ouvrir le concours")
    assert "Le concours « L'eau dans notre village » est ouvert aux dépôts." in admin.texts()
    (contest,) = world.contests.values()
    assert (contest.levels, contest.subjects, contest.jury) == (("CM2",), ("sciences",), (juror,))
    assert contest.criteria == (
        ("Clarté", 30),
        ("Activité des élèves", 40),
        ("Adaptation au contexte", 30),
    )
