"""The Creathon, on the real store: an admin opens a contest, teachers of three countries
submit a course with how they use it, peers of other countries review anonymously with the
rubric, the jury scores the shortlist, and the winners reach the shared library with their
laureate mark and an announcement to teachers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from bot.admin_cli import grant as cli_grant
from bot.conversations import Conversations
from bot.storage.db import create_engine
from bot.storage.sql import as_json
from dialogs.flows import creathon, creathon_entries
from dialogs.state import DialogState
from tests.store_driver import Person, open_conversations

THEME = "L'eau dans notre village"
CODES = {"Sénégal": "SN", "Mali": "ML", "Tchad": "TD"}
# author -> (country, title, peer mark, jury mark) for every criterion
ENTRIES = {
    "awa": ("Sénégal", "Le cycle de l'eau", 8, 9, "Awa Ndiaye"),
    "fatou": ("Sénégal", "Les nombres du marché", 3, 2, "Fatou Sow"),
    "moussa": ("Mali", "Les plantes du Sahel", 6, 7, "Moussa Traoré"),
    "zara": ("Tchad", "Le compost", 9, 7, "Zara Mahamat"),
}
NAMES = tuple(entry[4] for entry in ENTRIES.values())


@pytest.fixture
async def talk(database_url: str) -> AsyncIterator[Conversations]:
    async with open_conversations(database_url) as conversations:
        yield conversations


async def rows(database_url: str, sql: str, **params: Any) -> list[Any]:
    """Rows of a query on the test's database."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(text(sql), params)).all())
    finally:
        await engine.dispose()


async def teacher(talk: Conversations, database_url: str, name: str, country: str) -> Person:
    person = Person.on(talk, "telegram", name)
    await person.onboard(country=country, role="Enseignant")
    await cli_grant(database_url, "telegram", name, "teacher", CODES[country])
    return person


async def write_course(author: Person, title: str) -> None:
    """A small course, a draft, written in the chat."""
    await author.send("/classes")
    await author.tap("Mes cours")
    await author.tap("Nouveau cours")
    await author.send(title)
    await author.tap("Sciences")
    await author.tap("CM2")
    await author.tap("Français")
    await author.tap("Nouvelle leçon")
    await author.send("Observer")
    await author.send(f"Aujourd'hui : {title.lower()}.")
    await author.tap("Leçon terminée")


async def open_page(person: Person) -> None:
    """The contest's page, from /creathon."""
    await person.send("/creathon")
    await person.tap(THEME)


async def open_contest(admin: Person, juror_code: str) -> None:
    await admin.send("/admin")
    await admin.tap("Creathon")
    await admin.tap("Nouveau concours")
    await admin.send(THEME)
    await admin.send("Un cours court et une façon de l'utiliser en classe.")
    await admin.tap("CM2")
    await admin.tap("Valider")
    await admin.tap("Sciences")
    await admin.tap("Valider")
    await admin.send("demain 18:00")
    later = datetime.now(UTC) + timedelta(days=10)
    await admin.send(later.strftime("%d/%m/%Y 18:00"))
    replies = await admin.send("Clarté 30\nActivité des élèves 40")
    assert "Les poids doivent faire 100 en tout." in admin.texts(replies)
    await admin.send("Clarté 30\nActivité des élèves 40\nAdaptation au contexte 30")
    replies = await admin.send("ZZZZZZ")
    assert "Je ne trouve personne avec le code ZZZZZZ." in admin.texts(replies)
    await admin.send(juror_code)
    assert "Grille : Clarté 30 %, Activité des élèves 40 %" in admin.texts()
    await admin.tap("Ouvrir le concours")
    assert f"Le concours « {THEME} » est ouvert aux dépôts." in admin.texts()


async def submit(author: Person, title: str, description: str, name: str) -> None:
    await open_page(author)
    await author.tap("scénario")  # « Déposer » or « Modifier »
    await author.tap(title)
    await author.send(description)
    if "Votre nom" in author.texts(author.sent[-1:]):
        await author.send(name)
    assert "Votre scénario est déposé." in author.texts(author.sent[-3:])
    assert f"Votre scénario : le cours « {title}" in author.texts(author.sent[-3:])


async def review_all(reviewer: Person, kind: str, marks: dict[str, int]) -> list[str]:
    """Score every scenario handed to the reviewer; the texts they read."""
    await open_page(reviewer)
    await reviewer.tap(kind)
    read = []
    while any("⏳" in label for label in reviewer.options()):
        await reviewer.tap(next(label for label in reviewer.options() if "⏳" in label))
        shown = reviewer.texts(reviewer.sent[-6:])
        read.append(shown)
        title = next(t for t in marks if t in shown)
        await reviewer.tap("Noter ce scénario")
        for _ in range(3):
            await reviewer.tap(str(marks[title]))
        await reviewer.send(f"Avis sur {title}.")
        assert "Vos notes sont enregistrées" in reviewer.texts(reviewer.sent[-2:])
    return read


async def test_a_whole_creathon_from_opening_to_winners(
    talk: Conversations, database_url: str
) -> None:
    admin = Person.on(talk, "telegram", "regional")
    await admin.onboard()
    await cli_grant(database_url, "telegram", "regional", "regional_admin", "")
    juror = Person.on(talk, "telegram", "juror")
    await juror.onboard(country="Mali")
    said = juror.texts(await juror.send("/mon_code"))
    juror_code = said.split("Votre code : ")[1].split()[0]
    await open_contest(admin, juror_code)

    people = {}
    for key, (country, title, *_) in ENTRIES.items():
        people[key] = await teacher(talk, database_url, key, country)
        await write_course(people[key], title)
    await people["awa"].tap("Publier")  # a published course may take part, as drafts do
    await people["awa"].tap("Les élèves de mon pays")
    await people["awa"].tap("CC BY-SA 4.0")
    await people["awa"].send("Awa Ndiaye")
    for key, (_, title, _, _, name) in ENTRIES.items():
        await submit(people[key], title, "D'abord une sortie, puis la leçon.", name)
    await submit(people["awa"], "Le cycle de l'eau", "Les élèves observent un puits.", "")
    count = await rows(database_url, "SELECT COUNT(*) FROM creathon_submissions")
    assert count[0][0] == len(ENTRIES)  # one per teacher: the second one replaced the first

    await open_page(admin)
    await admin.tap("Clore les dépôts")
    assert "Dépôts clos : 4 relecteurs ont reçu des scénarios." in admin.texts()
    assigned = await rows(
        database_url,
        "SELECT s.author_id, s.country, r.reviewer_id, u.country FROM creathon_reviews r"
        " JOIN creathon_submissions s ON s.id = r.submission_id JOIN users u"
        " ON u.id = r.reviewer_id WHERE r.kind = 'peer'",
    )
    assert len(assigned) == 10  # 3 each for Mali and Tchad, 2 for each Senegalese entry
    assert all(author != reviewer and where != lives for author, where, reviewer, lives in assigned)
    notices = await rows(database_url, "SELECT texts FROM broadcasts")
    assert any("relecture anonyme" in as_json(t)["fr"] for (t,) in notices)

    peer = {title: mark for _, title, mark, _, _ in ENTRIES.values()}
    for key, person in people.items():
        for shown in await review_all(person, "Relire", peer):
            assert "Utilisation en classe" in shown
            assert not any(name in shown for name in NAMES), shown  # anonymous to reviewers
            handed = [line for line in shown.splitlines() if "Votre scénario" not in line]
            assert ENTRIES[key][1] not in "\n".join(handed)  # never their own scenario

    await open_page(people["awa"])
    await people["awa"].tap("Les avis sur mon scénario")
    feedback = people["awa"].texts(people["awa"].sent[-1:])
    assert (
        feedback.count("Un relecteur · 80/100") == 2 and "Avis sur Le cycle de l'eau." in feedback
    )
    assert not any(name in feedback for name in NAMES)  # anonymous to authors

    await open_page(admin)
    await admin.tap("Passer au jury")
    assert "4 scénarios présélectionnés pour le jury." in admin.texts()
    jury = {title: mark for _, title, _, mark, _ in ENTRIES.values()}
    for shown in await review_all(juror, "Noter la présélection", jury):
        assert not any(name in shown for name in NAMES)

    await open_page(admin)
    await admin.tap("Proclamer les résultats")
    assert "Résultats publiés" in admin.texts()
    page = admin.texts(admin.sent[-1:])
    order = [page.index(title) for title in ("cycle de l'eau", "Le compost", "plantes", "nombres")]
    assert order == sorted(order)  # jury 90, 70 (peers 90), 70 (peers 60), 20
    assert "🥇 1. « Le cycle de l'eau » — Awa Ndiaye (Sénégal)" in page

    reader = await teacher(talk, database_url, "reader", "Tchad")
    await reader.send("/classes")
    await reader.tap("Bibliothèque partagée")
    listing = reader.texts(reader.sent[-1:])
    mark = f"🏆 Lauréat Creathon « {THEME} »"
    for title in ("Le cycle de l'eau", "Le compost", "Les plantes du Sahel"):
        line = next(line for line in listing.split("\n") if title in line)
        assert mark in line
    assert "Les nombres du marché" not in listing  # not a winner: still a draft
    await reader.tap("Le compost")
    assert mark in reader.texts(reader.sent[-1:])  # on the course's page too
    assert "Zara Mahamat (Tchad)" in reader.texts(reader.sent[-1:])  # the author credited

    announced = await rows(database_url, "SELECT texts, audience FROM broadcasts")
    winners = [as_json(a) for t, a in announced if "lauréats" in as_json(t)["fr"]]
    assert len(winners) == 1 and winners[0]["roles"] == ["teacher"]
    assert not winners[0]["personal"]


async def test_no_one_reviews_their_own_or_their_country_s_scenario(
    talk: Conversations, database_url: str
) -> None:
    admin = Person.on(talk, "telegram", "regional")
    await admin.onboard()
    await cli_grant(database_url, "telegram", "regional", "regional_admin", "")
    said = admin.texts(await admin.send("/mon_code"))
    code = said.split("Votre code : ")[1].split()[0]
    await open_contest(admin, code)
    awa = await teacher(talk, database_url, "awa", "Sénégal")
    fatou = await teacher(talk, database_url, "fatou", "Sénégal")
    moussa = await teacher(talk, database_url, "moussa", "Mali")
    for person, title, name in (
        (awa, "Le cycle de l'eau", "Awa Ndiaye"),
        (moussa, "Le sol", "M T"),
    ):
        await write_course(person, title)
        await submit(person, title, "En groupes.", name)
    await open_page(admin)
    await admin.tap("Clore les dépôts")
    await open_page(fatou)
    await fatou.tap("Relire")
    assert fatou.options() == ["⏳ Scénario A", "⬅️ Le concours"]  # Moussa's only
    await fatou.tap("Scénario A")
    assert "Le sol" in fatou.texts(fatou.sent[-4:])
    awa_review = await rows(
        database_url,
        "SELECT r.id FROM creathon_reviews r JOIN creathon_submissions s"
        " ON s.id = r.submission_id JOIN users u ON u.id = s.author_id"
        " WHERE u.external_id = 'awa'",
    )
    contest = (await rows(database_url, "SELECT id FROM creathon_contests"))[0][0]
    for forger in (awa, fatou):  # the author and her compatriot try to score Awa's scenario
        for (review_id,) in awa_review:
            async with talk.store.turn(forger.user) as tx:
                assert tx is not None
                data = {
                    "cr": contest,
                    "cr_kind": "peer",
                    "cr_review": {"id": review_id, "scores": [10, 10, 10]},
                }
                tx.save(
                    tx.profile, DialogState(step="cr_comment", prompt=tx.state.prompt, data=data)
                )
            await forger.send("Parfait !")
    scored = await rows(
        database_url, "SELECT COUNT(*) FROM creathon_reviews WHERE scored_at IS NOT NULL"
    )
    assert scored[0][0] == 0


async def test_a_student_reaches_no_contest_step(talk: Conversations) -> None:
    student = Person.on(talk, "telegram", "pupil")
    await student.onboard()
    replies = await student.send("/creathon")
    assert "réservé" in student.texts(replies)
    for step in (*creathon.STEPS, *creathon_entries.STEPS):
        async with talk.store.turn(student.user) as tx:
            assert tx is not None
            tx.save(tx.profile, DialogState(step=step, prompt=tx.state.prompt, data={"cr": 1}))
        replies = await student.send("1")
        assert "réservé" in student.texts(replies), step
