"""Channel bookkeeping on SQLite and PostgreSQL: inbox, windows, statuses, held messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.storage.channels import ChannelStore
from bot.storage.store import SqlStore
from dialogs.events import UserRef

NOW = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


async def learner(store: SqlStore, phone: str = "22177000001") -> int:
    async with store.turn(UserRef("whatsapp", phone)) as tx:
        assert tx is not None
        return tx.user_id


async def test_the_inbox_keeps_bodies_until_they_are_handled(store: SqlStore) -> None:
    channels = ChannelStore(store)
    first = await channels.inbox_put(b'{"a": 1}', NOW)
    second = await channels.inbox_put(b'{"b": "\xc3\xa9"}', NOW)
    assert await channels.inbox_pending() == [(first, b'{"a": 1}'), (second, b'{"b": "\xc3\xa9"}')]
    await channels.inbox_done(first)
    assert [i for i, _ in await channels.inbox_pending()] == [second]


async def test_the_window_follows_the_latest_message_and_clears_unreachable(
    store: SqlStore,
) -> None:
    channels = ChannelStore(store)
    uid = await learner(store)
    assert (await channels.contact(uid)).last_inbound_at is None
    await channels.touch(uid, NOW)
    await channels.touch(uid, NOW - timedelta(hours=3))  # a late redelivery of an old body
    assert (await channels.contact(uid)).last_inbound_at == NOW
    await channels.mark_unreachable(uid, 131026, NOW)
    assert (await channels.contact(uid)).unreachable_at == NOW
    await channels.touch(uid, NOW + timedelta(minutes=1))
    contact = await channels.contact(uid)
    assert contact.unreachable_at is None
    assert contact.last_inbound_at == NOW + timedelta(minutes=1)


async def test_statuses_attach_to_what_we_sent_and_never_go_back(store: SqlStore) -> None:
    channels = ChannelStore(store)
    uid = await learner(store)
    await channels.record_sent("wamid.1", uid, "whatsapp", "text", NOW)
    assert await channels.record_status("wamid.1", "read", None, NOW)
    assert await channels.record_status("wamid.1", "delivered", None, NOW)
    assert await channels.status_of("wamid.1") == ("read", None)
    assert not await channels.record_status("wamid.unknown", "sent", None, NOW)
    await channels.record_sent("wamid.2", uid, "whatsapp", "text", NOW)
    await channels.record_status("wamid.2", "failed", 131026, NOW)
    assert await channels.failures("whatsapp") == {131026: 1}


async def test_held_messages_come_back_once_in_order(store: SqlStore) -> None:
    channels = ChannelStore(store)
    uid = await learner(store)
    await channels.hold(uid, {"type": "text", "text": {"body": "un"}}, NOW)
    await channels.hold(uid, {"type": "text", "text": {"body": "deux é"}}, NOW)
    held = await channels.take_held(uid)
    assert [m["text"]["body"] for m in held] == ["un", "deux é"]
    assert await channels.take_held(uid) == []


async def test_held_messages_stay_until_forgotten_after_their_send(store: SqlStore) -> None:
    # A worker that dies while sending what was held (WhatsApp, the web chat) loses nothing:
    # the messages are read, sent, and only then forgotten.
    channels = ChannelStore(store)
    uid = await learner(store)
    await channels.hold(uid, {"type": "text", "text": {"body": "un"}}, NOW)
    await channels.hold(uid, {"type": "text", "text": {"body": "deux"}}, NOW)
    first = await channels.held(uid)
    assert [m["text"]["body"] for _, m in first] == ["un", "deux"]
    assert await channels.held(uid) == first  # read, not taken: the send may still die
    await channels.hold(uid, {"type": "text", "text": {"body": "trois"}}, NOW)
    await channels.forget_held([held_id for held_id, _ in first])
    assert [m["text"]["body"] for _, m in await channels.held(uid)] == ["trois"]


async def test_media_ids_are_remembered_and_forgotten(store: SqlStore) -> None:
    channels = ChannelStore(store)
    assert await channels.media_id("whatsapp", "ab" * 32) is None
    await channels.remember_media("whatsapp", "ab" * 32, "m1", NOW)
    await channels.remember_media("whatsapp", "ab" * 32, "m2", NOW)
    assert await channels.media_id("whatsapp", "ab" * 32) == "m2"
    await channels.forget_media("whatsapp", "ab" * 32)
    assert await channels.media_id("whatsapp", "ab" * 32) is None


async def test_erasing_a_learner_erases_their_channel_rows(store: SqlStore) -> None:
    channels = ChannelStore(store)
    user = UserRef("whatsapp", "22177000009")
    uid = await learner(store, user.external_id)
    await channels.touch(uid, NOW)
    await channels.record_sent("wamid.9", uid, "whatsapp", "text", NOW)
    await channels.hold(uid, {"type": "text"}, NOW)
    assert await store.erase(user)
    assert await channels.contact(uid) == (await channels.contact(-1))
    assert await channels.status_of("wamid.9") is None
    assert await channels.take_held(uid) == []


async def test_the_learners_export_holds_their_channel_rows(store: SqlStore) -> None:
    channels = ChannelStore(store)
    user = UserRef("whatsapp", "22177000010")
    uid = await learner(store, user.external_id)
    await channels.touch(uid, NOW)
    await channels.record_sent("wamid.10", uid, "whatsapp", "text", NOW)
    exported = await store.export(user)
    assert exported is not None
    assert exported["channel_contact"][0]["last_inbound_at"].startswith("2026-11-29T10:00")
    assert exported["sent_messages"][0]["status"] == "accepted"
    assert exported["held_messages"] == []
