"""Files people send are downloaded only by steps that take them, and never past the limit.

A student's 60 MB "notes.txt" on WhatsApp used to be downloaded whole, whatever their step.
Here the real conversations fetch from the fake Graph API through the real client, and the
fake counts every byte it wrote to the bot.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.admin_cli import grant as cli_grant
from bot.attachments import from_whatsapp
from bot.conversations import Conversations, Outcome
from bot.inbound_files import COURSE_FILE_LIMIT
from bot.whatsapp.client import GraphClient, MediaTooLarge
from dialogs.events import MediaReceived
from dialogs.messages import Out
from tests.fakes.graph_api import FakeGraphApi
from tests.full_bot import full_bot
from tests.integration.test_authoring import write_course
from tests.store_driver import Person, open_conversations
from tests.whatsapp_driver import WhatsAppLearner, message_body

SIXTY_MB = b"x" * (60 * 1024 * 1024)
TOKEN = "test-graph-token"
_ids = itertools.count(1)
# What the fake may write before the bot's cut reaches it: the sockets' buffers on loopback
# (the kernel's autotuning gives a few MB); the bot itself reads one 64 KB piece past the
# limit at most (the last test).
BUFFERS = 12 * 1024 * 1024


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraphApi]:
    async with FakeGraphApi(access_token=TOKEN) as api:
        yield api


@pytest.fixture
async def talk(database_url: str) -> AsyncIterator[Conversations]:
    async with open_conversations(database_url) as conversations:
        yield conversations


async def send_document(
    person: Person, graph: FakeGraphApi, media_id: str, filename: str
) -> list[Out]:
    """A WhatsApp document, as the webhook brings it (no size), fetched from the fake."""
    client = GraphClient(
        base_url=graph.url, api_version="v21.0", phone_number_id="1", access_token=TOKEN
    )
    got: list[Out] = []

    async def capture(outcome: Outcome) -> None:
        got.extend(outcome.messages)

    async def fetch(file_id: str, limit: int) -> tuple[bytes, str, str]:
        return await from_whatsapp(client, file_id, limit)

    event = MediaReceived(person.user, f"wamid.{next(_ids)}", "document", media_id, filename)
    try:
        await person.conversations.handle(event, event.message_id, capture, fetch)
    finally:
        await client.close()
    person.sent.extend(got)
    return got


async def test_a_students_60_mb_notes_are_answered_and_never_downloaded(
    talk: Conversations, graph: FakeGraphApi
) -> None:
    graph.add_media("notes", SIXTY_MB, "text/plain")
    student = Person.on(talk, "whatsapp", "221770001111")
    await student.onboard()
    replies = await send_document(student, graph, "notes", "notes.txt")
    assert "Je ne peux pas utiliser ce type de message ici" in student.texts(replies)
    assert graph.downloads["notes"] == 0 and graph.served["notes"] == 0


async def test_in_a_step_that_takes_files_the_download_stops_at_the_limit(
    talk: Conversations, graph: FakeGraphApi, database_url: str
) -> None:
    teacher = Person.on(talk, "whatsapp", "221770002222")
    await teacher.onboard(role="Enseignant")
    await cli_grant(database_url, "whatsapp", "221770002222", "teacher", "SN")
    await write_course(teacher)

    # Its size announced: refused before the download.
    graph.add_media("sized", SIXTY_MB, "text/plain")
    await teacher.tap("Importer un fichier")
    replies = await send_document(teacher, graph, "sized", "notes.txt")
    assert "Ce fichier est trop lourd" in teacher.texts(replies)
    assert graph.downloads["sized"] == 0 and graph.served["sized"] == 0

    # Its size hidden (no file_size, no Content-Length): cut while it streams in.
    graph.add_media("hidden", SIXTY_MB, "text/plain", sized=False)
    await teacher.tap("Retour")
    await teacher.tap("Importer un fichier")
    replies = await send_document(teacher, graph, "hidden", "notes.txt")
    assert "Ce fichier est trop lourd" in teacher.texts(replies)
    assert graph.downloads["hidden"] == 1
    assert graph.served["hidden"] <= COURSE_FILE_LIMIT + BUFFERS, graph.served["hidden"]

    # A file within the limit still comes whole.
    graph.add_media("aiken", AIKEN.encode(), "text/plain", sized=False)
    replies = await send_document(teacher, graph, "aiken", "eau.txt")
    assert "1 question ajoutée au quiz de la dernière leçon." in teacher.texts(replies)


async def test_the_graph_client_reads_no_further_than_the_limit(graph: FakeGraphApi) -> None:
    graph.add_media("hidden", SIXTY_MB, "text/plain", sized=False)
    graph.add_media("sized", SIXTY_MB, "text/plain")
    client = GraphClient(
        base_url=graph.url, api_version="v21.0", phone_number_id="1", access_token=TOKEN
    )
    try:
        with pytest.raises(MediaTooLarge) as cut:
            await client.download("hidden", limit=COURSE_FILE_LIMIT)
        assert COURSE_FILE_LIMIT < cut.value.size <= COURSE_FILE_LIMIT + 64 * 1024
        with pytest.raises(MediaTooLarge) as announced:
            await client.download("sized", limit=COURSE_FILE_LIMIT)
        assert announced.value.size == len(SIXTY_MB)
    finally:
        await client.close()
    assert graph.downloads == {"hidden": 1}  # the announced one was not even asked for


AIKEN = """Où trouve-t-on de l'eau potable ?
A. Au forage
B. Au marigot
ANSWER: A
"""


async def test_over_the_webhook_a_students_notes_are_not_downloaded(database_url: str) -> None:
    async with full_bot(database_url) as running, aiohttp.ClientSession() as http:
        running.graph.add_media("notes-60mb", SIXTY_MB, "text/plain")
        student = WhatsAppLearner(running.graph, running.app, http, phone="221770003333")
        await student.send("Bonjour")
        for label in ("Français", "J'accepte", "Sénégal", "Élève", "CM2"):
            await student.tap(label)
        document = {"id": "notes-60mb", "filename": "notes.txt", "mime_type": "text/plain"}
        replies = await student.exchange(message_body(student.phone, "document", document))
        assert "Je ne peux pas utiliser ce type de message ici" in student.texts(replies)
        assert running.graph.downloads["notes-60mb"] == 0
        assert running.graph.served["notes-60mb"] == 0
