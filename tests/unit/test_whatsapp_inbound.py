"""WhatsApp webhook bodies, written by hand, rule by rule: events, statuses, hostile shapes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.whatsapp.inbound import (
    InboundMessage,
    StatusUpdate,
    our_option,
    parse_body,
    parse_timestamp,
)
from dialogs.events import Incoming, MediaReceived, OptionChosen, TextReceived, UserRef
from tests.fuzz.strategies import JSON, put_somewhere

USER = UserRef("whatsapp", "22177000001")
KEY = "wa:wamid.A1"
NUMBER = "1099887766"
SENT_AT = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)


def message(kind: object, **fields: Any) -> dict[str, Any]:
    """One learner message of type `kind`, as Meta writes it."""
    raw = {"from": USER.external_id, "id": "wamid.A1", "timestamp": "1709280000", "type": kind}
    return raw | fields


def body(*, messages: list[Any] | None = None, statuses: list[Any] | None = None) -> Any:
    """A webhook body with one change of the "messages" field."""
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"phone_number_id": NUMBER},
    }
    if messages is not None:
        value["messages"] = messages
    if statuses is not None:
        value["statuses"] = statuses
    change = {"field": "messages", "value": value}
    return {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [change]}]}


def event_of(raw: dict[str, Any]) -> Incoming | None:
    """The event one message makes, None when it makes none."""
    parsed = parse_body(body(messages=[raw]))
    if not parsed:
        return None
    (item,) = parsed
    assert isinstance(item, InboundMessage)
    return item.event


def test_text_message_in_full() -> None:
    assert parse_body(body(messages=[message("text", text={"body": "/start"})])) == [
        InboundMessage(
            TextReceived(USER, KEY, "/start"), "wamid.A1", USER.external_id, SENT_AT, NUMBER
        )
    ]


def test_huge_text_passes_through_unchanged() -> None:
    text = "é" * 9_999 + "x"
    assert event_of(message("text", text={"body": text})) == TextReceived(USER, KEY, text)


def reply(kind: str, reply_id: object) -> dict[str, Any]:
    """A tap on a reply button or a list row whose id is `reply_id`."""
    return message("interactive", interactive={"type": kind, kind: {"id": reply_id, "title": "t"}})


@pytest.mark.parametrize("kind", ["button_reply", "list_reply"])
@pytest.mark.parametrize(
    ("reply_id", "prompt", "option_id"),
    [
        ("12:next", 12, "next"),
        ("0:a:b", 0, "a:b"),
        ("callback_data", -1, "callback_data"),
        ("12:", -1, "12:"),
        (":next", -1, ":next"),
        ("x12:next", -1, "x12:next"),
        ("²:next", -1, "²:next"),  # a digit to str.isdigit, not to int()
        ("1" * 19 + ":next", -1, "1" * 19 + ":next"),  # too big a prompt to be ours
        ("1" * 40 + ":next", -1, "1" * 32),
        ("9" * 300, -1, "9" * 32),
    ],
)
def test_replies_choose_our_options_and_stale_ids_are_cut(
    kind: str, reply_id: str, prompt: int, option_id: str
) -> None:
    assert event_of(reply(kind, reply_id)) == OptionChosen(USER, KEY, prompt, option_id)


def quick_reply(payload: object, text: object) -> dict[str, Any]:
    """A tap on a template's quick-reply button."""
    return message("button", button={"payload": payload, "text": text})


def test_quick_reply_with_our_payload_chooses_the_option() -> None:
    assert event_of(quick_reply("3:yes", "Oui")) == OptionChosen(USER, KEY, 3, "yes")


def test_quick_reply_with_another_payload_is_its_text() -> None:
    assert event_of(quick_reply("RESUME", "Reprendre")) == TextReceived(USER, KEY, "Reprendre")


def test_quick_reply_without_text_is_a_stale_tap_or_other() -> None:
    assert event_of(quick_reply("RESUME", None)) == OptionChosen(USER, KEY, -1, "RESUME")
    assert event_of(quick_reply(None, None)) == MediaReceived(USER, KEY, "other")
    assert event_of(quick_reply(7, "Oui")) == TextReceived(USER, KEY, "Oui")


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        (message("image", image={"id": "1"}), "photo"),
        (message("sticker", sticker={"id": "1", "animated": True}), "sticker"),
        (message("audio", audio={"id": "1", "voice": True}), "voice"),
        (message("audio", audio={"id": "1", "voice": False}), "audio"),
        (message("audio", audio={"id": "1"}), "audio"),
        (message("audio", audio={"id": "1", "voice": "true"}), "audio"),
        (message("audio"), "audio"),
        (message("video", video={"id": "1"}), "video"),
        (message("document", document={"id": "1", "filename": "a.pdf"}), "document"),
        (message("location", location={"latitude": 14.7, "longitude": -17.4}), "location"),
        (message("contacts", contacts=[{"name": {"formatted_name": "Awa"}}]), "contact"),
        (message("unsupported", errors=[{"code": 131051}]), "other"),
        (message("unknown"), "other"),
        (message("order", order={"catalog_id": "1"}), "other"),
        (message("a_type_of_next_year"), "other"),
        (message("interactive", interactive={"type": "nfm_reply", "nfm_reply": {}}), "other"),
        (message("interactive"), "other"),
        (message("interactive", interactive={"type": "button_reply"}), "other"),
        (reply("list_reply", 12), "other"),
        (message("text"), "other"),
        (message("text", text={"body": None}), "other"),
        (message(["text"]), "other"),  # an unhashable type must not break the lookups
    ],
)
def test_media_and_what_we_cannot_read(raw: dict[str, Any], kind: str) -> None:
    event = event_of(raw)
    assert isinstance(event, MediaReceived)
    assert (event.user, event.message_id, event.kind) == (USER, KEY, kind)


def test_photos_and_documents_keep_their_media_id_name_and_type() -> None:
    document = {"id": "77", "filename": "fiche.pdf", "mime_type": "application/pdf"}
    event = event_of(message("document", document=document))
    assert event == MediaReceived(USER, KEY, "document", "77", "fiche.pdf", "application/pdf")
    photo = event_of(message("image", image={"id": "12", "mime_type": "image/jpeg"}))
    assert isinstance(photo, MediaReceived) and (photo.file_id, photo.mime) == ("12", "image/jpeg")


@pytest.mark.parametrize(
    "raw",
    [
        message("reaction", reaction={"message_id": "wamid.B", "emoji": "👍"}),
        message("reaction", reaction={"message_id": "wamid.B", "emoji": ""}),
        message("system", system={"type": "user_changed_number", "body": "..."}),
        message("request_welcome"),
        message("edit", edit={"original_message_id": "wamid.B", "message": {"type": "text"}}),
        message("revoke", revoke={"original_message_id": "wamid.B"}),
    ],
)
def test_what_is_not_a_message_to_answer_gives_nothing(raw: dict[str, Any]) -> None:
    assert event_of(raw) is None


@pytest.mark.parametrize(
    "raw",
    [
        {"id": "wamid.A1", "timestamp": "1709280000", "type": "text", "text": {"body": "hi"}},
        {"from": "2217", "timestamp": "1709280000", "type": "text", "text": {"body": "hi"}},
        message("text", text={"body": "hi"}, id=""),
        message("text", text={"body": "hi"}, id=123),
        message("text", text={"body": "hi"}, **{"from": None}),
        message("text", text={"body": "hi"}, timestamp="soon"),
        message("text", text={"body": "hi"}, timestamp=None),
    ],
)
def test_messages_without_id_sender_or_time_are_skipped(raw: dict[str, Any]) -> None:
    assert parse_body(body(messages=[raw])) == []


def test_a_bad_message_does_not_hide_the_good_ones() -> None:
    good = message("text", text={"body": "bonjour"})
    parsed = parse_body(body(messages=["junk", None, {"type": "text"}, good, 42]))
    assert [item.event for item in parsed if isinstance(item, InboundMessage)] == [
        TextReceived(USER, KEY, "bonjour")
    ]


def failed(**fields: Any) -> dict[str, Any]:
    """The status of one of our messages that could not be delivered."""
    raw = {"id": "wamid.OUT", "status": "failed", "timestamp": "1709280000", "recipient_id": "2217"}
    return raw | fields


def test_statuses_with_and_without_errors() -> None:
    errors = [{"code": 131026, "title": "Message undeliverable"}]
    statuses = [failed(status="read"), failed(errors=errors), failed(errors=[{"message": "x"}])]
    assert parse_body(body(statuses=statuses)) == [
        StatusUpdate("wamid.OUT", "2217", "read", SENT_AT, None, ""),
        StatusUpdate("wamid.OUT", "2217", "failed", SENT_AT, 131026, "Message undeliverable"),
        StatusUpdate("wamid.OUT", "2217", "failed", SENT_AT, None, "x"),
    ]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"errors": [{"code": True, "title": 5}]}, (None, "")),
        ({"errors": "boom"}, (None, "")),
        ({"errors": [{"code": "131026", "title": "t"}]}, (None, "t")),
        ({"recipient_id": None}, (None, "")),
    ],
)
def test_odd_status_errors_are_dropped(fields: dict[str, Any], expected: tuple[Any, str]) -> None:
    (item,) = parse_body(body(statuses=[failed(**fields)]))
    assert isinstance(item, StatusUpdate)
    assert (item.error_code, item.error_title) == expected


@pytest.mark.parametrize(
    "raw",
    [failed(id=None), failed(status=None), failed(timestamp="x"), failed(timestamp=-1), "failed"],
)
def test_statuses_without_id_status_or_time_are_skipped(raw: object) -> None:
    assert parse_body(body(statuses=[raw])) == []


def test_statuses_do_not_need_the_business_number() -> None:
    raw = body(statuses=[failed()])
    del raw["entry"][0]["changes"][0]["value"]["metadata"]
    assert [type(item) for item in parse_body(raw)] == [StatusUpdate]


def test_messages_need_the_business_number_they_were_sent_to() -> None:
    raw = body(messages=[message("text", text={"body": "hi"})])
    raw["entry"][0]["changes"][0]["value"]["metadata"] = {"phone_number_id": 1099887766}
    assert parse_body(raw) == []


def test_other_fields_give_nothing_even_with_messages_inside() -> None:
    raw = body(messages=[message("text", text={"body": "hi"})], statuses=[failed()])
    for field in ["smb_message_echoes", "calls", "account_update", "user_preferences", None]:
        raw["entry"][0]["changes"][0]["field"] = field
        assert parse_body(raw) == []


def test_every_entry_and_change_is_walked_in_order() -> None:
    first = body(messages=[message("text", text={"body": "un"})])
    second = body(messages=[message("text", text={"body": "deux"}, id="wamid.A2")])
    change = second["entry"][0]["changes"][0]
    first["entry"][0]["changes"].append({"field": "account_update", "value": {}})
    first["entry"].append({"id": "2", "changes": [change, change]})
    events = [item.event for item in parse_body(first) if isinstance(item, InboundMessage)]
    texts = [event.text for event in events if isinstance(event, TextReceived)]
    assert texts == ["un", "deux", "deux"]


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "entry",
        42,
        [body(messages=[message("text", text={"body": "hi"})])],
        {},
        {"entry": None},
        {"entry": {"changes": []}},
        {"entry": "[]"},
        {"entry": [None, 3, "x", []]},
        {"entry": [{"id": "1"}]},
        {"entry": [{"changes": {"field": "messages"}}]},
        {"entry": [{"changes": [{"field": "messages"}]}]},
        {"entry": [{"changes": [{"field": "messages", "value": []}]}]},
        {"entry": [{"changes": [{"field": "messages", "value": {"messages": {}}}]}]},
        {"entry": [{"changes": [{"field": ["messages"], "value": {}}]}]},
    ],
)
def test_malformed_bodies_give_nothing(raw: object) -> None:
    assert parse_body(raw) == []


def test_ids_longer_than_their_columns_are_skipped() -> None:
    """Found by tests/fuzz: PostgreSQL refused such a row, and the body was retried for ever."""
    long_sender = message("text", text={"body": "hi"}) | {"from": "9" * 129}
    long_id = message("text", text={"body": "hi"}) | {"id": "wamid." + "A" * 123}
    assert parse_body(body(messages=[long_sender, long_id])) == []
    longest = message("text", text={"body": "hi"}) | {"from": "9" * 128, "id": "w" * 128}
    assert len(parse_body(body(messages=[longest]))) == 1


KEYS = st.sampled_from(["entry", "changes", "field", "messages", "value", "type", "id", "from"])


# The same hostile JSON goes end to end, signed, through the real webhook, in
# tests/fuzz/test_whatsapp_fuzz.py.
@settings(max_examples=300, deadline=None)
@given(noise=JSON, key=KEYS, path=st.lists(st.integers(0, 5), max_size=6))
def test_any_json_anywhere_never_raises(noise: object, key: str, path: list[int]) -> None:
    raw = body(messages=[quick_reply("1:a", "A"), reply("list_reply", "2:b")], statuses=[failed()])
    parse_body(put_somewhere(raw, path, key, noise))
    parse_body(noise)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1709280000", SENT_AT),
        (1709280000, SENT_AT),
        ("0", datetime(1970, 1, 1, tzinfo=UTC)),
        ("253402300799", datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)),
        ("253402300800", None),
        ("9" * 5000, None),
        ("-1", None),
        (-1, None),
        ("1709280000.5", None),
        (1709280000.0, None),
        (" 1709280000", None),
        ("١٧٠٩٢٨٠٠٠٠", None),  # Arabic-Indic digits: digits to str.isdigit, not from Meta
        ("", None),
        (True, None),
        (None, None),
        ([1709280000], None),
    ],
)
def test_timestamps_are_unix_seconds_in_utc(value: object, expected: datetime | None) -> None:
    assert parse_timestamp(value) == expected


def test_timestamps_are_aware_utc() -> None:
    parsed = parse_timestamp("1709280000")
    assert parsed is not None
    assert parsed.utcoffset() is not None
    assert parsed.isoformat() == "2024-03-01T08:00:00+00:00"


def test_our_option_ids() -> None:
    assert our_option("12:next") == (12, "next")
    assert our_option("007:x") == (7, "x")
    assert our_option("next") is None
    assert our_option("") is None
