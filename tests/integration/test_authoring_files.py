"""Files in the authoring chat: a course file creates or replaces a course (or is refused
with its line, nothing changed), GIFT and Aiken questions join the last lesson's quiz, photos
and voice notes become steps that learners see, and steps are replaced, moved and deleted."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.conversations import Conversations
from dialogs.messages import Document, Show
from tests.integration.test_authoring import teacher_of, write_course
from tests.store_driver import Person, open_conversations

COURSE = """id: eau-propre
title: L'eau propre
subject: sciences
levels: CM2
language: fr

# Boire de l'eau propre {#boire}

On boit l'eau du forage.

---

On garde l'eau dans un canari fermé.

## Quiz

? L'eau du marigot se boit-elle ?
= faux
"""

GIFT = """::Lavage:: Quand se lave-t-on les mains ? {=avant de manger ~jamais}

Combien de fois par jour faut-il boire ? {#5:3}

Le savon tue les microbes. {T}
"""

AIKEN = """Où trouve-t-on de l'eau potable ?
A. Au forage
B. Au marigot
ANSWER: A
"""


@pytest.fixture
async def talk(database_url: str) -> AsyncIterator[Conversations]:
    async with open_conversations(database_url) as conversations:
        yield conversations


async def publish(teacher: Person) -> None:
    """Publish to the teacher's country (licence and signature asked on the way, if so)."""
    await teacher.tap("Publier")
    await teacher.tap("Les élèves de mon pays")
    if any("CC BY-SA 4.0" in label for label in teacher.options()):
        await teacher.tap("CC BY-SA 4.0")
    if "Publié" not in teacher.texts(teacher.sent[-2:]):
        await teacher.send("Awa Ndiaye")
    assert "Publié" in teacher.texts(teacher.sent[-2:])


async def exported(teacher: Person) -> str:
    """The course text, as the teacher gets it."""
    replies = await teacher.tap("Recevoir le fichier")
    return next(m for m in replies if isinstance(m, Document)).content.decode("utf-8")


async def test_a_course_file_creates_a_course_and_a_broken_one_changes_nothing(
    talk: Conversations, database_url: str
) -> None:
    teacher = await teacher_of(talk, database_url)
    await teacher.send("/classes")
    await teacher.tap("Mes cours")
    await teacher.tap("Importer un fichier")
    await teacher.send_file("document", "f1", "eau.md", COURSE.encode())
    assert "Le brouillon « L'eau propre » est prêt." in teacher.texts()
    assert "« L'eau propre » : 1 leçon" in teacher.texts()
    assert "id: eau-propre" in await exported(teacher)

    broken = COURSE.replace("= faux", "= faux\n* oui").replace("On garde", "On garde bien")
    await teacher.tap("Importer un fichier")
    replies = await teacher.send_file("document", "f2", "eau.md", broken.encode())
    said = teacher.texts(replies)
    assert "Ligne 18 : une question prend des options" in said and "Rien n'a été changé." in said
    await teacher.tap("Retour")
    text = await exported(teacher)
    assert "On garde l'eau" in text and "On garde bien" not in text

    await teacher.tap("Importer un fichier")
    fixed = COURSE.replace("On garde", "On garde bien")
    await teacher.send_file("document", "f3", "eau.md", fixed.encode())
    assert "Le cours a été remplacé par le fichier : 1 leçon." in teacher.texts()
    assert "On garde bien" in await exported(teacher)


async def test_gift_and_aiken_questions_join_the_last_lessons_quiz(
    talk: Conversations, database_url: str
) -> None:
    teacher = await teacher_of(talk, database_url)
    await write_course(teacher)
    await teacher.tap("Importer un fichier")
    await teacher.send_file("document", "g1", "hygiene.gift", GIFT.encode())
    assert "3 questions ajoutées au quiz de la dernière leçon." in teacher.texts()
    await teacher.tap("Importer un fichier")
    await teacher.send_file("document", "a1", "eau.txt", AIKEN.encode())
    assert "1 question ajoutée au quiz de la dernière leçon." in teacher.texts()
    text = await exported(teacher)
    assert "? Quand se lave-t-on les mains ?\n* avant de manger\n- jamais" in text
    assert "= 5 ± 3" in text and "= vrai" in text and "* Au forage\n- Au marigot" in text

    await teacher.tap("Importer un fichier")
    replies = await teacher.send_file("document", "g2", "faux.gift", b"Q1 {=a}\n\nQ2 {=}\n")
    said = teacher.texts(replies)
    assert "Ligne 3 :" in said and "Rien n'a été changé." in said
    await teacher.tap("Retour")
    assert (await exported(teacher)).count("\n? ") == 5


async def test_photos_and_voice_notes_are_steps_learners_see(
    talk: Conversations, database_url: str
) -> None:
    teacher = await teacher_of(talk, database_url)
    await write_course(teacher)
    await teacher.tap("Nouvelle leçon")
    await teacher.send("Le tas de compost")
    await teacher.send("Voici notre tas.")
    await teacher.send_file("photo", "p1", content=b"\xff\xd8jpeg", mime="image/jpeg")
    await teacher.send_file("voice", "v1", content=b"OggS voice", mime="audio/ogg")
    await teacher.send_file("document", "d1", "Fiche élève.pdf", b"%PDF-1.4", "application/pdf")
    assert "Étape 4 ajoutée." in teacher.texts()
    await teacher.send_file("photo", "p2")  # the adapter could not fetch it
    assert "Le fichier n'a pas pu être reçu." in teacher.texts()
    await teacher.tap("Leçon terminée")
    text = await exported(teacher)
    assert "![](images/p1.jpg)" in text and "[audio: ](audio/v2.ogg)" in text
    assert "[document: Fiche élève](docs/fiche-eleve.pdf)" in text
    replies = await teacher.tap("Aperçu")
    shown = [m for m in replies if isinstance(m, Show)]
    assert [m.kind for m in shown] == ["image", "audio", "document"]
    assert shown[0].path.read_bytes() == b"\xff\xd8jpeg"

    await publish(teacher)
    student = Person.on(talk, "whatsapp", "221770002222")
    await student.onboard()
    await student.tap("Les cours")
    await student.tap("Sciences")
    await student.tap("Le compost")
    await student.tap("Le tas de compost")
    replies = await student.tap("Suivant")
    (image,) = [m for m in replies if isinstance(m, Show)]
    assert image.kind == "image" and image.path.read_bytes() == b"\xff\xd8jpeg"


async def test_steps_are_replaced_moved_up_and_deleted(
    talk: Conversations, database_url: str
) -> None:
    teacher = await teacher_of(talk, database_url)
    await write_course(teacher)
    await teacher.tap("Modifier une leçon")
    await teacher.tap("1. Faire un compost")
    assert teacher.options()[:2] == [
        "1. Le compost transforme les épluchures en…",
        "2. # On arrose un peu chaque semaine.",
    ]
    await teacher.tap("2")
    await teacher.tap("Monter")
    assert "Étape montée." in teacher.texts()
    assert teacher.options()[0] == "1. # On arrose un peu chaque semaine."
    await teacher.tap("2")
    await teacher.tap("Remplacer")
    await teacher.send("On retourne le tas chaque mois.")
    assert "Étape remplacée." in teacher.texts()
    assert teacher.options()[1] == "2. On retourne le tas chaque mois."
    await teacher.tap("1")
    await teacher.tap("Supprimer")
    assert "Étape supprimée." in teacher.texts()
    assert teacher.options()[:-1] == ["1. On retourne le tas chaque mois."]
    await teacher.tap("1")
    replies = await teacher.tap("Supprimer")  # the last step: the lesson would be empty
    assert "La modification n'a pas été gardée." in teacher.texts(replies)
    await teacher.tap("Les leçons")
    await teacher.tap("Le cours")
    text = await exported(teacher)
    assert "On retourne le tas chaque mois." in text and "épluchures en engrais" not in text
    assert "? Que met-on dans le compost ?" in text
