"""A Telegram group linked to a circle, end to end: the real bot in webhook mode, group
updates posted to its webhook, the fake Bot API, the real sender. An admin links the group
with /lier_cercle; a circle post reaches the group (or its forum topic); a group message
reaches the circle's members signed "(groupe Telegram)" and never comes back to the group;
unlinked groups and non-admins get nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import aiohttp

from bot.storage.admin import audience_select
from bot.storage.db import create_engine
from bot.storage.impact import impact
from bot.storage.sql import PgRunner, SqliteRunner
from bot.storage.store import SqlStore
from dialogs.admin_ports import Audience
from dialogs.events import UserRef
from dialogs.state import Profile
from tests.fakes.graph_api import visible_text
from tests.fakes.telegram_api import Call
from tests.integration.test_circle_relay import (
    CIRCLE,
    INSIDE,
    MEMBER,
    PREFIX,
    QUESTION,
    Circle,
    circle_rig,
    post,
    send_everything,
    to,
)
from tests.sender_support import run
from tests.telegram_driver import SECRET

GROUP = -1_001_234_567_890
ADMIN, MOUSSA = 7000001, 8000001
ANSWER = "Chez nous, on plie des bandes de papier."
SIGNED = f"👤 Moussa Traoré (groupe Telegram) :\n{ANSWER}"


async def in_group(
    circle: Circle, text: str, user: int = MOUSSA, topic: int | None = None, **extra: Any
) -> list[Call]:
    """A group message posted to the bot's webhook; what the bot said in the group."""
    update = circle.api.updates.in_group(GROUP, user, "Moussa", topic=topic, text=text, **extra)
    update["message"]["from"].setdefault("last_name", "Traoré")
    before = len(circle.api.sent(GROUP))
    url = f"http://127.0.0.1:{circle.rig.app.port}/telegram/webhook"
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with aiohttp.ClientSession() as http, http.post(url, json=update, headers=headers) as r:
        assert r.status == 200
    return circle.api.sent(GROUP)[before:]


async def circle_number(circle: Circle) -> str:
    """The circle's number, as its page shows it to an admin."""
    admin = circle.people["admin"]
    await admin.send("/cercles")
    await admin.tap(CIRCLE)
    found = re.search(r"/lier_cercle (\d+)", admin.texts())
    assert found, admin.texts()
    return found.group(1)


async def messages(circle: Circle) -> int:
    """How many messages the circles hold."""
    rows = await run(circle.rig.store, "SELECT COUNT(*) FROM circle_messages")
    return int(rows[0][0])


def texts(calls: list[Call]) -> list[str]:
    """The texts (or captions) of sends."""
    return [str(c.params.get("text") or c.params.get("caption") or "") for c in calls]


async def test_an_admin_links_a_group_and_messages_flow_both_ways(database_url: str) -> None:
    async with circle_rig(database_url) as circle:
        api = circle.api
        said = await in_group(circle, f"/lier_cercle {await circle_number(circle)}", ADMIN)
        assert len(said) == 1 and f"relié au cercle « {CIRCLE} »" in texts(said)[0]

        await post(circle.people["author"])
        assert "(3 membres" in circle.people["author"].texts()  # the group is one of them
        before = len(api.sent(GROUP))
        await send_everything(circle)
        (relayed,) = api.sent(GROUP)[before:]
        assert relayed.method == "sendMessage" and relayed.params["text"] == f"{PREFIX}\n{QUESTION}"
        assert "message_thread_id" not in relayed.params

        assert await in_group(circle, ANSWER) == []  # the bot never answers the chatter
        await send_everything(circle)
        assert texts(to(api, MEMBER))[-1] == SIGNED
        assert texts(to(api, "7000002"))[-1] == SIGNED  # the author of the question too
        assert visible_text(circle.graph.sent(INSIDE)[-1]) == SIGNED
        assert len(api.sent(GROUP)) == before + 1  # no echo of the group's own message

        count = await messages(circle)
        bot = api.bot_user
        assert await in_group(circle, SIGNED, sender=bot) == []  # the bot is never heard
        assert await messages(circle) == count

        said = await in_group(circle, "/delier_cercle", ADMIN)
        assert "n'est plus relié" in texts(said)[0]
        assert await in_group(circle, "Encore là ?") == []
        assert await messages(circle) == count


async def test_a_forum_topic_is_linked_on_its_own(database_url: str) -> None:
    async with circle_rig(database_url) as circle:
        api = circle.api
        number = await circle_number(circle)
        said = await in_group(circle, f"/lier_cercle {number}", ADMIN, topic=77)
        assert said[0].params["message_thread_id"] == 77
        await post(circle.people["author"])
        await send_everything(circle)
        (relayed,) = [c for c in api.sent(GROUP) if "Comment enseignez" in texts([c])[0]]
        assert relayed.params["message_thread_id"] == 77
        count = await messages(circle)
        assert await in_group(circle, "Autre sujet", topic=12) == []  # another topic
        assert await messages(circle) == count
        await in_group(circle, ANSWER, topic=77)
        await send_everything(circle)
        assert texts(to(api, MEMBER))[-1] == SIGNED


async def test_unlinked_groups_and_non_admins_get_nothing(database_url: str) -> None:
    async with circle_rig(database_url) as circle:
        assert await in_group(circle, "Bonjour à tous !") == []
        rows = await run(circle.rig.store, "SELECT COUNT(*) FROM users WHERE external_id LIKE '-%'")
        assert rows[0][0] == 0  # nothing kept of an unlinked group's chatter
        number = await circle_number(circle)
        said = await in_group(circle, f"/lier_cercle {number}", int(MEMBER))  # a teacher
        assert "Seuls les administrateurs" in texts(said)[0]
        assert await in_group(circle, ANSWER) == []
        assert await messages(circle) == 0
        await send_everything(circle)
        assert to(circle.api, MEMBER) == []


async def test_a_linked_group_is_neither_an_announcement_recipient_nor_a_learner(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    store = SqlStore(engine)
    try:
        async with store.turn(UserRef("telegram", "-100777")) as tx:
            assert tx is not None
            group = Profile(locale="fr", country="SN", role="group", level="CM2")
            group.consented_at = datetime.now(UTC)
            tx.save(group, tx.state)
        now = datetime.now(UTC)
        people, params = audience_select(Audience(countries=("SN",)), now)
        if store.on_sqlite:
            async with store.sqlite_transaction() as db:
                found = await SqliteRunner(db).run(people, **params)
                figures = await impact(SqliteRunner(db), None, 1, now)
        else:
            async with engine.connect() as conn:
                found = await PgRunner(conn).run(people, **params)
                figures = await impact(PgRunner(conn), None, 1, now)
        assert found == []
        assert all(row.learners == 0 for row in figures.countries)
    finally:
        store.close()
        await engine.dispose()
