"""Figures by sex: students answer (or skip) "girl or boy" in the chat; the admins' /stats,
its CSV and the portal API break the students down by sex, and hide every group under 5
and any group that subtraction from a shown total would give away."""

from __future__ import annotations

from bot.app import BotApp
from bot.conversations import Conversations
from dialogs.messages import Document
from tests.integration.test_admin_chat import admin_of, learners
from tests.integration.test_admin_chat import talk as talk  # the `talk` fixture
from tests.integration.test_portal_api import bot as bot  # the `bot` fixture
from tests.integration.test_portal_api import get
from tests.store_driver import Person


async def say_sex(person: Person, label: str) -> None:
    """Through the settings: "Fille ou garçon", then the answer."""
    await person.send("/menu")
    if "settings" not in [o.id for o in person.last_prompt().options]:
        await person.tap("more")
    await person.tap("settings")
    await person.tap("Fille ou garçon")
    await person.tap(label)


async def six_girls_two_boys_five_unsaid(talk: Conversations) -> None:
    people = await learners(talk, 13, "Sénégal", "whatsapp")
    for person in people[:6]:
        await say_sex(person, "Fille")
    for person in people[6:8]:
        await say_sex(person, "Garçon")
    for person in people[8:10]:  # they open the question and decline
        await say_sex(person, "Je préfère ne pas le dire")


BY_SEX = """👧👦 Élèves par sexe (pour protéger chacun, un groupe de moins de 5 n'est pas montré)

Tous les pays
· Filles : 6 élèves, 6 actifs sur 7 jours, 0 leçons terminées, score moyen –
· Garçons : masqué
· Non précisé : masqué

Sénégal
· Filles : 6 élèves, 6 actifs sur 7 jours, 0 leçons terminées, score moyen –
· Garçons : masqué
· Non précisé : masqué"""


async def test_stats_and_its_csv_break_students_down_by_sex_with_small_groups_hidden(
    talk: Conversations, database_url: str
) -> None:
    await six_girls_two_boys_five_unsaid(talk)
    admin = await admin_of(talk, database_url, "national_admin", "SN")
    replies = await admin.send("/stats")
    assert BY_SEX in admin.texts(replies)
    documents = {m.filename: m for m in replies if isinstance(m, Document)}
    rows = documents["impact_sexe.csv"].content.decode("utf-8-sig").splitlines()
    assert rows == [
        "pays,sexe,élèves,actifs 7 jours,leçons terminées,quiz,score moyen",
        "tous,girl,6,6,0,0,",
        "tous,boy,,,,,",
        "tous,unknown,,,,,",
        "SN,girl,6,6,0,0,",
        "SN,boy,,,,,",
        "SN,unknown,,,,,",
    ]


async def test_the_portal_breaks_figures_down_by_sex_with_small_groups_null(
    bot: BotApp,
) -> None:
    assert bot.conversations is not None
    await six_girls_two_boys_five_unsaid(bot.conversations)
    status, body = await get(bot, "/api/v1/figures?country=SN")
    assert status == 200
    found = {(row["country"], row["sex"]): row for row in body["by_sex"]}
    assert found[("SN", "girl")] == {
        "country": "SN",
        "sex": "girl",
        "learners": 6,
        "active_7_days": 6,
        "lessons_completed": 0,
        "quiz_attempts": 0,
        "average_score": None,
    }
    for key in (("SN", "boy"), ("SN", "unknown"), ("all", "boy"), ("all", "unknown")):
        assert {k for k, v in found[key].items() if v is not None} == {"country", "sex"}
    _, description = await get(bot, "/api/v1/openapi.json", token=None)
    schema = description["paths"]["/api/v1/figures"]["get"]["responses"]["200"]
    assert "by_sex" in str(schema) and "subtracting" in str(schema)
