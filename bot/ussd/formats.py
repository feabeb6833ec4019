"""Aggregators' USSD callback formats: one small adapter each.

Every aggregator of the region (Africa's Talking, and the many that copied its format) calls
the bot once per key press with the session's id, the service code dialled, the phone
number and every input of the session so far joined by `*` ("" on the first call, then "1",
"1*3"...); the answer is plain text starting with `CON ` (the session goes on: the phone
shows the screen and an input box) or `END ` (the screen is the last).

Plugging another aggregator's format: write a class with `name`, `parse` (the request's body
to a `Dial`, None when it is not a callback: a form, JSON, XML...) and `answer` (a screen to
its HTTP response), add it to `FORMATS`, and set `USSD_FORMAT` to its name. README:
"Connect a USSD code".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import parse_qsl

from aiohttp import web

MAX_FIELD = 200  # characters of a phone number or a session id (the inputs: the body's limit)


@dataclass(frozen=True)
class Dial:
    """One callback: a key press in a session (or the session's start, `text` empty)."""

    session_id: str
    service_code: str
    phone: str  # digits only: the learner's address on this channel
    text: str  # every input of the session so far, joined by "*"


class Format(Protocol):
    """An aggregator's callback format."""

    name: str

    def parse(self, body: bytes, content_type: str) -> Dial | None:
        """The callback's body as a dial; None when it is not one (malformed)."""
        ...

    def answer(self, screen: str, end: bool) -> web.Response:
        """A screen as the aggregator expects it; `end` closes the session."""
        ...


class AfricasTalking:
    """POST form `sessionId`, `serviceCode`, `phoneNumber`, `text`; answer `CON …`/`END …`
    as text/plain."""

    name = "africastalking"

    def parse(self, body: bytes, content_type: str) -> Dial | None:
        try:
            fields = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            return None
        return self.fields(fields)

    def fields(self, fields: Mapping[str, str]) -> Dial | None:
        """The form's fields as a dial."""
        session = fields.get("sessionId", "").strip()
        phone = "".join(c for c in fields.get("phoneNumber", "") if c.isdigit())
        text = fields.get("text")
        if not session or not phone or text is None:
            return None
        if any(len(value) > MAX_FIELD for value in (session, phone)):
            return None
        return Dial(session, fields.get("serviceCode", "").strip(), phone, text.strip())

    def answer(self, screen: str, end: bool) -> web.Response:
        return web.Response(text=f"{'END' if end else 'CON'} {screen}", content_type="text/plain")


FORMATS: dict[str, Format] = {AfricasTalking.name: AfricasTalking()}


def newest(text: str, handled: str | None) -> str:
    """The input new in `text`: what follows the inputs already handled (`handled`, when
    known and `text` goes on from it), else what follows the last `*`."""
    if handled is not None:
        if handled == "":
            return text
        if text.startswith(handled + "*"):
            return text[len(handled) + 1 :]
    return text.rsplit("*", 1)[-1]
