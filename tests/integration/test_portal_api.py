"""The portal's read-only API: token, catalogue with deep links, aggregates without persons."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest

from bot.app import BotApp
from bot.config import Settings
from bot.storage.channels import ChannelStore
from tests.integration.test_authoring import write_course
from tests.integration.test_shared_library import new_class, publish, teacher
from tests.store_driver import Person

TOKEN = "portal-secret-token"


@pytest.fixture
async def bot(database_url: str) -> AsyncIterator[BotApp]:
    settings = Settings(
        database_url=database_url,
        web_host="127.0.0.1",
        web_port=0,
        pseudonym_secret=b"t",
        public_url="https://ecole.example.org",
        portal_api_token=TOKEN,
    )
    app = BotApp(settings)
    await app.start()
    yield app
    await app.stop()


async def get(bot: BotApp, path: str, token: str | None = TOKEN) -> tuple[int, dict]:  # type: ignore[type-arg]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{bot.port}{path}", headers=headers) as response,
    ):
        return response.status, json.loads(await response.text() or "{}")


async def test_the_description_is_public_and_the_data_needs_the_token(bot: BotApp) -> None:
    status, description = await get(bot, "/api/v1/openapi.json", token=None)
    assert status == 200 and description["openapi"].startswith("3.1")
    assert set(description["paths"]) == {"/api/v1/courses", "/api/v1/figures", "/api/v1/schools"}
    assert (await get(bot, "/api/v1/courses", token=None))[0] == 401
    assert (await get(bot, "/api/v1/figures", token="wrong"))[0] == 401


async def test_the_catalogue_links_every_lesson_into_the_chat(bot: BotApp) -> None:
    status, body = await get(bot, "/api/v1/courses")
    assert status == 200
    paludisme = next(c for c in body["courses"] if c["id"] == "paludisme")
    first = paludisme["lessons"][0]
    assert first["link"] == "https://ecole.example.org/l/paludisme/maladie"
    assert first["start_payload"] == "l_paludisme__maladie"
    assert paludisme["licence"] == "CC BY-SA 4.0" and paludisme["objectives"]
    teaching = next(c for c in body["courses"] if c["id"] == "enseigner-telephone")
    assert (paludisme["audience"], teaching["audience"]) == ("students", "teachers")


async def test_figures_are_aggregates_without_persons(bot: BotApp) -> None:
    assert bot.conversations is not None
    for i in range(6):
        person = Person.on(bot.conversations, "whatsapp", f"2217700000{i}")
        await person.onboard(country="Sénégal")
    mali = Person.on(bot.conversations, "telegram", "99887766")
    await mali.onboard(country="Mali")
    status, body = await get(bot, "/api/v1/figures?weeks=4")
    assert status == 200
    by_country = {row["country"]: row for row in body["countries"]}
    assert by_country["SN"]["learners"] == 6 and by_country["SN"]["active_7_days"] == 6
    # one learner in Mali: no cell describes them (k-anonymity, cells under 5 are null)
    assert by_country["ML"]["learners"] is None
    assert all(by_country["ML"][k] is None for k in ("active_7_days", "average_score"))
    assert len(body["weeks"]) == 4 and body["weeks"][-1]["new_learners"] == 7
    text = json.dumps(body)
    assert "22177" not in text and "99887766" not in text  # no phone number, no user id
    status, senegal = await get(bot, "/api/v1/figures?country=sn")
    assert [row["country"] for row in senegal["countries"]] == ["SN"]
    assert (await get(bot, "/api/v1/figures?weeks=many"))[0] == 400


async def test_no_figure_describes_fewer_than_five(bot: BotApp) -> None:
    """One learner who did a lesson: every cell about them is null, and the description says
    so."""
    assert bot.conversations is not None
    alone = Person.on(bot.conversations, "whatsapp", "22177000099")
    await alone.onboard(country="Sénégal")
    await alone.send("/menu")
    status, body = await get(bot, "/api/v1/figures?weeks=2")
    assert status == 200
    senegal = next(row for row in body["countries"] if row["country"] == "SN")
    counts = [v for k, v in senegal.items() if k != "country"]
    assert all(v is None or v == 0 or v >= 5 for v in counts), senegal
    assert all(w["new_learners"] in (0, None) for w in body["weeks"])
    _, description = await get(bot, "/api/v1/openapi.json", token=None)
    assert "k-anonymous" in description["info"]["description"]
    schema = description["paths"]["/api/v1/figures"]["get"]["responses"]["200"]
    assert "null" in json.dumps(schema) and "fewer than 5" in json.dumps(schema)


async def test_teachers_public_courses_are_listed_class_courses_are_not(
    bot: BotApp, database_url: str
) -> None:
    assert bot.conversations is not None
    talk = bot.conversations
    author = await teacher(talk, database_url, "author")
    await new_class(author)
    await write_course(author)
    await publish(author, "Les élèves de tous les pays")
    _, body = await get(bot, "/api/v1/courses")
    public = [c for c in body["courses"] if "compost" in c["title"].lower()]
    assert len(public) == 1 and public[0]["lessons"][0]["link"].startswith(
        "https://ecole.example.org/l/"
    )
    assert any(c["id"] == "paludisme" for c in body["courses"])  # the bundled ones stay
    other = await teacher(talk, database_url, "other")
    await write_course(other)
    await publish(other, "Les élèves de mes classes")
    assert len(talk.library.restricted) == 1
    _, body = await get(bot, "/api/v1/courses")
    assert [c["id"] for c in body["courses"] if "compost" in c["title"].lower()] == [
        public[0]["id"]
    ]


async def test_refused_messages_are_counted_per_channel(bot: BotApp) -> None:
    assert bot.conversations is not None
    channels = ChannelStore(bot.conversations.store)
    for channel, code in (("whatsapp", 131026), ("sms", 16)):
        for i in range(5):
            person = Person.on(bot.conversations, channel, f"22178000{code}{i}")
            await person.onboard(country="Sénégal")
            async with bot.conversations.store.turn(person.user) as tx:
                assert tx is not None
                uid = tx.user_id
            await channels.record_failure(uid, channel, "text", code, datetime.now(UTC))
    status, body = await get(bot, "/api/v1/figures")
    assert status == 200
    assert body["whatsapp_failures"] == {"131026": 5}, "an SMS code is not WhatsApp's"
    assert body["sms_failures"] == {"16": 5}
    assert body["telegram_failures"] == {}
