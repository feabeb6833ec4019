"""Hostile WhatsApp bodies, correctly signed, through the real webhook of the real bot: the
conformance bodies and the driver's bodies mutated at random, and JSON that is no body at all
(tests/unit/test_whatsapp_inbound.py fuzzes the parser alone with the same strategies). The
webhook answers 200 (or 400 for what is not JSON), the worker handles every body without an
error, and no state is corrupted."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.conformance import conformance_folder, require_conformance
from tests.fuzz.strategies import JSON, mutated, pick
from tests.fuzz.support import LEARNER_WA, LiveBot, fuzz, table_counts
from tests.whatsapp_driver import (
    PHONE_NUMBER_ID,
    button_reply_body,
    choices_of,
    image_body,
    list_reply_body,
    message_body,
    reaction_body,
    status_body,
    text_body,
    unsupported_body,
)

CONFORMANCE = conformance_folder("whatsapp")
BODY_KEYS = [
    "object", "entry", "changes", "field", "value", "metadata", "phone_number_id", "contacts",
    "messages", "statuses", "from", "id", "timestamp", "type", "text", "body", "interactive",
    "button_reply", "list_reply", "title", "description", "image", "document", "mime_type",
    "filename", "caption", "errors", "code", "status", "recipient_id", "context", "button",
    "payload", "reaction", "emoji", "message_id", "location",
]  # fmt: skip
COMMANDS = ["/start", "/menu", "/admin", "/stats", "/rejoindre", "/verifier", "/langue", "menu"]
TEXTS = st.one_of(
    st.text(max_size=60),
    st.builds(lambda c, a: f"{c} {a}".strip(), st.sampled_from(COMMANDS), st.text(max_size=30)),
    st.sampled_from(["1", "2", "99", "a", "a c", "oui", "x" * 5000]),
)
PHONES = st.one_of(st.just(LEARNER_WA), st.just(LEARNER_WA), st.from_regex(r"\A\d{6,15}\Z"))


def conformance_bodies() -> list[Any]:
    """Every body of the shared conformance folder, addressed to our number."""
    bodies: list[Any] = []
    for path in sorted(CONFORMANCE.glob("*.json")):
        bodies += json.loads(path.read_text("utf-8")).values()
    for body in bodies:
        for entry in body.get("entry", []):
            for change in entry.get("changes", []):
                value = change.get("value")
                if isinstance(value, dict) and isinstance(value.get("metadata"), dict):
                    value["metadata"]["phone_number_id"] = PHONE_NUMBER_ID
    return bodies


CONFORMANCE_BODIES = conformance_bodies()


@st.composite
def real_bodies(draw: st.DrawFn, bot: LiveBot) -> Any:
    """A body as Meta sends it: a message of any kind from the learner, a status, or one of
    the conformance bodies."""
    phone = draw(PHONES)
    kind = draw(
        st.sampled_from(
            ["text", "text", "tap", "tap", "button", "list", "image", "reaction", "unsupported"]
            + ["status", "document", "conformance", "conformance"]
        )
    )
    if kind == "text":
        return text_body(phone, draw(TEXTS))
    if kind == "tap":  # an option of the last question (when there is one)
        asked = [p for p in bot.graph.sent(LEARNER_WA) if p["type"] == "interactive"]
        payload = asked[-1] if asked else None
        choice = pick(draw, choices_of(payload) if payload else [], None)
        if payload is not None and choice is not None:
            if payload["interactive"]["type"] == "list":
                return list_reply_body(phone, choice)
            return button_reply_body(phone, choice["id"], choice["title"])
        kind = "button"
    if kind == "button":
        reply_id = draw(
            st.text(max_size=40)
            | st.builds(lambda p, o: f"{p}:{o}", st.integers(), st.text(max_size=30))
        )
        return button_reply_body(phone, reply_id, draw(st.text(max_size=20)))
    if kind == "list":
        row = {"id": draw(st.text(max_size=40)), "title": draw(st.text(max_size=24))}
        return list_reply_body(phone, row)
    if kind == "image":
        return image_body(phone)
    if kind == "reaction":
        return reaction_body(phone, draw(st.text(max_size=30)))
    if kind == "unsupported":
        return unsupported_body(phone)
    if kind == "status":
        wamid = draw(st.text(max_size=30))
        status = draw(st.sampled_from(["sent", "delivered", "read", "failed", "played", "x"]))
        code = draw(st.none() | st.integers())
        return status_body(phone, wamid, status, code)
    if kind == "document":
        name = draw(st.sampled_from(["cours.md", "q.gift", "", "a" * 300]))
        document = {"id": draw(st.text(max_size=12)), "filename": name, "mime_type": "text/plain"}
        return message_body(phone, "document", document)
    if not CONFORMANCE_BODIES:  # ../shared/ absent: the conformance bodies are skipped
        return text_body(phone, draw(TEXTS))
    return copy.deepcopy(draw(st.sampled_from(CONFORMANCE_BODIES)))


@st.composite
def hostile_bodies(draw: st.DrawFn, bot: LiveBot) -> Any:
    """A real body, that body mutated, or any JSON at all."""
    shape = draw(st.sampled_from(["real", "mutated", "mutated", "json"]))
    if shape == "json":
        return draw(JSON)
    body = draw(real_bodies(bot))
    if shape == "mutated":
        body = draw(mutated(body, BODY_KEYS))
    return body


def test_the_conformance_folder_is_there() -> None:
    require_conformance("whatsapp")
    assert CONFORMANCE_BODIES, f"no conformance data under {CONFORMANCE}"


def test_hostile_signed_bodies_are_handled_cleanly(live: LiveBot) -> None:
    before = live.harness.run(table_counts(live.engine))

    @fuzz(live.harness.examples(60))
    @given(data=st.data())
    def example(data: st.DataObject) -> None:
        body = data.draw(hostile_bodies(live))
        raw = json.dumps(body, allow_nan=True).encode()
        status = live.harness.run(live.wa.post(raw))
        assert status == 200, status
        live.check(before)

    example()


def test_signed_bytes_that_are_not_json_are_refused(live: LiveBot) -> None:
    for raw in (b"", b"{", b"\xff\xfe", b"{'a': 1}"):
        assert live.harness.run(live.wa.post(raw)) == 400, raw
    for raw in (b"[]", b"42", b'"x"', b"null", b"NaN", b'{"entry": 1e999}'):
        assert live.harness.run(live.wa.post(raw)) == 200, raw
    live.check(live.harness.run(table_counts(live.engine)))
