"""Real WhatsApp Cloud API webhook bodies (from pywa's test data) through our webhook parser.

Every body parses without an exception; each body's expected outcome is written down below,
and the table must name every body in the folder, so a new conformance file cannot slip by.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.whatsapp.inbound import InboundMessage, StatusUpdate, parse_body
from dialogs.events import MediaReceived, OptionChosen, TextReceived, UserRef
from tests.conformance import conformance_folder, require_conformance

CONFORMANCE = conformance_folder("whatsapp")

Summary = tuple[object, ...]
NOTHING: list[Summary] = []


def text(body: str) -> list[Summary]:
    return [("text", body)]


def option(prompt: int, option_id: str) -> list[Summary]:
    return [("option", prompt, option_id)]


def media(kind: str) -> list[Summary]:
    return [("media", kind)]


def status(name: str, code: int | None = None, title: str = "") -> list[Summary]:
    return [("status", name, code, title)]


def ignored(*names: str) -> dict[str, list[Summary]]:
    return dict.fromkeys(names, NOTHING)


# What each body must give. Reading of the choices:
# - pywa's button and list ids ("callback_data") are not ours ("<prompt>:<option>"): a stale
#   tap (prompt -1), so the learner is shown the current question again;
# - a template quick reply whose payload is not ours is the button's text, as if typed;
# - flow completions, orders, unsupported types, an interactive without its reply, and call
#   permission replies (an interactive of a kind we never ask for) are "other" media: the bot
#   answers that it cannot read them;
# - reactions (and their removal), edits, deletions and system notices give nothing;
# - only the "messages" field carries messages and statuses: account, template, call
#   (its statuses too), marketing-preference and message-echo changes give nothing.
EXPECTED: dict[str, dict[str, list[Summary]]] = {
    "account_update": ignored(
        "account_deleted",
        "account_restriction",
        "account_violation",
        "ad_account_linked",
        "authentication_international_eligibility",
        "account_disabled",
        "mm_api_for_wa_terms_of_service",
        "partner_added",
        "partner_app_installed",
        "partner_app_uninstalled",
        "partner_led_business_verification_status",
        "partner_removed",
        "partner_removed_wa_app_disconnection",
        "primary_business_location_set",
        "pricing_tiering_update",
        "account_offboarded",
        "account_reconnected",
    ),
    "call_connect": ignored("business_initiated", "user_initiated"),
    "call_permission_update": {"accept": media("other"), "reject": media("other")},
    "call_status": ignored("call_status"),
    "call_terminate": ignored("call_terminate"),
    "callback_button": {
        "button": option(-1, "callback_data"),
        "quick_reply": text("title"),
        "quick_reply_without_context": text("title"),
    },
    "callback_selection": {
        "callback": option(-1, "callback_data"),
        "description": option(-1, "callback_data"),
    },
    "deleted_message": ignored("revoke"),
    "edited_message": ignored("image"),
    "flow_completion": {"completion": media("other"), "without_flow_token": media("other")},
    "message": {
        "text": text("Body Text"),
        "image": media("photo"),
        "media_with_url": media("photo"),
        "video": media("video"),
        "document": media("document"),
        "audio": media("audio"),
        "voice": media("voice"),
        "static_sticker": media("sticker"),
        "animated_sticker": media("sticker"),
        "reaction": NOTHING,
        "unreaction_empty": NOTHING,
        "unreaction_no_emoji": NOTHING,
        "current_location": media("location"),
        "chosen_location": media("location"),
        "contacts": media("contact"),
        "order": media("other"),
        "unsupported": media("other"),
        "unsupported_with_type": media("other"),
        "reply": text("replied text"),
        "forwarded": text("forwarded text"),
        "forwarded_many_times": text("text forwarded many times"),
        "interactive_message_with_err": media("other"),
        "referral": text("BODY"),
    },
    "message_status": {
        "sent": status("sent"),
        "delivered": status("delivered"),
        "read": status("read"),
        "played": status("played"),
        "failed": status("failed", 130472, "User's number is part of an experiment"),
        "with_tracker": status("sent"),
        "group": status("read"),
    },
    "outgoing_message": ignored("text", "delete", "edit"),
    "system": ignored("phone_number_change", "identity_change"),
    "template_category_update": ignored("marketing"),
    "template_components_update": ignored("element"),
    "template_quality_update": ignored("yellow"),
    "template_status_update": ignored("approved", "rejected"),
    "user_marketing_preferences": ignored("resume", "signup"),
}


def load(stem: str) -> dict[str, Any]:
    """The named bodies of one conformance file."""
    bodies: dict[str, Any] = json.loads((CONFORMANCE / f"{stem}.json").read_text("utf-8"))
    return bodies


def all_bodies() -> list[tuple[str, str]]:
    """(file stem, body name) for every body in the folder."""
    return [
        (path.stem, name) for path in sorted(CONFORMANCE.glob("*.json")) for name in load(path.stem)
    ]


def summary(item: InboundMessage | StatusUpdate) -> Summary:
    """The part of a parsed item that the table pins down."""
    if isinstance(item, StatusUpdate):
        return ("status", item.status, item.error_code, item.error_title)
    event = item.event
    if isinstance(event, TextReceived):
        return ("text", event.text)
    if isinstance(event, OptionChosen):
        return ("option", event.prompt, event.option_id)
    assert isinstance(event, MediaReceived), event
    return ("media", event.kind)


def test_the_table_names_every_body_in_the_folder() -> None:
    require_conformance("whatsapp")
    in_folder = set(all_bodies())
    in_table = {(stem, name) for stem, names in EXPECTED.items() for name in names}
    assert in_folder, f"no conformance data under {CONFORMANCE}"
    assert in_folder - in_table == set(), "bodies without an expectation"
    assert in_table - in_folder == set(), "expectations without a body"


@pytest.mark.parametrize(("stem", "name"), all_bodies())
def test_body_gives_what_the_table_says(stem: str, name: str) -> None:
    body = load(stem)[name]
    parsed = parse_body(body)
    assert [summary(item) for item in parsed] == EXPECTED[stem][name]
    value = body["entry"][0]["changes"][0]["value"]
    for item in parsed:
        if isinstance(item, InboundMessage):
            assert_consistent(item, value)


def assert_consistent(item: InboundMessage, value: dict[str, Any]) -> None:
    """The message's ids, sender and business number are those of the body, keyed "wa:"."""
    (raw,) = value["messages"]
    assert item.wamid == raw["id"]
    assert item.wa_id == raw["from"]
    assert item.event.user == UserRef("whatsapp", raw["from"])
    assert item.event.message_id == "wa:" + raw["id"]
    assert item.phone_number_id == value["metadata"]["phone_number_id"]
    assert item.sent_at == datetime.fromtimestamp(int(raw["timestamp"]), UTC)


@pytest.mark.conformance("whatsapp")
def test_text_message_in_full() -> None:
    (item,) = parse_body(load("message")["text"])
    user = UserRef("whatsapp", "972987654321")
    assert item == InboundMessage(
        event=TextReceived(user, "wa:wamid.xyzxyz", "Body Text"),
        wamid="wamid.xyzxyz",
        wa_id="972987654321",
        sent_at=datetime(2023, 10, 11, 16, 53, 43, tzinfo=UTC),
        phone_number_id="1122334455667",
    )


@pytest.mark.conformance("whatsapp")
def test_failed_status_in_full() -> None:
    (item,) = parse_body(load("message_status")["failed"])
    assert item == StatusUpdate(
        wamid="wamid.xyzxyz",
        recipient="972987654321",
        status="failed",
        at=datetime.fromtimestamp(1689380458, UTC),
        error_code=130472,
        error_title="User's number is part of an experiment",
    )


@pytest.mark.conformance("whatsapp")
def test_status_to_a_group_names_the_group() -> None:
    (item,) = parse_body(load("message_status")["group"])
    assert isinstance(item, StatusUpdate)
    assert item.recipient == "fowefinoewcnw"


def with_id(stem: str, name: str, path: tuple[str, ...], new_id: str) -> dict[str, Any]:
    """A copy of a real body whose button or row id (at `path` in the message) is `new_id`."""
    body: dict[str, Any] = copy.deepcopy(load(stem)[name])
    node = body["entry"][0]["changes"][0]["value"]["messages"][0]
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = new_id
    return body


@pytest.mark.conformance("whatsapp")
@pytest.mark.parametrize(
    ("stem", "name", "path"),
    [
        ("callback_button", "button", ("interactive", "button_reply", "id")),
        ("callback_selection", "callback", ("interactive", "list_reply", "id")),
        ("callback_selection", "description", ("interactive", "list_reply", "id")),
        ("callback_button", "quick_reply", ("button", "payload")),
        ("callback_button", "quick_reply_without_context", ("button", "payload")),
    ],
)
def test_real_replies_with_our_ids_choose_the_option(
    stem: str, name: str, path: tuple[str, ...]
) -> None:
    (item,) = parse_body(with_id(stem, name, path, "12:next"))
    assert summary(item) == ("option", 12, "next")
