"""Light data on real databases: text first, media on request with its size, a daily budget
counted in the learner's own day, and audio-first courses that speak their instructions."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import text

from dialogs.messages import Ask, Document, Out, QuizQuestion, Show
from tests.driver import AUDIO_COURSE, with_audio_course
from tests.store_driver import Person, open_conversations

FRACTIONS = "/start l_fractions__parts-egales"  # text, then an image of 3,665 bytes
# The audio-first test course (tests/fixtures/audio_course): its story has a voice note.
READING = "/start l_lecture-audio__awa-au-marche"


def shown(messages: list[Out]) -> list[Show]:
    """The media files among messages."""
    return [m for m in messages if isinstance(m, Show)]


async def light_on(person: Person) -> None:
    """Turn light data on through the settings menu."""
    await person.send("/menu")
    await person.tap("⚙️ Langue et profil")
    explained = await person.tap("📶 Économie de données")
    assert "désactivée" in person.texts(explained)
    assert "Au plus 2 Mo de médias par jour." in person.texts(explained)
    done = await person.tap("Activer")
    assert "Économie de données activée" in person.texts(done)


async def test_light_data_sends_text_first_and_media_on_request(database_url: str) -> None:
    async with open_conversations(database_url) as conversations:
        awa = Person.on(conversations, "telegram", "awa")
        await awa.onboard()
        await light_on(awa)
        await awa.send(FRACTIONS)
        step = await awa.tap("Suivant")  # the image step
        assert shown(step) == []
        assert "🖼️ Image (4 Ko) - voir ?" in awa.options()
        assert awa.options()[0].startswith("Suivant"), "not audio: the text goes on first"
        got = await awa.tap("🖼️ Image (4 Ko) - voir ?")
        [image] = shown(got)
        assert image.kind == "image" and image.path.name == "galette.png"
        assert awa.options()[1] == "🖼️ Image (4 Ko) - voir ?"  # same buttons below the image
        went_on = await awa.tap("Suivant")  # or go on without it
        assert shown(went_on) == []


async def test_light_data_off_sends_everything_as_before(database_url: str) -> None:
    async with open_conversations(database_url) as conversations:
        ali = Person.on(conversations, "whatsapp", "22177000001")
        await ali.onboard()
        await ali.send(FRACTIONS)
        step = await ali.tap("Suivant")
        [image] = shown(step)
        assert image.path.name == "galette.png"
        assert not any("Ko" in label for label in ali.options())
        await ali.send("/donnees_legeres")
        await ali.tap("Activer")
        await ali.send("/donnees_legeres")
        await ali.tap("Désactiver")
        await ali.send(FRACTIONS)
        assert len(shown(await ali.tap("Suivant"))) == 1


async def test_the_daily_budget_stops_media_until_the_learners_next_day(
    database_url: str,
) -> None:
    async with open_conversations(database_url) as conversations:
        conversations.store.media_budget_kb = 5  # room for one image of 4 KB a day
        # 23:30 in N'Djamena (UTC+1): the learner's day ends in half an hour.
        conversations.clock = lambda: datetime(2026, 12, 1, 22, 30, tzinfo=UTC)
        fatime = Person.on(conversations, "web", "fatime")
        await fatime.onboard(country="Tchad")
        await fatime.send("/donnees_legeres")
        await fatime.tap("Activer")
        await fatime.send(FRACTIONS)
        await fatime.tap("Suivant")
        assert len(shown(await fatime.tap("🖼️ Image (4 Ko)"))) == 1
        refused = await fatime.tap("🖼️ Image (4 Ko)")
        assert shown(refused) == []
        said = fatime.texts(refused)
        assert "Budget de données du jour atteint (5 Ko)" in said
        assert "demain" in said
        # 00:30 in N'Djamena, still 1 December in UTC: a new day for the learner.
        conversations.clock = lambda: datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
        assert len(shown(await fatime.tap("🖼️ Image (4 Ko)"))) == 1
        export = await exported(fatime)
        assert export["light_data"][0]["light"] in (True, 1)
        assert export["media_days"] == [
            {"day": "2026-12-01", "bytes": 3665, "files": 1},
            {"day": "2026-12-02", "bytes": 3665, "files": 1},
        ]
        await fatime.send("/supprimer_mes_donnees")
        await fatime.tap("Oui, tout effacer")
        async with conversations.store.engine.connect() as conn:
            for table in ("media_days", "data_saving"):
                count = await conn.execute(text(f"SELECT COUNT(*) FROM {table}"))
                assert count.scalar_one() == 0, table


async def exported(person: Person) -> dict[str, object]:
    """The learner's /mes_donnees document, read."""
    got = await person.send("/mes_donnees")
    [document] = [m for m in got if isinstance(m, Document)]
    data = json.loads(document.content)
    assert isinstance(data, dict)
    return data


async def test_an_audio_first_course_speaks_before_its_text(database_url: str) -> None:
    async with open_conversations(database_url, with_audio_course()) as conversations:
        binta = Person.on(conversations, "telegram", "binta")
        await binta.onboard(level="CE1")
        opened = await binta.send(READING)
        voice, asked = opened[-2:]
        assert isinstance(voice, Show) and voice.kind == "audio"
        assert voice.path.name == "histoire-awa.ogg"
        assert voice.url_path == "/media/lecture-audio/audio/histoire-awa.ogg"
        assert isinstance(asked, Ask) and "Awa va au marché de Ségou" in asked.text
        for _ in range(3):
            await binta.tap("Suivant")
        quiz = await binta.tap("Passer au quiz")
        voice, question = quiz[-2:]
        assert isinstance(voice, Show) and voice.path.name == "ou-va-awa.ogg"
        assert isinstance(question, QuizQuestion) and "Où va Awa ?" in question.text


async def test_light_data_offers_an_audio_first_courses_voice_first(database_url: str) -> None:
    async with open_conversations(database_url, with_audio_course()) as conversations:
        moussa = Person.on(conversations, "whatsapp", "22177000002")
        await moussa.onboard(level="CE1")
        await light_on(moussa)
        opened = await moussa.send(READING)
        assert shown(opened) == []
        assert "Awa va au marché de Ségou" in moussa.texts(opened)
        assert moussa.options()[0] == "🔊 Audio (3 Ko) - écouter ?"  # the point of the course
        [voice] = shown(await moussa.tap("🔊 Audio (3 Ko) - écouter ?"))
        assert voice.path.name == "histoire-awa.ogg"
        for _ in range(3):
            await moussa.tap("Suivant")
        quiz = await moussa.tap("Passer au quiz")
        assert shown(quiz) == []
        asked = moussa.last_prompt()
        assert isinstance(asked, QuizQuestion) and "Où va Awa ?" in asked.text
        assert asked.extra[0].label == "🔊 Audio (3 Ko) - écouter ?"
        listened = await moussa.tap("🔊 Audio (3 Ko) - écouter ?")
        [voice] = shown(listened)
        assert voice.path.name == "ou-va-awa.ogg"
        assert "Où va Awa ?" in moussa.texts(listened)  # the question again, after its voice


def test_the_web_chat_gets_the_voice_note_as_an_audio_frame() -> None:
    from bot.web.frames import to_frame

    voice = AUDIO_COURSE / "audio" / "histoire-awa.ogg"
    frame = to_frame(Show("audio", voice, "", "/media/lecture-audio/audio/histoire-awa.ogg"))
    # chat.js plays an "audio" frame in an <audio> element.
    assert frame == {
        "type": "media",
        "kind": "audio",
        "url": "/media/lecture-audio/audio/histoire-awa.ogg",
        "caption": "",
    }
