"""Hostile Telegram updates, POSTed with the right secret token to the real webhook of the
real bot: real updates (texts, taps, votes, media, edits, groups, channel posts, membership
changes) mutated at random, and JSON that is no update at all. The webhook answers 200 or a
clean 4xx, nothing is logged at ERROR, and no state is corrupted."""

from __future__ import annotations

import copy
import itertools
import time
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.fakes.telegram_updates import UpdateFactory, learner, private_chat
from tests.fuzz.strategies import JSON, mutated, pick
from tests.fuzz.support import LEARNER_TG, LiveBot, fuzz, table_counts
from tests.telegram_driver import SECRET, buttons

_update_ids = itertools.count(10**9)
UPDATE_KEYS = [
    "update_id", "message", "edited_message", "callback_query", "poll_answer", "channel_post",
    "my_chat_member", "chat_member", "from", "chat", "id", "type", "text", "data", "entities",
    "offset", "length", "option_ids", "poll_id", "user", "message_id", "date", "is_bot",
    "photo", "document", "file_id", "file_size", "caption", "message_thread_id", "is_forum",
    "reply_to_message", "language_code", "first_name", "contact", "location",
]  # fmt: skip
COMMANDS = [
    "/start", "/menu", "/progres", "/aide", "/langue", "/mes_donnees", "/admin", "/stats",
    "/classes", "/rejoindre", "/verifier", "/cercles", "/devoirs", "/questions", "/moderation",
    "/certificats", "/lier_cercle", "/delier_cercle", "/creathon", "/start join-", "/start c-",
    "/menu@imaginecole_test_bot", "/", "//", "/start@other_bot",
]  # fmt: skip
TEXTS = st.one_of(
    st.text(max_size=60),
    st.builds(lambda c, a: f"{c} {a}".strip(), st.sampled_from(COMMANDS), st.text(max_size=30)),
    st.sampled_from(["1", "2", "a b", "oui", "non", "menu", "Bonjour", "x" * 5000, ""]),
)
USER_IDS = st.one_of(
    st.just(LEARNER_TG),
    st.just(LEARNER_TG),
    st.integers(1, 2**52),
    st.sampled_from([0, -1, 2**63, 10**30]),
)


def channel_post(factory: UpdateFactory, text: str) -> dict[str, Any]:
    """A post in a channel the bot belongs to (no "from")."""
    chat = {"id": -1001234567890, "type": "channel", "title": "Annonces"}
    post = {"message_id": 9, "chat": chat, "date": int(time.time()), "text": text}
    return factory._update(channel_post=post)


def my_chat_member(factory: UpdateFactory, user_id: int) -> dict[str, Any]:
    """The learner blocked the bot (or a group added it)."""
    member = {"user": factory.bot, "status": "member"}
    change = {
        "chat": private_chat(user_id),
        "from": learner(user_id),
        "date": int(time.time()),
        "old_chat_member": member,
        "new_chat_member": {**member, "status": "kicked", "until_date": 0},
    }
    return factory._update(my_chat_member=change)


@st.composite
def real_updates(draw: st.DrawFn, bot: LiveBot) -> Any:
    """An update as Telegram sends it, of any kind the bot may receive."""
    factory = UpdateFactory(first_update_id=next(_update_ids))  # fresh: replays are handled
    user = draw(USER_IDS)
    kind = draw(
        st.sampled_from(
            [
                "text", "text", "callback", "callback", "stale", "poll", "photo", "sticker",
                "voice", "document", "location", "contact", "edited", "group", "topic",
                "channel", "member",
            ]
        )
    )  # fmt: skip
    sent = bot.telegram.sent(LEARNER_TG)
    keyboards = [c for c in sent if c.params.get("reply_markup")]
    if kind == "text":
        return factory.text(user, draw(TEXTS))
    if kind in ("callback", "stale"):
        call = pick(draw, keyboards, None)
        offered = [b["callback_data"] for b in buttons(call)] if call is not None else []
        data = pick(draw, offered, "1:x")
        forged = draw(
            st.text(max_size=70)
            | st.builds(lambda p, o: f"{p}:{o}", st.integers(), st.text(max_size=40))
        )
        message_id = draw(st.integers(-5, 2**31))
        if kind == "stale" or call is None:
            return factory.callback(user, forged, message_id)
        return factory.callback(user, data, call.result["message_id"])
    if kind == "poll":
        polls = [c for c in sent if c.method == "sendPoll"]
        known = pick(draw, [str(c.result["poll"]["id"]) for c in polls], None)
        forged = draw(st.text(max_size=20))
        poll_id = forged if known is None or draw(st.booleans()) else known
        options = draw(st.lists(st.integers(-3, 12) | st.integers(), max_size=5))
        return factory.poll_answer(user, poll_id, options)
    if kind == "photo":
        return factory.photo(user, draw(st.none() | st.text(max_size=30)))
    if kind == "sticker":
        return factory.sticker(user)
    if kind == "voice":
        return factory.voice(user, draw(st.integers(0, 10_000)))
    if kind == "document":
        name = draw(st.sampled_from(["cours.md", "q.gift", "a.txt", "x.pdf", ""]))
        return factory.document(user, name, draw(st.sampled_from(["text/plain", "", "a/b"])))
    if kind == "location":
        return factory.location(user, draw(st.floats()), draw(st.floats()))
    if kind == "contact":
        return factory.contact(user, draw(st.text(max_size=20)))
    if kind == "edited":
        return factory.edited_text(user, draw(st.integers(1, 99)), draw(TEXTS))
    if kind in ("group", "topic"):
        topic = draw(st.integers(1, 2**31)) if kind == "topic" else None
        chat = draw(st.sampled_from([-1001, -100987654321]) | st.integers())
        return factory.in_group(chat, user, topic=topic, text=draw(TEXTS))
    if kind == "channel":
        return channel_post(factory, draw(TEXTS))
    return my_chat_member(factory, user)


@st.composite
def hostile_updates(draw: st.DrawFn, bot: LiveBot) -> Any:
    """A real update, that same update mutated, or any JSON at all."""
    shape = draw(st.sampled_from(["real", "mutated", "mutated", "json"]))
    if shape == "json":
        return draw(JSON)
    update = draw(real_updates(bot))
    if shape == "mutated":
        update = draw(mutated(copy.deepcopy(update), UPDATE_KEYS))
    return update


async def post(bot: LiveBot, update: Any) -> int:
    """POST any JSON to the webhook with the right secret."""
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with bot.http.post(bot.tg.webhook, json=update, headers=headers) as response:
        await response.read()
        return response.status


def test_hostile_updates_are_answered_or_refused_cleanly(live: LiveBot) -> None:
    before = live.harness.run(table_counts(live.engine))

    @fuzz(live.harness.examples(60))
    @given(data=st.data())
    def example(data: st.DataObject) -> None:
        update = data.draw(hostile_updates(live))
        status = live.harness.run(post(live, update))
        assert status in (200, 400), status
        live.check(before)

    example()


def test_a_raw_body_that_is_not_json_is_refused(live: LiveBot) -> None:
    """Bytes that are not JSON, or JSON that is not an object: 400, nothing logged."""

    async def raw(body: bytes) -> int:
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        async with live.http.post(live.tg.webhook, data=body, headers=headers) as response:
            return response.status

    for body in (b"", b"{", b"\xff\xfe", b"[]", b"42", b'"x"', b"null", b"[{}]"):
        assert live.harness.run(raw(body)) == 400, body
    live.check(live.harness.run(table_counts(live.engine)))
