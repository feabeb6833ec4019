"""Sharing between teachers: publishing for my classes, my country or every country (with a
licence and the author's name), and the shared library where teachers find, preview, give,
copy (keeping the chain of attribution) and rate each other's courses."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from typing import Any

import pypdf
import pytest

from bot.admin_cli import grant as cli_grant
from bot.booklet import render_booklet
from bot.conversations import Conversations
from dialogs.flows import publishing, shared_library
from dialogs.state import DialogState
from tests.integration.test_authoring import write_course
from tests.store_driver import Person, open_conversations

CHAIN = (
    "adapté par Moussa Traoré (ML) d'après « Le compost au jardin de l'école » d'Awa Ndiaye (SN)"
)


@pytest.fixture
async def talk(database_url: str) -> AsyncIterator[Conversations]:
    async with open_conversations(database_url) as conversations:
        yield conversations


async def teacher(
    talk: Conversations, database_url: str, external_id: str, country: str = "Sénégal"
) -> Person:
    person = Person.on(talk, "telegram", external_id)
    await person.onboard(country=country, role="Enseignant")
    code = {"Sénégal": "SN", "Mali": "ML", "Tchad": "TD"}[country]
    await cli_grant(database_url, "telegram", external_id, "teacher", code)
    return person


async def publish(author: Person, audience: str, name: str | None = "Awa Ndiaye") -> None:
    """From the course's page: publish for `audience`, CC BY-SA, signing if asked."""
    await author.tap("Publier")
    await author.tap(audience)
    if any("CC BY 4.0" in label for label in author.options()):
        await author.tap("CC BY-SA 4.0")
    if name is not None and "Votre nom" in author.texts(author.sent[-1:]):
        await author.send(name)
    assert "Publié" in author.texts(author.sent[-2:])


async def new_class(author: Person) -> str:
    await author.send("/classes")
    await author.tap("Nouvelle classe")
    await author.send("CM2 A")
    await author.tap("CM2")
    replies = await author.tap("Sciences")
    return author.texts(replies).split("/rejoindre ")[1].split()[0]


async def sees_compost(student: Person) -> bool:
    await student.send("/menu")
    await student.tap("Les cours")
    if any("Sciences" in label for label in student.options()):
        await student.tap("Sciences")
    return any("compost" in label for label in student.options())


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        ("Les élèves de mes classes", (True, False, False)),
        ("Les élèves de mon pays", (True, True, False)),
        ("Les élèves de tous les pays", (True, True, True)),
    ],
)
async def test_each_visibility_reaches_its_students(
    talk: Conversations, database_url: str, audience: str, expected: tuple[bool, ...]
) -> None:
    author = await teacher(talk, database_url, "author")
    join = await new_class(author)
    in_class = Person.on(talk, "whatsapp", "221770000001")
    await in_class.onboard()
    await in_class.send(f"/rejoindre {join}")
    await in_class.send("Fatou")
    same_country = Person.on(talk, "whatsapp", "221770000002")
    await same_country.onboard()
    elsewhere = Person.on(talk, "telegram", "ml-student")
    await elsewhere.onboard(country="Mali")

    await write_course(author)
    await publish(author, audience)
    assert "Licence : CC BY-SA 4.0" not in author.texts()  # the licence lives in the file
    seen = (await sees_compost(in_class), await sees_compost(same_country))
    assert (*seen, await sees_compost(elsewhere)) == expected
    if audience == "Les élèves de mes classes":
        await author.send("/classes")
        await author.tap("CM2 A")
        await author.tap("Donner un travail")
        assert any("compost" in label for label in author.options())  # the author's own
        other = await teacher(talk, database_url, "other-sn")
        await new_class(other)
        await other.tap("Donner un travail")
        assert not any("compost" in label for label in other.options())


async def test_a_teacher_elsewhere_finds_previews_copies_and_credits_a_course(
    talk: Conversations, database_url: str
) -> None:
    author = await teacher(talk, database_url, "author")
    await write_course(author)
    await publish(author, "Les élèves de tous les pays")

    malian = await teacher(talk, database_url, "ml-teacher", "Mali")
    await malian.send("/classes")
    await malian.tap("Bibliothèque partagée")
    await malian.tap("Matière")
    await malian.tap("Mathématiques")
    assert not any("compost" in label for label in malian.options())
    await malian.tap("Matière")
    await malian.tap("Sciences")
    assert any("Le compost" in label for label in malian.options())
    await malian.tap("Effacer les filtres")
    await malian.send("jardin")  # a word of the title
    listing = malian.texts(malian.sent[-1:])
    assert "« Le compost au jardin de l'école » — Awa Ndiaye (Sénégal) · CC BY-SA 4.0" in listing
    await malian.send("potager")
    assert "Aucun cours ne correspond." in malian.texts(malian.sent[-1:])
    await malian.send("jard")
    await malian.tap("Le compost")
    replies = await malian.tap("Aperçu")
    assert "1. Faire un compost" in malian.texts(replies)
    assert "✅ Des épluchures" in malian.texts(replies)

    await malian.tap("Copier pour l'adapter")
    await malian.send("Moussa Traoré")
    assert "Une copie de « Le compost au jardin de l'école » est dans vos cours" in malian.texts()
    await malian.tap("Publier")
    await malian.tap("Les élèves de mon pays")
    assert "il garde cette licence" in malian.texts()  # share-alike: no licence to choose
    assert "Publié : les élèves de votre pays" in malian.texts()

    student = Person.on(talk, "telegram", "ml-pupil")
    await student.onboard(country="Mali")
    await student.tap("Les cours")
    if any("Sciences" in label for label in student.options()):
        await student.tap("Sciences")
    copy = next(c for c in talk.library.courses if c.attribution and "Moussa Traoré" in c.authors)
    await student.tap(copy.id)  # the original, for every country, is listed too
    assert f"✍️ {CHAIN}" in student.texts(student.sent[-1:])
    cover = pypdf.PdfReader(io.BytesIO(render_booklet(copy))).pages[0].extract_text()
    assert CHAIN in re.sub(r"\s+", " ", cover)
    assert "Moussa Traoré" in cover and "CC BY-SA 4.0" in cover


async def test_ratings_and_use_sort_the_shared_library(
    talk: Conversations, database_url: str
) -> None:
    awa = await teacher(talk, database_url, "awa")
    await write_course(awa)
    await publish(awa, "Les élèves de tous les pays")
    moussa = await teacher(talk, database_url, "moussa", "Mali")
    await moussa.send("/classes")
    await moussa.tap("Bibliothèque partagée")
    await moussa.tap("Le compost")
    await moussa.tap("Copier pour l'adapter")
    await moussa.send("Moussa Traoré")
    await moussa.tap("Publier")
    await moussa.tap("Les élèves de tous les pays")

    reader = await teacher(talk, database_url, "reader", "Tchad")

    async def rate(title_part: str, stars: str, comment: str) -> None:
        await reader.send("/classes")
        await reader.tap("Bibliothèque partagée")
        await reader.tap(f"c:{course_id(title_part)}")
        await reader.tap("Noter ce cours")
        await reader.tap(stars)
        await reader.send(comment)
        if "Votre nom" in reader.texts(reader.sent[-1:]):
            await reader.send("Zara Mahamat")
        assert "Votre note est enregistrée." in reader.texts()

    def course_id(author: str) -> str:
        return next(c.id for c in talk.library.courses if author in c.authors)

    await rate("Awa Ndiaye", "★★", "Trop court.")
    await rate("Moussa Traoré", "★★★★", "Très clair, avec des exemples du Mali.")
    await reader.tap("La bibliothèque")
    listing = reader.texts(reader.sent[-1:])
    assert listing.index("Moussa Traoré (Mali)") < listing.index("Awa Ndiaye (Sénégal)")
    await rate("Awa Ndiaye", "★★★★★", "Finalement excellent.")  # replaces the first rating
    page = reader.texts(reader.sent[-1:])
    assert "★★★★★ Zara Mahamat (Tchad) « Finalement excellent. »" in page
    assert "Trop court." not in page and "★ 5 (1)" in page
    await reader.tap("La bibliothèque")
    lines = reader.texts(reader.sent[-1:]).split("\n")
    assert lines[1].startswith("1. ") and "Awa Ndiaye" in lines[1]  # now 5 stars before 4
    await new_class(moussa)  # Moussa gives his own adaptation to a class: used beats rated
    await moussa.tap("Donner un travail")
    await moussa.tap(course_id("Moussa Traoré"))
    await moussa.tap("Tout le cours")
    await moussa.tap("Sans date limite")
    await reader.send("/classes")
    await reader.tap("Bibliothèque partagée")
    lines = reader.texts(reader.sent[-1:]).split("\n")
    assert "Moussa Traoré" in lines[1] and "donné à 1 classe" in lines[1]


async def test_a_student_reaches_no_sharing_step(talk: Conversations) -> None:
    student = Person.on(talk, "telegram", "pupil")
    await student.onboard()
    for step in (*publishing.STEPS, *shared_library.STEPS):
        async with talk.store.turn(student.user) as tx:
            assert tx is not None
            tx.save(tx.profile, DialogState(step=step, prompt=tx.state.prompt))
        replies = await student.send("1")
        assert "réservée aux enseignants" in student.texts(replies), step


async def stored_state(talk: Conversations, person: Person) -> dict[str, Any]:
    """The person's stored dialog data."""
    async with talk.store.turn(person.user) as tx:
        assert tx is not None
        return dict(tx.state.data)


async def test_the_course_shown_and_the_filters_stay_in_its_discussion_and_go_once_left(
    talk: Conversations, database_url: str
) -> None:
    author = await teacher(talk, database_url, "author")
    await write_course(author)
    await publish(author, "Les élèves de tous les pays")
    reader = await teacher(talk, database_url, "reader", "Mali")
    await reader.send("/classes")
    await reader.tap("Bibliothèque partagée")
    await reader.tap("Matière")
    await reader.tap("Sciences")
    await reader.tap("Le compost")
    course = next(c.id for c in talk.library.courses if "Awa Ndiaye" in c.authors)
    await reader.tap("Discussion")  # course_threads.py, another flow: called
    data = await stored_state(talk, reader)
    assert [f["then"] for f in data["calls"]] == ["shared_course"]
    browsing = data["flows"]["shared_library"]
    assert (browsing["filters"], browsing["course"]) == ({"subject": "sciences"}, course)
    assert "La discussion sur « Le compost au jardin de l'école »." in reader.texts()
    await reader.tap("Le cours")
    assert "Le compost au jardin de l'école" in reader.texts(reader.sent[-1:])
    await reader.tap("La bibliothèque")
    assert "Filtres : Sciences" in reader.texts(reader.sent[-1:])
    assert "calls" not in await stored_state(talk, reader)
    await reader.send("/menu")
    assert "flows" not in await stored_state(talk, reader)
    await reader.send("/classes")
    await reader.tap("Bibliothèque partagée")
    assert "Filtres" not in reader.texts(reader.sent[-1:])  # a new visit starts unfiltered
