"""A fake WhatsApp Cloud (Graph) API: a real aiohttp server on 127.0.0.1 that records sends.

Point a ``GraphClient`` at ``api.url``. It checks the bearer token (401, code 190) and the
phone number id, refuses what Meta refuses with HTTP 400, code 131009 and a details text naming
the limit (so our renderers cannot drift past WhatsApp's limits unnoticed), answers successes in
Meta's shape, and lets tests inject refusals (``fail_next``, ``unreachable``) and lost answers
(``delay_next``). Every message request is timestamped per recipient, so tests can check pacing.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import json
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal

from aiohttp import web

JSON = dict[str, Any]
Endpoint = Literal["messages", "media"]
TITLES: dict[int, tuple[str, str]] = {
    131047: ("Re-engagement message", "Message failed to send because more than 24 hours have "
             "passed since the customer last replied to this number."),
    131026: ("Message undeliverable", "Unable to deliver message. Reasons can include: the "
             "recipient phone number is not a WhatsApp phone number."),
    130429: ("Rate limit hit", "Cloud API message throughput has been reached."),
    131056: ("(Business Account, Consumer Account) pair rate limit hit", "Too many messages "
             "sent from the sender phone number to the same recipient phone number in a short "
             "period of time."),
    131048: ("Spam rate limit hit", "Message failed to send because there are restrictions "
             "on how many messages can be sent from this phone number."),
    80007: ("Rate limit issues", "The WhatsApp Business Account has reached its rate limit."),
    131009: ("Parameter value is not valid", "One or more parameter values are invalid."),
    131000: ("Something went wrong", "Message failed to send due to an unknown error."),
    131016: ("Service unavailable", "A service is temporarily unavailable."),
    190: ("Invalid OAuth access token - Cannot parse access token", ""),
}  # fmt: skip


class GraphRefusal(Exception):
    """A Graph error answer: HTTP status, code, title and details."""

    def __init__(
        self,
        status: int,
        code: int,
        title: str,
        details: str = "",
        *,
        kind: str = "OAuthException",
        subcode: int | None = None,
    ) -> None:
        """Keep what the answer will say."""
        super().__init__(f"{code} {title}: {details}")
        self.status, self.code, self.title, self.details = status, code, title, details
        self.kind, self.subcode = kind, subcode

    def body(self) -> JSON:
        """Graph's error shape (``message`` carries the ``(#code)`` prefix, except for 190)."""
        message = self.title if self.code == 190 else f"(#{self.code}) {self.title}"
        error: JSON = {"message": message, "type": self.kind, "code": self.code}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.details:
            error["error_data"] = {"messaging_product": "whatsapp", "details": self.details}
        error["fbtrace_id"] = f"A{uuid.uuid4().hex[:22]}"
        return {"error": error}


@dataclass(frozen=True, slots=True)
class Request:
    """One request that reached the fake (``at`` is ``time.monotonic()`` on arrival)."""

    endpoint: Endpoint
    to: str | None
    at: float
    code: int | None = None  # the Graph error code of a refusal, None when accepted


@dataclass(frozen=True, slots=True)
class Upload:
    """One uploaded media file."""

    media_id: str
    filename: str
    mime: str
    size: int
    data: bytes


@dataclass(slots=True)
class _Failure:
    """A refusal to answer instead of the next ``times`` matching requests."""

    refusal: GraphRefusal
    times: int
    to: str | None
    endpoint: Endpoint


def _respond(status: int, body: JSON) -> web.Response:
    """A JSON response."""
    return web.Response(status=status, body=json.dumps(body), content_type="application/json")


class FakeGraphApi:
    """A fake Graph API server; ``start()`` returns its base URL ``http://127.0.0.1:PORT``."""

    def __init__(
        self,
        *,
        access_token: str = "test-graph-token",
        phone_number_id: str = "106540352242922",
        strict: bool = True,
        record: bool = True,
    ) -> None:
        """``strict=False`` skips Meta's validation; ``record=False`` only counts and times."""
        self.access_token = access_token
        self.phone_number_id = phone_number_id
        self.strict = strict
        self.record = record
        self.unreachable: set[str] = set()
        self.requests: list[Request] = []
        self.uploads: dict[str, Upload] = {}
        self.media: dict[str, tuple[bytes, str]] = {}  # media id -> (bytes, MIME type)
        self.downloads: Counter[str] = Counter()  # media id -> how many downloads
        self.served: Counter[str] = Counter()  # media id -> bytes written to downloaders
        self.unsized: set[str] = set()  # media served with no size: no file_size, chunked
        self.read_receipts: list[str] = []
        self.accepted: Counter[str] = Counter()
        self._sent: list[JSON] = []
        self._failures: list[_Failure] = []
        self._delays: list[float] = []
        self._media_ids = iter(range(1_037_543_291_543_636, 10**17))
        self._changed = asyncio.Condition()
        self._stopping = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._url = ""

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL, ``http://127.0.0.1:PORT`` (empty before ``start()``)."""
        return self._url

    async def start(self) -> str:
        """Listen on a random port of 127.0.0.1 and return the base URL."""
        app = web.Application(client_max_size=110 * 1024 * 1024)  # documents up to 100 MB
        app.router.add_post("/{version}/{phone_number_id}/messages", self._messages)
        app.router.add_post("/{version}/{phone_number_id}/media", self._media)
        app.router.add_get("/media-download/{media_id}", self._download)  # before the next one
        app.router.add_get("/{version}/{media_id}", self._media_url)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self._url

    async def stop(self) -> None:
        """Release delayed answers, then close the server."""
        self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeGraphApi:
        """Start the server."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server."""
        await self.stop()

    # -- test controls --------------------------------------------------------------------

    def fail_next(
        self,
        code: int,
        *,
        times: int = 1,
        to: str | None = None,
        http_status: int = 400,
        title: str | None = None,
        details: str | None = None,
        endpoint: Endpoint = "messages",
    ) -> None:
        """Refuse the next ``times`` valid requests (to ``to`` only, if given) with ``code``."""
        known_title, known_details = TITLES.get(code, ("Error", ""))
        refusal = GraphRefusal(
            http_status, code, title or known_title, known_details if details is None else details
        )
        self._failures.append(_Failure(refusal, times, to, endpoint))

    def add_media(self, media_id: str, data: bytes, mime: str, *, sized: bool = True) -> None:
        """Make a media file known, as if a learner or an admin had sent it.

        ``sized=False`` hides its size (no ``file_size``, no Content-Length): only a
        download that counts the bytes as they come can stop it.
        """
        self.media[media_id] = (data, mime)
        if not sized:
            self.unsized.add(media_id)

    def delay_next(self, seconds: float) -> None:
        """Accept the next message but answer only after ``seconds`` (a lost answer)."""
        self._delays.append(seconds)

    # -- what was sent --------------------------------------------------------------------

    def sent(self, to: str | None = None) -> list[JSON]:
        """Accepted message payloads in order (with their ``wamid``), optionally to one number."""
        return [copy.deepcopy(p) for p in self._sent if to is None or p.get("to") == to]

    def texts(self, to: str | None = None) -> list[str]:
        """What the recipient could read of each message that shows text (see visible_text)."""
        return [text for p in self._sent if (text := visible_text(p)) and _to(p, to)]

    def last(self, to: str | None = None) -> JSON:
        """The last accepted message (to one number)."""
        if not (sent := self.sent(to)):
            raise LookupError(f"nothing was sent{f' to {to}' if to else ''}")
        return sent[-1]

    def times(self, to: str | None = None, *, accepted_only: bool = False) -> list[float]:
        """Arrival times (monotonic) of message requests, to one number if given, for pacing."""
        return [
            r.at
            for r in self.requests
            if r.endpoint == "messages"
            and _to({"to": r.to}, to)
            and not (accepted_only and r.code is not None)
        ]

    def refusals(self, to: str | None = None) -> list[int]:
        """The Graph error codes of refused message requests, in order."""
        return [
            r.code
            for r in self.requests
            if r.endpoint == "messages" and r.code is not None and _to({"to": r.to}, to)
        ]

    async def wait_for(
        self,
        count: int,
        to: str | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - a test-facing deadline, like asyncio.wait_for
    ) -> list[JSON]:
        """Wait until ``count`` messages (to ``to``) were accepted; return those messages."""
        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(lambda: self._count(to) >= count)
        except TimeoutError:
            raise TimeoutError(self._waited_in_vain(count, to, timeout)) from None
        return self.sent(to) if self.record else []

    def _count(self, to: str | None) -> int:
        """Accepted messages, to one number or in all."""
        return self.accepted[to] if to is not None else self.accepted.total()

    def _waited_in_vain(self, count: int, to: str | None, timeout: float) -> str:
        """A helpful timeout message: what did arrive, and what was refused."""
        whom = f" to {to}" if to else ""
        got = self._count(to)
        refused = self.refusals(to)[-5:]
        texts = [t[:40] for t in self.texts(to)[-3:]] if self.record else []
        return (
            f"expected {count} message(s){whom} within {timeout}s, {got} accepted; "
            f"last refusals: {refused}; last texts: {texts}"
        )

    # -- HTTP -----------------------------------------------------------------------------

    async def _messages(self, request: web.Request) -> web.Response:
        """``POST /{version}/{phone_number_id}/messages``: check, refuse or accept, record."""
        arrived = time.monotonic()
        to: str | None = None
        try:
            self._gate(request)
            payload = await _json_body(request)
            to = payload["to"] if isinstance(payload.get("to"), str) else None
            if payload.get("status") == "read":
                return self._mark_read(payload)
            self._accept_or_refuse(payload, to)
        except GraphRefusal as refusal:
            await self._note(Request("messages", to, arrived, refusal.code))
            return _respond(refusal.status, refusal.body())
        wamid = f"wamid.{uuid.uuid4().hex.upper()}"
        await self._note(Request("messages", to, arrived), {**payload, "wamid": wamid})
        await self._maybe_delay()
        return _respond(200, _success(str(to), wamid))

    async def _media(self, request: web.Request) -> web.Response:
        """``POST /{version}/{phone_number_id}/media`` (multipart): store and return an id."""
        arrived = time.monotonic()
        try:
            self._gate(request)
            fields, file = await _multipart(request)
            if self.strict:
                check_upload(fields, file)
            self._inject(None, "media")
        except GraphRefusal as refusal:
            await self._note(Request("media", None, arrived, refusal.code))
            return _respond(refusal.status, refusal.body())
        mime = fields.get("type") or file.content_type
        upload = Upload(str(next(self._media_ids)), file.filename, mime, len(file.data), file.data)
        self.uploads[upload.media_id] = upload
        await self._note(Request("media", None, arrived))
        return _respond(200, {"id": upload.media_id})

    async def _media_url(self, request: web.Request) -> web.Response:
        """``GET /{version}/{media_id}``: where to download a media file, and what it is."""
        media_id = request.match_info["media_id"]
        try:
            self._check_token(request)
            data, mime = self._known_media(media_id)
        except GraphRefusal as refusal:
            return _respond(refusal.status, refusal.body())
        return _respond(200, {
            "messaging_product": "whatsapp",
            "url": f"{self.url}/media-download/{media_id}",
            "mime_type": mime,
            "sha256": hashlib.sha256(data).hexdigest(),
            **({} if media_id in self.unsized else {"file_size": len(data)}),
            "id": media_id,
        })  # fmt: skip

    async def _download(self, request: web.Request) -> web.Response:
        """The download URL of a media file (the bearer token is required here too)."""
        media_id = request.match_info["media_id"]
        try:
            self._check_token(request)
            data, mime = self._known_media(media_id)
        except GraphRefusal as refusal:
            return _respond(refusal.status, refusal.body())
        self.downloads[media_id] += 1
        response = web.StreamResponse(headers={"Content-Type": mime})
        if media_id in self.unsized:
            response.enable_chunked_encoding()
        else:
            response.content_length = len(data)
        await response.prepare(request)
        step = 64 * 1024
        try:
            for start in range(0, len(data), step):  # counted as written: a cut shows
                await response.write(data[start : start + step])
                self.served[media_id] += len(data[start : start + step])
        except (ConnectionError, RuntimeError):
            return response  # the downloader stopped reading and went away
        await response.write_eof()
        return response

    def _known_media(self, media_id: str) -> tuple[bytes, str]:
        """A registered or uploaded media file, or Graph's refusal of an unknown id."""
        if media_id in self.media:
            return self.media[media_id]
        if (upload := self.uploads.get(media_id)) is not None:
            return upload.data, upload.mime
        raise GraphRefusal(400, 100, f"Unsupported get request. Object with ID '{media_id}' "
                           "does not exist", "", subcode=33)  # fmt: skip

    def _check_token(self, request: web.Request) -> None:
        """Refuse a wrong or missing token (401, 190)."""
        if request.headers.get("Authorization") != f"Bearer {self.access_token}":
            raise GraphRefusal(401, 190, TITLES[190][0], "", kind="OAuthException")

    def _gate(self, request: web.Request) -> None:
        """Refuse a wrong or missing token (401, 190) and an unknown phone number id."""
        self._check_token(request)
        number = request.match_info["phone_number_id"]
        if number != self.phone_number_id:
            raise GraphRefusal(400, 100, f"Unsupported post request. Object with ID '{number}' "
                               "does not exist", "", subcode=33)  # fmt: skip

    def _accept_or_refuse(self, payload: JSON, to: str | None) -> None:
        """Meta's validation, then injected failures, then unreachable recipients."""
        if self.strict:
            check_message(payload)
        self._inject(to, "messages")
        if to in self.unreachable:
            raise GraphRefusal(400, 131026, *TITLES[131026])

    def _inject(self, to: str | None, endpoint: Endpoint) -> None:
        """Raise the first injected failure matching this request, using it up."""
        for failure in self._failures:
            if failure.endpoint == endpoint and failure.to in (None, to):
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
                raise failure.refusal

    def _mark_read(self, payload: JSON) -> web.Response:
        """A read receipt (or typing indicator) for an incoming message: ``success``."""
        if not isinstance(payload.get("message_id"), str):
            raise GraphRefusal(400, 131009, TITLES[131009][0], "message_id is required")
        self.read_receipts.append(payload["message_id"])
        return _respond(200, {"success": True})

    async def _note(self, request: Request, payload: JSON | None = None) -> None:
        """Keep the request's time and outcome (and the payload), wake ``wait_for``."""
        self.requests.append(request)
        if payload is not None:
            self.accepted[str(request.to)] += 1
            if self.record:
                self._sent.append(payload)
        async with self._changed:
            self._changed.notify_all()

    async def _maybe_delay(self) -> None:
        """Hold the answer if ``delay_next`` asked for it (released by ``stop()``)."""
        if self._delays:
            try:
                async with asyncio.timeout(self._delays.pop(0)):
                    await self._stopping.wait()
            except TimeoutError:
                pass


@dataclass(frozen=True, slots=True)
class _File:
    """The ``file`` part of an upload."""

    filename: str
    content_type: str
    data: bytes


async def _json_body(request: web.Request) -> JSON:
    """The JSON object of a request, or Graph's refusal of a malformed body."""
    try:
        payload = await request.json()
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        raise GraphRefusal(400, 100, "Invalid parameter", "the body must be a JSON object")
    return payload


async def _multipart(request: web.Request) -> tuple[dict[str, str], _File]:
    """The text fields and the ``file`` part of a multipart upload."""
    if not request.content_type.startswith("multipart/"):
        raise GraphRefusal(400, 100, "Invalid parameter", "uploads must be multipart/form-data")
    fields: dict[str, str] = {}
    file: _File | None = None
    for key, value in (await request.post()).items():
        if isinstance(value, web.FileField):
            data = value.file.read()
            file = _File(value.filename, value.content_type, data) if key == "file" else file
        else:
            fields[key] = value if isinstance(value, str) else bytes(value).decode()
    if file is None:
        raise GraphRefusal(400, 100, "Invalid parameter", "the file part is missing")
    return fields, file


def _success(to: str, wamid: str) -> JSON:
    """Meta's answer to an accepted message."""
    return {
        "messaging_product": "whatsapp",
        "contacts": [{"input": to, "wa_id": to.lstrip("+")}],
        "messages": [{"id": wamid}],
    }


def _to(payload: JSON, to: str | None) -> bool:
    """Whether a payload goes to ``to`` (always, when ``to`` is None)."""
    return to is None or payload.get("to") == to


# -- Meta's limits ------------------------------------------------------------------------

TEXT_BODY_LIMIT = 4096
INTERACTIVE_BODY_LIMIT = 1024
HEADER_LIMIT = 60
FOOTER_LIMIT = 60
MAX_BUTTONS = 3
BUTTON_TITLE_LIMIT = 20
BUTTON_ID_LIMIT = 256
LIST_BUTTON_LIMIT = 20
MAX_SECTIONS = 10
MAX_ROWS = 10
SECTION_TITLE_LIMIT = 24
ROW_TITLE_LIMIT = 24
ROW_DESCRIPTION_LIMIT = 72
ROW_ID_LIMIT = 200
CAPTION_LIMIT = 1024
CAPTIONED_MEDIA = frozenset({"image", "video", "document"})
MEDIA_TYPES = frozenset({*CAPTIONED_MEDIA, "audio", "sticker"})
_MB = 1024 * 1024
_OFFICE = "application/vnd.openxmlformats-officedocument"
UPLOAD_LIMITS: dict[str, int] = {
    **dict.fromkeys(("image/jpeg", "image/png"), 5 * _MB),
    "image/webp": 500 * 1024,  # stickers (animated ones; static ones 100 KB)
    **dict.fromkeys(("audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"), 16 * _MB),
    **dict.fromkeys(("video/mp4", "video/3gpp"), 16 * _MB),
    **dict.fromkeys(
        (
            "text/plain", "application/pdf", "application/msword", "application/vnd.ms-excel",
            "application/vnd.ms-powerpoint", f"{_OFFICE}.wordprocessingml.document",
            f"{_OFFICE}.spreadsheetml.sheet", f"{_OFFICE}.presentationml.presentation",
        ),
        100 * _MB,
    ),
}  # fmt: skip


def _invalid(details: str) -> GraphRefusal:
    """Meta's refusal of a parameter: HTTP 400, code 131009."""
    return GraphRefusal(400, 131009, "Parameter value is not valid", details)


def _obj(value: Any, where: str) -> JSON:
    """``value`` if it is a JSON object, else a refusal naming ``where``."""
    if not isinstance(value, dict):
        raise _invalid(f"{where} is required and must be an object")
    return value


def _text(value: Any, where: str, limit: int, *, required: bool = True) -> None:
    """Refuse a missing, empty or too long text (lengths in characters)."""
    if value is None and not required:
        return
    if not isinstance(value, str) or not value.strip():
        raise _invalid(f"{where} is required and must be a non-empty string")
    if len(value) > limit:
        raise _invalid(f"{where} is {len(value)} characters long; the limit is {limit}")


def _unique(ids: list[Any], where: str) -> None:
    """Refuse repeated ids."""
    repeated = sorted({str(i) for i in ids if ids.count(i) > 1})
    if repeated:
        raise _invalid(f"{where} must be unique; repeated: {repeated}")


def check_message(payload: JSON) -> None:
    """Refuse a ``messages`` payload the way the Cloud API does (HTTP 400, code 131009)."""
    if payload.get("messaging_product") != "whatsapp":
        raise _invalid("messaging_product must be 'whatsapp'")
    if payload.get("recipient_type", "individual") != "individual":
        raise _invalid("recipient_type must be 'individual'")
    to = payload.get("to")
    if not isinstance(to, str) or not to.strip():
        raise _invalid("to is required: the recipient's phone number or WhatsApp id")
    kind = payload.get("type", "text")
    check = _MESSAGE_CHECKS.get(kind) if isinstance(kind, str) else None
    if check is None:
        raise _invalid(f"type {kind!r} is not a supported message type")
    check(payload, kind)


def _check_text_message(payload: JSON, kind: str) -> None:
    """A text message: a body of 1 to 4,096 characters."""
    text = _obj(payload.get("text"), "text")
    _text(text.get("body"), "text.body", TEXT_BODY_LIMIT)
    if not isinstance(text.get("preview_url", False), bool):
        raise _invalid("text.preview_url must be a boolean")


def _check_media(payload: JSON, kind: str) -> None:
    """An image, audio, video, document or sticker message."""
    _check_media_object(payload.get(kind), kind, captioned=kind in CAPTIONED_MEDIA)


def _check_media_object(value: Any, where: str, *, captioned: bool) -> None:
    """A media object: exactly one of ``id`` or ``link``, a caption of at most 1,024."""
    media = _obj(value, where)
    given = [key for key in ("id", "link") if media.get(key)]
    if len(given) != 1:
        raise _invalid(f"{where} needs exactly one of id or link; got {given or 'neither'}")
    link = media.get("link")
    if link and not (isinstance(link, str) and link.startswith(("https://", "http://"))):
        raise _invalid(f"{where}.link must be an http(s) URL")
    if "caption" not in media:
        return
    if not captioned:
        raise _invalid(f"{where}.caption is not allowed for this media type")
    caption = media["caption"]
    if not isinstance(caption, str) or len(caption) > CAPTION_LIMIT:
        raise _invalid(f"{where}.caption must be a string of at most {CAPTION_LIMIT} characters")


def _check_template(payload: JSON, kind: str) -> None:
    """A template message: a name and a language code."""
    template = _obj(payload.get("template"), "template")
    _text(template.get("name"), "template.name", 512)
    _text(
        _obj(template.get("language"), "template.language").get("code"),
        "template.language.code",
        15,
    )


def _check_reaction(payload: JSON, kind: str) -> None:
    """A reaction: the message id it reacts to and an emoji (empty removes it)."""
    reaction = _obj(payload.get("reaction"), "reaction")
    _text(reaction.get("message_id"), "reaction.message_id", 256)
    if not isinstance(reaction.get("emoji"), str):
        raise _invalid("reaction.emoji is required")


def _check_location(payload: JSON, kind: str) -> None:
    """A location: numeric latitude and longitude."""
    location = _obj(payload.get("location"), "location")
    for key in ("latitude", "longitude"):
        if not isinstance(location.get(key), int | float | str):
            raise _invalid(f"location.{key} is required")


def _check_contacts(payload: JSON, kind: str) -> None:
    """Contact cards: a non-empty list."""
    if not isinstance(payload.get("contacts"), list) or not payload["contacts"]:
        raise _invalid("contacts must be a non-empty list")


def _check_interactive(payload: JSON, kind: str) -> None:
    """An interactive message: reply buttons, a list or a call-to-action URL."""
    interactive = _obj(payload.get("interactive"), "interactive")
    sub = interactive.get("type")
    if not isinstance(sub, str) or sub not in _INTERACTIVE_CHECKS:
        raise _invalid(f"interactive.type {sub!r} is not supported (button, list, cta_url)")
    _check_frame(interactive, sub)
    _INTERACTIVE_CHECKS[sub](_obj(interactive.get("action"), "interactive.action"))


def _check_frame(interactive: JSON, sub: str) -> None:
    """Header (text <= 60, or media for buttons), body (<= 1,024) and footer (<= 60)."""
    body = interactive.get("body")
    if body is not None or sub in ("button", "list"):
        text = _obj(body, "interactive.body").get("text")
        _text(text, "interactive.body.text", INTERACTIVE_BODY_LIMIT)
    if (header := interactive.get("header")) is not None:
        _check_header(_obj(header, "interactive.header"), sub)
    if (footer := interactive.get("footer")) is not None:
        text = _obj(footer, "interactive.footer").get("text")
        _text(text, "interactive.footer.text", FOOTER_LIMIT)


def _check_header(header: JSON, sub: str) -> None:
    """A text header of at most 60 characters; lists take no media header."""
    kind = header.get("type")
    if kind == "text":
        _text(header.get("text"), "interactive.header.text", HEADER_LIMIT)
    elif kind in CAPTIONED_MEDIA and sub != "list":
        _check_media_object(header.get(kind), f"interactive.header.{kind}", captioned=False)
    else:
        raise _invalid(f"interactive.header.type {kind!r} is not valid in a {sub} message")


def _check_buttons(action: JSON) -> None:
    """1 to 3 reply buttons, unique titles of 1 to 20 characters, unique ids of at most 256."""
    buttons = action.get("buttons")
    count = len(buttons) if isinstance(buttons, list) else 0
    if not isinstance(buttons, list) or not 1 <= count <= MAX_BUTTONS:
        raise _invalid(f"interactive.action.buttons must hold 1 to {MAX_BUTTONS}; got {count}")
    ids, titles = [], []
    for index, button in enumerate(buttons):
        where = f"interactive.action.buttons[{index}]"
        if _obj(button, where).get("type") != "reply":
            raise _invalid(f"{where}.type must be 'reply'")
        reply = _obj(button.get("reply"), f"{where}.reply")
        _text(reply.get("title"), f"{where}.reply.title", BUTTON_TITLE_LIMIT)
        _text(reply.get("id"), f"{where}.reply.id", BUTTON_ID_LIMIT)
        ids.append(reply["id"])
        titles.append(reply["title"])
    _unique(ids, "interactive.action.buttons[].reply.id")
    _unique(titles, "interactive.action.buttons[].reply.title")  # Meta: unique in a message


def _check_list(action: JSON) -> None:
    """A list: button text <= 20, 1 to 10 sections, 1 to 10 rows in all, unique row ids."""
    _text(action.get("button"), "interactive.action.button", LIST_BUTTON_LIMIT)
    sections = action.get("sections")
    count = len(sections) if isinstance(sections, list) else 0
    if not isinstance(sections, list) or not 1 <= count <= MAX_SECTIONS:
        raise _invalid(f"interactive.action.sections must hold 1 to {MAX_SECTIONS}; got {count}")
    rows = [row for index, section in enumerate(sections) for row in _rows(section, index, count)]
    if len(rows) > MAX_ROWS:
        raise _invalid(f"a list holds at most {MAX_ROWS} rows in all; got {len(rows)}")
    for where, row in rows:
        _text(row.get("title"), f"{where}.title", ROW_TITLE_LIMIT)
        _text(row.get("id"), f"{where}.id", ROW_ID_LIMIT)
        _text(row.get("description"), f"{where}.description", ROW_DESCRIPTION_LIMIT, required=False)
    _unique([row["id"] for _, row in rows], "interactive.action.sections[].rows[].id")


def _rows(section: Any, index: int, sections: int) -> list[tuple[str, JSON]]:
    """The rows of a section with where they are; a title is required beyond one section."""
    where = f"interactive.action.sections[{index}]"
    found = _obj(section, where)
    _text(found.get("title"), f"{where}.title", SECTION_TITLE_LIMIT, required=sections > 1)
    rows = found.get("rows")
    if not isinstance(rows, list) or not rows:
        raise _invalid(f"{where}.rows must hold at least one row")
    return [(f"{where}.rows[{i}]", _obj(row, f"{where}.rows[{i}]")) for i, row in enumerate(rows)]


def _check_cta_url(action: JSON) -> None:
    """A call-to-action URL button: display text <= 20 and an http(s) URL."""
    if action.get("name") != "cta_url":
        raise _invalid("interactive.action.name must be 'cta_url'")
    parameters = _obj(action.get("parameters"), "interactive.action.parameters")
    _text(parameters.get("display_text"), "interactive.action.parameters.display_text", 20)
    url = parameters.get("url")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise _invalid("interactive.action.parameters.url must be an http(s) URL")


_MESSAGE_CHECKS: dict[str, Callable[[JSON, str], None]] = {
    "text": _check_text_message,
    "interactive": _check_interactive,
    "template": _check_template,
    "reaction": _check_reaction,
    "location": _check_location,
    "contacts": _check_contacts,
    **dict.fromkeys(MEDIA_TYPES, _check_media),
}
_INTERACTIVE_CHECKS: dict[str, Callable[[JSON], None]] = {
    "button": _check_buttons,
    "list": _check_list,
    "cta_url": _check_cta_url,
}


def check_upload(fields: dict[str, str], file: _File) -> None:
    """Refuse an upload the Cloud API refuses: wrong product, unsupported type, too large."""
    if fields.get("messaging_product") != "whatsapp":
        raise _invalid("messaging_product must be 'whatsapp'")
    mime = fields.get("type", "").split(";")[0].strip()
    if mime not in UPLOAD_LIMITS:
        raise GraphRefusal(400, 131053, "Media upload error", f"type {mime!r} is not supported")
    if not file.data or len(file.data) > UPLOAD_LIMITS[mime]:
        limit = UPLOAD_LIMITS[mime]
        details = f"{mime} files must hold 1 to {limit} bytes; got {len(file.data)}"
        raise GraphRefusal(400, 131053, "Media upload error", details)


# -- what a recipient reads ---------------------------------------------------------------


def visible_text(payload: JSON) -> str | None:
    """The text of a message: body, interactive body and options, caption, template name."""
    kind = payload.get("type", "text")
    part = payload.get(kind) if isinstance(kind, str) else None
    if not isinstance(part, dict):
        return None
    try:
        if kind == "interactive":
            return _interactive_text(part)
        key = {"text": "body", "template": "name", "reaction": "emoji"}.get(kind, "caption")
        text = part.get(key)
    except (AttributeError, KeyError, TypeError):  # only possible with strict=False
        return None
    return text if isinstance(text, str) else None


def _interactive_text(interactive: JSON) -> str:
    """Body text, then each button title, row title or link text on its own line."""
    action = interactive.get("action") or {}
    lines = [(interactive.get("body") or {}).get("text")]
    lines += [button["reply"]["title"] for button in action.get("buttons", [])]
    lines += [row["title"] for section in action.get("sections", []) for row in section["rows"]]
    lines.append((action.get("parameters") or {}).get("display_text"))
    return "\n".join(line for line in lines if isinstance(line, str) and line)
